// Journey: the first visit. The studio loads its built-in model from its own site (public/models/default/), shows it
// like any checkpoint, adapts it to a small text ("Adapt to my text": continued masked-LM training) and fine-tunes
// a classifier on it straight after a dataset is chosen. A missing built-in model is a coded error that leaves the
// studio usable: the user's own checkpoint still loads. Nothing may leave the page's origin. WASM, a few steps.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DEFAULT_MODEL_NAME, ModelPanel } from './pages/model-panel';
import { AdaptCard, ConfigurePanel, DatasetPanel, Studio, TrainPanel, type FileSpec } from './pages/studio';
import { BERT_SEQ_CLS, REPO_ROOT } from './support/checkpoints';
import { reviewsCsv } from './support/datasets';
import { guardOrigin } from './support/origin-guard';

const DEFAULT_FOLDER = join(REPO_ROOT, 'public', 'models', 'default');

/** 60 unlabeled lines about films, one a line: the "domain text" to adapt on. */
function filmNotes(): FileSpec {
  const openings = ['the film', 'this movie', 'the director', 'the cast', 'the story', 'the soundtrack'];
  const endings = ['was slow but moving', 'felt long and dull', 'kept me watching', 'made the audience laugh', 'never quite worked', 'is worth seeing twice'];
  const lines = Array.from({ length: 60 }, (_, i) => `${openings[i % openings.length]} ${endings[(i * 5 + 1) % endings.length]} .`);
  return { name: 'film-notes.txt', mimeType: 'text/plain', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

test('the built-in model is loaded on first visit, adapts to a text, then fine-tunes a classifier', async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const fetched: string[] = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  const studio = new Studio(page);
  const model = new ModelPanel(page);
  await studio.goto();
  await expect(studio.backendBadge).toHaveAccessibleName(/^Compute backend: WASM/);

  await model.waitForDefaultModel();
  await expect(model.stat('Layers')).toHaveText('4');
  await expect(model.stat('Hidden size')).toHaveText('128');
  await expect(model.stat('Vocabulary')).toHaveText('8,192');
  await expect(model.stat('Max positions')).toHaveText('128');
  await expect(model.summary.getByRole('list', { name: 'Tokenizer files' })).toContainText('tokenizer.json');
  await expect(model.summary).toContainText('BertForMaskedLM');
  await expect(model.emptyState).toBeHidden();
  expect(fetched).toContain('/models/default/model.safetensors');
  // The model card is shown when the folder has one, with a link to it on this site.
  if (existsSync(join(DEFAULT_FOLDER, 'README.md'))) {
    await expect(model.modelCard.getByRole('link', { name: 'Open README.md' })).toHaveAttribute('href', `${baseURL}/models/default/README.md`);
  } else {
    await expect(model.modelCard).toHaveCount(0);
  }

  // A labelled dataset is all a first run needs: the masked-LM checkpoint fine-tunes the data's task.
  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.choose(reviewsCsv());
  await expect(dataset.stat('Rows')).toHaveText('40');
  await expect(page.getByRole('alert').filter({ hasText: 'does not fit' })).toHaveCount(0);

  await studio.open('Train');
  const adapt = new AdaptCard(page);
  await adapt.open();
  await expect(adapt.source('The training dataset’s text')).toBeChecked();
  await adapt.textFile.setInputFiles(filmNotes());
  await expect(adapt.source('A separate text file')).toBeChecked();
  await adapt.set({ steps: 4, 'Batch size': 8, 'Max length (tokens)': 32 });
  await adapt.start.click();
  await expect(adapt.status).toHaveText(/^Adapted: 4 steps, MLM loss \d+\.\d{3}\. Fine-tuning now starts from these weights\.$/, { timeout: 120_000 });
  await expect(adapt.progress).toHaveAttribute('value', '4');
  await expect(adapt.card).toContainText('60 lines');

  await studio.open('Model');
  await expect(model.overviewTitle()).toHaveText(DEFAULT_MODEL_NAME);
  await expect(model.adaptations).toHaveText([/^on film-notes\.txt: 4 of 4 steps over 60 lines · MLM loss \d+\.\d{3} · learning rate 0\.0001, whole-word masking$/]);

  await studio.open('Configure');
  await expect(new ConfigurePanel(page).field('Task')).toHaveValue('seq-cls');
  await new ConfigurePanel(page).set({ 'Batch size': 4, 'Max length (tokens)': 32, 'Max steps': 3 });
  await studio.open('Train');
  const train = new TrainPanel(page);
  await train.start.click();
  await train.waitUntilFinished();
  await expect(train.status).toHaveText(/^Finished · Epoch 1\/1 · step 3\/3 · loss/);

  // The run's model is a classifier on the adapted encoder; the adaptation stays listed.
  await studio.open('Model');
  await expect(model.summary.getByRole('list', { name: 'Labels' }).getByRole('listitem')).toHaveText([/negative/, /neutral/, /positive/]);
  await expect(model.adaptations).toHaveCount(1);
  expect(origin.foreignRequests).toEqual([]);
  expect(origin.cspViolations).toEqual([]);
});

test('a missing built-in model is a coded error, and the user’s own checkpoint still loads', async ({ page, baseURL }) => {
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  await page.route('**/models/default/config.json', (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' }));
  const model = new ModelPanel(page);
  await model.goto();
  await expect(model.error).toContainText(`Could not load “${DEFAULT_MODEL_NAME}”`);
  await expect(model.error).toContainText('MODEL_FILE_MISSING');
  await expect(model.error).toContainText('config.json');
  await expect(model.emptyState).toBeVisible();
  await expect(model.loadBuiltIn).toBeVisible();

  await model.openFolder(BERT_SEQ_CLS);
  await expect(model.overviewTitle()).toHaveText('bert-seq-cls');
  await expect(model.error).toBeHidden();
  await expect(model.stat('Layers')).toHaveText('2');
  expect(origin.foreignRequests).toEqual([]);
});
