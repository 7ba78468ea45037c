// The tfjs-backend-wasm binaries as assets of this origin (Vite `?url`), for setWasmPaths: without it tfjs
// would look for them next to its own script or on a CDN, and no request may leave the page's origin. Absolute:
// the worker runs from a blob: URL (ui/engine-client.ts), against which a path like /assets/x.wasm resolves to nothing.
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** An asset URL made absolute against this module's own URL (the worker's base URL is a blob: URL). */
export function assetUrl(url: string): string {
  return new URL(url, import.meta.url).href;
}

export const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': assetUrl(wasmUrl),
  'tfjs-backend-wasm-simd.wasm': assetUrl(wasmSimdUrl),
  'tfjs-backend-wasm-threaded-simd.wasm': assetUrl(wasmThreadedSimdUrl),
};
