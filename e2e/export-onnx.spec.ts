// Journey: fine-tune the tiny BERT on a 40-row CSV, export it as ONNX for transformers.js. Before the download the
// page runs both files with onnxruntime-web (served from this origin, under the page's CSP) on the run's validation
// rows and shows "verified: max |Δ| …"; the zip holds the transformers.js layout, and transformers.js (this test's
// Node process) loads it with the run's labels. The Hugging Face folder beside it is checked by the engine's loader.
// Nothing leaves the origin.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AutoModelForSequenceClassification, AutoTokenizer, env, type Tensor } from '@huggingface/transformers';
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, ExportPanel, Studio, TrainPanel } from './pages/studio';
import { BERT_SEQ_CLS } from './support/checkpoints';
import { reviewsCsv } from './support/datasets';
import { guardOrigin } from './support/origin-guard';
import { unzipTo } from './support/unzip';

test('fine-tune, export ONNX (fp32 + int8) verified in the page, load it with transformers.js', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(240_000);
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const studio = new Studio(page);
  await studio.goto();
  const model = new ModelPanel(page);
  await model.openFolder(BERT_SEQ_CLS);
  await expect(model.stat('Layers')).toHaveText('2');

  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.drop(reviewsCsv());
  await expect(dataset.stat('Rows')).toHaveText('40');

  await studio.open('Configure');
  await new ConfigurePanel(page).set({ Epochs: 2, 'Batch size': 4, 'Max length (tokens)': 32, 'Learning rate': 0.001 });
  await studio.open('Train');
  const train = new TrainPanel(page);
  await train.start.click();
  await train.waitUntilFinished();

  await studio.open('Export');
  const exporter = new ExportPanel(page);
  const onnx = exporter.card('onnx');
  await expect(onnx.getByRole('checkbox', { name: /int8 file/ })).toBeChecked();
  const download = page.waitForEvent('download');
  await exporter.exportButton('onnx').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('bert-seq-cls-finetuned-onnx.zip');
  // 40 rows, the default 10% held out: the 4 validation rows the run evaluated on.
  await expect(onnx.getByRole('group', { name: 'Verification' })).toContainText('Checked before download on 4 validation examples');
  await expect(exporter.verification('onnx')).toHaveText([
    /^onnx\/model\.onnx verified: max \|Δ\| \d\.\de-\d+ \(accepted ≤ 1\.0e-4\) · same prediction on 4 of 4 · read by onnxruntime-web 1\.\d+/,
    /^onnx\/model_quantized\.onnx verified: max \|Δ\| \d\.\de-\d+ \(accepted ≤ \d\.\de-\d+\) · same prediction on \d of 4 · read by onnxruntime-web/,
  ]);
  await expect(exporter.files('onnx')).toContainText('onnx/model_quantized.onnx');
  await expect(page.getByLabel('ONNX for transformers.js: use it')).toHaveText(
    'const run = await pipeline("text-classification", "bert-seq-cls-finetuned-onnx", { dtype: "q8" });',
  );
  // The Hugging Face folder beside it: reloaded by the engine's loader before its download.
  const hfDownload = page.waitForEvent('download');
  await exporter.exportButton('hf').click();
  expect((await hfDownload).suggestedFilename()).toBe('bert-seq-cls-finetuned.zip');
  await expect(exporter.verification('hf')).toHaveText([/^model\.safetensors verified: max \|Δ\| 0\.0e\+0 .* read by Layerwise loader$/]);
  // docs/screenshots/export-onnx-verified.png is this card, whole and clear of the sticky header.
  await page.setViewportSize({ width: 1280, height: 1000 });
  await onnx.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await onnx.screenshot({ path: testInfo.outputPath('export-onnx-verified.png') });

  const folder = await unzipTo(await file.path(), testInfo.outputPath('unzipped'));
  expect((await readdir(folder)).sort()).toEqual(['config.json', 'onnx', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
  const size = async (name: string) => (await stat(path.join(folder, 'onnx', name))).size;
  expect(await size('model_quantized.onnx')).toBeLessThan(await size('model.onnx'));

  // The real consumer reads the download as it is.
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(folder);
  const name = path.basename(folder);
  const tokenizer = await AutoTokenizer.from_pretrained(name);
  for (const dtype of ['fp32', 'q8'] as const) {
    const classifier = await AutoModelForSequenceClassification.from_pretrained(name, { dtype, device: 'cpu' });
    const { logits } = (await classifier(tokenizer(['great movie and wonderful acting']))) as { logits: Tensor };
    expect(logits.dims).toEqual([1, 3]);
    expect((classifier.config as unknown as { id2label: Record<string, string> }).id2label).toEqual({ 0: 'negative', 1: 'neutral', 2: 'positive' });
    await classifier.dispose();
  }

  expect(origin.foreignRequests).toEqual([]);
  expect(origin.cspViolations).toEqual([]);
});
