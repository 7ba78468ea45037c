// The training benchmark's model and step, shared by `layerwise bench` (Node) and the browser bench page: a BERT (or
// DistilBERT) sequence classifier of a fixed size with seeded random weights, trained through the training loop's own
// step (train/step.ts: the family's forward with dropout over micro-batches, ParamStore.gradients, global-norm
// clipping, AdamW), with gradient checkpointing or LoRA when asked, as bench/torch_reference.py does in PyTorch.
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../lib/random';
import type { ModelConfig } from '../../formats/hf-config';
import { DEFAULT_LORA, type LoraConfig } from '../../protocol/train-config';
import type { Batch } from '../data/batches';
import { getModelFamily, parseModelConfig, type ModelFamily, type ModelInputs } from '../models/index';
import { AdamW } from '../optim/adamw';
import { addLoraAdapters, headOf, type LoraAdapters } from '../params/lora';
import { ParamStore } from '../params/store';
import { accumulateGradients, applyGradients, type StepModel } from '../train/step';
import type { MicroBatch } from '../train/windows';
import { isAdapterName } from '../../protocol/lora';
import { watchMemory } from './memory-peak';

export type BenchModelName = 'mini' | 'base' | 'bert-base' | 'distilbert-base';

export interface BenchModelSpec {
  /** 'bert' unless said. */
  family?: 'bert' | 'distilbert';
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  vocab: number;
  batch: number;
  seq: number;
  /** Examples per forward/backward pass (the batch split into micro-batches); the whole batch unless said. */
  micro?: number;
}

/**
 * The sizes of the issue "Speed" (mini, base at batch 32) and of the issue on base-sized fine-tuning (BERT-base and
 * DistilBERT-base shapes at batch 16 × 128 in micro-batches of 4); bench/torch_reference.py holds the same table.
 */
export const BENCH_MODELS: Readonly<Record<BenchModelName, BenchModelSpec>> = {
  mini: { layers: 4, hidden: 256, heads: 4, ffn: 1024, vocab: 8192, batch: 8, seq: 128 },
  base: { layers: 12, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, batch: 32, seq: 128 },
  'bert-base': { layers: 12, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, batch: 16, seq: 128, micro: 4 },
  'distilbert-base': { family: 'distilbert', layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, batch: 16, seq: 128, micro: 4 },
};

/** How the step trains: every parameter or LoRA adapters (r 8 on query and value), layers checkpointed or not. */
export interface BenchMethod {
  checkpointing: boolean;
  lora: LoraConfig | null;
}

export const BENCH_METHODS = {
  full: { checkpointing: false, lora: null },
  checkpointing: { checkpointing: true, lora: null },
  lora: { checkpointing: false, lora: { ...DEFAULT_LORA, alpha: 16 } },
  'lora-checkpointing': { checkpointing: true, lora: { ...DEFAULT_LORA, alpha: 16 } },
} as const satisfies Record<string, BenchMethod>;
export type BenchMethodName = keyof typeof BENCH_METHODS;

/** Optimiser settings of the step (transformers' Trainer defaults, except the learning rate). */
const LR = 1e-4;
const WEIGHT_DECAY = 0.01;
const MAX_GRAD_NORM = 1;
const NUM_LABELS = 2;

/** A BertConfig (or DistilBertConfig) of the spec's sizes, with transformers' defaults elsewhere (GELU, dropout 0.1, post-LN). */
export function benchConfig(spec: BenchModelSpec): ModelConfig {
  const raw =
    spec.family === 'distilbert'
      ? { model_type: 'distilbert', architectures: ['DistilBertForSequenceClassification'], vocab_size: spec.vocab, dim: spec.hidden, n_layers: spec.layers, n_heads: spec.heads, hidden_dim: spec.ffn, activation: 'gelu', max_position_embeddings: 512, num_labels: NUM_LABELS }
      : {
          model_type: 'bert',
          architectures: ['BertForSequenceClassification'],
          vocab_size: spec.vocab,
          hidden_size: spec.hidden,
          num_hidden_layers: spec.layers,
          num_attention_heads: spec.heads,
          intermediate_size: spec.ffn,
          hidden_act: 'gelu',
          max_position_embeddings: 512,
          type_vocab_size: 2,
          layer_norm_eps: 1e-12,
          num_labels: NUM_LABELS,
        };
  return parseModelConfig(JSON.stringify(raw)).config;
}

export interface BenchModel {
  spec: BenchModelSpec;
  method: BenchMethod;
  config: ModelConfig;
  family: ModelFamily;
  params: ParamStore;
  lora: LoraAdapters | null;
  optimizer: AdamW;
  /** The batch as the step's micro-batches (random ids, full attention, labels in [0, 2)). */
  micro: MicroBatch[];
  /** The same batch as tensors, for inference. */
  inputs: ModelInputs;
  labels: tf.Tensor1D;
}

/**
 * Parameters drawn from normal(0, 0.02) (LayerNorm weights 1, biases 0), ids and labels from the same seed; with LoRA,
 * adapters on query and value (PEFT's init) and everything but them and the head frozen.
 */
export function buildBenchModel(spec: BenchModelSpec, seed: number, method: BenchMethod = BENCH_METHODS.full): BenchModel {
  const config = benchConfig(spec);
  const family = getModelFamily(config);
  const rng = createRng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const entries = [...family.parameterShapes(config, 'seq-cls')].map(([name, shape]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const kind = family.initKind(name);
    const data = new Float32Array(size);
    if (kind === 'ones') data.fill(1);
    else if (kind === 'normal') for (let i = 0; i < size; i++) data[i] = normal() * config.initializer_range;
    return [name, { shape, data }] as const;
  });
  const params = ParamStore.fromValues(entries);
  let lora: LoraAdapters | null = null;
  if (method.lora !== null) {
    lora = addLoraAdapters(params, { family, config, task: 'seq-cls' }, method.lora, seed);
    const isHead = headOf(family, config);
    for (const name of params.names()) params.setTrainable(name, isAdapterName(name) || isHead(name));
  }
  const tokens = spec.batch * spec.seq;
  const ids = Int32Array.from({ length: tokens }, () => rng.int(spec.vocab));
  const labelIds = Int32Array.from({ length: spec.batch }, () => rng.int(NUM_LABELS));
  const inputs: ModelInputs = {
    input_ids: tf.tensor2d(ids, [spec.batch, spec.seq], 'int32'),
    attention_mask: tf.ones([spec.batch, spec.seq], 'int32'),
    token_type_ids: tf.zeros([spec.batch, spec.seq], 'int32'),
  };
  const labels = tf.tensor1d(labelIds, 'int32');
  const size = spec.micro ?? spec.batch;
  const micro: MicroBatch[] = [];
  for (let start = 0; start < spec.batch; start += size) {
    const rows = Math.min(size, spec.batch - start);
    const batch: Batch = {
      size: rows,
      seqLength: spec.seq,
      input_ids: ids.slice(start * spec.seq, (start + rows) * spec.seq),
      attention_mask: new Int32Array(rows * spec.seq).fill(1),
      token_type_ids: new Int32Array(rows * spec.seq),
      labels: labelIds.slice(start, start + rows),
      indices: Array.from({ length: rows }, (_, i) => start + i),
    };
    micro.push({ batch, count: rows, tokens: rows * spec.seq });
  }
  const optimizer = new AdamW(params, { betas: [0.9, 0.999], eps: 1e-8, hyper: () => ({ lr: LR, weightDecay: WEIGHT_DECAY }) });
  return { spec, method, config, family, params, lora, optimizer, micro, inputs, labels };
}

export function disposeBenchModel(m: BenchModel): void {
  m.optimizer.dispose();
  m.params.dispose();
  tf.dispose([m.inputs.input_ids, m.inputs.attention_mask, m.inputs.token_type_ids as tf.Tensor, m.labels]);
}

/**
 * One optimizer step as the training loop takes it (train/step.ts): the micro-batches' gradients in training mode
 * (dropout on, checkpointed layers when asked), clipping to norm 1 with one readback of loss and norm, AdamW.
 * Resolves to the loss.
 */
export async function trainStep(m: BenchModel, seed: number): Promise<number> {
  const model: StepModel = { family: m.family, config: m.config, task: 'seq-cls', params: m.params, lora: m.lora };
  const seeds = m.micro.map((_, i) => seed * 1009 + i + 1);
  const acc = accumulateGradients(model, m.micro, { labelSmoothing: 0, seeds, l2sp: null, checkpoint: m.method.checkpointing });
  const outcome = await applyGradients(acc, m.optimizer, MAX_GRAD_NORM, null);
  return outcome.loss;
}

/** Forward only, eval mode (no dropout), on the first `batch` rows of the bench batch; resolves when the logits are read. */
export async function inferenceStep(m: BenchModel, batch: number): Promise<void> {
  const logits = tf.tidy(() => {
    const rows = (t: tf.Tensor2D) => tf.slice(t, [0, 0], [batch, m.spec.seq]);
    const inputs: ModelInputs = {
      input_ids: rows(m.inputs.input_ids),
      attention_mask: rows(m.inputs.attention_mask),
      token_type_ids: rows(m.inputs.token_type_ids as tf.Tensor2D),
    };
    return m.family.forward(m.params.tensors(), inputs, m.config, 'seq-cls', { training: false, lora: m.lora });
  });
  await logits.data();
  logits.dispose();
}

export interface TimingOptions {
  steps: number;
  warmup: number;
}

export interface TrainTiming {
  /** Median over the timed steps. */
  msPerStep: number;
  tokensPerS: number;
  /** Loss of the first and last step: a sanity check that the step trains. */
  firstLoss: number;
  lastLoss: number;
  /** Largest tf.memory().numBytes seen after a step (parameters, moments and what a step keeps). */
  peakTensorBytes: number;
  /** The most memory the steps held at once: distinct tensor buffers, and on wasm heap blocks (memory-peak.ts). */
  peakBufferBytes: number;
  peakHeapBytes: number | null;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Runs warmup + steps training steps and times the latter (wall clock, including the step's readback). */
export async function timeTraining(m: BenchModel, opts: TimingOptions): Promise<TrainTiming> {
  const times: number[] = [];
  let firstLoss = Number.NaN;
  let lastLoss = Number.NaN;
  let peak = tf.memory().numBytes;
  const watch = watchMemory();
  try {
    for (let i = 0; i < opts.warmup + opts.steps; i++) {
      const t0 = performance.now();
      lastLoss = await trainStep(m, i + 1);
      const ms = performance.now() - t0;
      if (i === 0) firstLoss = lastLoss;
      peak = Math.max(peak, tf.memory().numBytes);
      if (i >= opts.warmup) times.push(ms);
    }
  } catch (err) {
    watch.stop();
    throw err;
  }
  const memory = watch.stop();
  const msPerStep = median(times);
  return {
    msPerStep,
    tokensPerS: (m.spec.batch * m.spec.seq) / (msPerStep / 1000),
    firstLoss,
    lastLoss,
    peakTensorBytes: peak,
    peakBufferBytes: memory.peakBufferBytes,
    peakHeapBytes: memory.peakHeapBytes,
  };
}

export interface KernelTime {
  name: string;
  ms: number;
  calls: number;
}

export interface StepProfile {
  /** tf.profile's peakBytes: the most tensor memory held at any point of the step. */
  peakTensorBytes: number;
  /** Kernel time summed by kernel name, largest first (wasm: wall time of each kernel call). */
  kernels: KernelTime[];
  /** Number of kernel calls in the step. */
  kernelCalls: number;
  /** WebGPU only: GPU time by shader program (MatMulPackedProgram, ...), largest first, and the dispatch count. */
  programs?: KernelTime[];
  dispatches?: number;
}

/** tfjs-webgpu's extraInfo of a profiled kernel: "ProgramName: ms, ProgramName: ms". */
function addPrograms(extraInfo: string, into: Map<string, KernelTime>): number {
  let count = 0;
  for (const part of extraInfo.split(', ')) {
    const at = part.lastIndexOf(': ');
    if (at < 0) continue;
    const name = part.slice(0, at);
    const entry = into.get(name) ?? { name, ms: 0, calls: 0 };
    entry.ms += Number(part.slice(at + 2)) || 0;
    entry.calls += 1;
    into.set(name, entry);
    count += 1;
  }
  return count;
}

/** One training step under tf.profile: per-kernel times and the step's peak tensor memory. */
export async function profileStep(m: BenchModel, seed: number): Promise<StepProfile> {
  const info = await tf.profile(async () => {
    await trainStep(m, seed);
    return [];
  });
  const byName = new Map<string, KernelTime>();
  const backend = tf.getBackend();
  // Custom-gradient ops appear too, under their scope's name, timed with the kernels inside them: left out.
  const kernels = info.kernels.filter((k) => tf.getKernel(k.name, backend) !== undefined);
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const entry = byName.get(k.name) ?? { name: k.name, ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls += 1;
    byName.set(k.name, entry);
  }
  const bySize = (a: KernelTime, b: KernelTime) => b.ms - a.ms;
  const result: StepProfile = { peakTensorBytes: info.peakBytes, kernels: [...byName.values()].sort(bySize), kernelCalls: kernels.length };
  if (backend === 'webgpu') {
    const programs = new Map<string, KernelTime>();
    let dispatches = 0;
    for (const k of kernels) dispatches += addPrograms(String(await k.extraInfo), programs);
    Object.assign(result, { programs: [...programs.values()].sort(bySize), dispatches });
  }
  return result;
}

/**
 * Bytes the backend holds for tensors, which tf.memory().numBytes does not say (it counts a reshape or clone of a
 * buffer as new bytes): the wasm heap (it only grows, so this is its peak) or WebGPU's allocated buffers (pooled,
 * never freed); null on cpu.
 */
export function backendBytes(): number | null {
  const backend = tf.backend() as { wasm?: { HEAPU8: Uint8Array } };
  if (tf.getBackend() === 'wasm' && backend.wasm) return backend.wasm.HEAPU8.byteLength;
  const gpu = (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU;
  return gpu ?? null;
}

/** Median forward latency in eval mode for a batch of `batch` × seq tokens. */
export async function timeInference(m: BenchModel, batch: number, opts: { steps: number; warmup: number }): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < opts.warmup + opts.steps; i++) {
    const t0 = performance.now();
    await inferenceStep(m, batch);
    if (i >= opts.warmup) times.push(performance.now() - t0);
  }
  return median(times);
}
