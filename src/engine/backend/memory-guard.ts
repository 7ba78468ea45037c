// Running out of memory as an error the run can end on, not a broken backend. On wasm, every heap block tfjs and the
// engine's kernels take from JavaScript passes a limit here first (tfjs-wasm's malloc returns 0 when the 4 GiB heap
// cannot grow, and tfjs then writes the tensor at address 0: the heap, weights included, is overwritten); on WebGPU,
// an 'out-of-memory' error scope around the passes of a step. Either way the step stops before the optimizer touches
// a weight, and what a failed pass leaves behind is disposed.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';

export const OUT_OF_MEMORY = 'OUT_OF_MEMORY';

interface WasmHeap {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

export interface MemoryGuard {
  /** Bytes of heap blocks alive (wasm; the variables' blocks counted from the start), or null elsewhere. */
  live(): number | null;
  /** Throws OUT_OF_MEMORY unless `bytes` more fit under the limit (wasm; elsewhere nothing is known: it passes). */
  ensure(bytes: number, what: string): void;
  /** WebGPU: starts an out-of-memory error scope; check() ends it and says whether memory ran out inside it. */
  scope(): { check(): Promise<boolean> };
  release(): void;
}

const size = (b: number) => (b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(2)} GiB` : `${(b / 1024 ** 2).toFixed(1)} MiB`);

function outOfMemory(what: string, bytes: number, live: number, limit: number): LayerwiseError {
  return new LayerwiseError(OUT_OF_MEMORY, `out of memory: ${what} needs ${size(bytes)} more with ${size(live)} in use, limit ${size(limit)}`);
}

/** Installs the guard on the current backend; `limit` is the wasm heap's budget in bytes. */
export function guardMemory(limit: number): MemoryGuard {
  const backend = tf.getBackend();
  const heap = backend === 'wasm' ? (tf.backend() as unknown as { wasm: WasmHeap }).wasm : null;
  const device = backend === 'webgpu' ? (tf.backend() as unknown as { device?: GPUDevice }).device ?? null : null;
  if (heap === null) {
    return {
      live: () => null,
      ensure: () => undefined,
      scope: () => {
        device?.pushErrorScope('out-of-memory');
        return { check: async () => (device ? (await device.popErrorScope()) !== null : false) };
      },
      release: () => undefined,
    };
  }
  // Emscripten binds an export on its first call by replacing the property: bind them before wrapping.
  heap._free(heap._malloc(8));
  const malloc = heap._malloc;
  const free = heap._free;
  const sizes = new Map<number, number>();
  let live = 0;
  const blocks = (tf.backend() as unknown as { dataIdMap?: { get(id: object): { memoryOffset: number | null } | undefined } }).dataIdMap;
  for (const v of Object.values(tf.engine().registeredVariables)) {
    const ptr = blocks?.get(v.dataId)?.memoryOffset;
    if (ptr === null || ptr === undefined || sizes.has(ptr)) continue;
    sizes.set(ptr, v.size * 4);
    live += v.size * 4;
  }
  heap._malloc = (bytes: number) => {
    if (live + bytes > limit) throw outOfMemory('a tensor', bytes, live, limit);
    const ptr = malloc.call(heap, bytes);
    if (ptr === 0 && bytes > 0) throw outOfMemory('a tensor (the heap could not grow)', bytes, live, limit);
    sizes.set(ptr >>> 0, bytes);
    live += bytes;
    return ptr;
  };
  heap._free = (ptr: number) => {
    live -= sizes.get(ptr >>> 0) ?? 0;
    sizes.delete(ptr >>> 0);
    free.call(heap, ptr);
  };
  return {
    live: () => live,
    ensure: (bytes, what) => {
      if (live + bytes > limit) throw outOfMemory(what, bytes, live, limit);
    },
    scope: () => ({ check: async () => false }),
    release: () => {
      heap._malloc = malloc;
      heap._free = free;
    },
  };
}

/**
 * Runs `fn`, and if it throws, disposes every tensor made inside it that is still alive — the ones its tape saved for
 * the backward pass and those a custom gradient kept before the op that failed, all kept outside every tidy — and
 * drops the tape, as tfjs does when a gradient computation ends. Variables are left alone.
 */
export function disposingOnThrow<T>(fn: () => T): T {
  const engine = tf.engine() as unknown as { trackTensor(a: tf.Tensor, b: unknown): void; disposeTensor(a: tf.Tensor): void; state: { gradientDepth: number; activeTape: unknown } };
  const { trackTensor, disposeTensor } = engine;
  const made = new Set<tf.Tensor>();
  engine.trackTensor = function (a, b) {
    trackTensor.call(this, a, b);
    if (!(a instanceof tf.Variable)) made.add(a);
  };
  engine.disposeTensor = function (a) {
    made.delete(a);
    disposeTensor.call(this, a);
  };
  try {
    return fn();
  } catch (err) {
    engine.trackTensor = trackTensor;
    engine.disposeTensor = disposeTensor;
    for (const t of made) t.dispose();
    if (engine.state.gradientDepth === 0) engine.state.activeTape = null;
    throw err;
  } finally {
    engine.trackTensor = trackTensor;
    engine.disposeTensor = disposeTensor;
  }
}

export const isOutOfMemory = (err: unknown): boolean => err instanceof LayerwiseError && err.code === OUT_OF_MEMORY;

/** The WebAssembly module failed inside (RELIABILITY F4): its heap is in an unknown state, and the backend must start anew. */
export const WASM_HEAP_FAILED = 'WASM_HEAP_FAILED';

/**
 * On wasm, an error from inside tfjs-wasm's module, which the guard above never sees: an allocation of its own C code
 * (XNNPACK's workspaces) that the 4 GiB heap cannot hold ends in emscripten's abort, a WebAssembly.RuntimeError
 * ("Aborted(OOM)"), or a trap such as "memory access out of bounds". As WASM_HEAP_FAILED in `during` ("step 7", "a
 * prediction"); else null.
 */
export function wasmHeapFailure(err: unknown, during: string): LayerwiseError | null {
  if (tf.getBackend() !== 'wasm' || err instanceof LayerwiseError) return null;
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof WebAssembly.RuntimeError) && !/Aborted\(|Cannot enlarge memory|memory access out of bounds/.test(message)) return null;
  return new LayerwiseError(
    WASM_HEAP_FAILED,
    `The WASM backend failed inside its own code in ${during} (${message}), most likely out of memory: a wasm32 heap addresses at most 4 GiB. Its heap cannot be trusted after this, so WASM starts anew and the model is loaded again from its files; a run resumes from its last checkpoint, with a smaller microBatchSize, or on WebGPU.`,
    { field: 'microBatchSize' },
  );
}
