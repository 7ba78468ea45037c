// Vite config for the browser studio (Vite's template-react-ts plus what the engine worker needs).
// COOP/COEP make the page cross-origin isolated, so tfjs-backend-wasm can use threads (SharedArrayBuffer);
// the .wasm binaries — tfjs's (src/worker/wasm-paths.ts) and ONNX Runtime Web's, which checks ONNX exports
// (src/worker/onnx-runtime.ts) — are bundled assets of this origin, so nothing is fetched elsewhere.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The Hugging Face Hub and the hosts its downloads redirect to (cdn-lfs*.hf.co, cas-bridge.xethub.hf.co,
// us.aws.cdn.hf.co, the older cdn-lfs.huggingface.co). A CSP cannot change at run time, so these are always allowed;
// the studio sends nothing there until the user presses Load in "Load from the Hub".
const HUB_CONNECT_SRC = ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'];

/** Extra connect-src sources for the e2e tests' local Hub (e.g. http://127.0.0.1:*), never set in production. */
function e2eConnectSrc(value = process.env.LAYERWISE_E2E_CONNECT_SRC ?? ''): string[] {
  const sources = value.split(/\s+/).filter(Boolean);
  const bad = sources.find((s) => /[;,']/.test(s));
  if (bad !== undefined) throw new Error(`LAYERWISE_E2E_CONNECT_SRC: ${JSON.stringify(bad)} is not a CSP source expression`);
  return sources;
}

// Served by `vite preview` (what the e2e tests run): only this origin, the Hub, WASM compilation, and the blob:
// workers that tfjs-backend-wasm spawns for its threads. Dev mode skips it because React's refresh preamble is inline.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  ["connect-src 'self' blob: data:", ...HUB_CONNECT_SRC, ...e2eConnectSrc()].join(' '),
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export default defineConfig({
  plugins: [react()],
  server: { headers: crossOriginIsolation },
  preview: { headers: { ...crossOriginIsolation, 'Content-Security-Policy': contentSecurityPolicy } },
  worker: {
    format: 'es',
    // tfjs-backend-wasm starts its threads from the source text of its Emscripten factory (Function#toString);
    // renaming or moving code would leave that text pointing at names that do not exist in the thread's blob.
    // Whitespace-only minification keeps the text self-contained.
    rolldownOptions: { output: { minify: { compress: false, mangle: false } } },
  },
  build: { target: 'es2022', sourcemap: true },
});
