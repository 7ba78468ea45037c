// Screenshots of the studio for docs/screenshots/: empty state, a loaded model with a prediction, a load error
// over the kept model, the backend menu, and the dark theme. Needs a served build:
//   npm run build && npx vite preview --host 127.0.0.1 --port 4318 &
//   node scripts/take-screenshots.mjs [http://127.0.0.1:4318] [docs/screenshots]
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:4318';
const out = process.argv[3] ?? 'docs/screenshots';
const fixture = 'tests/golden/hf-tiny/bert-seq-cls';

// The error shot loads a copy of the fixture cut inside its data section (RELIABILITY M4).
const broken = join(await mkdtemp(join(tmpdir(), 'layerwise-shots-')), 'truncated-bert');
await mkdir(broken);
for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) await copyFile(join(fixture, f), join(broken, f));
await writeFile(join(broken, 'model.safetensors'), (await readFile(join(fixture, 'model.safetensors'))).subarray(0, 120_000));
const sentence = JSON.parse(await readFile(join(fixture, 'reference.json'), 'utf8')).sentences[0];

await mkdir(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-gpu-sandbox'],
});

async function open(colorScheme) {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, colorScheme });
  await page.goto(base);
  await page.getByRole('button', { name: /^Compute backend: (WASM|WebGPU|CPU)/ }).waitFor({ timeout: 60_000 });
  return page;
}

async function loadAndPredict(page) {
  await page.getByLabel('Open checkpoint folder').setInputFiles(fixture);
  await page.getByRole('region', { name: 'Loaded model' }).waitFor();
  await page.getByLabel('Text', { exact: true }).fill(sentence);
  await page.getByRole('button', { name: 'Predict' }).click();
  await page.getByRole('list', { name: 'Label probabilities' }).waitFor();
}

const light = await open('light');
await light.screenshot({ path: join(out, 'empty.png') });
await loadAndPredict(light);
await light.screenshot({ path: join(out, 'loaded.png'), fullPage: true });
await light.getByLabel('Open checkpoint folder').setInputFiles(broken);
await light.getByRole('alert').filter({ hasText: 'Could not load' }).waitFor();
await light.screenshot({ path: join(out, 'error.png') });
await light.getByRole('button', { name: /^Compute backend/ }).click();
await light.getByRole('dialog', { name: 'Compute backend' }).waitFor();
await light.screenshot({ path: join(out, 'backend-menu.png') });

const dark = await open('dark');
await loadAndPredict(dark);
await dark.screenshot({ path: join(out, 'dark.png'), fullPage: true });

await browser.close();
console.log(`screenshots written to ${out}/`);
