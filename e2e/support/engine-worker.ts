// The studio's engine worker as Playwright sees it (a blob: worker named layerwise-engine; the others are tfjs's
// threads), for the specs that act on it as a fault would: fetch from it, close it, change its browser before it runs.
import { expect, type Page, type Worker } from '@playwright/test';

async function isEngine(w: Worker): Promise<boolean> {
  return (await w.evaluate(() => self.name).catch(() => '')) === 'layerwise-engine';
}

export async function engineWorker(page: Page): Promise<Worker> {
  let found: Worker | null = null;
  await expect
    .poll(async () => {
      for (const w of page.workers()) if (await isEngine(w)) found = w;
      return found !== null;
    })
    .toBe(true);
  return found!;
}

/**
 * Runs `patch` in the engine worker before its module, which starts from a one-line blob module `import "…";`
 * (ui/engine-client.ts): made a dynamic import, since a static one runs (and probes the browser) before the patch.
 */
export async function patchEngineWorker(page: Page, patch: string): Promise<void> {
  await page.addInitScript((code) => {
    const NativeBlob = Blob;
    globalThis.Blob = class extends NativeBlob {
      constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
        const only = parts?.length === 1 && typeof parts[0] === 'string' ? parts[0] : null;
        super(only !== null && only.startsWith('import ') ? [`${code}\n`, only.replace(/^import (".*");/, 'await import($1);')] : parts, options);
      }
    };
  }, patch);
}
