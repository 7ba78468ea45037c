// The browser bench's worker: the same training benchmark as `layerwise bench` (src/engine/bench/train-bench.ts) in
// a module Web Worker, as the studio runs training. WASM asks tfjs for one thread per logical core before the backend
// starts (tfjs caps it at half of them, at most 8); threads need the page to be cross-origin isolated.
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { useBackend, type BackendName } from '../../src/engine/backend/backend';
import { startWasmThreads } from '../../src/engine/backend/kernels/wasm-pool';
import { BENCH_METHODS, BENCH_MODELS, backendBytes, buildBenchModel, disposeBenchModel, profileStep, timeInference, timeTraining, type BenchMethodName, type BenchModelName } from '../../src/engine/bench/train-bench';
import { WASM_PATHS } from '../../src/worker/wasm-paths';

export interface BrowserBenchRequest {
  backend: BackendName;
  model: BenchModelName;
  steps: number;
  warmup: number;
  /** full, checkpointing, lora or lora-checkpointing (train-bench.ts BENCH_METHODS). */
  method: BenchMethodName;
}

export interface BrowserBenchResult {
  model: BenchModelName;
  backend: BackendName;
  tokens_per_s: number;
  ms_per_step: number;
  infer_ms_b1: number;
  infer_ms_b8: number;
  parameters: number;
  method: BenchMethodName;
  micro_batch: number;
  /** Measured: distinct tensor buffers alive at once, and heap blocks malloc'd from JavaScript (wasm). */
  peak_buffer_bytes: number;
  peak_heap_bytes: number | null;
  peak_tensor_bytes: number;
  backend_bytes: number | null;
  first_loss: number;
  last_loss: number;
  threads: number;
  /** Threads of the engine's wasm kernels (kernels/wasm-pool.ts): every logical core here. */
  gemm_threads: number;
  cross_origin_isolated: boolean;
  hardware_concurrency: number;
  adapter?: string;
  user_agent: string;
}

async function adapterDescription(): Promise<string | undefined> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return undefined;
  const { vendor, architecture, description } = adapter.info;
  return [vendor, architecture, description].filter((s) => s !== '').join(' ');
}

async function bench(req: BrowserBenchRequest): Promise<BrowserBenchResult> {
  if (req.backend === 'wasm') {
    setWasmPaths(WASM_PATHS);
    setThreadsCount(navigator.hardwareConcurrency);
  }
  await useBackend(req.backend);
  const gemmThreads = req.backend === 'wasm'
    ? await startWasmThreads(navigator.hardwareConcurrency, (source) => new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))))
    : 1;
  const spec = BENCH_MODELS[req.model];
  const m = buildBenchModel(spec, 1, BENCH_METHODS[req.method]);
  try {
    const train = await timeTraining(m, { steps: req.steps, warmup: req.warmup });
    // tf.profile runs one more step: skipped for the micro-batched base-sized rows (minutes a step).
    const profile = spec.micro === undefined ? await profileStep(m, req.steps + req.warmup + 1) : { peakTensorBytes: train.peakTensorBytes };
    const inferOpts = { steps: req.steps, warmup: Math.max(req.warmup, 1) };
    return {
      model: req.model,
      backend: req.backend,
      tokens_per_s: train.tokensPerS,
      ms_per_step: train.msPerStep,
      infer_ms_b1: await timeInference(m, 1, inferOpts),
      infer_ms_b8: await timeInference(m, Math.min(8, spec.batch), inferOpts),
      parameters: m.params.parameterCount(),
      method: req.method,
      micro_batch: spec.micro ?? spec.batch,
      peak_buffer_bytes: train.peakBufferBytes,
      peak_heap_bytes: train.peakHeapBytes,
      peak_tensor_bytes: profile.peakTensorBytes,
      backend_bytes: backendBytes(),
      first_loss: train.firstLoss,
      last_loss: train.lastLoss,
      threads: req.backend === 'wasm' ? getThreadsCount() : 1,
      gemm_threads: gemmThreads,
      cross_origin_isolated: self.crossOriginIsolated,
      hardware_concurrency: navigator.hardwareConcurrency,
      ...(req.backend === 'webgpu' ? { adapter: await adapterDescription() } : {}),
      user_agent: navigator.userAgent,
    };
  } finally {
    disposeBenchModel(m);
  }
}

self.onmessage = (e: MessageEvent<BrowserBenchRequest>) => {
  bench(e.data).then(
    (result) => self.postMessage(result),
    (err: unknown) => self.postMessage({ error: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) }),
  );
};
