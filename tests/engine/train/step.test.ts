// The step maths against PyTorch: gradients accumulated over micro-batches (weighted by labelled items) equal the
// fixtures' reference_grads of the whole 4-sentence batch (transformers 5.17, eval mode); accumulation 4 × 2 equals
// one batch of 8; the L2-SP gradient is the task gradient plus 2·s·(w − w₀); frozen parameters get no gradient.
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import type { EncodedDataset } from '../../../src/engine/data/encode';
import { accumulateGradients, type StepModel } from '../../../src/engine/train/step';
import { microBatch, type MicroBatch } from '../../../src/engine/train/windows';
import type { Task } from '../../../src/protocol/task';
import { fixtureModel, GOLDEN, maxAbsDiff, readTensors, reference, referenceDataset, syntheticDataset, worstDiff } from './helpers';

const NO_DROPOUT = { hidden: 0, attention: 0, classifier: 0 };
const padding = { padId: 0, maxLength: 64 };
let model: StepModel | null = null;

beforeAll(() => useNodeBackend('wasm'));
afterEach(() => {
  model?.params.dispose();
  model = null;
});

function micro(data: EncodedDataset, groups: number[][]): MicroBatch[] {
  return groups.map((g) => microBatch({ data, batchSize: g.length, seed: 1, padding, masking: null }, g, true));
}

async function gradients(m: StepModel, batches: MicroBatch[], l2sp: { strength: number; initial: Map<string, tf.Tensor> } | null = null) {
  const acc = accumulateGradients(m, batches, { dropout: NO_DROPOUT, labelSmoothing: 0, seeds: batches.map((_, i) => i + 1), l2sp });
  const loss = (await acc.loss.data())[0];
  const penalty = (await acc.penalty.data())[0];
  const grads = new Map<string, Float32Array>();
  for (const [n, g] of acc.grads) grads.set(n, (await g.data()) as Float32Array);
  tf.dispose([acc.loss, acc.penalty, ...acc.grads.values()]);
  return { loss, penalty, grads };
}

describe('accumulated gradients equal the PyTorch gradient of the whole batch', () => {
  const cases: [string, Task, string[]][] = [
    ['bert-seq-cls', 'seq-cls', ['LABEL_0', 'LABEL_1', 'LABEL_2']],
    ['bert-token-cls', 'token-cls', ['LABEL_0', 'LABEL_1', 'LABEL_2']],
  ];
  for (const [fixture, task, labels] of cases) {
    for (const split of [[[0, 1], [2, 3]], [[0], [1], [2], [3]], [[3, 0, 2], [1]]]) {
      it(`${fixture}: micro-batches ${JSON.stringify(split)}`, async () => {
        model = await fixtureModel(fixture, task);
        const data = referenceDataset(fixture, task, labels);
        const { loss, grads } = await gradients(model, micro(data, split));
        const ref = await readTensors(path.join(GOLDEN, fixture, 'reference_grads.safetensors'));
        const refLoss = reference(fixture).loss;
        expect(Math.abs(loss - refLoss) / refLoss).toBeLessThan(1e-5);
        const worst = worstDiff(grads, new Map([...ref].map(([n, v]) => [n, v.data])));
        expect(worst.diff, worst.name).toBeLessThan(2e-6);
      });
    }
  }
});

describe('gradient accumulation 4 × 2 equals one batch of 8', () => {
  for (const task of ['seq-cls', 'token-cls'] as const) {
    it(task, async () => {
      model = await fixtureModel(task === 'seq-cls' ? 'bert-seq-cls' : 'bert-token-cls', task);
      const data = syntheticDataset(task, 8, 3);
      const order = [5, 2, 7, 0, 1, 6, 3, 4];
      const small = await gradients(model, micro(data, [0, 2, 4, 6].map((i) => order.slice(i, i + 2))));
      const large = await gradients(model, micro(data, [order]));
      expect(Math.abs(small.loss - large.loss)).toBeLessThan(1e-6);
      let scale = 0;
      for (const g of large.grads.values()) scale = Math.max(scale, maxAbsDiff(g, new Float32Array(g.length)));
      const worst = worstDiff(small.grads, large.grads);
      expect(worst.diff, worst.name).toBeLessThan(1e-6 * Math.max(1, scale));
      expect([...small.grads.keys()]).toEqual([...large.grads.keys()]);
    });
  }
});

describe('label smoothing', () => {
  it('the loss is the smoothed cross-entropy of the PyTorch logits, computed here by hand (ε = 0.1)', async () => {
    model = await fixtureModel('bert-seq-cls', 'seq-cls');
    const data = referenceDataset('bert-seq-cls', 'seq-cls', ['LABEL_0', 'LABEL_1', 'LABEL_2']);
    const ref = reference('bert-seq-cls');
    const eps = 0.1;
    // torch: (1 − ε)·(−log p[y]) + ε · mean over classes of (−log p[c]).
    const expected =
      (ref.logits as number[][]).reduce((sum, row, k) => {
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
        const nll = lse - row[(ref.labels as number[])[k]];
        const uniform = row.reduce((s, v) => s + (lse - v), 0) / row.length;
        return sum + (1 - eps) * nll + eps * uniform;
      }, 0) / ref.logits.length;
    const acc = accumulateGradients(model, micro(data, [[0, 1], [2, 3]]), { dropout: NO_DROPOUT, labelSmoothing: eps, seeds: [1, 2], l2sp: null });
    const loss = (await acc.loss.data())[0];
    tf.dispose([acc.loss, acc.penalty, ...acc.grads.values()]);
    expect(Math.abs(loss - expected) / expected).toBeLessThan(1e-5);
  });
});

describe('L2-SP', () => {
  it('adds strength · Σ‖w − w₀‖² to the loss and 2·strength·(w − w₀) to the PyTorch gradient', async () => {
    model = await fixtureModel('bert-seq-cls', 'seq-cls');
    const data = referenceDataset('bert-seq-cls', 'seq-cls', ['LABEL_0', 'LABEL_1', 'LABEL_2']);
    const strength = 0.3;
    // w₀ = w − δ with a seeded δ, so that the task gradient stays the fixture's reference at w.
    const deltas = new Map<string, Float32Array>();
    const initial = new Map<string, tf.Tensor>();
    let expectedPenalty = 0;
    for (const name of model.params.names()) {
      const w = (await model.params.get(name).data()) as Float32Array;
      const d = Float32Array.from(w, (_, i) => 0.01 * Math.sin(i + name.length));
      const w0 = Float32Array.from(w, (x, i) => x - d[i]);
      // The penalty as float32 sees it: (w − w₀) rounded, squared.
      const seen = Float32Array.from(w, (x, i) => x - w0[i]);
      deltas.set(name, seen);
      for (const v of seen) expectedPenalty += v * v;
      initial.set(name, tf.tensor(w0, model.params.shape(name)));
    }
    expectedPenalty *= strength;
    const { penalty, grads } = await gradients(model, micro(data, [[0, 1], [2, 3]]), { strength, initial });
    tf.dispose([...initial.values()]);
    const ref = await readTensors(path.join(GOLDEN, 'bert-seq-cls', 'reference_grads.safetensors'));
    const expected = new Map([...ref].map(([n, v]) => [n, Float32Array.from(v.data, (g, i) => g + 2 * strength * deltas.get(n)![i])]));
    expect(Math.abs(penalty - expectedPenalty) / expectedPenalty).toBeLessThan(1e-4);
    const worst = worstDiff(grads, expected);
    expect(worst.diff, worst.name).toBeLessThan(2e-6);
  });
});

describe('frozen parameters', () => {
  it('are left out of the gradient computation', async () => {
    model = await fixtureModel('bert-seq-cls', 'seq-cls');
    const frozen = model.params.names().filter((n) => n.startsWith('bert.embeddings.') || n.startsWith('bert.encoder.layer.0.'));
    for (const n of frozen) model.params.setTrainable(n, false);
    const data = referenceDataset('bert-seq-cls', 'seq-cls', ['LABEL_0', 'LABEL_1', 'LABEL_2']);
    const { grads } = await gradients(model, [microBatch({ data, batchSize: 4, seed: 1, padding, masking: null }, [0, 1, 2, 3], true)]);
    expect(frozen.filter((n) => grads.has(n))).toEqual([]);
    expect([...grads.keys()].sort()).toEqual(model.params.names().filter((n) => !frozen.includes(n)).sort());
    // The rest still matches PyTorch: freezing changes nothing upstream of the frozen layers' outputs.
    const ref = await readTensors(path.join(GOLDEN, 'bert-seq-cls', 'reference_grads.safetensors'));
    const worst = worstDiff(grads, new Map([...ref].filter(([n]) => grads.has(n)).map(([n, v]) => [n, v.data])));
    expect(worst.diff, worst.name).toBeLessThan(2e-6);
  });
});
