// The golden suite, run once per backend by golden-<backend>.test.ts: for every hf-tiny fixture, logits, loss and
// the gradient of the loss for every parameter against transformers + PyTorch (eval mode, no dropout).
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { getModelFamily, taskLoss } from '../../../src/engine/models';
import { FIXTURES, inputTensors, loadFixture, maxAbsDiff, toVariables, worstTensor, type Fixture } from './golden-fixtures';

export const LOGITS_TOL = 1e-4;
export const LOSS_REL_TOL = 1e-5;
export const GRAD_TOL = 1e-4;

export interface GoldenResult {
  logitsDiff: number;
  lossRelDiff: number;
  worstGrad: { name: string; diff: number };
}

export interface GoldenOutputs {
  logits: Float32Array;
  loss: number;
  /** Gradient of the loss by checkpoint name. */
  grads: Map<string, Float32Array>;
}

/** Forward in eval mode, then the loss and its gradient for every parameter of the fixture's checkpoint. */
export async function computeGolden(fx: Fixture): Promise<GoldenOutputs> {
  const family = getModelFamily(fx.config);
  const vars = toVariables(fx.weights);
  const inputs = inputTensors(fx.reference.inputs);
  const flatLabels = fx.reference.labels.flat();
  const labels = tf.tensor1d(flatLabels, 'int32');
  try {
    const names = [...vars.keys()];
    let logits: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const out = family.forward(vars, inputs, fx.config, fx.task, { training: false });
      logits = tf.keep(out);
      return taskLoss(out, labels, fx.task);
    }, names.map((n) => vars.get(n) as tf.Variable));
    const ours = new Map<string, Float32Array>();
    for (const n of names) {
      const g = grads[(vars.get(n) as tf.Variable).name];
      if (g) ours.set(n, (await g.data()) as Float32Array);
    }
    const result = { logits: (await (logits as tf.Tensor).data()) as Float32Array, loss: (await value.data())[0], grads: ours };
    tf.dispose([value, ...Object.values(grads), logits as tf.Tensor]);
    return result;
  } finally {
    tf.dispose([...vars.values(), labels, inputs.input_ids, inputs.attention_mask, ...(inputs.token_type_ids ? [inputs.token_type_ids] : [])]);
  }
}

export async function runGolden(fx: Fixture): Promise<GoldenResult> {
  const out = await computeGolden(fx);
  return {
    logitsDiff: maxAbsDiff(out.logits, fx.reference.logits.flat(2) as number[]),
    lossRelDiff: Math.abs(out.loss - fx.reference.loss) / Math.abs(fx.reference.loss),
    worstGrad: worstTensor(out.grads, fx.grads),
  };
}

/**
 * Registers the golden tests for every fixture; the backend is already current, unless `unavailable` gives the
 * reason why it could not start (then every test is reported as skipped with that reason).
 */
export function describeGolden(backend: string, fixtures: readonly string[] = FIXTURES, unavailable: string | null = null): void {
  describe.each(fixtures)(`golden %s on ${backend}`, (name) => {
    let fx: Fixture;
    let result: GoldenResult;
    beforeEach((ctx) => ctx.skip(unavailable !== null, `${backend} backend unavailable: ${unavailable}`));
    beforeAll(async () => {
      if (unavailable !== null) return;
      fx = await loadFixture(name);
      result = await runGolden(fx);
      console.log(`${backend} ${name}: logits ${result.logitsDiff.toExponential(2)}, loss rel ${result.lossRelDiff.toExponential(2)}, grad ${result.worstGrad.diff.toExponential(2)} (${result.worstGrad.name})`);
    });

    test('parameterShapes lists exactly the checkpoint tensors, with their shapes', () => {
      const shapes = getModelFamily(fx.config).parameterShapes(fx.config, fx.task);
      expect(new Map([...shapes].sort())).toEqual(new Map([...fx.weights].map(([n, w]) => [n, w.shape] as const).sort()));
    });

    test(`logits match transformers within ${LOGITS_TOL}`, () => {
      expect(result.logitsDiff).toBeLessThanOrEqual(LOGITS_TOL);
    });

    test(`loss matches within ${LOSS_REL_TOL} relative`, () => {
      expect(result.lossRelDiff).toBeLessThanOrEqual(LOSS_REL_TOL);
    });

    test(`the gradient of every parameter matches within ${GRAD_TOL}`, () => {
      expect(result.worstGrad.diff, `worst tensor: ${result.worstGrad.name}`).toBeLessThanOrEqual(GRAD_TOL);
    });
  });
}
