// `layerwise bench`: training throughput (forward, backward, clipping, AdamW) in tokens/s, inference latency and peak
// memory of the engine's BERT benchmark models on each backend, with PyTorch on the same model, batch and step
// (bench/torch_reference.py) in the same run, as the issue "Speed" specifies. One JSON line per (model, backend).
// A benchmark never fails because a machine is slow: it exits 0 whatever the ratio.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { BACKEND_NAMES, type BackendName } from '../../engine/backend/backend';
import { setFastPaths } from '../../engine/backend/fast-paths';
import { wasmGemmUsesFma } from '../../engine/backend/kernels/wasm-gemm';
import { wasmThreads } from '../../engine/backend/kernels/wasm-pool';
import {
  BENCH_METHODS,
  BENCH_MODELS,
  backendBytes,
  buildBenchModel,
  disposeBenchModel,
  profileStep,
  timeInference,
  timeTraining,
  type BenchMethodName,
  type BenchModelName,
} from '../../engine/bench/train-bench';
import { plannerModel } from '../../engine/train/memory';
import { estimateStepMemory } from '../../protocol/memory-plan';
import { parseTrainConfig } from '../../protocol/train-config';
import { numberOption, parseOptions } from '../args';
import { findTorchPython, machineInfo, runTorchWithOneThread, type TorchResult } from '../bench-torch';
import { useNodeBackend } from '../node-backend';

export const summary = 'training tokens/s, inference latency and peak memory per backend, against PyTorch in the same run';

const USAGE = `usage: layerwise bench [--model mini|base|bert-base|distilbert-base|all] [--backend wasm,cpu,webgpu] [--steps 3]
                       [--warmup 1] [--method full,checkpointing,lora,lora-checkpointing] [--micro N]
                       [--threads N] [--no-torch] [--baseline] [--profile] [--json]

Models: mini (4 layers, hidden 256, batch 8 x 128) and base (BERT-base, batch 32 x 128); bert-base and distilbert-base
(BERT-base and DistilBERT-base shapes, random weights, batch 16 x 128 in micro-batches of 4). Backends default to wasm
and cpu, plus webgpu where it runs on a real GPU; base-sized models run on cpu/wasm only when asked by name.
--method: full fine-tuning (default), with gradient checkpointing, LoRA r 8 (alpha 16) on query and value, or both;
each line carries the planner's estimate of the step's peak (planned_peak_bytes) beside the measured one.
--micro N splits the batch into passes of N examples (accumulated: the same gradient); --batch N sets the batch.
PyTorch runs the same batch, passes and method.
--baseline also runs each backend with the fast paths off (plain tfjs ops and kernels): before/after in one run.
--profile adds the step's kernel count and its ten most expensive kernels.
--threads sets wasm's threads, XNNPACK's and the engine's matrix product's (default: one per core).
PyTorch runs as /usr/bin/python3 bench/torch_reference.py (or $LAYERWISE_PYTHON) unless --no-torch.`;

const MODEL_CHOICES = ['mini', 'base', 'bert-base', 'distilbert-base', 'all'] as const;
const METHOD_CHOICES = Object.keys(BENCH_METHODS) as BenchMethodName[];

interface BenchLine {
  model: BenchModelName;
  backend: BackendName;
  method: BenchMethodName;
  batch: number;
  /** Examples per forward/backward pass, and passes per optimizer step. */
  micro_batch: number;
  micro_batches: number;
  trainable_parameters: number;
  /** The memory planner's peak for this step (protocol/memory-plan.ts; no W₀ anchors: the bench has no Trainer). */
  planned_peak_bytes: number;
  /** Measured: the most distinct tensor buffers alive at once over the steps; wasm: heap blocks malloc'd from JavaScript. */
  peak_buffer_bytes: number;
  peak_heap_bytes: number | null;
  fast_paths: boolean;
  tokens_per_s: number;
  torch_tokens_per_s: number | null;
  ratio: number | null;
  ms_per_step: number;
  /** XNNPACK's threads on wasm (Node gets one per core, src/cli/wasm-threads.ts); null elsewhere. */
  threads: number | null;
  /** The engine's wasm kernels: their threads (kernels/wasm-pool.ts) and whether the product runs the FMA variant. */
  gemm: { threads: number; fma: boolean } | null;
  infer_ms_b1: number;
  infer_ms_b8: number;
  parameters: number;
  peak_tensor_bytes: number;
  backend_bytes: number | null;
  peak_rss_bytes: number;
  first_loss: number;
  last_loss: number;
  steps: number;
  warmup: number;
  adapter?: string;
  torch?: Omit<TorchResult, 'model'> & { tokens_per_s_1_thread?: number };
  torch_error?: string;
  kernel_calls?: number;
  top_kernels?: { name: string; ms: number; calls: number }[];
  dispatches?: number;
  top_programs?: { name: string; ms: number; calls: number }[];
  machine: ReturnType<typeof machineInfo>;
  date: string;
}

function listOption<T extends string>(value: unknown, name: string, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const items = String(value).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (items.length === 0 || bad.length > 0) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--${name} takes a comma-separated list of ${allowed.join(', ')}; got "${String(value)}"`, { field: name });
  }
  return items as T[];
}

function countOption(value: unknown, name: string, fallback: number, min: number): number {
  const n = numberOption(value, name, fallback);
  if (!Number.isInteger(n) || n < min) throw new LayerwiseError('CLI_BAD_ARGUMENT', `--${name} must be an integer >= ${min}, got ${n}`, { field: name });
  return n;
}

/**
 * The adapter tfjs-webgpu runs on, after the webgpu backend started (navigator.gpu comes from node-backend.ts), and
 * whether it is a real GPU rather than SwiftShader or another software fallback.
 */
async function currentAdapter(): Promise<{ description: string; real: boolean }> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return { description: 'unknown', real: false };
  const { vendor, architecture, description, isFallbackAdapter } = adapter.info;
  const software = isFallbackAdapter || /swiftshader/i.test(`${architecture} ${description}`);
  return { description: [vendor, architecture, description].filter((s) => s !== '').join(' '), real: !software };
}

/** Starts `backend`; for a webgpu that was not asked for by name, only where it runs on a real GPU. */
async function startBackend(backend: BackendName, explicit: boolean, threads: number): Promise<{ adapter?: { description: string; real: boolean } } | null> {
  if (backend !== 'webgpu') {
    await useNodeBackend(backend, threads);
    return {};
  }
  try {
    await useNodeBackend('webgpu');
  } catch (err) {
    if (explicit) throw err;
    return null;
  }
  const adapter = await currentAdapter();
  return explicit || adapter.real ? { adapter } : null;
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv, {
    model: { type: 'string' },
    backend: { type: 'string' },
    steps: { type: 'string' },
    warmup: { type: 'string' },
    threads: { type: 'string' },
    'no-torch': { type: 'boolean' },
    baseline: { type: 'boolean' },
    profile: { type: 'boolean' },
    method: { type: 'string' },
    micro: { type: 'string' },
    batch: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const [modelChoice] = listOption(opts.model, 'model', MODEL_CHOICES) ?? ['mini'];
  const steps = countOption(opts.steps, 'steps', 3, 1);
  const warmup = countOption(opts.warmup, 'warmup', 1, 0);
  const threads = countOption(opts.threads, 'threads', availableParallelism(), 1);
  const explicitBackends = listOption(opts.backend, 'backend', BACKEND_NAMES);
  // By default webgpu runs too where it finds a real GPU (checked once it has started, so it goes last).
  const backends: BackendName[] = explicitBackends ?? ['wasm', 'cpu', 'webgpu'];
  const models: BenchModelName[] = modelChoice === 'all' ? ['mini', 'base'] : [modelChoice];
  const methods = listOption(opts.method, 'method', METHOD_CHOICES) ?? ['full'];
  const microOption = opts.micro === undefined ? undefined : countOption(opts.micro, 'micro', 1, 1);
  const batchOption = opts.batch === undefined ? undefined : countOption(opts.batch, 'batch', 1, 1);

  const torchPython = opts['no-torch'] ? { python: null, why: '--no-torch' } : findTorchPython();
  if (torchPython.python === null && !opts['no-torch']) console.error(`layerwise bench: note: PyTorch skipped: ${torchPython.why}`);
  const torchRuns = new Map<string, Promise<TorchResult & { tokens_per_s_1_thread?: number }>>();
  const torchFor = (model: BenchModelName, device: 'cpu' | 'cuda', method: BenchMethodName, batch: number, micro: number) => {
    const key = `${model}/${device}/${method}/${batch}/${micro}`;
    let result = torchRuns.get(key);
    if (result === undefined && torchPython.python !== null) {
      const m = BENCH_METHODS[method];
      const lora = m.lora === null ? null : { r: m.lora.r, alpha: m.lora.alpha };
      result = runTorchWithOneThread(torchPython.python, { model, device, steps, warmup, batch, micro, checkpointing: m.checkpointing, lora });
      torchRuns.set(key, result);
    }
    return result;
  };

  for (const model of models) {
    const batch = batchOption ?? BENCH_MODELS[model].batch;
    const spec = { ...BENCH_MODELS[model], batch, ...(microOption === undefined ? {} : { micro: Math.min(microOption, batch) }) };
    if (spec.micro !== undefined && spec.micro > batch) spec.micro = batch;
    const micro = spec.micro ?? spec.batch;
    // Base on the CPU-side backends takes minutes per step: only when asked for by name (the issue's rule).
    const modelBackends = model === 'base' && modelChoice === 'all' ? backends.filter((b) => b === 'webgpu') : backends;
    for (const backend of modelBackends) for (const method of methods) {
      const started = await startBackend(backend, explicitBackends !== undefined, threads);
      if (started === null) continue;
      const adapter = started.adapter?.description;
      // A real GPU is compared with PyTorch on CUDA (fp32); everything else with PyTorch on the CPU.
      const torchDevice = started.adapter?.real ? 'cuda' : 'cpu';
      let torch: (TorchResult & { tokens_per_s_1_thread?: number }) | null = null;
      let torchError: string | undefined;
      try {
        torch = (await torchFor(model, torchDevice, method, spec.batch, micro)) ?? null;
      } catch (err) {
        torchError = (err as Error).message;
        console.error(`layerwise bench: note: PyTorch failed on ${model}/${torchDevice}: ${torchError}`);
      }
      for (const fast of opts.baseline ? [false, true] : [true]) {
        setFastPaths(fast);
        const m = buildBenchModel(spec, 1, BENCH_METHODS[method]);
        try {
          const train = await timeTraining(m, { steps, warmup });
          // tf.profile runs one more step: skipped for the micro-batched base-sized rows unless asked (minutes a step).
          const profile = opts.profile || spec.micro === undefined ? await profileStep(m, steps + warmup + 1) : { peakTensorBytes: train.peakTensorBytes, kernels: [], kernelCalls: 0 };
          const inferOpts = { steps, warmup: Math.max(warmup, 1) };
          const runConfig = parseTrainConfig({ batchSize: spec.batch, microBatchSize: micro, gradientCheckpointing: m.method.checkpointing, lora: m.method.lora });
          const pass = { microBatch: micro, microBatches: Math.ceil(spec.batch / micro), seq: spec.seq };
          const planned = estimateStepMemory(plannerModel(m), runConfig, pass, backend, false);
          const line: BenchLine = {
            model,
            backend,
            method,
            batch: spec.batch,
            micro_batch: micro,
            micro_batches: pass.microBatches,
            trainable_parameters: planned.trainableParameters,
            planned_peak_bytes: planned.total,
            peak_buffer_bytes: train.peakBufferBytes,
            peak_heap_bytes: train.peakHeapBytes,
            fast_paths: fast,
            tokens_per_s: train.tokensPerS,
            torch_tokens_per_s: torch?.tokens_per_s ?? null,
            ratio: torch ? train.tokensPerS / torch.tokens_per_s : null,
            ms_per_step: train.msPerStep,
            threads: backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : null,
            gemm: backend === 'wasm' && fast ? { threads: wasmThreads(tf.backend()), fma: wasmGemmUsesFma(tf.backend()) } : null,
            infer_ms_b1: await timeInference(m, 1, inferOpts),
            infer_ms_b8: await timeInference(m, Math.min(8, spec.batch), inferOpts),
            parameters: m.params.parameterCount(),
            peak_tensor_bytes: profile.peakTensorBytes,
            backend_bytes: backendBytes(),
            peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
            first_loss: train.firstLoss,
            last_loss: train.lastLoss,
            steps,
            warmup,
            ...(adapter === undefined ? {} : { adapter }),
            ...(torch ? { torch: withoutModel(torch) } : {}),
            ...(torchError === undefined ? {} : { torch_error: torchError }),
            ...(opts.profile ? { kernel_calls: profile.kernelCalls, top_kernels: profile.kernels.slice(0, 10) } : {}),
            ...(opts.profile && profile.programs ? { dispatches: profile.dispatches, top_programs: profile.programs.slice(0, 10) } : {}),
            machine: machineInfo(),
            date: new Date().toISOString(),
          };
          if (torch && torch.parameters !== line.parameters) {
            console.error(`layerwise bench: note: PyTorch's ${model} has ${torch.parameters} parameters, ours ${line.parameters}: not the same model`);
          }
          console.log(opts.json ? JSON.stringify(line) : describe(line));
        } finally {
          disposeBenchModel(m);
          setFastPaths(true);
        }
      }
    }
  }
  return 0;
}

function withoutModel<T extends { model: string }>(t: T): Omit<T, 'model'> {
  const { model: _model, ...rest } = t;
  return rest;
}

function describe(l: BenchLine): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const torch = l.torch_tokens_per_s === null ? 'PyTorch not run' : `PyTorch ${l.torch_tokens_per_s.toFixed(0)} tok/s (RSS ${mib(l.torch?.peak_rss_bytes ?? 0)}), ratio ${(l.ratio as number).toFixed(3)}`;
  const paths = l.fast_paths ? '' : ' [fast paths off]';
  return (
    `${l.model} on ${l.backend}${l.adapter ? ` (${l.adapter})` : ''}${l.threads === null ? '' : ` (${l.threads} threads)`}${paths}: ${l.tokens_per_s.toFixed(0)} tok/s (${l.ms_per_step.toFixed(0)} ms/step); ${torch}; ` +
    `inference ${l.infer_ms_b1.toFixed(1)} ms (1x${BENCH_MODELS[l.model].seq}), ${l.infer_ms_b8.toFixed(1)} ms (8x${BENCH_MODELS[l.model].seq}); ` +
    `${l.method}, ${l.micro_batches} x ${l.micro_batch} examples; peak ${mib(l.peak_buffer_bytes)} measured, ${mib(l.planned_peak_bytes)} planned; peak tensors ${mib(l.peak_tensor_bytes)}${l.backend_bytes === null ? '' : `, ${l.backend} memory ${mib(l.backend_bytes)}`}, RSS ${mib(l.peak_rss_bytes)}; load ${l.machine.load_avg.join(' ')}` +
    (l.top_kernels ? `\n  ${l.kernel_calls} kernel calls; top: ${l.top_kernels.map((k) => `${k.name} ${k.ms.toFixed(0)} ms/${k.calls}`).join(', ')}` : '') +
    (l.top_programs ? `\n  ${l.dispatches} dispatches; top programs: ${l.top_programs.map((k) => `${k.name} ${k.ms.toFixed(0)} ms/${k.calls}`).join(', ')}` : '')
  );
}
