// Threads for the engine's wasm kernels (wasm-gemm.ts, and the one-pass kernels of wasm-elementwise-wat.ts):
// threads - 1 workers, each with its own instances of the kernels' modules on the backend's shared memory, woken per
// job through Atomics on a small control block; the calling thread takes share 0 (wasm-share.ts) and waits for the
// rest. The host creates the workers (Node's worker_threads, a browser Worker from a Blob URL), because that differs
// between the two.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ARG_COUNT, ARG_F32, ARG_FIRST, ARG_I32, ARG_POINTER, CALL, CALLABLE, JOB_AT, JOB_SLOTS, runShare, type KernelExports } from './wasm-share';
import { elementwise, gemmModule, isShared } from './wasm-module';
import { LayerwiseError } from '../../../lib/errors';

export interface PoolWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Starts a worker running `source` (a classic script; it may call require('node:worker_threads') under Node). */
export type SpawnWorker = (source: string) => PoolWorker;

/**
 * Int32 slots of the control block: the job's generation (its sequence number; -1 stops the workers), workers still
 * on it, workers ready, workers whose share of the current job threw (it is still counted done, so the caller never
 * waits forever).
 */
const GENERATION = 0;
const PENDING = 1;
const READY = 2;
const FAILED = 3;

/** How long workers may take to start before the kernels stay on one thread. */
const START_TIMEOUT_MS = 10_000;

/** How long the caller waits for the workers' shares of one job before it calls the pool stuck (WASM_POOL_STUCK). */
const STUCK_AFTER_MS = 30_000;

/**
 * A worker's side of the protocol: runs `work` once for every job published on `ctrl`, until the generation is -1.
 * It runs in the workers as source text, so it refers to nothing but its arguments, and the control slots are
 * literals (a minifier would rename the constants): GENERATION 0, PENDING 1, READY 2, FAILED 3.
 */
export function serveJobs(ctrl: Int32Array, work: () => void): void {
  Atomics.add(ctrl, 2, 1);
  let seen = 0;
  for (;;) {
    // Only a new generation is a new job. The caller stores the generation before it notifies, so a worker can take
    // a job up without sleeping and then be woken by that job's late notify: Atomics.wait returning 'ok' says nothing
    // about the value (issue #14: the job ran twice, PENDING went to -1 and the caller waited forever).
    let generation = Atomics.load(ctrl, 0);
    while (generation === seen) {
      Atomics.wait(ctrl, 0, seen);
      generation = Atomics.load(ctrl, 0);
    }
    if (generation === -1) return;
    seen = generation;
    try {
      work();
    } catch {
      Atomics.add(ctrl, 3, 1);
    }
    if (Atomics.sub(ctrl, 1, 1) === 1) Atomics.notify(ctrl, 1);
  }
}

/** Test hooks of the caller's side (tests/engine/backend/wasm-pool.test.ts); production code passes none. */
export interface DispatchHooks {
  /** Runs between storing a job's generation and notifying the workers: a delay here widens the lost-wake-up race. */
  afterPublish?: () => void;
  /** Replaces STUCK_AFTER_MS. */
  stuckAfterMs?: number;
}

/**
 * The caller's side of the protocol on a control block shared with `threads - 1` workers running serveJobs: publish
 * a job, run this thread's share, wait for theirs. A wait that outlasts the limit stops the workers and throws
 * WASM_POOL_STUCK, so a lost wake-up or a hung worker is an error that names the kernel, never a silent hang.
 */
export class Dispatcher {
  readonly control: Int32Array;
  readonly threads: number;
  private readonly onStop: () => void;
  private readonly hooks: DispatchHooks;
  private stopped = false;

  constructor(control: Int32Array, threads: number, onStop: () => void, hooks: DispatchHooks = {}) {
    this.control = control;
    this.threads = threads;
    this.onStop = onStop;
    this.hooks = hooks;
  }

  get alive(): boolean {
    return !this.stopped;
  }

  /** Runs `ownShare` here while the workers run theirs of the job published now; throws if a share threw. */
  dispatch(kernel: string, ownShare: () => void): void {
    const c = this.control;
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, PENDING, this.threads - 1);
    Atomics.store(c, GENERATION, (Atomics.load(c, GENERATION) % 0x3fffffff) + 1);
    this.hooks.afterPublish?.();
    Atomics.notify(c, GENERATION);
    try {
      ownShare();
    } finally {
      // Even when this thread's share threw: the job's memory is freed after this returns.
      this.awaitWorkers(kernel);
    }
    if (Atomics.load(c, FAILED) !== 0) throw new Error(`the wasm ${kernel} kernel failed in one of its worker threads`);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.control, GENERATION, -1);
    Atomics.notify(this.control, GENERATION);
    this.onStop();
  }

  private awaitWorkers(kernel: string): void {
    const c = this.control;
    const limit = this.hooks.stuckAfterMs ?? STUCK_AFTER_MS;
    const deadline = performance.now() + limit;
    for (let left = Atomics.load(c, PENDING); left !== 0; left = Atomics.load(c, PENDING)) {
      const rest = deadline - performance.now();
      // A count outside [0, threads) means a share ran twice or not at all: waiting for it to reach 0 could be forever.
      if (rest <= 0 || left < 0 || left >= this.threads) {
        this.stop();
        const what = rest <= 0 ? `waited ${(limit / 1000).toFixed(1)} s for ${left} of its ${this.threads - 1} worker threads` : `found ${left} of its ${this.threads - 1} worker threads still on the job`;
        throw new LayerwiseError('WASM_POOL_STUCK', `The wasm ${kernel} kernel ${what}; they were stopped, and the kernels go on on one thread.`);
      }
      Atomics.wait(c, PENDING, left, rest);
    }
  }
}

function workerSource(): string {
  return `'use strict';
const serveJobs = ${serveJobs.toString()};
const runShare = ${runShare.toString()};
const callable = ${JSON.stringify(CALLABLE)};
function start({ memory, modules, control, index, threads }) {
  const instance = (module) => new WebAssembly.Instance(module, { env: { memory } }).exports;
  const x = { gemm: instance(modules.gemm), elementwise: instance(modules.elementwise) };
  const job = new Uint32Array(control);
  serveJobs(new Int32Array(control), () => runShare(x, job, index, threads, callable));
}
if (typeof self === 'object' && typeof self.postMessage === 'function') self.onmessage = (event) => start(event.data);
else require('node:worker_threads').parentPort.once('message', start);
`;
}

export class WasmPool {
  /** The job the next run() executes (layout: wasm-share.ts). */
  readonly job: Uint32Array;
  private readonly dispatcher: Dispatcher;

  private constructor(threads: number, buffer: SharedArrayBuffer, workers: PoolWorker[], hooks?: DispatchHooks) {
    this.job = new Uint32Array(buffer);
    this.dispatcher = new Dispatcher(new Int32Array(buffer), threads, () => workers.forEach((worker) => worker.terminate()), hooks);
  }

  get threads(): number {
    return this.dispatcher.threads;
  }

  /** False once stopped, by stop() or by a stuck job. */
  get alive(): boolean {
    return this.dispatcher.alive;
  }

  /** threads - 1 workers on `memory`; null where they did not start in time (they are stopped then). */
  static async start(
    memory: WebAssembly.Memory,
    modules: Record<keyof KernelExports, WebAssembly.Module>,
    threads: number,
    spawn: SpawnWorker,
    hooks?: DispatchHooks,
  ): Promise<WasmPool | null> {
    const buffer = new SharedArrayBuffer(4 * (JOB_AT + JOB_SLOTS));
    const source = workerSource();
    const workers: PoolWorker[] = [];
    const pool = new WasmPool(threads, buffer, workers, hooks);
    try {
      for (let index = 1; index < threads; index++) {
        const worker = spawn(source);
        workers.push(worker);
        worker.postMessage({ memory, modules, control: buffer, index, threads });
      }
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (Atomics.load(pool.dispatcher.control, READY) < threads - 1) {
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
    const kernel = this.job[JOB_AT] === CALL ? CALLABLE[this.job[JOB_AT + 1]] : 'matMul';
    this.dispatcher.dispatch(kernel, () => runShare(x, this.job, 0, this.threads, CALLABLE));
  }

  stop(): void {
    this.dispatcher.stop();
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

/** Stops the threads of a backend about to be dropped: their workers hold its memory. */
export function stopWasmThreads(backend: tf.KernelBackend): void {
  const heap = (backend as BackendWasm).wasm;
  pools.get(heap)?.stop();
  pools.delete(heap);
}

/** The threads this backend's kernels run on (startWasmThreads). */
export function wasmThreads(backend: tf.KernelBackend): number {
  return livePool(backend as BackendWasm)?.threads ?? 1;
}

/** The backend's pool, unless it was stopped (a stuck job stops it; the kernels then run on this thread). */
function livePool(backend: BackendWasm): WasmPool | undefined {
  const pool = pools.get(backend.wasm);
  return pool?.alive ? pool : undefined;
}

/**
 * Runs a job on this backend: `fill` writes it (layout: wasm-share.ts) into the array given. On the pool's threads
 * when the backend has them and the job has at least `minWork` units of `work`, else on this thread alone.
 */
export function runJob(backend: BackendWasm, work: number, minWork: number, fill: (job: Uint32Array, floats: Float32Array) => void): void {
  const pool = livePool(backend);
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
