// The engine's wasm one-pass kernels (wasm-elementwise-wat.ts, through gelu.ts and column-sums.ts) against their
// definitions in float64, on lengths that leave 1-3 values past the last full SIMD vector. (The dropout mask's
// wasm kernel is checked against Python in dropout-mask.test.ts.)
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { COLUMN_SUMS } from '../../../src/engine/backend/kernels/column-sums';
import { GELU, GELU_GRAD } from '../../../src/engine/backend/kernels/gelu';

beforeAll(() => useNodeBackend('wasm'));

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 2 ** 31 - 1) * scale;
  });
}

/** tfjs's erf (Abramowitz and Stegun 7.1.26) in float64. */
function erf(a: number): number {
  const u = tf.backend_util;
  const t = 1 / (1 + u.ERF_P * Math.abs(a));
  const poly = ((((u.ERF_A5 * t + u.ERF_A4) * t + u.ERF_A3) * t + u.ERF_A2) * t + u.ERF_A1) * t;
  return Math.sign(a) * (1 - poly * Math.exp(-a * a));
}
const cdf = (x: number) => 0.5 * (1 + erf(x * Math.SQRT1_2));
const pdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

describe('GELU on wasm', () => {
  test.each([1, 2, 3, 5, 1001])('%i values in [-12, 12): x·Φ(x) and dy·(Φ(x) + x·φ(x))', (n) => {
    const xs = values(n, n, 12);
    const dys = values(n, n + 1);
    const x = tf.tensor(xs);
    const dy = tf.tensor(dys);
    const y = tf.engine().runKernel(GELU, { x }) as tf.Tensor;
    const dx = tf.engine().runKernel(GELU_GRAD, { x, dy }) as tf.Tensor;
    const [yv, dxv] = [y.dataSync(), dx.dataSync()];
    for (let i = 0; i < n; i++) {
      expect(Math.abs(yv[i] - xs[i] * cdf(xs[i]))).toBeLessThan(2e-6 * Math.max(1, Math.abs(xs[i])));
      expect(Math.abs(dxv[i] - dys[i] * (cdf(xs[i]) + xs[i] * pdf(xs[i])))).toBeLessThan(2e-6);
    }
    tf.dispose([x, dy, y, dx]);
  });

  test('far tails: 0 below -10, x above 10, no NaN at ±1e30', () => {
    const x = tf.tensor([-1e30, -100, -10.5, 10.5, 100, 1e30]);
    const y = (tf.engine().runKernel(GELU, { x }) as tf.Tensor).dataSync();
    expect(Array.from(y)).toEqual([-0, -0, -0, 10.5, 100, 1e30].map(Math.fround));
    x.dispose();
  });
});

describe('column sums on wasm', () => {
  test.each([[1, 1], [7, 3], [5, 9], [1024, 256], [3, 1027]])('[%i, %i] equals the float64 sums', (rows, cols) => {
    const xs = values(rows * cols, rows + cols);
    const x = tf.tensor(xs, [rows, cols]);
    const sums = (tf.engine().runKernel(COLUMN_SUMS, { x }) as tf.Tensor).dataSync();
    const expected = Array.from({ length: cols }, (_, c) => {
      let s = 0;
      for (let r = 0; r < rows; r++) s += xs[r * cols + c];
      return Math.fround(s);
    });
    expect(Array.from(sums)).toEqual(expected);
    x.dispose();
  });
});
