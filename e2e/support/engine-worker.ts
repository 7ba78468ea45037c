// The studio's engine worker as Playwright sees it (a blob: worker named layerwise-engine; the others are tfjs's
// threads), for the specs that act on it as a fault would: fetch from it, close it.
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
