// Journey: open a Hugging Face checkpoint folder and read its summary; then open a broken one and see a coded
// error while the model loaded before stays shown. Nothing may leave the page's origin meanwhile.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { BERT_SEQ_CLS, referenceOutputs, relabelledCheckpoint, tensorValueCount, truncatedCheckpoint } from './support/checkpoints';
import { guardOrigin } from './support/origin-guard';

test('load a checkpoint folder, then a truncated one: coded error, previous model kept', async ({ page, baseURL }, testInfo) => {
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const panel = new ModelPanel(page);
  await panel.goto();
  await panel.waitForDefaultModel();

  await panel.openFolder(BERT_SEQ_CLS);
  await expect(panel.overviewTitle()).toHaveText('bert-seq-cls');
  await expect(panel.stat('Family')).toHaveText('bert');
  await expect(panel.stat('Layers')).toHaveText('2');
  await expect(panel.stat('Hidden size')).toHaveText('32');
  await expect(panel.stat('Attention heads')).toHaveText('4');
  const values = await tensorValueCount(`${BERT_SEQ_CLS}/model.safetensors`);
  await expect(panel.stat('Parameters')).toHaveText(values.toLocaleString('en-US'));
  await expect(panel.summary.getByRole('list', { name: 'Labels' }).getByRole('listitem')).toHaveText([/LABEL_0/, /LABEL_1/, /LABEL_2/]);
  await expect(panel.summary.getByRole('list', { name: 'Tokenizer files' })).toContainText('tokenizer.json');
  await expect(panel.emptyState).toBeHidden();

  // RELIABILITY M4: the data section cut short; the header still parses.
  const broken = await truncatedCheckpoint(testInfo.outputPath(), 120_000);
  await panel.openFolder(broken);
  await expect(panel.error).toContainText('Could not load “truncated-bert”');
  await expect(panel.error).toContainText('SAFETENSORS_METADATA_INCOMPLETE_BUFFER');
  await expect(panel.error).toContainText('model.safetensors');
  await expect(panel.error).toContainText('bert-seq-cls, is still loaded');
  await expect(panel.overviewTitle()).toHaveText('bert-seq-cls');
  await expect(panel.stat('Parameters')).toHaveText(values.toLocaleString('en-US'));

  // The model loaded before is still usable: its logits for a reference sentence match transformers'.
  const reference = await referenceOutputs(BERT_SEQ_CLS);
  await panel.predict(reference.sentences[0]);
  const byLogit = reference.logits[0].map((logit, i) => ({ label: `LABEL_${i}`, logit })).sort((a, b) => b.logit - a.logit);
  await expect(panel.labelScores()).toHaveText(byLogit.map((l) => new RegExp(`^${l.label}.*logit ${l.logit.toFixed(4)}$`)));

  await panel.error.getByRole('button', { name: 'Dismiss error' }).click();
  await expect(panel.error).toBeHidden();
  expect(origin.foreignRequests).toEqual([]);
  expect(origin.cspViolations).toEqual([]);
});

test('drop the files of a checkpoint folder onto the panel', async ({ page }) => {
  const panel = new ModelPanel(page);
  await panel.goto();
  await panel.waitForDefaultModel();
  const names = (await readdir(BERT_SEQ_CLS)).filter((n) => !n.startsWith('reference'));
  const files = await Promise.all(names.map(async (name) => ({ name, bytes: [...(await readFile(join(BERT_SEQ_CLS, name)))] })));
  await panel.dropFiles(page.getByRole('heading', { level: 1, name: 'Model' }), files);
  await expect(panel.stat('Layers')).toHaveText('2');
  await expect(panel.overviewTitle()).toHaveText('Checkpoint');
  await expect(panel.summary.getByRole('table').filter({ hasText: 'model.safetensors' })).toContainText('vocab.txt');
});

test('every loader message is listed with its code: a new head and non-finite weights', async ({ page }, testInfo) => {
  const panel = new ModelPanel(page);
  await panel.goto();
  await panel.waitForEngine();
  const nanTensor = 'bert.encoder.layer.0.attention.self.query.weight';
  await panel.openFolder(await relabelledCheckpoint(testInfo.outputPath(), nanTensor));
  await expect(panel.summary.getByRole('list', { name: 'Labels' })).toContainText('negative');
  const messages = panel.summary.getByRole('list', { name: 'Loader messages' }).getByRole('listitem');
  await expect(messages.filter({ hasText: 'CHECKPOINT_HEAD_INITIALISED' })).toContainText('classifier.weight');
  await expect(messages.filter({ hasText: 'CHECKPOINT_NON_FINITE' })).toContainText(nanTensor);
  const nonFinite = panel.summary.getByRole('table', { name: 'Tensors with NaN or infinite values' });
  await expect(nonFinite.getByRole('row', { name: nanTensor })).toContainText('2');
  // The override next to the table (M17): off for each model loaded, until the user ticks it.
  const trainAnyway = panel.summary.getByRole('checkbox', { name: /^Train anyway: runs start from these weights, NaN and infinite values included/ });
  await expect(trainAnyway).not.toBeChecked();
  await trainAnyway.check();
  await expect(trainAnyway).toBeChecked();
});
