// Journey (#18): on the built-in model and a CSV with two label columns, Configure's Tasks card adds a second head on
// the other column (the file's own label column becomes head one), a run of a few steps trains both on WASM, Train's
// accuracy chart has a line per head, and Evaluate shows each head's metrics in a table of its own.
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, Studio, TrainPanel } from './pages/studio';
import { twoLabelsCsv } from './support/task-datasets';

test('two label columns of one file: a head on each, trained together, each head evaluated', async ({ page }) => {
  test.setTimeout(180_000);
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).waitForDefaultModel();
  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.choose(twoLabelsCsv());
  await expect(dataset.stat('Rows')).toHaveText('48');

  await studio.open('Configure');
  const configure = new ConfigurePanel(page);
  await configure.set({ Epochs: 1, 'Max steps': 4, 'Batch size': 8, 'Max length (tokens)': 16 });
  const tasks = page.getByRole('region', { name: 'Tasks', exact: true });
  await tasks.getByRole('button', { name: 'Add a second head' }).click();
  const columns = [await configure.field('Label column of head 1').inputValue(), await configure.field('Label column of head 2').inputValue()];
  expect(columns.sort()).toEqual(['sentiment', 'topic']);
  await configure.field('Steps shared by').selectOption('round-robin');
  await expect(page.getByText('fields need attention')).toHaveCount(0);

  await studio.open('Train');
  const train = new TrainPanel(page);
  await train.start.click();
  await train.waitUntilFinished();
  // The accuracy chart: a line per head beside the watched score.
  const chart = page.getByRole('figure', { name: 'Accuracy and F1' }).getByRole('img');
  for (const c of columns) await expect(chart).toHaveAccessibleName(new RegExp(`, ${c} accuracy \\d\\.\\d{4}`));

  await studio.open('Evaluate');
  const heads = page.getByRole('table', { name: 'Metrics of each head' });
  await expect(heads.getByRole('columnheader')).toHaveText(['Metric', ...columns]);
  await expect(heads.getByRole('row').filter({ hasText: 'Accuracy' }).getByRole('cell')).toHaveCount(2);
});
