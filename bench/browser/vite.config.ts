// Vite config of the browser bench page (bench/browser/): cross-origin isolated like the studio (vite.config.ts at
// the root), so that tfjs-backend-wasm may start its threads; workers as ES modules.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  server: {
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    fs: { allow: [`${import.meta.dirname}/../..`] },
  },
  worker: { format: 'es' },
  logLevel: 'warn',
});
