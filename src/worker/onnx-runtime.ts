// ONNX Runtime Web for the studio's export check: its wasm-only build, imported when the first ONNX export is checked
// (its JavaScript is a chunk of its own), with the .wasm binary an asset of this origin (Vite `?url`), as tfjs's are
// (wasm-paths.ts): nothing is fetched from elsewhere, and the page's CSP (connect-src 'self', 'wasm-unsafe-eval')
// covers it. One thread: the check runs a few rows, and ORT's thread pool would start workers of its own.
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { ortRunner } from '../engine/export/onnx-runner';
import type { OnnxRunner } from '../engine/export/verify';
import { assetUrl } from './wasm-paths';

let runner: Promise<OnnxRunner> | null = null;

export function browserOnnxRunner(): Promise<OnnxRunner> {
  runner ??= import('onnxruntime-web/wasm').then((ort) => {
    ort.env.wasm.wasmPaths = { wasm: assetUrl(wasmUrl) };
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    return ortRunner(ort);
  });
  return runner;
}
