// The MLM head on the masked positions only (ForwardOptions.positions, what training and evaluation use): on the
// bert-mlm fixture the loss and every gradient equal transformers' (which runs the head on all positions), and for
// every family the logits at the positions equal those rows of the full logits.
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { getModelFamily, MODEL_TYPES, taskLoss, type ModelFamilyName } from '../../../src/engine/models';
import { GRAD_TOL, LOSS_REL_TOL } from './golden';
import { inputTensors, loadFixture, maxAbsDiff, tinyConfig, toVariables, worstTensor } from './golden-fixtures';

beforeAll(() => useNodeBackend('cpu'));

/** Flat indices into B·S of the labels that count (not -100), and those labels. */
function maskedPositions(labels: number[][]): { positions: number[]; picked: number[] } {
  const flat = labels.flat();
  const positions = flat.flatMap((l, i) => (l === -100 ? [] : [i]));
  return { positions, picked: positions.map((i) => flat[i]) };
}

test('bert-mlm: loss and gradients over the masked positions only match transformers', async () => {
  const fx = await loadFixture('bert-mlm');
  const family = getModelFamily(fx.config);
  const vars = toVariables(fx.weights);
  const inputs = inputTensors(fx.reference.inputs);
  const { positions, picked } = maskedPositions(fx.reference.labels as number[][]);
  expect(positions.length).toBeGreaterThan(0);
  expect(positions.length).toBeLessThan((fx.reference.labels as number[][]).flat().length);
  const names = [...vars.keys()];
  const { value, grads } = tf.variableGrads(() => {
    const logits = family.forward(vars, inputs, fx.config, 'mlm', { training: false, positions: tf.tensor1d(positions, 'int32') });
    expect(logits.shape).toEqual([positions.length, fx.config.vocab_size]);
    return taskLoss(logits, tf.tensor1d(picked, 'int32'), 'mlm');
  }, names.map((n) => vars.get(n) as tf.Variable));
  const loss = (await value.data())[0];
  expect(Math.abs(loss - fx.reference.loss) / fx.reference.loss).toBeLessThan(LOSS_REL_TOL);
  const ours = new Map<string, Float32Array>();
  for (const n of names) ours.set(n, (await grads[(vars.get(n) as tf.Variable).name].data()) as Float32Array);
  const worst = worstTensor(ours, fx.grads);
  expect(worst.diff).toBeLessThan(GRAD_TOL);
  tf.dispose([value, ...Object.values(grads), ...vars.values()]);
});

describe.each([...new Set([...MODEL_TYPES.values()].map((f) => f.name))] as ModelFamilyName[])('%s', (familyName) => {
  test('logits at the positions are those rows of the full logits', async () => {
    const config = tinyConfig(familyName, { hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, embedding_size: familyName === 'electra' ? 6 : 8, tie_word_embeddings: familyName !== 'electra' });
    const family = getModelFamily(config);
    const params = new Map([...family.parameterShapes(config, 'mlm')].map(([n, shape], i) => [n, tf.randomNormal(shape, 0, 0.5, 'float32', i + 1)]));
    const inputs = inputTensors({ input_ids: [[2, 5, 7, 9, 3], [2, 11, 4, 3, 0]], attention_mask: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]] });
    const positions = [1, 3, 6, 7];
    const full = (await family.forward(params, inputs, config, 'mlm', { training: false }).data()) as Float32Array;
    const some = (await family.forward(params, inputs, config, 'mlm', { training: false, positions: tf.tensor1d(positions, 'int32') }).data()) as Float32Array;
    const v = config.vocab_size;
    const rows = positions.flatMap((p) => [...full.subarray(p * v, (p + 1) * v)]);
    expect(maxAbsDiff(some, rows)).toBeLessThan(1e-6);
  });
});
