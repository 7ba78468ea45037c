// The classification losses (engine/layers/loss.ts) and their hand-written gradients against PyTorch autograd
// (loss_reference.json, made by make_loss_reference.py): weighted and smoothed cross-entropy, the softmax focal loss,
// BCEWithLogitsLoss with pos_weight and the sigmoid focal loss, on the cpu and wasm backends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { binaryCrossEntropy, classificationLoss, crossEntropy, focalCrossEntropy, weightedCrossEntropy } from '../../../src/engine/layers/loss';
import { maxAbsDiff } from '../models/golden-fixtures';

interface Ref {
  logits: number[][];
  loss: number;
  grad: number[][];
}
const REF = JSON.parse(readFileSync(join(import.meta.dirname, 'loss_reference.json'), 'utf8')) as {
  cross_entropy: (Ref & { labels: number[]; weights: number[] | null; label_smoothing: number })[];
  focal: (Ref & { labels: number[]; weights: number[] | null; gamma: number })[];
  bce: (Ref & { targets: number[][]; pos_weight: number[] | null; gamma: number })[];
};

async function lossAndGrad(fn: (x: tf.Tensor) => tf.Scalar, logits: number[][]): Promise<{ loss: number; grad: number[] }> {
  const x = tf.tensor2d(logits);
  const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => fn(t))([x]);
  const out = { loss: (await value.data())[0], grad: Array.from(await grads[0].data()) };
  tf.dispose([x, value, ...grads]);
  return out;
}

const weightsOf = (w: number[] | null) => (w === null ? null : Float32Array.from(w));

describe.each(['cpu', 'wasm'] as const)('classification losses on %s', (backend) => {
  beforeAll(() => useNodeBackend(backend));

  test.each(REF.cross_entropy.map((c, i) => [i, c] as const))('cross-entropy case %i (weights, smoothing, ignored rows) as torch', async (_i, c) => {
    const labels = tf.tensor1d(c.labels, 'int32');
    const fn = (x: tf.Tensor) => (c.weights === null ? crossEntropy(x, labels, c.label_smoothing) : weightedCrossEntropy(x, labels, Float32Array.from(c.weights), c.label_smoothing));
    const { loss, grad } = await lossAndGrad(fn, c.logits);
    expect(loss).toBeCloseTo(c.loss, 5);
    expect(maxAbsDiff(grad, c.grad.flat())).toBeLessThan(1e-6);
    labels.dispose();
  });

  test('all-ones class weights give the plain cross-entropy', async () => {
    const c = REF.cross_entropy[1];
    const labels = tf.tensor1d(c.labels, 'int32');
    const plain = await lossAndGrad((x) => crossEntropy(x, labels, c.label_smoothing), c.logits);
    const ones = await lossAndGrad((x) => weightedCrossEntropy(x, labels, new Float32Array(4).fill(1), c.label_smoothing), c.logits);
    expect(ones.loss).toBeCloseTo(plain.loss, 6);
    expect(maxAbsDiff(ones.grad, plain.grad)).toBeLessThan(1e-7);
    labels.dispose();
  });

  test.each(REF.focal.map((c, i) => [i, c] as const))('focal loss case %i as torch autograd', async (_i, c) => {
    const labels = tf.tensor1d(c.labels, 'int32');
    const { loss, grad } = await lossAndGrad((x) => focalCrossEntropy(x, labels, c.gamma, weightsOf(c.weights)), c.logits);
    expect(loss).toBeCloseTo(c.loss, 5);
    expect(maxAbsDiff(grad, c.grad.flat())).toBeLessThan(1e-6);
    labels.dispose();
  });

  test.each(REF.bce.map((c, i) => [i, c] as const))('binary cross-entropy case %i (pos_weight, sigmoid focal) as torch', async (_i, c) => {
    const targets = tf.tensor2d(c.targets, undefined, 'int32');
    const { loss, grad } = await lossAndGrad((x) => binaryCrossEntropy(x, targets, weightsOf(c.pos_weight), c.gamma), c.logits);
    expect(loss).toBeCloseTo(c.loss, 5);
    expect(maxAbsDiff(grad, c.grad.flat())).toBeLessThan(1e-6);
    targets.dispose();
  });

  test('classificationLoss picks the loss the options name', async () => {
    const c = REF.bce[1];
    const targets = tf.tensor2d(c.targets, undefined, 'int32');
    const picked = await lossAndGrad((x) => classificationLoss(x, targets, { multiLabel: true, weights: weightsOf(c.pos_weight) }), c.logits);
    expect(picked.loss).toBeCloseTo(c.loss, 5);
    targets.dispose();
    const f = REF.focal[0];
    const labels = tf.tensor1d(f.labels, 'int32');
    expect((await lossAndGrad((x) => classificationLoss(x, labels, { focalGamma: f.gamma }), f.logits)).loss).toBeCloseTo(f.loss, 5);
    labels.dispose();
  });
});
