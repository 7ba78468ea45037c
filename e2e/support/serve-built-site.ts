// The e2e tests' web server (playwright.config.ts webServer): builds the site with Vite into a folder of its own
// (LAYERWISE_E2E_SITE; never dist/, which another build may be writing) and serves it with the headers of its
// _headers file on LAYERWISE_E2E_PORT, as a static host would. The folder is removed when the server stops.
import { rm } from 'node:fs/promises';
import { build } from 'vite';
import { serveSite } from './site-server';

const root = process.env.LAYERWISE_E2E_SITE;
const port = Number(process.env.LAYERWISE_E2E_PORT);
if (!root || !Number.isInteger(port) || port <= 0) throw new Error('serve-built-site: set LAYERWISE_E2E_SITE (a folder) and LAYERWISE_E2E_PORT');

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await rm(root!, { recursive: true, force: true }).catch(() => undefined);
  }
  process.exit(code);
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

try {
  await build({ logLevel: 'warn', build: { outDir: root, emptyOutDir: true } });
  const site = await serveSite(root, { port });
  console.log(`serving ${root} at ${site.url}`);
} catch (err) {
  console.error(err);
  await stop(1);
}
