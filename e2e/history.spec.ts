// Journey: every run is kept. Train twice with different learning rates, reload the page, find both runs in the
// History panel (IndexedDB), and compare them: curves overlaid and the config fields that differ.
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, HistoryPanel, Studio, TrainPanel } from './pages/studio';
import { BERT_SEQ_CLS } from './support/checkpoints';
import { reviewsCsv } from './support/datasets';

test('two runs are kept across a reload and compared side by side', async ({ page }) => {
  test.setTimeout(180_000);
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).openFolder(BERT_SEQ_CLS);
  await studio.open('Dataset');
  await new DatasetPanel(page).choose(reviewsCsv());
  await expect(new DatasetPanel(page).stat('Rows')).toHaveText('40');

  const configure = new ConfigurePanel(page);
  const train = new TrainPanel(page);
  for (const lr of [0.001, 0.0001]) {
    await studio.open('Configure');
    await configure.set({ 'Batch size': 4, 'Max length (tokens)': 32, 'Max steps': 4, 'Learning rate': lr });
    await configure.evaluateEvery(2);
    await studio.open('Train');
    await train.start.click();
    await train.waitUntilFinished();
  }

  await studio.open('History');
  const history = new HistoryPanel(page);
  await expect(history.runs.getByRole('row')).toHaveCount(3);
  await page.reload();
  await studio.goto();
  await studio.open('History');
  await expect(history.runs.getByRole('row')).toHaveCount(3);
  await expect(history.row('Run 1')).toContainText('completed');
  await expect(history.row('Run 2')).toContainText('4 / 4');

  await history.compare('Run 1', 'Run 2');
  await expect(page.getByRole('figure', { name: 'Training loss, compared' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Validation loss, compared' })).toBeVisible();
  await expect(history.diff.getByRole('row')).toHaveCount(2);
  await expect(history.diff.getByRole('row', { name: /learningRate/ })).toContainText('0.001');
  await expect(history.diff.getByRole('row', { name: /learningRate/ })).toContainText('0.0001');
  await page.getByLabel('Show every field').check();
  await expect(history.diff.getByRole('row', { name: /batchSize/ })).toContainText('4');
});
