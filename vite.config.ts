// Vite config for the browser studio (Vite's template-react-ts plus what the engine worker needs).
// COOP/COEP make the page cross-origin isolated, so tfjs-backend-wasm can use threads (SharedArrayBuffer);
// the .wasm binaries are bundled assets of this origin (src/worker/wasm-paths.ts), so nothing is fetched elsewhere.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Served by `vite preview` (what the e2e tests run): only this origin, WASM compilation, and the blob: workers
// that tfjs-backend-wasm spawns for its threads. Dev mode skips it because React's refresh preamble is inline.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data:",
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
