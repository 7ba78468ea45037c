// Journey: the built site on a static host that sends no headers at all, so no COOP/COEP (RELIABILITY X6). The page
// is not cross-origin isolated: the backend menu says WASM runs on one thread, and a short run trains to its end and
// evaluates without a crash. The site is served from the build this run made, by the e2e server with its headers off,
// on a port of its own.
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, EvaluatePanel, Studio, TrainPanel } from './pages/studio';
import { reviewsCsv } from './support/datasets';
import { serveSite } from './support/site-server';

test('without COOP/COEP the studio says WASM runs on one thread, and a short run still trains to its end', async ({ page }) => {
  test.setTimeout(180_000);
  const site = await serveSite(process.env.LAYERWISE_E2E_SITE!, { headers: false });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  try {
    const response = await page.goto(site.url);
    expect(response!.headers()['cross-origin-opener-policy']).toBeUndefined();
    expect(response!.headers()['cross-origin-embedder-policy']).toBeUndefined();
    const model = new ModelPanel(page);
    await model.waitForDefaultModel();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await expect(model.backendBadge).toHaveAccessibleName(/^Compute backend: WASM/);
    await model.backendBadge.click();
    const menu = page.getByRole('dialog', { name: 'Compute backend' });
    await expect(menu).toContainText('The page is not cross-origin isolated (COOP/COEP headers missing), so WASM runs on one thread.');
    await expect(menu).toContainText('Cross-origin isolatedno (WASM on one thread)');
    await page.keyboard.press('Escape');

    const studio = new Studio(page);
    await studio.open('Dataset');
    const dataset = new DatasetPanel(page);
    await dataset.choose(reviewsCsv());
    await expect(dataset.stat('Rows')).toHaveText('40');
    await studio.open('Configure');
    const configure = new ConfigurePanel(page);
    await configure.set({ Epochs: 1, 'Batch size': 4, 'Max length (tokens)': 32, 'Max steps': 6 });
    await configure.evaluateEvery(3);
    await studio.open('Train');
    const train = new TrainPanel(page);
    await train.start.click();
    await train.waitUntilFinished(120_000);
    await expect(train.status).toHaveText(/^Finished · Epoch 1\/1 · step 6\/6 · loss \d+\.\d{3}/);
    await studio.open('Evaluate');
    await expect(new EvaluatePanel(page).metrics).toContainText('Accuracy');
    await expect(model.backendBadge).toHaveAccessibleName(/^Compute backend: WASM/);
    expect(errors).toEqual([]);
  } finally {
    await site.close();
  }
});
