// Journey: named entities. Load the tiny BERT token classifier, choose a CoNLL file, see its sentences with their
// tags, train a few steps (B-LOC is the commonest tag, so the head learns to predict it), and see the playground
// mark the entities in a typed sentence, with every word's label listed.
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, EvaluatePanel, Studio, TrainPanel } from './pages/studio';
import { BERT_TOKEN_CLS } from './support/checkpoints';
import { placesConll } from './support/datasets';
import { guardOrigin } from './support/origin-guard';

test('train a token classifier on CoNLL and see entities highlighted', async ({ page, baseURL }) => {
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const studio = new Studio(page);
  await studio.goto();
  const model = new ModelPanel(page);
  await model.openFolder(BERT_TOKEN_CLS);
  await expect(model.stat('Layers')).toHaveText('2');

  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.choose(placesConll());
  await expect(dataset.stat('Sentences')).toHaveText('24');
  await expect(dataset.stat('Format')).toHaveText('CoNLL');
  await expect(dataset.preview.getByRole('row').nth(1)).toContainText('paris');
  await expect(dataset.preview.getByRole('row').nth(1)).toContainText('B-LOC');
  await page.getByText('Counts as a table').click();
  await expect(page.getByRole('table', { name: 'Tag counts' }).getByRole('row').nth(1)).toContainText('B-LOC');
  await expect(page.getByText(/predicts 3 classes .*your data has 4/)).toBeVisible();

  await studio.open('Configure');
  await expect(new ConfigurePanel(page).field('Task')).toHaveValue('token-cls');
  await new ConfigurePanel(page).set({ Epochs: 4, 'Batch size': 4, 'Max length (tokens)': 32, 'Learning rate': 0.01 });

  await studio.open('Train');
  const train = new TrainPanel(page);
  await train.start.click();
  await train.waitUntilFinished();
  await expect(train.chart('Accuracy and F1')).toContainText('entity F1');

  await studio.open('Evaluate');
  const evaluate = new EvaluatePanel(page);
  await expect(evaluate.metrics).toContainText('Entity F1');
  await expect(page.getByRole('table', { name: 'Per-entity metrics' })).toContainText('LOC');
  await evaluate.predict('paris and rome');
  const words = page.getByRole('table', { name: 'Word labels' }).getByRole('row');
  await expect(words).toHaveCount(4);
  await expect(words.nth(1)).toContainText('paris');
  // The head has learnt the commonest tag: the words come back as LOC entities, highlighted in the text.
  const text = page.getByLabel('Text with entities');
  await expect(text.locator('mark')).not.toHaveCount(0);
  await expect(text.locator('mark').first()).toContainText('LOC');
  expect(origin.foreignRequests).toEqual([]);
});
