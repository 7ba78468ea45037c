// Journey (#20): texts longer than max length. The Dataset panel says how many texts a 16-token cut would shorten
// and how many tokens it loses; one click reads them in sliding windows instead, Configure shows the windows, a run
// trains on them, and the playground reads a long text in several windows and says so.
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, EvaluatePanel, Studio, TrainPanel } from './pages/studio';
import { DatasetLabels, EvaluateTasks, TaskOptions } from './pages/tasks';
import { BERT_SEQ_CLS } from './support/checkpoints';
import { longText, longTextsCsv } from './support/task-datasets';

test('long texts: the loss of cutting them said, windows in one click, trained and predicted in windows', async ({ page }) => {
  test.setTimeout(150_000);
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).openFolder(BERT_SEQ_CLS);

  await studio.open('Configure');
  const configure = new ConfigurePanel(page);
  await configure.set({ Epochs: 1, 'Batch size': 8, 'Max length (tokens)': 16, 'Learning rate': 0.005 });

  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.drop(longTextsCsv());
  await expect(dataset.loaded).toBeVisible();
  const labels = new DatasetLabels(page);
  await expect(labels.longTexts).toContainText(/^\d+ of \d+ texts are longer than 16 tokens: cutting them loses [\d,]+ of [\d,]+ tokens/);
  await labels.useWindows.click();
  await expect(labels.longTexts).toContainText('the run reads them in sliding windows');

  await studio.open('Configure');
  const options = new TaskOptions(page);
  await expect(options.windows).toBeChecked();
  await expect(options.stride).toHaveValue('4');
  await options.aggregate.selectOption('max');

  await studio.open('Train');
  const train = new TrainPanel(page);
  await train.start.click();
  await train.waitUntilFinished();

  await studio.open('Evaluate');
  await new EvaluatePanel(page).predict(longText(true));
  await expect(new EvaluateTasks(page).answer).toContainText(/read in \d+ windows/);
  await expect(page.getByRole('list', { name: 'Label probabilities' })).toContainText('window');
});
