// The memory planner: the peak memory of a training step from the model's parameters and the run's shape, set against
// what the backend allows, and the micro-batch, gradient checkpointing or LoRA that fits when the run as asked does not.
// Pure (no tfjs), so the studio's Layers panel, the worker, the CLI and the run recipe compute the same numbers.
// The activation counts are the engine's: buffers alive at the peak of a step (the end of the backward pass, where
// tfjs still holds every saved activation and every intermediate gradient), counted per encoder layer on cpu and wasm
// with the distinct-buffer watch of engine/bench/memory-peak.ts; tests/protocol/memory-plan.test.ts measures them again.
import { LayerwiseError } from '../lib/errors';
import { adapterParameterCount, isAdapterName, loraModules } from './lora';
import { planParameterGroups } from './param-groups';
import { DEFAULT_LORA, type LoraConfig, type TrainConfig } from './train-config';

export type PlannerBackend = 'wasm' | 'cpu' | 'webgpu';

/** The model as the planner sees it: every parameter with its layer depth (ParameterInfo, or a family's shapes). */
export interface PlannerModel {
  params: readonly { name: string; shape: readonly number[]; depth: number }[];
  /** 'distilbert' for DistilBERT's block (no dropout after attention); 'bert' for BERT, RoBERTa and ELECTRA. */
  structure: 'bert' | 'distilbert';
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  vocab: number;
  labels: number;
}

/** How one forward/backward pass is shaped. */
export interface PassShape {
  /** Examples per forward/backward pass. */
  microBatch: number;
  /** Micro-batches per optimizer step (their gradients are summed). */
  microBatches: number;
  /** Tokens per example (the run pads to at most maxLength). */
  seq: number;
}

/** Bytes, float32 throughout. */
export interface MemoryEstimate {
  weights: number;
  /** The gradients held at the peak. */
  gradients: number;
  /** AdamW's two moments per trainable scalar. */
  optimizer: number;
  /** The trainer's starting copies (W₀) of what trains, for L2-SP and the per-group ‖ΔW‖ telemetry. */
  anchors: number;
  /** Saved activations and intermediate gradients at the peak of the backward pass. */
  activations: number;
  /** The peak of a step: the largest of the backward pass, the accumulation of micro-batches and the AdamW update. */
  total: number;
  /** The largest single buffer: a weight, the attention scores [B, heads, S, S], an FFN activation, MLM logits. */
  largestBuffer: number;
  /** Where the peak is. */
  phase: 'backward' | 'accumulation' | 'optimizer';
  /** Scalars that train, and all of them (adapters included). */
  trainableParameters: number;
  parameters: number;
}

const F32 = 4;

/** Per encoder layer and for the rest of the model: buffers of [N, H], [N, F] and [B, heads, S, S] (N = B·S) alive at the peak, as [fixed, per layer]. */
interface Counts {
  a: [number, number];
  f: [number, number];
  s: [number, number];
}
type Mode = 'full' | 'checkpoint' | 'lora' | 'loraCheckpoint';

/**
 * Measured on the engine with its fast paths (2026-12, tfjs 4.22; seq-cls, LoRA on two layers per block): wasm's
 * one-pass GELU and column sums keep fewer [N, F] buffers than cpu's composites. With checkpointing, the fixed part is
 * one layer's whole working set (its recomputation) and each layer keeps its input and its input's gradient.
 */
const COUNTS: Record<'wasm' | 'cpu', Record<'bert' | 'distilbert', Record<Mode, Counts>>> = {
  wasm: {
    bert: {
      full: { a: [11, 39], f: [0, 4], s: [0, 8] },
      checkpoint: { a: [47, 2], f: [4, 0], s: [8, 0] },
      lora: { a: [3, 49], f: [0, 3], s: [0, 8] },
      loraCheckpoint: { a: [57, 2], f: [3, 0], s: [8, 0] },
    },
    distilbert: {
      full: { a: [9, 36], f: [0, 4], s: [0, 8] },
      checkpoint: { a: [42, 2], f: [4, 0], s: [8, 0] },
      lora: { a: [1, 46], f: [0, 3], s: [0, 8] },
      loraCheckpoint: { a: [52, 2], f: [3, 0], s: [8, 0] },
    },
  },
  cpu: {
    bert: {
      full: { a: [17, 55], f: [0, 12], s: [0, 10] },
      checkpoint: { a: [64, 2], f: [12, 0], s: [10, 0] },
      lora: { a: [4, 62], f: [0, 10], s: [0, 10] },
      loraCheckpoint: { a: [71, 2], f: [10, 0], s: [10, 0] },
    },
    distilbert: {
      full: { a: [15, 52], f: [0, 12], s: [0, 10] },
      checkpoint: { a: [59, 2], f: [12, 0], s: [10, 0] },
      lora: { a: [2, 59], f: [0, 10], s: [0, 10] },
      loraCheckpoint: { a: [66, 2], f: [10, 0], s: [10, 0] },
    },
  },
};
/** [N, H] buffers an adapted layer adds beyond the two per block the counts were measured with (its product, scale, sum...). */
const PER_ADAPTER: Record<'wasm' | 'cpu', number> = { wasm: 5, cpu: 3.5 };
/** Share of tokens masked-LM predicts (TrainConfig.mlm.probability by default). */
const MLM_SHARE = 0.15;

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The embeddings' parameters (depth 0): their gradient is the last of the backward pass. */
const isEmbedding = (p: { depth: number }) => p.depth === 0;

/**
 * Peak bytes of a training step. `config` says what trains (freeze, LoRA, gradual unfreezing at its widest), whether
 * layers are checkpointed and whether the trainer keeps W₀ (L2-SP, telemetry: `anchors`). WebGPU uses wasm's counts
 * (its row kernels keep fewer score-sized buffers: an upper bound).
 */
export function estimateStepMemory(model: PlannerModel, config: TrainConfig, pass: PassShape, backend: PlannerBackend, anchors = true): MemoryEstimate {
  const { layers: L, hidden: H, heads, ffn: F } = model;
  const B = pass.microBatch;
  const S = pass.seq;
  const N = B * S;
  const lora = config.lora;
  const isHead = (name: string) => (model.params.find((p) => p.name === name)?.depth ?? 0) > L;
  const adapters = lora === null ? [] : loraModules(model.params, lora, isHead);
  const names = model.params.map((p) => p.name);
  const depth = new Map(model.params.map((p) => [p.name, p.depth]));
  // Every epoch's plan: with gradual unfreezing the last epochs train the most.
  const everyEpoch = config.gradualUnfreeze === null ? { ...config } : { ...config, gradualUnfreeze: null };
  const plan = planParameterGroups(names, (n) => depth.get(n) ?? 0, L, everyEpoch);
  const trains = new Set(plan.params.filter((p) => p.trainable).map((p) => p.name));
  let parameters = 0;
  let trainable = 0;
  let trainableEmbeddings = 0;
  let largestTrainable = 0;
  let largest = 0;
  for (const p of model.params) {
    const n = size(p.shape);
    parameters += n;
    largest = Math.max(largest, n);
    if (!trains.has(p.name) || isAdapterName(p.name)) continue;
    trainable += n;
    largestTrainable = Math.max(largestTrainable, n);
    if (isEmbedding(p)) trainableEmbeddings += n;
  }
  const adapterScalars = adapterParameterCount(adapters);
  parameters += adapterScalars;
  trainable += adapterScalars;

  const kind: 'wasm' | 'cpu' = backend === 'cpu' ? 'cpu' : 'wasm';
  const mode: Mode = lora === null ? (config.gradientCheckpointing ? 'checkpoint' : 'full') : config.gradientCheckpointing ? 'loraCheckpoint' : 'lora';
  const c = COUNTS[kind][model.structure][mode];
  const scoreSize = B * heads * S * S;
  const perLayer = (k: [number, number]) => k[0] + k[1] * L;
  let floats = perLayer(c.a) * N * H + perLayer(c.f) * N * F + perLayer(c.s) * scoreSize;
  // Adapters beyond the two per block the counts hold (or fewer): their outputs, [N, out] each.
  if (adapters.length > 0) {
    const extra = adapters.reduce((n, m) => n + m.outFeatures, 0) - 2 * L * H;
    const scale = mode === 'loraCheckpoint' ? 1 / L : 1; // checkpointed: one layer's adapters at a time
    floats += PER_ADAPTER[kind] * N * extra * scale + 4 * N * adapters.reduce((n, m) => n + m.r, 0) * scale;
  }
  let logits = 0;
  if (config.task === 'token-cls') floats += 3 * N * H + 3 * N * model.labels;
  if (config.task === 'mlm') {
    const rows = Math.ceil(MLM_SHARE * N);
    logits = rows * model.vocab;
    floats += 3 * logits + 6 * rows * H;
  }
  const weights = F32 * parameters;
  const gradient = F32 * trainable;
  const optimizer = 2 * gradient;
  const anchorBytes = anchors ? gradient : 0;
  // Checkpointed, the peak is the bottom layer's recomputation: the embeddings' gradient does not exist yet.
  const gradientsAtPeak = gradient - (config.gradientCheckpointing ? F32 * trainableEmbeddings : 0);
  const accumulated = pass.microBatches > 1 ? gradient : 0;
  const activations = F32 * floats;
  const base = weights + optimizer + anchorBytes;
  const phases: [MemoryEstimate['phase'], number][] = [
    ['backward', base + gradientsAtPeak + accumulated + activations],
    ['accumulation', pass.microBatches > 1 ? base + 2 * gradient + F32 * largestTrainable : 0],
    ['optimizer', base + gradient + 3 * F32 * largestTrainable],
  ];
  const [phase, total] = phases.reduce((best, p) => (p[1] > best[1] ? p : best));
  return {
    weights,
    gradients: phase === 'backward' ? gradientsAtPeak + accumulated : phase === 'accumulation' ? 2 * gradient : gradient,
    optimizer,
    anchors: anchorBytes,
    activations: phase === 'backward' ? activations : 0,
    total,
    largestBuffer: F32 * Math.max(largest, scoreSize, N * F, logits),
    phase,
    trainableParameters: trainable,
    parameters,
  };
}

/** What a backend allows. */
export interface MemoryLimits {
  backend: PlannerBackend;
  /** Bytes a run may hold at its peak. */
  budget: number;
  budgetLabel: string;
  /** Largest single buffer (WebGPU), or null. */
  maxBuffer: number | null;
}

/** wasm32 addresses 4 GiB; the heap never shrinks and its free blocks fragment, and kernels take scratch: plan for 85%. */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
export const WASM_USABLE_SHARE = 0.85;
const GIB = 1024 ** 3;

/**
 * The limits of a backend from what the browser (or the host) says: wasm's 4 GiB heap, at most half the device memory
 * (navigator.deviceMemory, which Chromium caps at 8); WebGPU's maxBufferSize / maxStorageBufferBindingSize and half the
 * device memory (GPU memory is not exposed to pages); `budget` overrides the total.
 */
export function memoryLimits(
  backend: PlannerBackend,
  probe: { deviceMemoryGb?: number | null; limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number } | null } | null,
  budget: number | null = null,
): MemoryLimits {
  const device = probe?.deviceMemoryGb ? (probe.deviceMemoryGb * GIB) / 2 : null;
  if (budget !== null) return { backend, budget, budgetLabel: `the budget of ${(budget / GIB).toFixed(1)} GiB`, maxBuffer: bufferLimit(backend, probe) };
  if (backend === 'wasm') {
    const heap = WASM_HEAP_BYTES * WASM_USABLE_SHARE;
    return device !== null && device < heap
      ? { backend, budget: device, budgetLabel: `half of the ${probe?.deviceMemoryGb} GB of device memory the browser reports`, maxBuffer: null }
      : { backend, budget: heap, budgetLabel: '85% of the 4 GiB a wasm32 heap can address', maxBuffer: null };
  }
  const fallback = backend === 'webgpu' ? 4 * GIB : 8 * GIB;
  return {
    backend,
    budget: device ?? fallback,
    budgetLabel: device !== null ? `half of the ${probe?.deviceMemoryGb} GB of device memory the browser reports` : `${fallback / GIB} GiB (the browser does not say how much memory there is)`,
    maxBuffer: bufferLimit(backend, probe),
  };
}

function bufferLimit(backend: PlannerBackend, probe: { limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number } | null } | null): number | null {
  const l = backend === 'webgpu' ? probe?.limits : null;
  return l ? Math.min(l.maxBufferSize, l.maxStorageBufferBindingSize) : null;
}

/**
 * The largest tensor a backend can hold, which the loader checks every tensor against from the headers (RELIABILITY
 * M20): one WebGPU buffer is capped by the adapter's maxBufferSize and maxStorageBufferBindingSize (a tensor is one
 * storage buffer), anything else by the wasm32 address space. On WebGPU, `fallback` is where a larger tensor may go.
 */
export interface TensorLimit {
  bytes: number;
  /** What sets the limit, as the refusal says it. */
  label: string;
  fallback?: { backend: PlannerBackend; bytes: number };
}

export const WASM_TENSOR_LIMIT: TensorLimit = { bytes: WASM_HEAP_BYTES, label: 'the 4 GiB a wasm32 heap can address' };

export function tensorLimit(
  backend: PlannerBackend,
  probe: { limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number } | null } | null,
): TensorLimit {
  const l = backend === 'webgpu' ? probe?.limits : null;
  if (!l) return WASM_TENSOR_LIMIT;
  const binding = l.maxStorageBufferBindingSize <= l.maxBufferSize;
  const bytes = binding ? l.maxStorageBufferBindingSize : l.maxBufferSize;
  const other = binding ? `maxBufferSize ${l.maxBufferSize.toLocaleString('en-US')}` : `maxStorageBufferBindingSize ${l.maxStorageBufferBindingSize.toLocaleString('en-US')}`;
  return {
    bytes,
    label: `this WebGPU adapter's ${binding ? 'maxStorageBufferBindingSize' : 'maxBufferSize'} (${other})`,
    fallback: { backend: 'wasm', bytes: WASM_TENSOR_LIMIT.bytes },
  };
}

/** A way to run the asked-for batch. */
export interface PlanOption {
  microBatch: number;
  /** Micro-batches per optimizer step: ceil(batchSize / microBatch) × gradAccumulation. */
  microBatches: number;
  checkpointing: boolean;
  /** LoRA as configured, or the planner's default (r 8 on query and value) when it proposes LoRA. */
  lora: LoraConfig | null;
  estimate: MemoryEstimate;
  fits: boolean;
  /** Time per optimizer step relative to the run as asked (1): checkpointing adds a forward pass, LoRA skips dW. */
  relativeTime: number;
}

export interface MemoryPlan {
  limits: MemoryLimits;
  /** The run exactly as configured (microBatchSize null: the whole batch at once). */
  asked: PlanOption;
  /** The quickest option that fits, when the run as asked does not; null when it fits or nothing does. */
  proposal: PlanOption | null;
  /** Why the proposal, or why none: one sentence. */
  reason: string;
}

/** One more forward pass of the encoder: a step of forward 1 + backward 2 becomes 4/3. */
const CHECKPOINT_TIME = 4 / 3;
/** A frozen base computes no weight gradients: about a third of a step's products. */
const LORA_TIME = 2 / 3;

/** The cost of a step's way of running relative to whole batches, no checkpointing, full fine-tuning (1). */
export function stepCost(o: { microBatch: number; checkpointing: boolean; lora: boolean }, batch: number): number {
  // Small micro-batches run the products on thinner matrices: a mild cost per halving.
  const thin = 1 + 0.04 * Math.log2(batch / Math.min(batch, o.microBatch));
  return thin * (o.checkpointing ? CHECKPOINT_TIME : 1) * (o.lora ? LORA_TIME : 1);
}

function relativeTime(microBatch: number, batch: number, checkpointing: boolean, lora: boolean, asked: { checkpointing: boolean; lora: boolean; microBatch: number }): number {
  return stepCost({ microBatch, checkpointing, lora }, batch) / stepCost(asked, batch);
}

/** Micro-batch sizes worth trying: the batch, then halvings down to 1. */
function microSizes(batch: number): number[] {
  const out: number[] = [];
  for (let m = batch; m >= 1; m = Math.ceil(m / 2)) {
    out.push(m);
    if (m === 1) break;
  }
  return out;
}

/**
 * The plan of a run: its peak as configured against the limits, and when it does not fit the quickest micro-batch /
 * checkpointing that does (keeping the run's LoRA choice), then LoRA (r 8 on query and value) if even that is not enough.
 * An option fits when its peak is within the budget and its largest buffer within the buffer limit.
 */
export function planMemory(model: PlannerModel, config: TrainConfig, seq: number, limits: MemoryLimits, anchors = true): MemoryPlan {
  const batch = config.batchSize;
  const askedMicro = config.microBatchSize === null ? batch : Math.min(config.microBatchSize, batch);
  const option = (microBatch: number, checkpointing: boolean, lora: LoraConfig | null): PlanOption => {
    const microBatches = Math.ceil(batch / microBatch) * config.gradAccumulation;
    const estimate = estimateStepMemory(model, { ...config, gradientCheckpointing: checkpointing, lora }, { microBatch, microBatches, seq }, limits.backend, anchors);
    const fits = estimate.total <= limits.budget && (limits.maxBuffer === null || estimate.largestBuffer <= limits.maxBuffer);
    const asked = { checkpointing: config.gradientCheckpointing, lora: config.lora !== null, microBatch: askedMicro };
    return { microBatch, microBatches, checkpointing, lora, estimate, fits, relativeTime: relativeTime(microBatch, batch, checkpointing, lora !== null, asked) };
  };
  const asked = option(askedMicro, config.gradientCheckpointing, config.lora);
  if (asked.fits) return { limits, asked, proposal: null, reason: 'The run fits as configured.' };
  const quickest = (options: PlanOption[]) => options.filter((o) => o.fits).sort((x, y) => x.relativeTime - y.relativeTime)[0] ?? null;
  const sizes = microSizes(batch);
  const same = quickest(sizes.flatMap((m) => [option(m, false, config.lora), option(m, true, config.lora)]));
  if (same) return { limits, asked, proposal: same, reason: describe(same, config) };
  if (config.lora === null && config.task !== 'mlm') {
    const withLora = quickest(sizes.flatMap((m) => [option(m, false, { ...DEFAULT_LORA }), option(m, true, { ...DEFAULT_LORA })]));
    if (withLora) return { limits, asked, proposal: withLora, reason: describe(withLora, config) };
  }
  return { limits, asked, proposal: null, reason: `Nothing fits ${limits.budgetLabel}: even one example per pass with gradient checkpointing${config.task === 'mlm' ? '' : ' and LoRA'} needs more. Shorten maxLength or freeze layers.` };
}

function describe(o: PlanOption, config: TrainConfig): string {
  const parts: string[] = [];
  if (o.microBatch < config.batchSize) parts.push(`micro-batches of ${o.microBatch} (${o.microBatches} per optimizer step, the same gradient)`);
  if (o.checkpointing && !config.gradientCheckpointing) parts.push('gradient checkpointing');
  if (o.lora !== null && config.lora === null) parts.push(`LoRA (r ${o.lora.r} on ${o.lora.targetModules.join(', ')})`);
  return `Fits with ${parts.join(', ')}: about ${o.relativeTime.toFixed(2)}× the time per step.`;
}

/**
 * Milliseconds per optimizer step of `option`, from a measured step: its time per token, scaled by the options'
 * relative costs. tokensPerStep: examples per optimizer step × tokens per example.
 */
export function stepTimeEstimate(option: PlanOption, measured: { msPerStep: number; tokens: number; relativeTime: number }, tokensPerStep: number): number {
  if (!(measured.tokens > 0 && measured.msPerStep > 0)) throw new LayerwiseError('PLAN_BAD_MEASUREMENT', 'a step measurement needs tokens and a time above 0', { field: 'measured' });
  return (measured.msPerStep / measured.tokens) * tokensPerStep * (option.relativeTime / measured.relativeTime);
}
