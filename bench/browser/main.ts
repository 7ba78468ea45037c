// The browser bench page: runs bench.worker.ts with the query's settings (?backend=wasm&model=mini&steps=3&warmup=1
// &method=full)
// and leaves the result in window.benchResult (and the page text) for bench/browser/run.ts.
import type { BrowserBenchResult, BrowserBenchRequest } from './bench.worker';

declare global {
  interface Window {
    benchResult?: BrowserBenchResult | { error: string };
  }
}

const params = new URLSearchParams(location.search);
const request: BrowserBenchRequest = {
  backend: (params.get('backend') ?? 'wasm') as BrowserBenchRequest['backend'],
  model: (params.get('model') ?? 'mini') as BrowserBenchRequest['model'],
  steps: Number(params.get('steps') ?? 3),
  warmup: Number(params.get('warmup') ?? 1),
  method: (params.get('method') ?? 'full') as BrowserBenchRequest['method'],
};
const status = document.getElementById('status') as HTMLElement;
const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (e: MessageEvent<BrowserBenchResult | { error: string }>) => {
  window.benchResult = e.data;
  status.textContent = JSON.stringify(e.data, null, 2);
};
worker.onerror = (e) => {
  window.benchResult = { error: e.message };
  status.textContent = e.message;
};
status.textContent = `running ${request.model} on ${request.backend}`;
worker.postMessage(request);
