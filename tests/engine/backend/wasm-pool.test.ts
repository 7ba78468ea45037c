// The pool of the engine's wasm kernels (src/engine/backend/kernels/wasm-pool.ts) on a memory of its own: a worker
// whose share of a job traps makes the job throw on the caller instead of leaving it waiting, and the pool still
// works after it. (Kernels on the pool against one thread: wasm-kernels.test.ts.)
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { expect, test } from 'vitest';
import { ELEMENTWISE_BINARIES, GEMM_BINARIES } from '../../../src/engine/backend/kernels/wasm-binaries';
import { WasmPool } from '../../../src/engine/backend/kernels/wasm-pool';
import { JOB_AT, PRODUCT, type KernelExports } from '../../../src/engine/backend/kernels/wasm-share';

if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

test('a worker whose share traps (rows past the memory) makes the job throw on the caller, and the pool stays usable', async () => {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  const modules = {
    gemm: new WebAssembly.Module(Buffer.from(GEMM_BINARIES.plain.shared, 'base64')),
    elementwise: new WebAssembly.Module(Buffer.from(ELEMENTWISE_BINARIES.shared, 'base64')),
  };
  const instance = (module: WebAssembly.Module) => new WebAssembly.Instance(module, { env: { memory } }).exports;
  const x = { gemm: instance(modules.gemm), elementwise: instance(modules.elementwise) } as unknown as KernelExports;
  const pool = await WasmPool.start(memory, modules, 3, (source) => new Worker(source, { eval: true }));
  expect(pool).not.toBeNull();
  try {
    const [m, n, k] = [30, 16, 4];
    const f32 = new Float32Array(memory.buffer);
    const [a, b, bias, ap, bp, tile, c] = [0, 4096, 8192, 12288, 20480, 28672, 32768];
    f32.set(values(m * k, 1), a / 4);
    f32.set(values(k * n, 2), b / 4);
    f32.fill(0, bias / 4, bias / 4 + n);
    x.gemm.pack_b(b, 4 * n, 4, k, n, bp);
    // products, m, n, k; A base, strides, step; B the same; out, step; bias; A panels, step; B panels, step; tiles, step
    const job = (out: number) => [PRODUCT, 1, m, n, k, a, 4 * k, 4, 0, b, 4 * n, 4, 0, out, 0, bias, ap, 0, bp, 0, tile, 4 * 8 * 5];
    // Rows of 64 bytes ending 10 rows before the end of memory: this thread's share (rows 0-9 of 6 panels of 5 rows
    // split three ways) fits, the workers' rows trap.
    pool!.job.set(job(memory.buffer.byteLength - 10 * 4 * n), JOB_AT);
    expect(() => pool!.run(x)).toThrow('a wasm kernel failed in one of its workers');
    pool!.job.set(job(c), JOB_AT);
    pool!.run(x);
    const out = new Float32Array(memory.buffer, c, m * n);
    const [A, B] = [values(m * k, 1), values(k * n, 2)];
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += A[i * k + p] * B[p * n + j];
        worst = Math.max(worst, Math.abs(out[i * n + j] - sum));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  } finally {
    pool!.stop();
  }
});
