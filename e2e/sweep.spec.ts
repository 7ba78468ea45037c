// Journey (issue #18): on the built-in model and a small CSV, a 4-trial grid sweep in the Sweep panel — learning rate
// by dropout, two steps a trial — whose trials fill the table and the scatter as they finish; the best trial's
// settings go to Configure with one click. Then "Check gradients" in Configure: the per-module table of worst relative
// errors against finite differences, every module within the threshold. WASM; nothing may leave the page's origin.
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, Studio } from './pages/studio';
import { GradientCheckCard, SweepPanel } from './pages/sweep';
import { reviewsCsv } from './support/datasets';
import { guardOrigin } from './support/origin-guard';

async function ready(page: import('@playwright/test').Page): Promise<Studio> {
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).waitForDefaultModel();
  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.choose(reviewsCsv());
  await expect(dataset.stat('Rows')).toHaveText('40');
  await studio.open('Configure');
  await new ConfigurePanel(page).set({ Epochs: 1, 'Max steps': 2, 'Batch size': 8, 'Max length (tokens)': 32 });
  return studio;
}

test('a 4-trial sweep fills the table and the scatter; a trial\'s settings go to Configure', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(240_000);
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const studio = await ready(page);
  await studio.open('Sweep');
  const sweep = new SweepPanel(page);
  await sweep.define('Grid', { 'Learning rate': '1e-3, 1e-4', Dropout: '0, 0.1', 'Trial budget': 4 });
  await expect(page.getByText('Plan: rung 1: 4 trials × 1 epoch (at most 2 steps each, as Configure says).')).toBeVisible();
  await sweep.start.click();
  await expect(sweep.stop).toBeVisible();
  await sweep.waitUntilDone();
  await expect(sweep.outcome).toHaveText(/^The sweep is done\. Best: trial \d, validation loss \d+\.\d{4}\.$/);
  await expect(sweep.rows()).toHaveCount(4);
  await expect(sweep.scatter.locator('circle')).toHaveCount(4);
  await page.screenshot({ path: testInfo.outputPath('sweep.png'), fullPage: true });

  // Best first: the first row is the best trial, whose learning rate and dropout Configure takes.
  const best = sweep.rows().first();
  const trial = await best.getByRole('rowheader').textContent();
  await expect(sweep.outcome).toContainText(`Best: trial ${trial},`);
  // Cells after the trial's number: its button, the rung, then the swept values in the order of SWEEP_PARAMS.
  const [learningRate, dropout] = await Promise.all([best.getByRole('cell').nth(2).textContent(), best.getByRole('cell').nth(3).textContent()]);
  await best.getByRole('button', { name: `Use trial ${trial}'s settings` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Configure now has trial ${trial}'s settings.` })).toBeVisible();
  await studio.open('Configure');
  const configure = new ConfigurePanel(page);
  expect(Number(await configure.field('Learning rate').inputValue())).toBe(Number(learningRate));
  await expect(page.getByLabel('Training config as JSON')).toContainText(`"hidden": ${Number(dropout)}`);
  expect(origin.foreignRequests).toEqual([]);
  expect(origin.cspViolations).toEqual([]);
});

test('"Check gradients" shows every module of the run\'s model within the threshold', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(240_000);
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  await ready(page);
  const check = new GradientCheckCard(page);
  await check.run.click();
  await expect(check.table).toBeVisible({ timeout: 180_000 });
  for (const module of ['embeddings', 'attention', 'feed-forward', 'LayerNorm', 'head']) await expect(check.result(module)).toHaveText('pass');
  await expect(check.verdict).toContainText(/^Every module passes: worst relative error at most 5\.00e-2/);
  await check.card.screenshot({ path: testInfo.outputPath('gradient-check.png') });
  expect(origin.foreignRequests).toEqual([]);
  expect(origin.cspViolations).toEqual([]);
});
