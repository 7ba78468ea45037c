// `npm run bench:epoch`: a whole fine-tuning run in the studio, in headless Chromium, driven as a user drives it:
// the production build served with its _headers (cross-origin isolated, so WASM has its threads), a checkpoint folder
// opened in the Model panel, a dataset and a validation file chosen in the Dataset panel, Configure's fields set, the
// memory planner's estimate read from the Layers panel, then Start and wait for "Finished". Prints one JSON line: wall
// time of the run, steps, the final evaluation, the planner's estimate, and the peak memory seen from outside (the
// renderer process's RSS, sampled every 2 s) and from inside (the worker's WASM heap, which only grows, so its size at
// the end is its peak). Never fails because a machine is slow.
// Usage: npm run bench:epoch -- --model DIR --data FILE [--validation FILE] [--epochs 1] [--batch 16]
//        [--checkpointing] [--lora] [--evaluate epoch|steps:N] [--backend wasm|webgpu] [--timeout 14400]
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, expect, type Page } from '@playwright/test';
import { build } from 'vite';
import { ModelPanel } from '../../e2e/pages/model-panel';
import { ConfigurePanel, DatasetPanel, Studio, TrainPanel } from '../../e2e/pages/studio';
import { serveSite } from '../../e2e/support/site-server';
import { machineInfo } from '../../src/cli/bench-torch';

const { values: opts } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    validation: { type: 'string' },
    epochs: { type: 'string', default: '1' },
    batch: { type: 'string', default: '16' },
    checkpointing: { type: 'boolean', default: false },
    lora: { type: 'boolean', default: false },
    evaluate: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    timeout: { type: 'string', default: '14400' },
  },
});
if (opts.model === undefined || opts.data === undefined) {
  console.error('usage: npm run bench:epoch -- --model DIR --data FILE [--validation FILE] [--epochs 1] [--batch 16] [--checkpointing] [--lora] [--backend wasm|webgpu]');
  process.exit(2);
}
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const timeoutMs = Number(opts.timeout) * 1000;

/** Resident memory of each Chromium renderer process (the page and its workers), by pid (Linux /proc; empty elsewhere). */
async function rssByPid(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (!cmd.includes('chrom') || !cmd.includes('--type=renderer')) continue;
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    if (rss) out.set(Number(entry), Number(rss[1]) * 1024);
  }
  return out;
}

/** The engine worker's WASM heap and tf.memory(), read inside the worker through tfjs's global engine. */
async function workerMemory(page: Page): Promise<{ wasmHeapBytes: number | null; tensorBytes: number | null } | null> {
  for (const worker of page.workers()) {
    const m = await worker
      .evaluate(() => {
        const engine = (globalThis as unknown as { _tfengine?: { backendName: string; registry: Record<string, { wasm?: { HEAPU8?: Uint8Array } }>; memory(): { numBytes: number } } })._tfengine;
        if (!engine) return null;
        const heap = engine.registry.wasm?.wasm?.HEAPU8;
        return { wasmHeapBytes: heap ? heap.buffer.byteLength : null, tensorBytes: engine.memory().numBytes };
      })
      .catch(() => null);
    if (m) return m;
  }
  return null;
}

const site = join(tmpdir(), `layerwise-bench-epoch-${process.pid}`);
await build({ logLevel: 'warn', build: { outDir: site, emptyOutDir: true } });
const server = await serveSite(site);
const browser = await chromium.launch({
  executablePath: existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined,
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage({ baseURL: server.url });
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.error(`[page] ${msg.text()}`);
  });
  const studio = new Studio(page);
  const model = new ModelPanel(page);
  await studio.goto();
  await model.waitForDefaultModel();
  if (opts.backend !== 'wasm') await model.chooseBackend(opts.backend === 'webgpu' ? 'WebGPU' : String(opts.backend));
  const loadStarted = Date.now();
  await model.openFolder(opts.model);
  const config = JSON.parse(await readFile(join(opts.model, 'config.json'), 'utf8')) as Record<string, unknown>;
  // The loaded model is named after its folder.
  await expect(model.overviewTitle()).toHaveText(basename(opts.model), { timeout: 1_200_000 });
  await model.waitForEngine();
  const loadSeconds = (Date.now() - loadStarted) / 1000;

  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.fileInput.setInputFiles(opts.data);
  await expect(dataset.loaded).toBeVisible({ timeout: 120_000 });
  if (opts.validation !== undefined) {
    await page.getByLabel('Validation file').setInputFiles(opts.validation);
    await expect(page.getByText('Validation file', { exact: true }).first()).toBeVisible({ timeout: 120_000 });
  }

  await studio.open('Configure');
  const configure = new ConfigurePanel(page);
  await configure.set({ Epochs: String(opts.epochs), 'Batch size': String(opts.batch) });
  if (opts.checkpointing) await configure.field('Gradient checkpointing').check();
  if (opts.lora) await configure.field('LoRA adapters').check();
  // 'epoch' or 'steps:N'; the studio's default otherwise (about ten evaluations a run).
  if (opts.evaluate === 'epoch') await configure.field('Evaluate').selectOption('epoch');
  else if (opts.evaluate?.startsWith('steps:')) await configure.evaluateEvery(Number(opts.evaluate.slice(6)));

  await studio.open('Layers');
  const budget = page.locator('dl[aria-label="Training budget"]');
  await expect(budget).toContainText('Memory at the peak', { timeout: 120_000 });
  const planned = (await budget.innerText()).replace(/\s+/g, ' ');

  await studio.open('Train');
  const train = new TrainPanel(page);
  const started = Date.now();
  await train.start.click();
  let peakRss = 0;
  let peakHeap = 0;
  let lastStatus = '';
  for (;;) {
    const status = (await train.status.innerText().catch(() => '')).trim();
    if (status !== lastStatus && /Finished|Stopped|Failed|failed|error/i.test(status)) break;
    if (status !== lastStatus) {
      lastStatus = status;
      console.error(`[${Math.round((Date.now() - started) / 1000)} s] ${status.split('\n')[0]}`);
    }
    for (const rss of (await rssByPid()).values()) peakRss = Math.max(peakRss, rss);
    const m = await workerMemory(page);
    if (m?.wasmHeapBytes) peakHeap = Math.max(peakHeap, m.wasmHeapBytes);
    if (Date.now() - started > timeoutMs) throw new Error(`bench:epoch: not finished after ${opts.timeout} s (last status: ${lastStatus})`);
    await page.waitForTimeout(2000);
  }
  const wallSeconds = (Date.now() - started) / 1000;
  const status = (await train.status.innerText()).trim();
  const result = (await train.result.innerText().catch(() => '')).replace(/\s+/g, ' ');
  const end = await workerMemory(page);
  console.log(
    JSON.stringify({
      bench: 'epoch',
      model: opts.model,
      model_type: config.model_type,
      data: opts.data,
      validation: opts.validation ?? null,
      epochs: Number(opts.epochs),
      batch_size: Number(opts.batch),
      gradient_checkpointing: opts.checkpointing,
      lora: opts.lora,
      evaluate: opts.evaluate ?? 'default',
      backend: opts.backend,
      status,
      result,
      planner: planned,
      load_seconds: loadSeconds,
      wall_seconds: wallSeconds,
      peak_renderer_rss_bytes: peakRss,
      peak_wasm_heap_bytes: Math.max(peakHeap, end?.wasmHeapBytes ?? 0) || null,
      machine: machineInfo(),
      date: new Date().toISOString(),
    }),
  );
} finally {
  await browser.close();
  await server.close();
  await rm(site, { recursive: true, force: true });
}
