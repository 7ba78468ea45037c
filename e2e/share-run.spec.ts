// Journey (issue #18): "Share this run" in Configure on the built-in model and a small CSV writes the run recipe as a
// JSON file and as a link; the link opened in a fresh page sets Configure as the recipe has it and asks for the
// training file, which it checks against the recipe's fingerprint: another file is named as differing, the recipe's
// own is accepted. WASM; nothing may leave the page's origin.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, Studio } from './pages/studio';
import { reviewsCsv } from './support/datasets';
import { guardOrigin } from './support/origin-guard';

test('a shared link reopens the studio with the run set, and checks the files it asks for', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(180_000);
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).waitForDefaultModel();
  await studio.open('Dataset');
  await new DatasetPanel(page).choose(reviewsCsv());
  await expect(new DatasetPanel(page).stat('Rows')).toHaveText('40');
  await studio.open('Configure');
  const configure = new ConfigurePanel(page);
  await configure.set({ Seed: 17, 'Learning rate': 0.0007 });

  const share = page.getByRole('region', { name: 'Share this run' });
  await share.getByRole('button', { name: 'Copy recipe' }).click();
  const download = page.waitForEvent('download');
  await share.getByRole('link', { name: /^Download .*\.recipe\.json$/ }).click();
  const recipe = JSON.parse(await readFile(await (await download).path(), 'utf8'));
  expect(recipe).toMatchObject({ kind: 'layerwise-run-recipe', model: { origin: { kind: 'built-in' } }, data: { train: { name: 'reviews.csv' } }, config: { seed: 17, learningRate: 0.0007 } });
  const link = await share.getByLabel('Link to this run').inputValue();
  expect(new URL(link).hash).toMatch(/^#recipe=[A-Za-z0-9_-]+$/);

  // A fresh page, as the person the link is sent to opens it (the same page would only move to the fragment).
  const opened = await page.context().newPage();
  const openedOrigin = guardOrigin(opened, new URL(baseURL!).origin);
  await opened.goto(link);
  await new ModelPanel(opened).waitForDefaultModel();
  const banner = opened.getByRole('region', { name: 'Shared run recipe' });
  await expect(banner).toContainText(`Shared run: ${recipe.name}`);
  await expect(banner.getByRole('listitem').filter({ hasText: 'Model (' })).toContainText("the recipe's");
  await expect(banner.getByRole('listitem').filter({ hasText: 'Training file (reviews.csv)' })).toContainText('not open yet');
  await new Studio(opened).open('Configure');
  const reopened = new ConfigurePanel(opened);
  await expect(reopened.field('Seed')).toHaveValue('17');
  await expect(reopened.field('Learning rate')).toHaveValue('0.0007');

  const pick = banner.getByLabel("Open the recipe's training file (reviews.csv)");
  await pick.setInputFiles(reviewsCsv(41));
  await expect(banner).toContainText('RECIPE_DATA_MISMATCH');
  await banner.screenshot({ path: testInfo.outputPath('recipe-banner.png') });
  await pick.setInputFiles(reviewsCsv());
  await expect(banner).toContainText("Every file is the recipe's");
  for (const log of [origin, openedOrigin]) {
    expect(log.foreignRequests).toEqual([]);
    expect(log.cspViolations).toEqual([]);
  }
});
