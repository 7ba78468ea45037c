// One optimizer step: gradients summed over the step's micro-batches, each loss weighted by its share of the
// window's labelled items, so that accumulation equals one large batch (transformers' num_items_in_batch loss);
// the L2-SP pull towards the pretrained weights; torch clip_grad_norm_; one small readback; then AdamW, unless the
// loss or the gradient norm is not finite (the step is skipped and the weights stay as they were).
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import type { ModelConfig } from '../../formats/hf-config';
import type { Task } from '../../protocol/task';
import type { TrainConfig } from '../../protocol/train-config';
import type { Batch } from '../data/batches';
import { IGNORE_INDEX } from '../data/encode';
import type { LossOptions } from '../layers/loss';
import { taskLoss, type ModelFamily, type ModelInputs } from '../models/index';
import { clipCoefficient, globalGradNorm } from '../optim/clip';
import type { AdamW } from '../optim/adamw';
import type { LoraAdapters } from '../params/lora';
import type { BottleneckAdapters } from '../params/bottleneck';
import type { ParamStore } from '../params/store';
import type { MicroBatch } from './windows';
import { headEntries, headTensors, type TaskHead } from './heads';

/** The model a step trains: a family's forward over the store's parameters. */
export interface StepModel {
  family: ModelFamily;
  config: ModelConfig;
  task: Task;
  params: ParamStore;
  /** LoRA adapters among the params (params/lora.ts), or none. */
  lora?: LoraAdapters | null;
  /** Bottleneck adapters among the params (params/bottleneck.ts), or none. */
  adapters?: BottleneckAdapters | null;
  /** The head's loss beyond cross-entropy: multi-label, class weights, focal γ (label smoothing is a GradientOptions'). */
  loss?: LossOptions;
  /** Multi-task: the heads on the encoder (params holds each under heads.<name>.); a micro-batch names its head. */
  heads?: TaskHead[] | null;
}

/** L2-SP (Li et al. 2018): strength · Σ‖w − w₀‖² over the trainable parameters, w₀ the pretrained values. */
export interface L2spAnchor {
  strength: number;
  /** w₀ by checkpoint name (plain tensors, not variables); every trainable parameter has one. */
  initial: ReadonlyMap<string, tf.Tensor>;
}

export interface GradientOptions {
  /** Dropout rates; undefined keeps the model config's. */
  dropout?: { hidden: number; attention: number; classifier: number };
  labelSmoothing: number;
  /** One nonzero dropout seed per micro-batch. */
  seeds: readonly number[];
  l2sp: L2spAnchor | null;
  /** Gradient checkpointing of the encoder layers (ForwardOptions.checkpoint); off when absent. */
  checkpoint?: boolean;
}

export interface AccumulatedGradients {
  /** Mean task loss over the window's labelled items: Σ (nᵢ / N) · lossᵢ. */
  loss: tf.Scalar;
  /** The L2-SP penalty (0 when off). */
  penalty: tf.Scalar;
  /** Gradient of loss + penalty for every trainable parameter that has one. */
  grads: Map<string, tf.Tensor>;
}

/**
 * The batch as int32 tensors: inputs [B, S] each, labels [B] (seq-cls) or [B, S] (token-cls). For MLM only the
 * masked positions reach the head: positions [M] (flat indices into B·S, ForwardOptions.positions) and labels [M].
 */
export function batchTensors(batch: Batch, task: Task): { inputs: ModelInputs; labels: tf.Tensor; positions?: tf.Tensor } {
  const shape: [number, number] = [batch.size, batch.seqLength];
  const inputs = {
    input_ids: tf.tensor2d(batch.input_ids, shape, 'int32'),
    attention_mask: tf.tensor2d(batch.attention_mask, shape, 'int32'),
    token_type_ids: tf.tensor2d(batch.token_type_ids, shape, 'int32'),
  };
  if (task === 'mlm') {
    const positions: number[] = [];
    batch.labels.forEach((l, i) => {
      if (l !== IGNORE_INDEX) positions.push(i);
    });
    const labels = Int32Array.from(positions, (i) => batch.labels[i]);
    return { inputs, labels: tf.tensor1d(labels, 'int32'), positions: tf.tensor1d(positions, 'int32') };
  }
  // Multi-label: [B, C] 0/1.
  if (batch.classes !== undefined) return { inputs, labels: tf.tensor2d(batch.labels, [batch.size, batch.classes], 'int32') };
  return { inputs, labels: task === 'seq-cls' ? tf.tensor1d(batch.labels, 'int32') : tf.tensor2d(batch.labels, shape, 'int32') };
}

/**
 * TrainConfig.dropout over the model's own rates; undefined when it sets none. A rate left null follows transformers'
 * config semantics: the head's dropout is the family's headDropout at the (possibly overridden) hidden rate.
 */
export function dropoutRates(config: TrainConfig, model: StepModel): GradientOptions['dropout'] {
  const d = config.dropout;
  if (d.hidden === null && d.attention === null && d.classifier === null) return undefined;
  const c = model.config;
  const hidden = d.hidden ?? c.hidden_dropout_prob;
  const head = d.classifier ?? model.family.headDropout(c, model.task, hidden);
  return { hidden, attention: d.attention ?? c.attention_probs_dropout_prob, classifier: head };
}

/**
 * acc + next for every name (new tensors; the first contribution is taken as it is); the inputs are disposed. Each
 * sum replaces its two terms before the next is made, so accumulating holds two gradients and one tensor, not three.
 */
function addInto(acc: AccumulatedGradients | null, next: AccumulatedGradients): AccumulatedGradients {
  if (acc === null) return next;
  const names = [...new Set([...acc.grads.keys(), ...next.grads.keys()])];
  const grads = new Map<string, tf.Tensor>();
  for (const n of names) {
    const a = acc.grads.get(n);
    const g = next.grads.get(n);
    grads.set(n, a && g ? tf.add(a, g) : tf.clone((a ?? g) as tf.Tensor));
    tf.dispose([a, g].filter((t): t is tf.Tensor => t !== undefined));
  }
  const loss = tf.add(acc.loss, next.loss) as tf.Scalar;
  const penalty = tf.add(acc.penalty, next.penalty) as tf.Scalar;
  tf.dispose([acc.loss, acc.penalty, next.loss, next.penalty]);
  return { loss, penalty, grads };
}

/** tf.tidy for a ParamStore.gradients result: tidy keeps the tensors of arrays and objects, not of Maps. */
function tidyGradients(fn: () => { loss: tf.Scalar; grads: Map<string, tf.Tensor> }): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
  let names: string[] = [];
  const kept = tf.tidy(() => {
    const { loss, grads } = fn();
    names = [...grads.keys()];
    return { loss, grads: names.map((n) => grads.get(n) as tf.Tensor) };
  });
  return { loss: kept.loss, grads: new Map(names.map((n, i) => [n, kept.grads[i]])) };
}

/** The penalty's value and gradient, 2·strength·(w − w₀), by autodiff over the trainable parameters. */
function l2spGradients(params: ParamStore, anchor: L2spAnchor): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
  return params.gradients(() => {
    const terms = params.trainableNames().map((name) => {
      const w0 = anchor.initial.get(name);
      if (w0 === undefined) throw new LayerwiseError('TRAIN_L2SP_NO_ANCHOR', `L2-SP has no pretrained value for ${name}`, { tensor: name });
      return tf.sum(tf.square(tf.sub(params.get(name), w0)));
    });
    // stack, not addN: WebGPU's addN binds every input at once (one storage buffer each, 8 per shader stage by
    // default), while stack splits by the device's limit.
    return tf.mul(tf.sum(tf.stack(terms)), anchor.strength) as tf.Scalar;
  });
}

/**
 * Sums the gradients of the window's micro-batches (micro-batch i weighted by nᵢ / Σn, so that the result is the
 * gradient of the mean loss over all its labelled items) plus the L2-SP term. Micro-batches with nothing labelled
 * add nothing. Every tensor made here is inside a tf.tidy or returned; the caller disposes the result.
 */
export function accumulateGradients(model: StepModel, micro: readonly MicroBatch[], opts: GradientOptions): AccumulatedGradients {
  const { family, config, task, params } = model;
  const total = micro.reduce((n, m) => n + m.count, 0);
  let acc: AccumulatedGradients | null = null;
  for (const [i, m] of micro.entries()) {
    if (m.count === 0) continue;
    // Multi-task: the micro-batch's head computes on the encoder, its loss weighted (a step trains one head).
    const head = m.head === undefined ? null : (model.heads?.[m.head] ?? null);
    const t = head?.task ?? task;
    // A head whose model is wholly frozen (its own parameters and the encoder's) has a loss but nothing to learn.
    const learns = head === null || headEntries(params, head).some(([, stored]) => params.isTrainable(stored));
    const { loss, grads } = tidyGradients(() => {
      const { inputs, labels, positions } = batchTensors(m.batch, t);
      const forward = { training: true, dropout: opts.dropout, seed: opts.seeds[i], positions, checkpoint: opts.checkpoint, lora: model.lora, adapters: model.adapters };
      const weights = head === null ? params.tensors() : headTensors(params, head);
      const lossOf = () => {
        const logits = family.forward(weights, inputs, head?.config ?? config, t, forward);
        const itemLoss = taskLoss(logits, labels, t, { ...(head?.loss ?? model.loss), labelSmoothing: opts.labelSmoothing });
        return tf.mul(itemLoss, (m.count / total) * (head?.weight ?? 1)) as tf.Scalar;
      };
      return learns ? params.gradients(lossOf) : { loss: lossOf(), grads: new Map<string, tf.Tensor>() };
    });
    acc = addInto(acc, { loss, penalty: tf.scalar(0), grads });
  }
  if (opts.l2sp !== null && opts.l2sp.strength > 0) {
    const anchor = opts.l2sp;
    const { loss: penalty, grads } = tidyGradients(() => l2spGradients(params, anchor));
    acc = addInto(acc, { loss: tf.scalar(0), penalty, grads });
  }
  return acc ?? { loss: tf.scalar(0), penalty: tf.scalar(0), grads: new Map() };
}

export interface StepOutcome {
  loss: number;
  penalty: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Not finite: the optimizer step was skipped. */
  skipped: boolean;
  /** The values of `extra`, read with the loss in the same readback. */
  extra: Float32Array;
}

/**
 * Clips the accumulated gradients (torch semantics), reads [loss, penalty, norm, ...extra] back in one async
 * readback, and applies AdamW when all of them are finite. Disposes acc and extra.
 */
export async function applyGradients(
  acc: AccumulatedGradients,
  optimizer: AdamW,
  maxGradNorm: number | null,
  extra: tf.Tensor1D | null,
): Promise<StepOutcome> {
  const norm = globalGradNorm(acc.grads);
  const summary = tf.tidy(() => {
    const head = tf.stack([acc.loss, acc.penalty, norm]) as tf.Tensor1D;
    return extra === null ? head : tf.concat([head, extra]);
  });
  tf.dispose([norm, acc.loss, acc.penalty, ...(extra === null ? [] : [extra])]);
  let values: Float32Array;
  try {
    values = (await summary.data()) as Float32Array;
  } finally {
    summary.dispose();
  }
  const [loss, penalty, gradNorm] = values;
  const skipped = !(Number.isFinite(loss) && Number.isFinite(penalty) && Number.isFinite(gradNorm));
  try {
    // Clipping happens inside the update: AdamW scales each gradient by the coefficient.
    if (!skipped && acc.grads.size > 0) optimizer.step(acc.grads, clipCoefficient(gradNorm, maxGradNorm));
  } finally {
    tf.dispose([...acc.grads.values()]);
  }
  return { loss, penalty, gradNorm, skipped, extra: values.slice(3) };
}
