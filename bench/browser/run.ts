// `npm run bench:browser`: the training benchmark of `layerwise bench` in headless Chromium through Playwright, on wasm
// (threads: the page is cross-origin isolated) and webgpu (SwiftShader where there is no GPU), with PyTorch on the same
// machine in the same run (bench/torch_reference.py). One JSON line per backend. Never fails because a machine is slow.
// Usage: npm run bench:browser -- [--backend wasm,webgpu] [--model mini|bert-base|distilbert-base] [--method full|checkpointing|lora]
//        [--steps 3] [--warmup 1] [--no-torch]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { findTorchPython, machineInfo, runTorchWithOneThread, type TorchResult } from '../../src/cli/bench-torch';
import { BENCH_METHODS } from '../../src/engine/bench/train-bench';
import type { BrowserBenchResult } from './bench.worker';

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm,webgpu' },
    model: { type: 'string', default: 'mini' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    'no-torch': { type: 'boolean', default: false },
    method: { type: 'string', default: 'full' },
    timeout: { type: 'string', default: '900' },
  },
});
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

const server = await createServer({ configFile: `${import.meta.dirname}/vite.config.ts`, server: { host: '127.0.0.1', port: 0 } });
await server.listen();
const address = server.httpServer?.address();
const port = typeof address === 'object' && address ? address.port : 0;
const browser = await chromium.launch({
  executablePath: existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined,
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking', '--no-first-run'],
});

let torch: (TorchResult & { tokens_per_s_1_thread?: number }) | null = null;
const python = opts['no-torch'] ? null : findTorchPython().python;
try {
  for (const backend of String(opts.backend).split(',')) {
    const page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') console.error(`[page] ${msg.text()}`);
    });
    const query = new URLSearchParams({ backend, model: String(opts.model), steps: String(opts.steps), warmup: String(opts.warmup), method: String(opts.method) });
    await page.goto(`http://127.0.0.1:${port}/index.html?${query}`);
    await page.waitForFunction(() => window.benchResult !== undefined, undefined, { timeout: Number(opts.timeout) * 1000 });
    const result = (await page.evaluate(() => window.benchResult)) as BrowserBenchResult | { error: string };
    await page.close();
    if ('error' in result) {
      console.error(`bench:browser: ${backend} failed: ${result.error}`);
      continue;
    }
    // PyTorch after the browser run, so that the two never share the CPUs.
    if (python !== null && torch === null) {
      const model = result.model;
      const method = BENCH_METHODS[result.method];
      const lora = method.lora === null ? null : { r: method.lora.r, alpha: method.lora.alpha };
      torch = await runTorchWithOneThread(python, { model, device: 'cpu', steps: Number(opts.steps), warmup: Number(opts.warmup), micro: result.micro_batch, checkpointing: method.checkpointing, lora });
    }
    const line = {
      ...result,
      browser: browser.version(),
      torch_tokens_per_s: torch?.tokens_per_s ?? null,
      ratio: torch ? result.tokens_per_s / torch.tokens_per_s : null,
      torch_threads: torch?.threads ?? null,
      torch_tokens_per_s_1_thread: torch?.tokens_per_s_1_thread ?? null,
      machine: machineInfo(),
      date: new Date().toISOString(),
    };
    console.log(JSON.stringify(line));
  }
} finally {
  await browser.close();
  await server.close();
}
