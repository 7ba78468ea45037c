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

// Words of the e2e journeys' reviews, for the adaptation text where the shared data is absent.
const kinds = [
  [['great movie', 'wonderful acting', 'i liked the plot', 'lovely music', 'excellent film', 'charming story'], 'positive'],
  [['boring plot', 'terrible acting', 'worst movie', 'awful music', 'i hate it', 'bad film'], 'negative'],
  [['a film', 'the actors', 'it was a movie', 'they watched it'], 'neutral'],
];

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

/** A second run of the sample at another learning rate, from the Train panel, for the History's comparison. */
async function trainAgain(page, learningRate) {
  await tab(page, 'Configure');
  await page.getByLabel('Learning rate', { exact: true }).fill(String(learningRate));
  await tab(page, 'Train');
  await page.getByRole('button', { name: 'Start training' }).click();
  await finished(page);
}

async function finished(page) {
  await page.getByRole('status', { name: 'Training status' }).filter({ hasText: /^(Finished|Stopped|Failed)/ }).waitFor({ timeout: 600_000 });
  // The charts follow the run at most four times a second.
  await page.waitForTimeout(500);
}

/** "Adapt to my text" on the built-in model, shot once the first held-out evaluation is in; then discarded. */
async function adapt(page, scheme) {
  await tab(page, 'Train');
  await page.getByText('Adapt to my text first (optional)').click();
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
}

async function journey(scheme) {
  const page = await open(scheme);
  await page.getByRole('region', { name: 'Loaded model' }).getByRole('heading', { level: 2, name: /^Layerwise default/ }).waitFor({ timeout: 60_000 });
  await shot(page, `model-default-${scheme}.png`);

  // The first run: the sample dataset, then "Train with defaults".
  await tab(page, 'Dataset');
  await shot(page, `dataset-empty-${scheme}.png`, false);
  await page.getByRole('button', { name: 'Try the sample dataset' }).click();
  await page.getByRole('region', { name: 'Loaded dataset' }).waitFor();
  await page.getByRole('table', { name: 'Examples per class and split' }).waitFor();
  await shot(page, `dataset-${scheme}.png`);

  await tab(page, 'Layers');
  await page.getByRole('figure', { name: 'Peak learning rate per layer' }).waitFor();
  await shot(page, `layers-${scheme}.png`);

  await tab(page, 'Train');
  await page.getByRole('figure', { name: 'Layer telemetry' }).waitFor();
  await shot(page, `train-before-${scheme}.png`);
  await tab(page, 'Dataset');
  await page.getByRole('button', { name: 'Train with defaults' }).click();
  await page.getByRole('heading', { level: 1, name: 'Train' }).waitFor();
  await finished(page);
  await page.getByRole('region', { name: 'How good is it' }).waitFor();
  await shot(page, `train-${scheme}.png`);

  await tab(page, 'Evaluate');
  await page.getByLabel('Playground text').fill('Congratulations! You have won a £1000 cash prize. Call 09061701461 now to claim, T&Cs apply, 150p/min');
  await page.getByRole('button', { name: 'Predict' }).click();
  await page.getByRole('list', { name: 'Label probabilities' }).waitFor();
  await shot(page, `evaluate-${scheme}.png`);

  await tab(page, 'Configure');
  await page.getByRole('figure', { name: 'Learning-rate schedule' }).waitFor();
  await shot(page, `configure-${scheme}.png`);

  await tab(page, 'Export');
  const download = page.waitForEvent('download');
  await page.getByRole('region', { name: 'Hugging Face folder' }).getByRole('button', { name: 'Export Hugging Face folder' }).click();
  await download;
  await page.getByRole('table', { name: 'Exported files: Hugging Face folder' }).waitFor();
  await shot(page, `export-${scheme}.png`);

  await trainAgain(page, 0.001);
  await tab(page, 'History');
  await page.getByRole('table', { name: 'Runs' }).waitFor();
  for (const box of await page.getByRole('checkbox', { name: /^Compare Run/ }).all()) await box.check();
  await page.getByRole('table', { name: 'Config differences' }).waitFor();
  await page.getByRole('figure', { name: 'Training loss, compared' }).waitFor();
  await shot(page, `history-${scheme}.png`);

  await adapt(page, scheme);

  // A checkpoint of the user's, a load error, the backend menu.
  await tab(page, 'Model');
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
  await page.context().close();
}

for (const scheme of schemes) await journey(scheme);
await browser.close();
console.log(`screenshots written to ${out}/`);
