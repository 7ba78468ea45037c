// Threads for the wasm matrix product (wasm-gemm.ts): threads - 1 workers, each with its own instance of the
// product's module on the backend's shared memory, woken per product through Atomics on a small control block; the
// calling thread takes share 0 and waits for the rest. The host creates the workers (Node's worker_threads, a
// browser Worker from a Blob URL), because that differs between the two.
import { JOB_AT, JOB_FIELDS, runShare, type GemmExports } from './wasm-gemm-share';

export interface GemmWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Starts a worker running `source` (a classic script; it may call require('node:worker_threads') under Node). */
export type SpawnWorker = (source: string) => GemmWorker;

/**
 * Int32 slots of the control block: the job's generation (-1 stops the workers), workers still on it, workers ready,
 * workers whose share of the current job threw (it is still counted done, so the caller never waits forever).
 */
const GENERATION = 0;
const PENDING = 1;
const READY = 2;
const FAILED = 3;

/** How long workers may take to start before the product stays on one thread. */
const START_TIMEOUT_MS = 10_000;

function workerSource(): string {
  return `'use strict';
const runShare = ${runShare.toString()};
function start({ memory, module, control, index, threads }) {
  const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctrl = new Int32Array(control);
  const job = new Uint32Array(control);
  Atomics.add(ctrl, ${READY}, 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, ${GENERATION}, seen);
    seen = Atomics.load(ctrl, ${GENERATION});
    if (seen === -1) return;
    try {
      runShare(x, job, index, threads);
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

export class GemmThreads {
  /** The job the next run() executes (layout: wasm-gemm-share.ts). */
  readonly job: Uint32Array;
  readonly threads: number;
  private readonly control: Int32Array;
  private readonly workers: GemmWorker[];

  private constructor(threads: number, buffer: SharedArrayBuffer, workers: GemmWorker[]) {
    this.threads = threads;
    this.job = new Uint32Array(buffer);
    this.control = new Int32Array(buffer);
    this.workers = workers;
  }

  /** threads - 1 workers on `memory`; null where they did not start in time (they are stopped then). */
  static async start(memory: WebAssembly.Memory, module: WebAssembly.Module, threads: number, spawn: SpawnWorker): Promise<GemmThreads | null> {
    const buffer = new SharedArrayBuffer(4 * (JOB_AT + JOB_FIELDS));
    const source = workerSource();
    const workers: GemmWorker[] = [];
    const pool = new GemmThreads(threads, buffer, workers);
    try {
      for (let index = 1; index < threads; index++) {
        const worker = spawn(source);
        workers.push(worker);
        worker.postMessage({ memory, module, control: buffer, index, threads });
      }
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (Atomics.load(pool.control, READY) < threads - 1) {
        if (Date.now() > deadline) throw new Error('the product’s workers did not start');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return pool;
    } catch {
      pool.stop();
      return null;
    }
  }

  /** Runs the job on every thread; returns when all shares are done, and throws if one of them threw. */
  run(x: GemmExports): void {
    const c = this.control;
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, PENDING, this.threads - 1);
    Atomics.store(c, GENERATION, (Atomics.load(c, GENERATION) % 0x3fffffff) + 1);
    Atomics.notify(c, GENERATION);
    try {
      runShare(x, this.job, 0, this.threads);
    } finally {
      // Even when this thread's share threw: the job's memory is freed after this returns.
      for (let left = Atomics.load(c, PENDING); left !== 0; left = Atomics.load(c, PENDING)) Atomics.wait(c, PENDING, left);
    }
    if (Atomics.load(c, FAILED) !== 0) throw new Error('the wasm matrix product failed in one of its workers');
  }

  stop(): void {
    Atomics.store(this.control, GENERATION, -1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) worker.terminate();
  }
}
