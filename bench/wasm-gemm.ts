// The wasm matrix product (src/engine/backend/kernels/wasm-gemm.ts) against tfjs-wasm's own XNNPACK kernel on the
// products of a mini training step, in one process: GFLOP/s of each, on 1 thread and on THREADS (default: every core).
// Usage: npx tsx bench/wasm-gemm.ts [THREADS] -> one JSON line per shape.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../src/cli/node-backend';
import { setFastPaths } from '../src/engine/backend/fast-paths';
import { wasmGemmUsesFma } from '../src/engine/backend/kernels/wasm-gemm';
import { startWasmThreads } from '../src/engine/backend/kernels/wasm-pool';

const threads = Number(process.argv[2] ?? availableParallelism());
await useNodeBackend('wasm', threads);
const spawn = (source: string) => {
  const worker = new Worker(source, { eval: true });
  worker.unref();
  return worker;
};

/** [m, k, n]: the Linear layers' products and their gradients (batch 8 x 128 tokens, hidden 256, FFN 1024). */
const SHAPES: [number, number, number][] = [[1024, 256, 256], [1024, 256, 1024], [1024, 1024, 256], [256, 1024, 256], [256, 1024, 1024], [1024, 1024, 1024]];

function gflops(m: number, k: number, n: number): number {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  for (let i = 0; i < 3; i++) tf.matMul(a, b).dispose();
  const reps = Math.max(5, Math.round(4e9 / (2 * m * k * n)));
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  }
  const ms = (performance.now() - t0) / reps;
  tf.dispose([a, b]);
  return (2 * m * k * n) / ms / 1e6;
}

const fma = wasmGemmUsesFma(tf.backend());
for (const [m, k, n] of SHAPES) {
  const row: Record<string, unknown> = { m, k, n, threads, fma };
  setFastPaths(false);
  row.xnnpack_gflops = gflops(m, k, n);
  setFastPaths(true);
  await startWasmThreads(1, spawn);
  row.engine_1_thread_gflops = gflops(m, k, n);
  row.engine_gflops_threads = await startWasmThreads(threads, spawn);
  row.engine_gflops = gflops(m, k, n);
  console.log(JSON.stringify(row));
}
