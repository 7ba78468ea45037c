// Journey (#20): an imbalanced file. The Dataset panel warns that the rarest class is rare, says what always answering
// the majority class scores and which class weights would balance them; one click puts them in the config, the run
// trains with them, and Evaluate shows each class's recall beside the majority-class baseline's.
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, Studio, TrainPanel } from './pages/studio';
import { DatasetLabels, EvaluateTasks, TaskOptions } from './pages/tasks';
import { BERT_SEQ_CLS } from './support/checkpoints';
import { imbalancedCsv } from './support/task-datasets';

test('a rare class: warned about with the baseline, weighted in one click, recall shown beside the baseline', async ({ page }) => {
  test.setTimeout(150_000);
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).openFolder(BERT_SEQ_CLS);

  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.drop(imbalancedCsv());
  await expect(dataset.loaded).toBeVisible();
  const labels = new DatasetLabels(page);
  await expect(labels.labelsPerRow).toHaveValue('one');
  // 58 training rows after the stratified 10% validation share: 51 ham, 7 spam.
  await expect(labels.rareClass).toContainText('The rarest class, spam, is 12.1% of the training examples');
  await expect(labels.rareClass).toContainText('always answering ham would score 87.9% accuracy');
  await expect(labels.rareClass).toContainText('ham 0.569, spam 4.14');
  await labels.useWeights.click();
  await expect(labels.rareClass).toContainText('The run weights classes: inverse-frequency');

  await studio.open('Configure');
  const options = new TaskOptions(page);
  await expect(options.classWeights).toHaveValue('inverse-frequency');
  await options.focalGamma.fill('2');
  await new ConfigurePanel(page).set({ Epochs: 2, 'Batch size': 8, 'Max length (tokens)': 16, 'Learning rate': 0.005 });

  await studio.open('Train');
  const train = new TrainPanel(page);
  await train.start.click();
  await train.waitUntilFinished();

  await studio.open('Evaluate');
  const tasks = new EvaluateTasks(page);
  await expect(tasks.recall.getByRole('columnheader')).toHaveText(['Class', 'Support', 'Recall', 'Baseline recall']);
  await expect(tasks.row(tasks.recall, 'ham')).toContainText('1.0000');
  await expect(tasks.row(tasks.recall, 'spam').getByRole('cell').last()).toHaveText('0.0000');
});
