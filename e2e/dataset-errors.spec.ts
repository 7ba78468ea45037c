// Journey: datasets that go wrong. An empty file gives a coded error and the dataset loaded before stays; an image
// renamed .csv is said to be an image (DATASET_BINARY_FILE); labels
// that are hostile HTML are shown as text and never run (RELIABILITY D15); a large file shows its first rows and a
// progress bar while it is read, and Cancel stops it with the dataset before still loaded (D1, D9, R3).
import { writeFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { DatasetPanel, Studio } from './pages/studio';
import { BERT_SEQ_CLS } from './support/checkpoints';
import { emptyCsv, hostileCsv, largeCsv, pngAsCsv, reviewsCsv } from './support/datasets';
import { guardOrigin } from './support/origin-guard';

test('a bad file keeps the dataset before; hostile labels are text; a large read can be cancelled', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(180_000);
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).openFolder(BERT_SEQ_CLS);
  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);

  await dataset.choose(reviewsCsv());
  await expect(dataset.stat('Rows')).toHaveText('40');
  await dataset.choose(emptyCsv());
  await expect(dataset.error).toContainText('Could not read “empty.csv”');
  await expect(dataset.error).toContainText('DATASET_EMPTY');
  await expect(dataset.error).toContainText('reviews.csv, is still loaded and unchanged');
  await expect(dataset.stat('Rows')).toHaveText('40');
  await dataset.error.getByRole('button', { name: 'Dismiss error' }).click();

  // An image renamed .csv is named for what it is, not "not UTF-8"; the code is on a details line under it.
  await dataset.choose(pngAsCsv());
  await expect(dataset.error).toContainText('photo.csv is a PNG image, not a text dataset');
  await expect(dataset.error.locator('.code-line')).toContainText('DATASET_BINARY_FILE');
  await expect(dataset.error).not.toContainText('UTF-8');
  await expect(dataset.stat('Rows')).toHaveText('40');
  await dataset.error.getByRole('button', { name: 'Dismiss error' }).click();

  await dataset.choose(hostileCsv());
  await expect(dataset.stat('Rows')).toHaveText('12');
  const img = '<img src=x onerror="window.__pwned=1">';
  await expect(dataset.preview.getByRole('cell', { name: img, exact: true }).first()).toBeVisible();
  await expect(dataset.preview.getByRole('cell', { name: '<script>window.__pwned=2</script>', exact: true }).first()).toBeVisible();
  await expect(dataset.preview.getByRole('cell', { name: '__proto__', exact: true }).first()).toBeVisible();
  await expect(dataset.loaded.locator('img, script')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await page.getByText('Counts as a table').click();
  await expect(page.getByRole('table', { name: 'Label counts' }).getByRole('cell', { name: img, exact: true })).toBeVisible();

  // About 80 MB, chosen from disk as a user would.
  const large = largeCsv(80);
  const path = testInfo.outputPath(large.name);
  await writeFile(path, large.buffer);
  await dataset.fileInput.setInputFiles(path);
  await expect(dataset.reading).toBeVisible();
  await expect(dataset.reading.getByRole('progressbar', { name: 'Dataset read progress' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'First rows, while reading' })).toContainText('a long enough review text');
  await dataset.reading.getByRole('button', { name: 'Cancel' }).click();
  await expect(dataset.error).toContainText('Reading “large.csv” was cancelled');
  await expect(dataset.error).toContainText('DATASET_READ_CANCELLED');
  await expect(dataset.reading).toBeHidden();
  await expect(dataset.stat('Rows')).toHaveText('12');
  expect(origin.foreignRequests).toEqual([]);
});
