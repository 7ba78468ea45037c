// Journey (#20): a file whose rows hold several labels. The Dataset panel reads the ";"-separated label column as
// multi-label and says which labels go together, Configure follows with a multi-label head, a short run trains on
// WASM, Evaluate shows the thresholds tuned per label beside 0.5, the playground answers with every label over its
// threshold, and the exported folder's config.json says problem_type multi_label_classification with those thresholds.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, EvaluatePanel, ExportPanel, Studio, TrainPanel } from './pages/studio';
import { DatasetLabels, EvaluateTasks, TaskOptions } from './pages/tasks';
import { BERT_SEQ_CLS } from './support/checkpoints';
import { multiLabelTsv } from './support/task-datasets';
import { unzipTo } from './support/unzip';

test('rows of several labels: detected, trained with a sigmoid per label, thresholds tuned, used and exported', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).openFolder(BERT_SEQ_CLS);

  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.drop(multiLabelTsv());
  await expect(dataset.loaded).toBeVisible();
  const labels = new DatasetLabels(page);
  await expect(labels.labelsPerRow).toHaveValue('sep:;');
  await expect(labels.together).toContainText('Most often together');
  await expect(labels.together).toContainText('rows have no label');

  await studio.open('Configure');
  const options = new TaskOptions(page);
  await expect(options.labelsPerExample).toHaveValue('multi_label_classification');
  await expect(options.positiveWeights).toBeVisible();
  await new ConfigurePanel(page).set({ Epochs: 2, 'Batch size': 8, 'Max length (tokens)': 16, 'Learning rate': 0.005 });

  await studio.open('Train');
  const train = new TrainPanel(page);
  await train.start.click();
  await train.waitUntilFinished();

  await studio.open('Evaluate');
  const tasks = new EvaluateTasks(page);
  await expect(tasks.multiLabelScores.getByRole('columnheader')).toHaveText(['Metric', 'Tuned thresholds', '0.5 thresholds']);
  await expect(tasks.row(tasks.multiLabelScores, 'Hamming loss')).toBeVisible();
  await expect(tasks.thresholds.getByRole('rowheader')).toHaveText(['happy', 'love', 'sad']);
  const evaluate = new EvaluatePanel(page);
  await evaluate.predict('the movie was great and lovely');
  await expect(tasks.answer).toContainText('Labels that apply:');
  await expect(page.getByRole('list', { name: 'Label probabilities (each its own sigmoid)' }).getByRole('listitem')).toHaveCount(3);
  await expect(page.getByRole('list', { name: 'Label probabilities (each its own sigmoid)' })).toContainText('threshold');

  // Each label's tuned threshold as the panel shows it, to find in the exported config.json.
  const shown = await tasks.thresholds.getByRole('row').evaluateAll((rows) => rows.slice(1).map((r) => r.querySelectorAll('td')[0]?.textContent ?? ''));
  expect(shown).toHaveLength(3);

  await studio.open('Export');
  const exporter = new ExportPanel(page);
  const download = page.waitForEvent('download');
  await exporter.exportButton('hf').click();
  const zipPath = testInfo.outputPath('export.zip');
  await (await download).saveAs(zipPath);
  const folder = await unzipTo(zipPath, testInfo.outputPath('unzipped'));
  const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as { problem_type: string; layerwise: { thresholds: Record<string, number> } };
  expect(config.problem_type).toBe('multi_label_classification');
  expect(Object.keys(config.layerwise.thresholds)).toEqual(['happy', 'love', 'sad']);
  // The thresholds the Evaluate panel showed are the ones saved.
  expect(Object.values(config.layerwise.thresholds).map((t) => t.toFixed(3))).toEqual(shown);
  expect(await readFile(path.join(folder, 'README.md'), 'utf8')).toContain('## Multi-label outputs');
});
