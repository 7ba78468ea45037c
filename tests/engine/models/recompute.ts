// Gradient checkpointing (models/recompute.ts), run once per backend by recompute-<backend>.test.ts: on every hf-tiny
// fixture the checkpointed forward gives the loss and the gradient of every parameter that the plain path gives —
// in eval mode against transformers' gradients too, and in training mode with dropout, where the recomputation
// must draw the first run's masks — also with frozen variables, and without leaving tensors behind.
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { getModelFamily, taskLoss } from '../../../src/engine/models';
import type { ForwardOptions } from '../../../src/engine/models/types';
import { GRAD_TOL } from './golden';
import { FIXTURES, inputTensors, loadFixture, maxAbsDiff, toVariables, worstTensor, type Fixture } from './golden-fixtures';

interface Run {
  loss: number;
  grads: Map<string, Float32Array>;
  /** Tensors alive after the gradients were read and disposed, minus those alive before they were computed. */
  leaked: number;
}

/** Loss and gradients of every trainable variable; `frozen` names are made non-trainable variables. */
async function lossAndGrads(fx: Fixture, opts: ForwardOptions, frozen: (name: string) => boolean = () => false): Promise<Run> {
  const family = getModelFamily(fx.config);
  const vars = toVariables(fx.weights);
  for (const [name, v] of vars) v.trainable = !frozen(name);
  const inputs = inputTensors(fx.reference.inputs);
  const labels = tf.tensor1d(fx.reference.labels.flat(), 'int32');
  try {
    const trainable = [...vars.values()].filter((v) => v.trainable);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => taskLoss(family.forward(vars, inputs, fx.config, fx.task, opts), labels, fx.task), trainable);
    const out = new Map<string, Float32Array>();
    for (const [name, v] of vars) {
      const g = grads[v.name];
      if (g) out.set(name, (await g.data()) as Float32Array);
    }
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, grads: out, leaked: tf.memory().numTensors - before };
  } finally {
    tf.dispose([...vars.values(), labels, inputs.input_ids, inputs.attention_mask, ...(inputs.token_type_ids ? [inputs.token_type_ids] : [])]);
  }
}

function worstGap(a: Run, b: Run): { name: string; diff: number } {
  expect([...a.grads.keys()].sort()).toEqual([...b.grads.keys()].sort());
  return worstTensor(a.grads, new Map([...b.grads].map(([n, data]) => [n, { shape: [data.length], data }])));
}

/** Products reassociate nowhere: the recomputation runs the same kernels on the same values. */
const SAME = 1e-6;

export function describeRecompute(backend: string): void {
  describe.each(FIXTURES)(`gradient checkpointing, %s on ${backend}`, (name) => {
    test('eval mode: the gradients of transformers, and of the plain path', async () => {
      const fx = await loadFixture(name);
      const plain = await lossAndGrads(fx, { training: false });
      const checkpointed = await lossAndGrads(fx, { training: false, checkpoint: true });
      expect(worstTensor(checkpointed.grads, fx.grads).diff).toBeLessThanOrEqual(GRAD_TOL);
      expect(Math.abs(checkpointed.loss - plain.loss)).toBeLessThanOrEqual(SAME * Math.abs(plain.loss));
      expect(worstGap(checkpointed, plain).diff).toBeLessThanOrEqual(SAME);
    });

    test('training mode: the recomputation draws the same dropout masks', async () => {
      const fx = await loadFixture(name);
      const opts = { training: true, seed: 1234, dropout: { hidden: 0.3, attention: 0.3, classifier: 0.3 } };
      const plain = await lossAndGrads(fx, opts);
      const checkpointed = await lossAndGrads(fx, { ...opts, checkpoint: true });
      const otherMasks = await lossAndGrads(fx, { ...opts, seed: 99 });
      expect(Math.abs(checkpointed.loss - plain.loss)).toBeLessThanOrEqual(SAME * Math.abs(plain.loss));
      const gap = worstGap(checkpointed, plain);
      expect(gap.diff, gap.name).toBeLessThanOrEqual(SAME);
      // Other masks move the gradients by far more than the tolerance: the comparison can fail.
      expect(worstGap(otherMasks, plain).diff).toBeGreaterThan(1000 * SAME);
    });

    test('frozen variables: no gradient, the others as on the plain path, no tensors left behind', async () => {
      const fx = await loadFixture(name);
      // Freeze the first layer's attention and everything below the encoder: a layer with a mix of both.
      const frozen = (n: string) => /embeddings\./.test(n) || /layer\.0\.attention\./.test(n);
      const opts = { training: true, seed: 7 };
      const plain = await lossAndGrads(fx, opts, frozen);
      const checkpointed = await lossAndGrads(fx, { ...opts, checkpoint: true }, frozen);
      expect(checkpointed.leaked).toBe(0);
      expect([...checkpointed.grads.keys()].some(frozen)).toBe(false);
      expect(maxAbsDiff([checkpointed.loss], [plain.loss])).toBeLessThanOrEqual(SAME);
      expect(worstGap(checkpointed, plain).diff).toBeLessThanOrEqual(SAME);
    });
  });
}
