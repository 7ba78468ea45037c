// Binds the engine's WebAssembly modules (wasm-binaries.ts) to tfjs-backend-wasm's memory, once per backend, so that
// they read and write tensors where tfjs keeps them. The module must import a memory of the same kind: shared in
// tfjs's threaded build (which creates it in JavaScript), unshared in the single-threaded build (which exports it).
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ELEMENTWISE_BINARIES, GEMM_BINARIES } from './wasm-binaries';
import type { ElementwiseExports, GemmExports } from './wasm-share';

export interface WasmHeap {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
  /** A signed 32-bit result: past 2 GB of heap negative, so callers read it as `malloc(heap, n)` does. */
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** `bytes` of the backend's heap; the address unsigned (tfjs-wasm's heap grows to 4 GB), as tfjs reads its own. */
export const malloc = (heap: WasmHeap, bytes: number): number => heap._malloc(bytes) >>> 0;

export interface BoundModule<Exports> {
  exports: Exports;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  heap: WasmHeap;
}

/** base64 modules for each kind of memory. */
export type ByMemory = { readonly shared: string; readonly unshared: string };

const bound = new WeakMap<object, Map<string, BoundModule<unknown>>>();

export const isShared = (memory: WebAssembly.Memory): boolean =>
  typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;

const bytesOf = (base64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** The module `name` on this backend's memory; `choose` picks the bytes (from candidates for that memory). */
export function bindModule<Exports>(backend: BackendWasm, name: string, choose: (bytesFor: (variant: ByMemory) => Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>): BoundModule<Exports> {
  let modules = bound.get(backend.wasm);
  if (modules === undefined) bound.set(backend.wasm, (modules = new Map()));
  let entry = modules.get(name) as BoundModule<Exports> | undefined;
  if (entry === undefined) {
    const heap = backend.wasm as unknown as WasmHeap;
    const memory = heap.wasmMemory ?? heap.asm?.memory;
    if (memory === undefined) throw new Error('tfjs-backend-wasm does not expose its memory');
    const shared = isShared(memory);
    const module = new WebAssembly.Module(choose((variant) => bytesOf(shared ? variant.shared : variant.unshared)));
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
    entry = { exports, module, memory, heap };
    modules.set(name, entry);
  }
  return entry;
}

/** The one-pass kernels (wasm-elementwise-wat.ts) on this backend. */
export const elementwise = (backend: BackendWasm): BoundModule<ElementwiseExports> =>
  bindModule<ElementwiseExports>(backend, 'elementwise', (bytesFor) => bytesFor(ELEMENTWISE_BINARIES));

/** The matrix product's module (wasm-gemm-wat.ts) on this backend: the fused multiply-add variant where the engine has one. */
export const gemmModule = (backend: BackendWasm): BoundModule<GemmExports> =>
  bindModule<GemmExports>(backend, 'gemm', (bytesFor) => {
    const fma = bytesFor(GEMM_BINARIES.fma);
    return WebAssembly.validate(fma) ? fma : bytesFor(GEMM_BINARIES.plain);
  });

/** Byte offset of a tensor in the backend's memory. */
export const addressOf = (backend: BackendWasm, x: { dataId: object }): number => backend.dataIdMap.get(x.dataId)!.memoryOffset;
