// Threads for the engine's wasm kernels (wasm-gemm.ts, and the one-pass kernels of wasm-elementwise-wat.ts):
// threads - 1 workers, each with its own instances of the kernels' modules on the backend's shared memory, woken per
// job through Atomics on a small control block; the calling thread takes share 0 (wasm-share.ts) and waits for the
// rest. The host creates the workers (Node's worker_threads, a browser Worker from a Blob URL), because that differs
// between the two.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ARG_COUNT, ARG_F32, ARG_FIRST, ARG_I32, ARG_POINTER, CALL, CALLABLE, JOB_AT, JOB_SLOTS, runShare, type KernelExports } from './wasm-share';
import { elementwise, gemmModule, isShared } from './wasm-module';

export interface PoolWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Starts a worker running `source` (a classic script; it may call require('node:worker_threads') under Node). */
export type SpawnWorker = (source: string) => PoolWorker;

/**
 * Int32 slots of the control block: the job's generation (-1 stops the workers), workers still on it, workers ready,
 * workers whose share of the current job threw (it is still counted done, so the caller never waits forever).
 */
const GENERATION = 0;
const PENDING = 1;
const READY = 2;
const FAILED = 3;

/** How long workers may take to start before the kernels stay on one thread. */
const START_TIMEOUT_MS = 10_000;

function workerSource(): string {
  return `'use strict';
const runShare = ${runShare.toString()};
const callable = ${JSON.stringify(CALLABLE)};
function start({ memory, modules, control, index, threads }) {
  const instance = (module) => new WebAssembly.Instance(module, { env: { memory } }).exports;
  const x = { gemm: instance(modules.gemm), elementwise: instance(modules.elementwise) };
  const ctrl = new Int32Array(control);
  const job = new Uint32Array(control);
  Atomics.add(ctrl, ${READY}, 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, ${GENERATION}, seen);
    seen = Atomics.load(ctrl, ${GENERATION});
    if (seen === -1) return;
    try {
      runShare(x, job, index, threads, callable);
    } catch {
      Atomics.add(ctrl, ${FAILED}, 1);
    }
    if (Atomics.sub(ctrl, ${PENDING}, 1) === 1) Atomics.notify(ctrl, ${PENDING});
  }
}
if (typeof self === 'object' && typeof self.postMessage === 'function') self.onmessage = (event) => start(event.data);
else require('node:worker_threads').parentPort.once('message', start);
`;
}

export class WasmPool {
  /** The job the next run() executes (layout: wasm-share.ts). */
  readonly job: Uint32Array;
  readonly threads: number;
  private readonly control: Int32Array;
  private readonly workers: PoolWorker[];

  private constructor(threads: number, buffer: SharedArrayBuffer, workers: PoolWorker[]) {
    this.threads = threads;
    this.job = new Uint32Array(buffer);
    this.control = new Int32Array(buffer);
    this.workers = workers;
  }

  /** threads - 1 workers on `memory`; null where they did not start in time (they are stopped then). */
  static async start(memory: WebAssembly.Memory, modules: Record<keyof KernelExports, WebAssembly.Module>, threads: number, spawn: SpawnWorker): Promise<WasmPool | null> {
    const buffer = new SharedArrayBuffer(4 * (JOB_AT + JOB_SLOTS));
    const source = workerSource();
    const workers: PoolWorker[] = [];
    const pool = new WasmPool(threads, buffer, workers);
    try {
      for (let index = 1; index < threads; index++) {
        const worker = spawn(source);
        workers.push(worker);
        worker.postMessage({ memory, modules, control: buffer, index, threads });
      }
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (Atomics.load(pool.control, READY) < threads - 1) {
        if (Date.now() > deadline) throw new Error('the wasm kernels’ workers did not start');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return pool;
    } catch {
      pool.stop();
      return null;
    }
  }

  /** Runs the job on every thread; returns when all shares are done, and throws if one of them threw. */
  run(x: KernelExports): void {
    const c = this.control;
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, PENDING, this.threads - 1);
    Atomics.store(c, GENERATION, (Atomics.load(c, GENERATION) % 0x3fffffff) + 1);
    Atomics.notify(c, GENERATION);
    try {
      runShare(x, this.job, 0, this.threads, CALLABLE);
    } finally {
      // Even when this thread's share threw: the job's memory is freed after this returns.
      for (let left = Atomics.load(c, PENDING); left !== 0; left = Atomics.load(c, PENDING)) Atomics.wait(c, PENDING, left);
    }
    if (Atomics.load(c, FAILED) !== 0) throw new Error('a wasm kernel failed in one of its workers');
  }

  stop(): void {
    Atomics.store(this.control, GENERATION, -1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) worker.terminate();
  }
}

const pools = new WeakMap<object, WasmPool>();

const kernelExports = (backend: BackendWasm): KernelExports => ({ gemm: gemmModule(backend).exports, elementwise: elementwise(backend).exports });

/**
 * Runs the current wasm backend's kernels on `threads` threads: this one and threads - 1 workers from `spawn`.
 * Needs the backend's threaded build (a shared memory) and a thread that may block (a worker, or Node's main
 * thread). Returns the thread count in effect: 1 where the memory is not shared or the workers did not start.
 */
export async function startWasmThreads(threads: number, spawn: SpawnWorker): Promise<number> {
  const backend = tf.backend() as BackendWasm;
  pools.get(backend.wasm)?.stop();
  pools.delete(backend.wasm);
  const [gemm, ew] = [gemmModule(backend), elementwise(backend)];
  if (threads > 1 && isShared(gemm.memory)) {
    const pool = await WasmPool.start(gemm.memory, { gemm: gemm.module, elementwise: ew.module }, threads, spawn);
    if (pool !== null) pools.set(backend.wasm, pool);
  }
  return wasmThreads(backend);
}

/** The threads this backend's kernels run on (startWasmThreads). */
export function wasmThreads(backend: tf.KernelBackend): number {
  return pools.get((backend as BackendWasm).wasm)?.threads ?? 1;
}

/**
 * Runs a job on this backend: `fill` writes it (layout: wasm-share.ts) into the array given. On the pool's threads
 * when the backend has them and the job has at least `minWork` units of `work`, else on this thread alone.
 */
export function runJob(backend: BackendWasm, work: number, minWork: number, fill: (job: Uint32Array, floats: Float32Array) => void): void {
  const pool = pools.get(backend.wasm);
  const threaded = pool !== undefined && work >= minWork;
  const job = threaded ? pool.job : new Uint32Array(JOB_AT + JOB_SLOTS);
  fill(job, new Float32Array(job.buffer, job.byteOffset, job.length));
  if (threaded) pool.run(kernelExports(backend));
  else runShare(kernelExports(backend), job, 0, 1, CALLABLE);
}

/** An argument of a one-pass kernel call (runCall). */
export type CallArg = { i32: number } | { f32: number } | { pointer: number; bytesPerUnit: number } | 'count' | 'first';

/**
 * Below this many values a one-pass kernel stays on the calling thread, by what bounds it. Measured on two cores
 * (machine A of docs/PERFORMANCE.md): GELU over 1M values 3.5 -> 2.0 ms on two threads; LayerNorm over [1024, 256],
 * AdamW over 262K values and a 524K-value dropout mask (0.3-0.6 ms, memory-bound) gained nothing.
 */
const THREADED_MIN_VALUES = { compute: 1 << 16, memory: 1 << 22 };

/**
 * Calls the one-pass kernel `name` over `units` (values, or rows of `valuesPerUnit`), cut between threads in
 * multiples of `granule` units: each pointer argument advances by its bytes per unit times the share's first unit;
 * 'count' and 'first' are the share's units and its first unit.
 */
export function runCall(
  backend: BackendWasm,
  name: (typeof CALLABLE)[number],
  bound: keyof typeof THREADED_MIN_VALUES,
  units: number,
  granule: number,
  valuesPerUnit: number,
  args: CallArg[],
): void {
  runJob(backend, units * valuesPerUnit, THREADED_MIN_VALUES[bound], (job, floats) => {
    job.set([CALL, CALLABLE.indexOf(name), units, granule, args.length], JOB_AT);
    args.forEach((arg, i) => {
      const at = JOB_AT + 5 + 3 * i;
      if (arg === 'count' || arg === 'first') job.set([arg === 'count' ? ARG_COUNT : ARG_FIRST, 0, 0], at);
      else if ('i32' in arg) job.set([ARG_I32, arg.i32 >>> 0, 0], at);
      else if ('f32' in arg) {
        job[at] = ARG_F32;
        floats[at + 1] = arg.f32;
      } else job.set([ARG_POINTER, arg.pointer, arg.bytesPerUnit], at);
    });
  });
}
