// The wasm matrix product's module (src/engine/backend/kernels/wasm-gemm-wat.ts) on its own memory, both variants,
// against a float64 triple loop.
import { setFlagsFromString } from 'node:v8';
import { describe, expect, test } from 'vitest';
import { GEMM_BINARIES } from '../../../src/engine/backend/kernels/wasm-binaries';

// Node 20 has relaxed SIMD behind a flag (src/cli/node-backend.ts sets it the same way).
if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');

interface Exports {
  rows(): number;
  pack_a(src: number, rs: number, cs: number, m: number, k: number, p0: number, p1: number, dst: number): void;
  pack_b(src: number, rs: number, cs: number, k: number, n: number, dst: number): void;
  gemm(ap: number, bp: number, bias: number, c: number, m: number, n: number, k: number, p0: number, p1: number, t: number): void;
}

function instantiate(base64: string, shared: boolean): { exports: Exports; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared } as WebAssembly.MemoryDescriptor);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(base64, 'base64')), { env: { memory } });
  return { exports: instance.exports as unknown as Exports, memory };
}

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

const SIZES: [number, number, number][] = [[1, 1, 1], [6, 8, 1], [7, 9, 3], [5, 16, 2], [13, 17, 33], [64, 40, 24], [3, 5, 0]];

describe.each([
  ['plain (SIMD128 multiply and add)', GEMM_BINARIES.plain, 5],
  ['fma (relaxed SIMD)', GEMM_BINARIES.fma, 6],
] as const)('the %s module', (_name, binaries, rows) => {
  test.each([false, true])('reports its tile height (shared memory: %s)', (shared) => {
    expect(instantiate(shared ? binaries.shared : binaries.unshared, shared).exports.rows()).toBe(rows);
  });

  test.each(SIZES.flatMap(([m, n, k]) => [false, true].map((transposed) => [m, n, k, transposed] as const)))(
    'm %i, n %i, k %i (operands transposed: %s), with a bias, equals the definition',
    (m, n, k, transposed) => {
      const { exports, memory } = instantiate(binaries.unshared, false);
      const [A, B, bias] = [values(m * k, m + 1), values(k * n, n + 2), values(n, k + 3)];
      // Operands as they lie in memory: A [m, k] (or [k, m]), B [k, n] (or [n, k]).
      const lay = (x: Float32Array, r: number, c: number) =>
        transposed ? Float32Array.from({ length: r * c }, (_, i) => x[(i % r) * c + Math.floor(i / r)]) : x;
      const f32 = new Float32Array(memory.buffer);
      const [aAt, bAt, biasAt] = [1024, 1024 + 4 * m * k, 1024 + 4 * (m * k + k * n)];
      f32.set(lay(A, m, k), aAt / 4);
      f32.set(lay(B, k, n), bAt / 4);
      const bPanels = Math.ceil(n / 8);
      const aPanels = Math.ceil(m / rows);
      f32.fill(0, biasAt / 4, biasAt / 4 + bPanels * 8);
      f32.set(bias, biasAt / 4);
      const ap = biasAt + 4 * bPanels * 8;
      const bp = ap + 4 * aPanels * rows * k;
      const tile = bp + 4 * bPanels * 8 * k;
      const c = tile + 4 * rows * 8;
      f32.fill(NaN, c / 4, c / 4 + m * n + 8); // every output written, nothing past it
      const [aRs, aCs] = transposed ? [4, 4 * m] : [4 * k, 4];
      const [bRs, bCs] = transposed ? [4, 4 * k] : [4 * n, 4];
      exports.pack_a(aAt, aRs, aCs, m, k, 0, aPanels, ap);
      exports.pack_b(bAt, bRs, bCs, k, n, bp);
      exports.gemm(ap, bp, biasAt, c, m, n, k, 0, aPanels, tile);
      const out = new Float32Array(memory.buffer, c, m * n + 8);
      let worst = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = bias[j];
          for (let p = 0; p < k; p++) sum += A[i * k + p] * B[p * n + j];
          worst = Math.max(worst, Math.abs(out[i * n + j] - sum));
        }
      }
      expect(worst).toBeLessThan(1e-5);
      expect(Array.from(out.subarray(m * n)).every(Number.isNaN)).toBe(true);
    },
  );

  test('row panels [p0, p1) write only their rows', () => {
    const { exports, memory } = instantiate(binaries.unshared, false);
    const [m, n, k] = [4 * rows, 8, 3];
    const f32 = new Float32Array(memory.buffer);
    f32.set(values(m * k, 1), 0);
    f32.set(values(k * n, 2), m * k);
    const [ap, bp, bias, tile, c] = [4096, 8192, 12288, 12800, 16384];
    exports.pack_a(0, 4 * k, 4, m, k, 1, 3, ap);
    exports.pack_b(4 * m * k, 4 * n, 4, k, n, bp);
    f32.fill(0, bias / 4, bias / 4 + 8);
    f32.fill(NaN, c / 4, c / 4 + m * n);
    exports.gemm(ap, bp, bias, c, m, n, k, 1, 3, tile);
    const written = Array.from(f32.subarray(c / 4, c / 4 + m * n), (x) => !Number.isNaN(x));
    const expected = Array.from({ length: m * n }, (_, i) => Math.floor(i / n) >= rows && Math.floor(i / n) < 3 * rows);
    expect(written).toEqual(expected);
  });
});
