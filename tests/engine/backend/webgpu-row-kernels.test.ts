// The WebGPU row kernels (layer-norm.ts, masked-softmax.ts, l2-norm.ts in src/engine/backend/kernels/) against the tfjs
// composites they replace, on shapes the layer tests do not reach: more rows than one dispatch dimension holds
// (65,535 workgroups; tfjs-webgpu's own Softmax returns NaN past that), rows narrower than a workgroup, and a row
// whose mask hides every key but one. Gradients are compared through the layers in
// tests/engine/layers/fast-paths.test.ts. SwiftShader here; skipped without an adapter.
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { L2_NORM } from '../../../src/engine/backend/kernels/l2-norm';
import { LAYER_NORM } from '../../../src/engine/backend/kernels/layer-norm';
import { MASKED_SOFTMAX, MASKED_SOFTMAX_GRAD } from '../../../src/engine/backend/kernels/masked-softmax';
import { FLOAT32_MIN } from '../../../src/engine/layers/attention';
import { toErrorData } from '../../../src/lib/errors';
import { maxAbsDiff } from '../models/golden-fixtures';

const webgpu = await useNodeBackend('webgpu').then(
  () => null,
  (err: unknown) => toErrorData(err).message,
);

/** Deterministic values in [-scale, scale). */
function tensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 31 - 1) * scale), shape);
}

const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: object) =>
  tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

async function expectClose(actual: tf.Tensor, expected: tf.Tensor, tolerance: number): Promise<void> {
  expect(actual.shape).toEqual(expected.shape);
  expect(maxAbsDiff(await actual.data(), Array.from(await expected.data()))).toBeLessThan(tolerance);
}

describe('WebGPU row kernels', () => {
  beforeEach((ctx) => ctx.skip(webgpu !== null, `webgpu unavailable: ${webgpu}`));
  beforeAll(async () => {
    if (webgpu === null) await tf.setBackend('webgpu');
  });

  test('masked softmax over 70,000 rows of 3 (a dispatch split over two dimensions), 2 sequences', async () => {
    const scores = tensor([70_000, 3], 1, 4);
    // Sequence 0 attends to all 3 keys, sequence 1 only to the first.
    const mask = tf.tensor2d([[0, 0, 0], [0, FLOAT32_MIN, FLOAT32_MIN]]);
    const probs = await run(MASKED_SOFTMAX, { scores, mask }, { scale: 0.5 }).data();
    // By the definition, in float64; the masked rows are exactly one-hot.
    const s = await scores.data();
    const expected = Array.from(s, (_, i) => {
      const row = Math.floor(i / 3);
      if (row >= 35_000) return i % 3 === 0 ? 1 : 0;
      const exps = [0, 1, 2].map((c) => Math.exp(0.5 * s[row * 3 + c]));
      return exps[i % 3] / (exps[0] + exps[1] + exps[2]);
    });
    expect(maxAbsDiff(probs, expected)).toBeLessThan(1e-6);
    expect(Array.from(probs.slice(35_000 * 3)).every((p, i) => p === expected[35_000 * 3 + i])).toBe(true);
  });

  test('masked softmax gradient: scale·p·(dy - Σ dy·p) per row', async () => {
    const probs = tf.softmax(tensor([130, 70], 2, 3));
    const dy = tensor([130, 70], 3);
    const expected = tf.mul(tf.mul(probs, tf.sub(dy, tf.sum(tf.mul(dy, probs), -1, true))), 0.125);
    await expectClose(run(MASKED_SOFTMAX_GRAD, { probs, dy }, { scale: 0.125 }), expected, 1e-6);
  });

  test('L2 norm of a whole tensor: 300,001 values (not a multiple of the workgroup), and one value', async () => {
    for (const x of [tensor([300_001], 6, 2), tf.tensor([[-3]])]) {
      const values = await x.data();
      const expected = Math.sqrt(Array.from(values).reduce((sum, v) => sum + v * v, 0));
      const [norm] = await run(L2_NORM, { x }, {}).data();
      expect(Math.abs(norm - expected) / expected).toBeLessThan(1e-6);
    }
  });

  test('layer norm over rows of 5 and of 1,000', async () => {
    for (const [shape, seed] of [[[40, 5], 4], [[3, 1000], 5]] as const) {
      const x = tf.add(tensor([...shape], seed, 3), 2);
      const weight = tensor([shape[1]], seed + 1);
      const bias = tensor([shape[1]], seed + 2);
      const mean = tf.mean(x, -1, true);
      const centered = tf.sub(x, mean);
      const expected = tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), 1e-5))), weight), bias);
      await expectClose(run(LAYER_NORM, { x, weight, bias }, { eps: 1e-5 }), expected, 1e-5);
    }
  });
});
