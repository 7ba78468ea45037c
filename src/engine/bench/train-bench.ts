// The training benchmark's model and step, shared by `layerwise bench` (Node) and the browser bench page: a BERT
// sequence classifier of a fixed size with seeded random weights, trained through the engine's real path (family
// forward with dropout, ParamStore.gradients, global-norm clipping, AdamW), as bench/torch_reference.py does in PyTorch.
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../lib/random';
import type { ModelConfig } from '../../formats/hf-config';
import { getModelFamily, parseModelConfig, taskLoss, type ModelFamily, type ModelInputs } from '../models/index';
import { clipCoefficient, globalGradNorm } from '../optim/clip';
import { AdamW } from '../optim/adamw';
import { ParamStore } from '../params/store';

export type BenchModelName = 'mini' | 'base';

export interface BenchModelSpec {
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  vocab: number;
  batch: number;
  seq: number;
}

/** The sizes of the issue "Speed"; bench/torch_reference.py holds the same table. */
export const BENCH_MODELS: Readonly<Record<BenchModelName, BenchModelSpec>> = {
  mini: { layers: 4, hidden: 256, heads: 4, ffn: 1024, vocab: 8192, batch: 8, seq: 128 },
  base: { layers: 12, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, batch: 32, seq: 128 },
};

/** Optimiser settings of the step (transformers' Trainer defaults, except the learning rate). */
const LR = 1e-4;
const WEIGHT_DECAY = 0.01;
const MAX_GRAD_NORM = 1;
const NUM_LABELS = 2;

/** A BertConfig of the spec's sizes, with transformers' defaults elsewhere (GELU, dropout 0.1, post-LN). */
export function benchConfig(spec: BenchModelSpec): ModelConfig {
  const raw = {
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
  config: ModelConfig;
  family: ModelFamily;
  params: ParamStore;
  optimizer: AdamW;
  /** One fixed batch: random ids, full attention, labels in [0, 2). */
  inputs: ModelInputs;
  labels: tf.Tensor1D;
}

/** Parameters drawn from normal(0, 0.02) (LayerNorm weights 1, biases 0), ids and labels from the same seed. */
export function buildBenchModel(spec: BenchModelSpec, seed: number): BenchModel {
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
  const tokens = spec.batch * spec.seq;
  const ids = Int32Array.from({ length: tokens }, () => rng.int(spec.vocab));
  const inputs: ModelInputs = {
    input_ids: tf.tensor2d(ids, [spec.batch, spec.seq], 'int32'),
    attention_mask: tf.ones([spec.batch, spec.seq], 'int32'),
    token_type_ids: tf.zeros([spec.batch, spec.seq], 'int32'),
  };
  const labels = tf.tensor1d(Int32Array.from({ length: spec.batch }, () => rng.int(NUM_LABELS)), 'int32');
  const optimizer = new AdamW(params, { betas: [0.9, 0.999], eps: 1e-8, hyper: () => ({ lr: LR, weightDecay: WEIGHT_DECAY }) });
  return { spec, config, family, params, optimizer, inputs, labels };
}

export function disposeBenchModel(m: BenchModel): void {
  m.optimizer.dispose();
  m.params.dispose();
  tf.dispose([m.inputs.input_ids, m.inputs.attention_mask, m.inputs.token_type_ids as tf.Tensor, m.labels]);
}

/**
 * One training step as the training loop takes it: forward in training mode (dropout on), loss, gradients of every
 * parameter, clipping to norm 1, one readback of loss and norm, AdamW. Resolves to the loss.
 */
export async function trainStep(m: BenchModel, seed: number): Promise<number> {
  const { loss, grads } = m.params.gradients(() =>
    taskLoss(m.family.forward(m.params.tensors(), m.inputs, m.config, 'seq-cls', { training: true, seed }), m.labels, 'seq-cls'),
  );
  const norm = globalGradNorm(grads);
  const summary = tf.stack([loss, norm]);
  const [lossValue, normValue] = (await summary.data()) as Float32Array;
  m.optimizer.step(grads, clipCoefficient(normValue, MAX_GRAD_NORM));
  tf.dispose([loss, summary, norm, ...grads.values()]);
  return lossValue;
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
    return m.family.forward(m.params.tensors(), inputs, m.config, 'seq-cls', { training: false });
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
  for (let i = 0; i < opts.warmup + opts.steps; i++) {
    const t0 = performance.now();
    lastLoss = await trainStep(m, i + 1);
    const ms = performance.now() - t0;
    if (i === 0) firstLoss = lastLoss;
    peak = Math.max(peak, tf.memory().numBytes);
    if (i >= opts.warmup) times.push(ms);
  }
  const msPerStep = median(times);
  return { msPerStep, tokensPerS: (m.spec.batch * m.spec.seq) / (msPerStep / 1000), firstLoss, lastLoss, peakTensorBytes: peak };
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
