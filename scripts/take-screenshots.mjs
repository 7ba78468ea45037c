// Screenshots of every panel of the studio for docs/screenshots/, in the light and the dark theme: the built-in
// model loaded on first visit, "Adapt to my text" during a run, a loaded model, a load error, the backend menu, then
// the journey — dataset, layers, configure, a run, evaluation with the playground, export (Hugging Face folder and
// ONNX, both verified), and two runs compared in the history. Needs a served build:
//   npm run build && npx vite preview --host 127.0.0.1 --port 4318 &
//   node scripts/take-screenshots.mjs [http://127.0.0.1:4318] [docs/screenshots] [light,dark]
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:4318';
const out = process.argv[3] ?? 'docs/screenshots';
const schemes = (process.argv[4] ?? 'light,dark').split(',');
const fixture = 'tests/golden/hf-tiny/bert-seq-cls';
const work = await mkdtemp(join(tmpdir(), 'layerwise-shots-'));

// The error shot loads a copy of the fixture cut inside its data section (RELIABILITY M4).
const broken = join(work, 'truncated-bert');
await mkdir(broken);
for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) await copyFile(join(fixture, f), join(broken, f));
await writeFile(join(broken, 'model.safetensors'), (await readFile(join(fixture, 'model.safetensors'))).subarray(0, 120_000));
const sentence = JSON.parse(await readFile(join(fixture, 'reference.json'), 'utf8')).sentences[0];

// A 60-row review dataset with three labels, as in the e2e journeys (words from the fixtures' vocabulary).
const kinds = [
  [['great movie', 'wonderful acting', 'i liked the plot', 'lovely music', 'excellent film', 'charming story'], 'positive'],
  [['boring plot', 'terrible acting', 'worst movie', 'awful music', 'i hate it', 'bad film'], 'negative'],
  [['a film', 'the actors', 'it was a movie', 'they watched it'], 'neutral'],
];
const rows = ['text,label'];
for (let i = 0; i < 60; i++) {
  const [words, label] = kinds[i % 3];
  rows.push(`"${words[i % words.length]} ${words[(i * 7 + 1) % words.length]}",${label}`);
}
const reviews = join(work, 'reviews.csv');
await writeFile(reviews, `${rows.join('\n')}\n`);

// Text to adapt the built-in model on: 400 SST-2 training sentences where the shared data is, else lines made here.
const sst2 = join('..', 'shared', 'data', 'sst2', 'train.tsv');
async function sst2Sentences(count) {
  const [header, ...lines] = (await readFile(sst2, 'utf8')).split('\n');
  const column = header.split('\t').findIndex((name) => name !== 'label');
  return lines.slice(0, count).map((l) => l.split('\t')[column].trim());
}
const notes = existsSync(sst2)
  ? await sst2Sentences(400)
  : Array.from({ length: 400 }, (_, i) => `${kinds[i % 3][0][i % 4]} and ${kinds[(i + 1) % 3][0][i % 4]} , said review ${i}`);
const adaptText = join(work, 'movie-reviews.txt');
await writeFile(adaptText, `${notes.join('\n')}\n`);

await mkdir(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-gpu-sandbox'],
});

async function open(colorScheme) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme });
  const page = await context.newPage();
  await page.goto(base);
  await page.getByRole('button', { name: /^Compute backend: (WASM|WebGPU|CPU)/ }).waitFor({ timeout: 60_000 });
  return page;
}

async function shot(page, name, fullPage = true) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(out, name), fullPage });
}

async function tab(page, name) {
  await page.getByRole('tab', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function train(page, learningRate) {
  await tab(page, 'Configure');
  const set = async (label, value) => page.getByLabel(label, { exact: true }).fill(String(value));
  await set('Epochs', 4);
  await set('Batch size', 4);
  await set('Max length (tokens)', 32);
  await set('Learning rate', learningRate);
  await page.getByLabel('Evaluate', { exact: true }).selectOption('steps');
  await set('N (steps)', 4);
  await set('Patience', 4);
  await tab(page, 'Train');
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.getByRole('status', { name: 'Training status' }).filter({ hasText: /^(Finished|Stopped|Failed)/ }).waitFor({ timeout: 180_000 });
}

/** "Adapt to my text" on the built-in model, shot once the first held-out evaluation is in; then discarded. */
async function adapt(page, scheme) {
  await tab(page, 'Train');
  const card = page.getByRole('region', { name: 'Adapt to my text (optional)' });
  await card.getByLabel('Adaptation text file').setInputFiles(adaptText);
  await card.getByLabel('Length in', { exact: true }).selectOption('steps');
  await card.getByLabel('Steps', { exact: true }).fill('60');
  await card.getByLabel('Max length (tokens)', { exact: true }).fill('64');
  await card.getByRole('button', { name: 'Adapt the model' }).click();
  await card.getByRole('status', { name: 'Adaptation status' }).filter({ hasText: 'masked-token accuracy' }).waitFor({ timeout: 180_000 });
  await card.screenshot({ path: join(out, `adapt-${scheme}.png`) });
  await card.getByRole('button', { name: 'Stop and discard' }).click();
  await card.getByRole('status', { name: 'Adaptation status' }).filter({ hasText: /^Stopped/ }).waitFor({ timeout: 60_000 });
  await tab(page, 'Model');
}

async function journey(scheme) {
  const page = await open(scheme);
  await page.getByRole('region', { name: 'Loaded model' }).getByRole('heading', { level: 2, name: /^Layerwise default/ }).waitFor({ timeout: 60_000 });
  await shot(page, `model-default-${scheme}.png`);
  await adapt(page, scheme);
  await page.getByLabel('Open checkpoint folder').setInputFiles(fixture);
  await page.getByRole('region', { name: 'Loaded model' }).getByRole('heading', { level: 2, name: 'bert-seq-cls' }).waitFor();
  await page.getByLabel('Text', { exact: true }).fill(sentence);
  await page.getByRole('button', { name: 'Predict' }).click();
  await page.getByRole('list', { name: 'Label probabilities' }).waitFor();
  await shot(page, `model-${scheme}.png`);
  await page.getByLabel('Open checkpoint folder').setInputFiles(broken);
  await page.getByRole('alert').filter({ hasText: 'Could not load' }).waitFor();
  await shot(page, `model-error-${scheme}.png`, false);
  await page.getByRole('button', { name: /^Compute backend/ }).click();
  await page.getByRole('dialog', { name: 'Compute backend' }).waitFor();
  await page.screenshot({ path: join(out, `backend-menu-${scheme}.png`) });
  await page.keyboard.press('Escape');

  await tab(page, 'Dataset');
  await shot(page, `dataset-empty-${scheme}.png`, false);
  await page.getByLabel('Dataset file').setInputFiles(reviews);
  await page.getByRole('region', { name: 'Loaded dataset' }).waitFor();
  await page.getByLabel('Copies per example').fill('1');
  await page.getByRole('list', { name: 'Augmentation preview' }).waitFor();
  await shot(page, `dataset-${scheme}.png`);

  await tab(page, 'Layers');
  await page.getByRole('tree', { name: 'Layers' }).getByRole('treeitem', { name: 'bert.embeddings', exact: true }).click();
  await page.getByLabel('Pyramid ξ (layer decay)').fill('0.8');
  await shot(page, `layers-${scheme}.png`);

  await tab(page, 'Train');
  await shot(page, `train-before-${scheme}.png`);
  await train(page, 0.0005);
  await train(page, 0.002);
  await shot(page, `train-${scheme}.png`);

  await tab(page, 'Configure');
  await shot(page, `configure-${scheme}.png`);

  await tab(page, 'Evaluate');
  await page.getByLabel('Playground text').fill('great movie and wonderful acting');
  await page.getByRole('button', { name: 'Predict' }).click();
  await page.getByRole('list', { name: 'Label probabilities' }).waitFor();
  await shot(page, `evaluate-${scheme}.png`);

  await tab(page, 'Export');
  // Both formats, each checked in the page before its download (the Hugging Face folder by the engine's loader,
  // the ONNX files by onnxruntime-web); the shot shows their verification lines.
  for (const [name, table] of [['Export Hugging Face folder', 'Hugging Face folder'], ['Export ONNX', 'ONNX for transformers.js']]) {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name }).click();
    await download;
    await page.getByRole('table', { name: `Exported files: ${table}` }).waitFor();
  }
  await shot(page, `export-${scheme}.png`);

  await tab(page, 'History');
  await page.getByRole('table', { name: 'Runs' }).waitFor();
  for (const box of await page.getByRole('checkbox', { name: /^Compare Run/ }).all()) await box.check();
  await page.getByRole('table', { name: 'Config differences' }).waitFor();
  await shot(page, `history-${scheme}.png`);
  await page.context().close();
}

for (const scheme of schemes) await journey(scheme);
await browser.close();
console.log(`screenshots written to ${out}/`);
