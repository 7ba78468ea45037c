// Vite config for the browser studio (Vite's template-react-ts plus what the engine worker needs).
// The site's policy is scripts/site-policy.ts: every page carries its Content-Security-Policy as a <meta> — in dev,
// in the build and in preview alike — so it holds on any static server; the response headers (COOP/COEP make the
// page cross-origin isolated, so tfjs-backend-wasm can use threads) are sent by the dev and preview servers and
// written as dist/_headers for the host to send (docs/DEPLOY.md). The .wasm binaries — tfjs's
// (src/worker/wasm-paths.ts) and ONNX Runtime Web's, which checks ONNX exports (src/worker/onnx-runtime.ts) — are
// bundled assets of this origin, so nothing is fetched elsewhere.
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { contentSecurityPolicy, e2eConnectSrc, headersFile, HUB_CONNECT_SRC, scriptHash, SITE_HEADERS } from './scripts/site-policy';

/** The pages of the site: the studio, and the Hub bridge it opens once the user asks for the Hub. */
const PAGES = { main: resolve(import.meta.dirname, 'index.html'), hubBridge: resolve(import.meta.dirname, 'hub-bridge.html') };

/**
 * Puts the policy into every page as the first element of <head> (before any script), with the hashes of the inline
 * scripts the page has by then (in dev, React's refresh preamble; the build has none), and writes dist/_headers.
 * Only hub-bridge.html may connect to the Hub; an e2e stand-in Hub (LAYERWISE_E2E_CONNECT_SRC) is added there too.
 */
function sitePolicy(): Plugin {
  return {
    name: 'layerwise-site-policy',
    transformIndexHtml: {
      order: 'post',
      async handler(html, ctx) {
        const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).filter((text) => text.trim() !== '');
        const hub = ctx.path.endsWith('/hub-bridge.html');
        const policy = contentSecurityPolicy({ connect: hub ? [...HUB_CONNECT_SRC, ...e2eConnectSrc()] : [], scriptHashes: await Promise.all(inline.map(scriptHash)) });
        return html.replace(/<head>/i, `<head>\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
      },
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: headersFile() });
    },
  };
}

export default defineConfig({
  plugins: [react(), sitePolicy()],
  server: { headers: { ...SITE_HEADERS } },
  preview: { headers: { ...SITE_HEADERS } },
  worker: {
    format: 'es',
    // tfjs-backend-wasm starts its threads from the source text of its Emscripten factory (Function#toString);
    // renaming or moving code would leave that text pointing at names that do not exist in the thread's blob.
    // Whitespace-only minification keeps the text self-contained.
    rolldownOptions: { output: { minify: { compress: false, mangle: false } } },
  },
  build: { target: 'es2022', sourcemap: true, rolldownOptions: { input: PAGES } },
});
