// The layers' fast paths (hand-written gradients, products instead of reductions, plain-form attention products)
// against the plain tfjs composites they replace, values and gradients of every input, on cpu, wasm and webgpu
// (SwiftShader here; skipped with the reason where no adapter exists). The plain paths are themselves checked
// against PyTorch in layers.test.ts and by the golden tests.
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { setFastPaths } from '../../../src/engine/backend/fast-paths';
import { gelu } from '../../../src/engine/layers/activations';
import { extendedAttentionMask, selfAttention } from '../../../src/engine/layers/attention';
import { dropoutContext } from '../../../src/engine/layers/dropout';
import { layerNorm } from '../../../src/engine/layers/layer-norm';
import { linear } from '../../../src/engine/layers/linear';
import { toErrorData } from '../../../src/lib/errors';
import { maxAbsDiff } from '../models/golden-fixtures';

function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 2 ** 31 - 1) * scale;
  });
}
const tensor = (shape: number[], seed: number, scale = 1) => tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed, scale), shape);

/** Value and gradients (of Σ f·upstream) for every input, on the fast path and on the plain one. */
async function compare(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], upstreamSeed: number) {
  const run = async () => {
    const value = f(...inputs);
    const upstream = tensor(value.shape, upstreamSeed);
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), upstream)))(inputs);
    const out = { value: await value.data(), grads: await Promise.all(grads.map((g) => g.data())) };
    tf.dispose([value, upstream, ...grads]);
    return out;
  };
  setFastPaths(true);
  const fast = await run();
  setFastPaths(false);
  const plain = await run();
  const scale = Math.max(1, ...Array.from(plain.value, Math.abs));
  expect(maxAbsDiff(fast.value, Array.from(plain.value)) / scale).toBeLessThan(1e-5);
  fast.grads.forEach((g, i) => {
    const gScale = Math.max(1, ...Array.from(plain.grads[i], Math.abs));
    expect(maxAbsDiff(g, Array.from(plain.grads[i])) / gScale, `gradient of input ${i}`).toBeLessThan(1e-5);
  });
  tf.dispose(inputs);
}

const webgpu = await useNodeBackend('webgpu').then(
  () => null,
  (err: unknown) => toErrorData(err).message,
);

describe.each(['cpu', 'wasm', 'webgpu'] as const)('fast paths on %s', (backend) => {
  beforeEach((ctx) => ctx.skip(backend === 'webgpu' && webgpu !== null, `webgpu unavailable: ${webgpu}`));
  beforeAll(async () => {
    if (backend !== 'webgpu' || webgpu === null) await useNodeBackend(backend);
  });
  afterEach(() => setFastPaths(true));

  test('linear with bias, 3-D input', () => compare((x, w, b) => linear(x, w, b), [tensor([2, 5, 6], 1), tensor([4, 6], 2), tensor([4], 3)], 4));

  test('linear without bias', () => compare((x, w) => linear(x, w), [tensor([7, 6], 5), tensor([3, 6], 6)], 7));

  test('layerNorm (eps 1e-12, shifted and scaled rows)', () =>
    compare((x, w, b) => layerNorm(x, w, b, 1e-12), [tf.add(tensor([6, 8], 8, 3), 1), tensor([8], 9), tensor([8], 10)], 11));

  test('layerNorm over rows of 7 (a SIMD vector and 3 more on wasm)', () =>
    compare((x, w, b) => layerNorm(x, w, b, 1e-5), [tensor([5, 7], 21, 2), tensor([7], 22), tensor([7], 23)], 24));

  test('layerNorm over rows wider than a workgroup (3-D, width 200)', () =>
    compare((x, w, b) => layerNorm(x, w, b, 1e-5), [tensor([2, 3, 200], 17, 2), tensor([200], 18), tensor([200], 19)], 20));

  test('gelu (erf form) over [-6, 6]', () => compare((x) => gelu(x), [tf.linspace(-6, 6, 49)], 12));

  test('selfAttention over 70 positions (rows wider than a workgroup), no padding', () => {
    const mask = extendedAttentionMask(tf.ones([1, 70], 'int32'));
    const ctx = dropoutContext(false, 1);
    return compare((q, k, v) => selfAttention(q, k, v, mask, { batch: 1, seq: 70, numHeads: 2 }, 0, ctx), [tensor([70, 8], 21), tensor([70, 8], 22), tensor([70, 8], 23)], 24).finally(
      () => mask.dispose(),
    );
  });

  test('selfAttention with a padding mask (2 sequences of 5, 2 heads)', () => {
    const mask = extendedAttentionMask(tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], undefined, 'int32'));
    const shape = { batch: 2, seq: 5, numHeads: 2 };
    const ctx = dropoutContext(false, 1);
    return compare((q, k, v) => selfAttention(q, k, v, mask, shape, 0.1, ctx), [tensor([10, 8], 13), tensor([10, 8], 14), tensor([10, 8], 15)], 16).finally(() =>
      mask.dispose(),
    );
  });
});
