// Journey: see which backend the engine chose and why, switch to another, and keep using the loaded model on it.
// Headless Chromium here offers only SwiftShader (a software WebGPU adapter), so the automatic choice is WASM and
// WebGPU is the user's override — which also proves the WebGPU path against transformers' logits. A browser without
// WebGPU, or whose requestAdapter() gives null, is made by changing the engine worker's navigator before it runs
// (RELIABILITY F1): the engine chooses WASM, and a banner says why and how much slower to expect.
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { BERT_SEQ_CLS, referenceOutputs } from './support/checkpoints';
import { engineWorker, patchEngineWorker } from './support/engine-worker';

test('the automatic backend is explained, and WebGPU can be chosen with the model still loaded', async ({ page }) => {
  const panel = new ModelPanel(page);
  await panel.goto();
  await panel.waitForEngine();
  await panel.backendBadge.click();
  const menu = page.getByRole('dialog', { name: 'Compute backend' });
  await expect(menu).toContainText(/software one .*WASM is faster here|no WebGPU/);
  await expect(menu).toContainText('Cross-origin isolatedyes');
  // A software adapter is an adapter: WASM is chosen for speed, with no banner about a missing GPU (F1).
  await expect(page.getByRole('status', { name: 'No GPU' })).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();

  await panel.openFolder(BERT_SEQ_CLS);
  await expect(panel.stat('Layers')).toHaveText('2');
  await panel.chooseBackend('WebGPU');

  const reference = await referenceOutputs(BERT_SEQ_CLS);
  await panel.predict(reference.sentences[1]);
  const logits = reference.logits[1].map((l) => l.toFixed(4)).sort((a, b) => Number(b) - Number(a));
  await expect(panel.labelScores()).toHaveText(logits.map((l) => new RegExp(`logit ${l}$`)));
});

for (const { name, patch, why } of [
  { name: 'navigator.gpu undefined', patch: "Object.defineProperty(WorkerNavigator.prototype, 'gpu', { get: () => undefined });", why: 'This browser has no WebGPU, so the engine uses WASM.' },
  { name: 'requestAdapter() resolving null', patch: 'GPU.prototype.requestAdapter = async () => null;', why: 'The browser returned no WebGPU adapter, so the engine uses WASM.' },
]) {
  test(`without a WebGPU adapter (${name}) the engine chooses WASM, says why and how much slower to expect (F1)`, async ({ page }) => {
    await patchEngineWorker(page, patch);
    const panel = new ModelPanel(page);
    await panel.goto();
    await panel.waitForEngine();
    const worker = await engineWorker(page);
    expect(await worker.evaluate(async () => (navigator.gpu === undefined ? 'no API' : String(await navigator.gpu.requestAdapter())))).toBe(name.startsWith('navigator') ? 'no API' : 'null');
    await expect(panel.backendBadge).toHaveAccessibleName(/^Compute backend: WASM · \d+ threads?/);
    // The estimate is for the cores this browser reports (backend-choice.test.ts checks its figures).
    const cores = await page.evaluate(() => (crossOriginIsolated ? Math.min(navigator.hardwareConcurrency, 16) : 1));
    const estimate = new RegExp(`Without a GPU, training is slower: an estimate for ${cores} cores? is about [\\d.k]+ tokens/s for a small model like the built-in one and \\d+ tokens/s for BERT-base, about \\d+ times slower than WebGPU on a fast GPU\\.`);
    const banner = page.getByRole('status', { name: 'No GPU' });
    await expect(banner.getByText(why, { exact: true })).toBeVisible();
    await expect(banner.getByText(estimate)).toBeVisible();
    await panel.backendBadge.click();
    const menu = page.getByRole('dialog', { name: 'Compute backend' });
    await expect(menu.getByText(why, { exact: true })).toBeVisible();
    await expect(menu.getByRole('listitem').filter({ hasText: estimate })).toHaveCount(1);
    await page.keyboard.press('Escape');
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await expect(banner).toHaveCount(0);
  });
}
