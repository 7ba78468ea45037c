// Evaluation against PyTorch + scikit-learn: the fixtures' reference logits scored by make_eval_reference.py
// (eval_loss = the PyTorch loss of the batch; accuracy, F1 averages, per-class scores and confusion matrix from
// scikit-learn; strict IOB2 entity scores). Evaluated in batches of 3, so that the sums over batches are checked too.
// MLM: eval_loss and masked-token accuracy recomputed here from the full logits of the same masked batches (float64
// log-softmax, argmax over the vocabulary, counted over the positions whose label is not -100).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { planBatches } from '../../../src/engine/data/batches';
import { IGNORE_INDEX, type EncodedDataset } from '../../../src/engine/data/encode';
import type { MlmTokenizerInfo } from '../../../src/engine/data/mlm-collator';
import { evaluate, isIob2 } from '../../../src/engine/train/evaluate';
import { batchTensors, type StepModel } from '../../../src/engine/train/step';
import { microBatch, type MlmMasking } from '../../../src/engine/train/windows';
import { fixtureModel, referenceDataset, syntheticDataset } from './helpers';

interface Expected {
  eval_loss: number;
  accuracy: number;
  f1_macro: number;
  f1_micro: number;
  f1_weighted: number;
  confusion_matrix: number[][];
  per_class: { precision: number; recall: number; f1: number; support: number }[];
  entity_precision?: number;
  entity_recall?: number;
  entity_f1?: number;
}
const REFERENCE = JSON.parse(readFileSync(path.join(import.meta.dirname, 'eval_reference.json'), 'utf8')) as Record<string, Expected>;
const padding = { padId: 0, maxLength: 64 };
let model: StepModel | null = null;

beforeAll(() => useNodeBackend('wasm'));
afterEach(() => {
  model?.params.dispose();
  model = null;
});

function expectMetrics(actual: Record<string, unknown>, expected: Expected): void {
  expect(Math.abs((actual.eval_loss as number) - expected.eval_loss) / expected.eval_loss).toBeLessThan(1e-5);
  for (const key of ['accuracy', 'f1_macro', 'f1_micro', 'f1_weighted', 'entity_precision', 'entity_recall', 'entity_f1'] as const) {
    if (expected[key] !== undefined) expect(actual[key], key).toBeCloseTo(expected[key], 12);
  }
  expect(actual.confusion_matrix).toEqual(expected.confusion_matrix);
  const perClass = actual.per_class as { precision: number; recall: number; f1: number; support: number }[];
  expected.per_class.forEach((c, i) => {
    expect(perClass[i].support).toBe(c.support);
    for (const k of ['precision', 'recall', 'f1'] as const) expect(perClass[i][k]).toBeCloseTo(c[k], 12);
  });
}

describe('evaluate on the fixtures (PyTorch logits, scikit-learn metrics)', () => {
  it('bert-seq-cls', async () => {
    model = await fixtureModel('bert-seq-cls', 'seq-cls');
    const labels = ['neg', 'neu', 'pos'];
    const metrics = await evaluate(model, referenceDataset('bert-seq-cls', 'seq-cls', labels), { batchSize: 3, seed: 1, padding, masking: null });
    expectMetrics(metrics as unknown as Record<string, unknown>, REFERENCE['bert-seq-cls']);
    expect(metrics.labels).toEqual(labels);
    expect(metrics.per_class?.map((c) => c.label)).toEqual(labels);
    expect(metrics.eval_samples).toBe(4);
    expect(metrics.entity_f1).toBeUndefined();
  });

  it('bert-token-cls: first-subword positions, strict IOB2 entities', async () => {
    model = await fixtureModel('bert-token-cls', 'token-cls');
    const tags = ['O', 'B-PER', 'I-PER'];
    const metrics = await evaluate(model, referenceDataset('bert-token-cls', 'token-cls', tags), { batchSize: 3, seed: 1, padding, masking: null });
    expectMetrics(metrics as unknown as Record<string, unknown>, REFERENCE['bert-token-cls']);
    expect(metrics.per_entity?.map((e) => e.type)).toEqual(['PER']);
    expect(metrics.per_entity?.[0].f1).toBeCloseTo(REFERENCE['bert-token-cls'].entity_f1!, 12);
  });

  it('token-cls with tags that are not IOB2 reports no entity scores', async () => {
    model = await fixtureModel('bert-token-cls', 'token-cls');
    const metrics = await evaluate(model, referenceDataset('bert-token-cls', 'token-cls', ['PER', 'LOC', 'O']), { batchSize: 4, seed: 1, padding, masking: null });
    expect(metrics.entity_f1).toBeUndefined();
    expect(metrics.f1_macro).toBeCloseTo(REFERENCE['bert-token-cls'].f1_macro, 12);
    expect(isIob2(['O', 'B-PER', 'I-PER'])).toBe(true);
    expect(isIob2(['O', 'PER'])).toBe(false);
  });
});

describe('MLM evaluation', () => {
  const info: MlmTokenizerInfo = { maskId: 4, vocabSize: 328, specialIds: new Set([0, 1, 2, 3, 4]), kind: 'wordpiece', idToToken: () => 'w' };
  const masking = { info, options: {} };

  it('masks with a fixed seed: the same masks at every evaluation, other masks under another seed', async () => {
    model = await fixtureModel('bert-mlm', 'mlm');
    const data = { ...syntheticDataset('seq-cls', 12, 5), task: 'mlm' as const, id2label: [], label2id: new Map<string, number>() };
    const first = await evaluate(model, data, { batchSize: 4, seed: 9, padding, masking });
    const again = await evaluate(model, data, { batchSize: 4, seed: 9, padding, masking });
    const other = await evaluate(model, data, { batchSize: 4, seed: 10, padding, masking });
    expect(again).toEqual(first);
    expect(other.eval_loss).not.toBe(first.eval_loss);
    expect(first.perplexity).toBeCloseTo(Math.exp(first.eval_loss), 10);
    expect(first.per_class).toBeUndefined();
  });

  it('eval_loss and masked-token accuracy equal a recount from the full logits of the same masked batches', async () => {
    model = await fixtureModel('bert-mlm', 'mlm');
    // Words of ids 5 and 6 only, and a decoder bias that makes one of them the model's answer at every position
    // (which one, the position's logits decide): about half of the masked tokens are guessed, so a wrong count, a
    // wrong denominator or predictions paired with the wrong labels show (a random model guesses none).
    const data = { ...syntheticDataset('seq-cls', 12, 5, 7), task: 'mlm' as const, id2label: [], label2id: new Map<string, number>() };
    const bias = Float32Array.from((await model.params.get('cls.predictions.bias').data()) as Float32Array);
    bias[5] += 5;
    bias[6] += 5;
    tf.tidy(() => model!.params.assign('cls.predictions.bias', tf.tensor1d(bias)));
    const heavy: MlmMasking = { info, options: { mlmProbability: 0.5 } };
    const metrics = await evaluate(model, data, { batchSize: 4, seed: 9, padding, masking: heavy });
    const expected = await recount(model, data, 4, 9, heavy);
    expect(expected.total).toBeGreaterThan(30);
    console.log(`MLM recount: ${expected.correct} of ${expected.total} masked tokens guessed`);
    expect(expected.correct / expected.total).toBeGreaterThan(0.2);
    expect(expected.correct / expected.total).toBeLessThan(0.8);
    expect(metrics.accuracy).toBe(expected.correct / expected.total);
    expect(Math.abs(metrics.eval_loss - expected.nll / expected.total) / (expected.nll / expected.total)).toBeLessThan(1e-5);
  });
});

/**
 * The evaluation's batches (file order, masks seeded by (seed, batch index)) scored here: every position's logits in
 * eval mode, then over the positions whose label is not -100 the float64 cross-entropy and argmax == label.
 */
async function recount(m: StepModel, data: EncodedDataset, batchSize: number, seed: number, masking: MlmMasking) {
  const batches = planBatches(data.examples.map((e) => e.ids.length), { batchSize, seed, epoch: 0, shuffle: false });
  let total = 0;
  let correct = 0;
  let nll = 0;
  for (const [b, indices] of batches.entries()) {
    const { batch } = microBatch({ data, batchSize, seed, padding, masking }, indices, false, b);
    const logits = tf.tidy(() => {
      const { inputs } = batchTensors(batch, 'mlm');
      return m.family.forward(m.params.tensors(), inputs, m.config, 'mlm', { training: false });
    });
    const values = (await logits.data()) as Float32Array;
    const vocab = logits.shape.at(-1)!;
    logits.dispose();
    batch.labels.forEach((label, i) => {
      if (label === IGNORE_INDEX) return;
      const row = values.subarray(i * vocab, (i + 1) * vocab);
      let best = 0;
      for (let v = 1; v < vocab; v++) if (row[v] > row[best]) best = v;
      const max = row[best];
      let sum = 0;
      for (const x of row) sum += Math.exp(x - max);
      nll += max + Math.log(sum) - row[label];
      total += 1;
      if (best === label) correct += 1;
    });
  }
  return { total, correct, nll };
}
