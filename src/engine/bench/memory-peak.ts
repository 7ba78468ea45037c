// The most memory a piece of work holds at once, measured two ways: the bytes of the distinct tensor buffers alive
// (a reshape or a saved clone shares its buffer, so it is counted once; tf.memory().numBytes counts it again), on
// every backend; and on wasm the bytes allocated from JavaScript on the wasm heap and not yet freed (tfjs's tensors
// and the engine's kernels' scratch; the heap itself only grows, so its size says nothing about one step).
import * as tf from '@tensorflow/tfjs-core';

export interface MemoryPeak {
  /** Peak bytes of distinct tensor buffers alive during the watch, those alive at its start included. */
  peakBufferBytes: number;
  /** wasm: peak bytes of heap blocks malloc'd from JavaScript and not yet freed (the variables alive at the start counted); null elsewhere. */
  peakHeapBytes: number | null;
}

interface TrackedEngine {
  trackTensor(a: tf.Tensor, backend: unknown): void;
  removeDataId(dataId: object, backend: unknown): void;
  state: { tensorInfo: WeakMap<object, { backend: unknown; bytes: number }> };
}

interface WasmHeap {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/**
 * Watches memory until stop(). Start it before the model is built, so that every buffer and heap block of the run is
 * seen being made: the buffer count starts from tf.memory().numBytes (exact while no two live tensors share a buffer),
 * the heap count from the variables' blocks (a block of another tensor made before the watch is not counted).
 */
export function watchMemory(): { stop(): MemoryPeak } {
  const engine = tf.engine() as unknown as TrackedEngine;
  let live = tf.memory().numBytes;
  let peak = live;
  const { trackTensor, removeDataId } = engine;
  engine.trackTensor = function (a, backend) {
    const fresh = !engine.state.tensorInfo.has(a.dataId);
    trackTensor.call(this, a, backend);
    if (fresh) {
      live += engine.state.tensorInfo.get(a.dataId)?.bytes ?? 0;
      if (live > peak) peak = live;
    }
  };
  engine.removeDataId = function (dataId, backend) {
    const info = engine.state.tensorInfo.get(dataId);
    removeDataId.call(this, dataId, backend);
    if (info !== undefined && !engine.state.tensorInfo.has(dataId)) live -= info.bytes;
  };
  const heap = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm: WasmHeap }).wasm : null;
  // Emscripten binds an export on its first call by replacing the property: bind them before wrapping.
  heap?._free(heap._malloc(8));
  const { _malloc: malloc, _free: free } = heap ?? {};
  const sizes = new Map<number, number>();
  let heapLive = 0;
  // The variables alive now (parameters, moments) each hold one block: known, so that freeing one later counts.
  const blocks = (tf.backend() as unknown as { dataIdMap?: { get(id: object): { memoryOffset: number | null } | undefined } }).dataIdMap;
  for (const v of Object.values(tf.engine().registeredVariables)) {
    const ptr = heap ? blocks?.get(v.dataId)?.memoryOffset : null;
    if (ptr === null || ptr === undefined || sizes.has(ptr)) continue;
    sizes.set(ptr, v.size * 4);
    heapLive += v.size * 4;
  }
  let heapPeak = heapLive;
  if (heap && malloc && free) {
    heap._malloc = (bytes: number) => {
      const ptr = malloc.call(heap, bytes);
      sizes.set(ptr >>> 0, bytes);
      heapLive += bytes;
      if (heapLive > heapPeak) heapPeak = heapLive;
      return ptr;
    };
    heap._free = (ptr: number) => {
      heapLive -= sizes.get(ptr >>> 0) ?? 0;
      sizes.delete(ptr >>> 0);
      free.call(heap, ptr);
    };
  }
  return {
    stop(): MemoryPeak {
      engine.trackTensor = trackTensor;
      engine.removeDataId = removeDataId;
      if (heap && malloc && free) {
        heap._malloc = malloc;
        heap._free = free;
      }
      return { peakBufferBytes: peak, peakHeapBytes: heap ? heapPeak : null };
    },
  };
}
