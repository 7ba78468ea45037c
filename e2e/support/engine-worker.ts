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
 * (ui/engine-client.ts): the patch becomes a module of its own imported first, so that it runs before the engine's
 * module (which probes the browser as it is evaluated), and the worker takes messages only once both have run.
 */
export async function patchEngineWorker(page: Page, patch: string): Promise<void> {
  await page.addInitScript((code) => {
    const NativeBlob = Blob;
    globalThis.Blob = class extends NativeBlob {
      constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
        const only = parts?.length === 1 && typeof parts[0] === 'string' ? parts[0] : null;
        const first = only !== null && only.startsWith('import ') ? URL.createObjectURL(new NativeBlob([code], { type: 'text/javascript' })) : null;
        super(first !== null ? [`import ${JSON.stringify(first)};\n`, only!] : parts, options);
      }
    };
  }, patch);
}
