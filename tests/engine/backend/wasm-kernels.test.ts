// The replacement tfjs-backend-wasm kernels (src/engine/backend/kernels/) against tfjs's own kernels, which the
// fast-paths switch puts back, and BatchMatMul also against a plain triple loop: values, gradients, no leaks.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { adamwUpdate } from '../../../src/engine/backend/kernels/adamw-update';
import { DROPOUT_MASK } from '../../../src/engine/backend/kernels/dropout-mask';
import { GELU, GELU_GRAD } from '../../../src/engine/backend/kernels/gelu';
import { LAYER_NORM, LAYER_NORM_GRAD } from '../../../src/engine/backend/kernels/layer-norm';
import { startWasmThreads } from '../../../src/engine/backend/kernels/wasm-pool';
import { setFastPaths } from '../../../src/engine/backend/fast-paths';
import { maxAbsDiff } from '../models/golden-fixtures';

beforeAll(() => useNodeBackend('wasm'));
afterEach(() => setFastPaths(true));

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 31 - 1;
  });
}
const tensor = (shape: number[], seed: number) => tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape);

/** a·b by the definition, for [..., m, k] and [..., k, n] (leading shapes equal or one of them empty). */
function reference(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): number[] {
  const A = a.dataSync();
  const B = b.dataSync();
  const [ar, br] = [a.rank, b.rank];
  const m = ta ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = ta ? a.shape[ar - 2] : a.shape[ar - 1];
  const n = tb ? b.shape[br - 2] : b.shape[br - 1];
  const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const out: number[] = [];
  for (let g = 0; g < Math.max(batchA, batchB); g++) {
    const ao = (batchA === 1 ? 0 : g) * m * k;
    const bo = (batchB === 1 ? 0 : g) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += A[ao + (ta ? p * m + i : i * k + p)] * B[bo + (tb ? j * k + p : p * n + j)];
        out.push(sum);
      }
    }
  }
  return out;
}

const CASES: [string, number[], number[], boolean, boolean][] = [
  ['2-D', [5, 7], [7, 3], false, false],
  ['2-D, A transposed', [7, 5], [7, 3], true, false],
  ['2-D, B transposed', [5, 7], [3, 7], false, true],
  ['2-D, both transposed', [7, 5], [3, 7], true, true],
  ['batched 3-D', [4, 5, 7], [4, 7, 3], false, false],
  ['batched 3-D, B transposed', [4, 5, 7], [4, 3, 7], false, true],
  ['batched 4-D, A transposed (attention shapes)', [2, 3, 7, 5], [2, 3, 7, 6], true, false],
  ['batched A, shared 2-D B', [2, 3, 5, 7], [7, 3], false, false],
  ['shared 2-D A, batched B, B transposed', [5, 7], [4, 3, 7], false, true],
  // Past the product's 6 x 8 (or 5 x 8) tiles in every direction, and an empty inner dimension.
  ['2-D, partial tiles', [13, 33], [33, 17], false, false],
  ['2-D, partial tiles, both transposed', [33, 13], [17, 33], true, true],
  ['batched, partial tiles, A transposed, shared B', [3, 9, 11], [9, 19], true, false],
  ['one row, one column', [1, 40], [40, 1], false, false],
  ['empty inner dimension', [3, 0], [0, 4], false, false],
];

describe('BatchMatMul and _FusedMatMul on wasm', () => {
  test.each(CASES)('%s matches the definition and tfjs’s own kernel', (_name, aShape, bShape, ta, tb) => {
    const [a, b] = [tensor(aShape, 1), tensor(bShape, 2)];
    const fast = tf.matMul(a, b, ta, tb);
    setFastPaths(false);
    const stock = tf.matMul(a, b, ta, tb);
    expect(fast.shape).toEqual(stock.shape);
    expect(maxAbsDiff(fast.dataSync(), reference(a, b, ta, tb))).toBeLessThan(1e-5);
    expect(maxAbsDiff(fast.dataSync(), Array.from(stock.dataSync()))).toBeLessThan(1e-5);
    tf.dispose([a, b, fast, stock]);
  });

  // Against matMul and add, not tfjs's own fused kernel: that one is wrong with a transposed operand (4.22).
  test.each([
    ['2-D, bias', [13, 33], [33, 17], false, false, 'linear', [17]],
    ['B transposed, bias (the Linear layers)', [70, 40], [9, 40], false, true, 'linear', [9]],
    ['batched A, shared B, A transposed, bias', [2, 7, 5], [7, 10], true, false, 'linear', [10]],
    ['B transposed, relu, no bias', [6, 4], [5, 4], false, true, 'relu', null],
    ['a [m, n] bias, leaky relu', [6, 4], [4, 5], false, false, 'leakyrelu', [6, 5]],
    ['A transposed, bias, prelu', [4, 6], [4, 5], true, false, 'prelu', [5]],
  ] as [string, number[], number[], boolean, boolean, tf.fused.Activation, number[] | null][])(
    'fused product: %s, equals matMul, add and the activation',
    (_name, aShape, bShape, ta, tb, activation, biasShape) => {
      const [a, b] = [tensor(aShape, 11), tensor(bShape, 12)];
      const bias = biasShape === null ? undefined : tensor(biasShape, 13);
      const alpha = tensor([bShape[tb ? bShape.length - 2 : bShape.length - 1]], 14);
      const fast = tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation, preluActivationWeights: activation === 'prelu' ? alpha : undefined, leakyreluAlpha: 0.3 });
      const y = bias === undefined ? tf.matMul(a, b, ta, tb) : tf.add(tf.matMul(a, b, ta, tb), bias);
      const expected = { linear: y, relu: tf.relu(y), leakyrelu: tf.leakyRelu(y, 0.3), prelu: tf.prelu(y, alpha) }[activation as string]!;
      expect(fast.shape).toEqual(expected.shape);
      expect(maxAbsDiff(fast.dataSync(), Array.from(expected.dataSync()))).toBeLessThan(1e-5);
      tf.dispose([a, b, alpha, fast, y, expected, ...(bias ? [bias] : [])]);
    },
  );

  test('on three threads (workers sharing the heap), products big enough to split equal the one-thread results', async () => {
    const spawn = (source: string) => new Worker(source, { eval: true });
    // [m, k]·[k, n] sizes past the 4M multiply-adds where the workers join: rows split (m = 301 leaves uneven
    // shares), products split (a batch of 7 over 3 threads), shared A, shared B.
    const cases: [number[], number[], boolean, boolean][] = [
      [[301, 130], [130, 127], false, false],
      [[130, 301], [127, 130], true, true],
      [[7, 70, 90], [7, 90, 100], false, false],
      [[90, 70], [7, 100, 90], true, true],
      [[7, 90, 70], [90, 100], true, false],
    ];
    try {
      expect(await startWasmThreads(1, spawn)).toBe(1);
      const one = cases.map(([as, bs, ta, tb], i) => tf.matMul(tensor(as, 20 + i), tensor(bs, 30 + i), ta, tb));
      expect(await startWasmThreads(3, spawn)).toBe(3);
      cases.forEach(([as, bs, ta, tb], i) => {
        const [a, b] = [tensor(as, 20 + i), tensor(bs, 30 + i)];
        const three = tf.matMul(a, b, ta, tb);
        expect(Array.from(three.dataSync())).toEqual(Array.from(one[i].dataSync()));
        expect(maxAbsDiff(three.dataSync(), reference(a, b, ta, tb))).toBeLessThan(1e-4);
        tf.dispose([a, b, three]);
      });
      tf.dispose(one);
    } finally {
      await startWasmThreads(availableParallelism(), spawn);
    }
  });

  test('on three threads, the one-pass kernels cut into shares equal their one-thread results', async () => {
    const spawn = (source: string) => new Worker(source, { eval: true });
    // Past the 4M values where the workers join the memory-bound kernels (GELU: 65,536); 16,385 x 257 leaves shares
    // that are not whole vectors and rows.
    const shape = [16_385, 257];
    const [x, dy, w, b, m, v] = [tensor(shape, 40), tensor(shape, 41), tensor([257], 42), tensor([257], 43), tensor(shape, 44), tf.abs(tensor(shape, 45))];
    const run = () => {
      const kernel = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
      return [
        kernel(GELU, { x }),
        kernel(GELU_GRAD, { x, dy }),
        kernel(LAYER_NORM, { x, weight: w, bias: b }, { eps: 1e-5 }),
        kernel(LAYER_NORM_GRAD, { x, weight: w, dy }, { eps: 1e-5, output: 'dx' }),
        kernel(LAYER_NORM_GRAD, { x, dy }, { eps: 1e-5, output: 'dyXHat' }),
        kernel(DROPOUT_MASK, {}, { shape: [16_385 * 257], rate: 0.1, seed: 7 }),
        ...adamwUpdate(x, dy, m, v, { beta1: 0.9, beta2: 0.999, eps: 1e-8, lr: 1e-3, weightDecay: 0.01, step: 3, gradScale: 0.5 }),
      ];
    };
    try {
      expect(await startWasmThreads(1, spawn)).toBe(1);
      const one = run();
      expect(await startWasmThreads(3, spawn)).toBe(3);
      const three = run();
      // Bit for bit (compared as bytes: a deep equality of millions of numbers takes a minute).
      const bytes = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer);
      one.forEach((t, i) => expect(bytes(three[i]).equals(bytes(t)), `output ${i}`).toBe(true));
      tf.dispose([...one, ...three]);
    } finally {
      await startWasmThreads(availableParallelism(), spawn);
      tf.dispose([x, dy, w, b, m, v]);
    }
  });

  test('gradients through batched transposed products match tfjs’s own kernel', () => {
    const [a, b, w] = [tensor([3, 6, 4], 3), tensor([3, 5, 4], 4), tensor([3, 6, 5], 5)];
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, true), w));
    const fast = tf.grads(f)([a, b]);
    setFastPaths(false);
    const stock = tf.grads(f)([a, b]);
    for (let i = 0; i < 2; i++) expect(maxAbsDiff(fast[i].dataSync(), Array.from(stock[i].dataSync()))).toBeLessThan(1e-5);
    tf.dispose([a, b, w, ...fast, ...stock]);
  });

  test('leaves no tensor, buffer or heap view behind', () => {
    const [a, b] = [tensor([4, 8, 16], 6), tensor([4, 8, 12], 7)];
    const backend = tf.backend() as unknown as { numDataIds(): number };
    tf.tidy(() => tf.matMul(a, b, true, false)); // first call: kernels bound
    const [tensors, bytes, ids] = [tf.memory().numTensors, tf.memory().numBytes, backend.numDataIds()];
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.matMul(a, b, true, false).dataSync());
    expect([tf.memory().numTensors, tf.memory().numBytes, backend.numDataIds()]).toEqual([tensors, bytes, ids]);
    tf.dispose([a, b]);
  });
});

describe('Identity and GatherV2 on wasm', () => {
  test('a clone shares the buffer and outlives its source', () => {
    const x = tensor([3, 4], 8);
    const expected = Array.from(x.dataSync());
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const buffers = backend.numDataIds();
    const copy = tf.clone(x);
    expect(backend.numDataIds()).toBe(buffers); // no second buffer
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual(expected);
    copy.dispose();
  });

  test.each([
    ['float32 rows, 2-D ids', [6, 4], 'float32', [[5, 0, 5], [2, 3, 1]], 0],
    ['int32 rows', [5, 3], 'int32', [4, 4, 0], 0],
    ['axis 1 (the stock kernel)', [3, 6], 'float32', [5, 1], 1],
  ] as const)('gather of %s equals tfjs’s own kernel', (_name, shape, dtype, ids, axis) => {
    const x = tf.cast(tf.mul(tensor([...shape], 9), 100), dtype);
    const indices = tf.tensor(ids as unknown as number[], undefined, 'int32');
    const fast = tf.gather(x, indices, axis);
    setFastPaths(false);
    const stock = tf.gather(x, indices, axis);
    expect(fast.shape).toEqual(stock.shape);
    expect(fast.dtype).toBe(dtype);
    expect(Array.from(fast.dataSync())).toEqual(Array.from(stock.dataSync()));
    tf.dispose([x, indices, fast, stock]);
  });

  test('an out-of-range id throws as the stock kernel does, and frees its output', () => {
    const x = tensor([4, 2], 10);
    const indices = tf.tensor1d([1, 4], 'int32');
    const bytes = tf.memory().numBytes;
    expect(() => tf.gather(x, indices)).toThrow('GatherV2: the index value 4 is not in [0, 3]');
    expect(tf.memory().numBytes).toBe(bytes);
    tf.dispose([x, indices]);
  });
});
