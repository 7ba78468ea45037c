// A gradient check (issue #18): the engine's autodiff gradients of the task loss against central finite differences
// of the same loss, for the entries of every parameter with the largest gradients, grouped by module (embeddings,
// attention, feed-forward, LayerNorm, the task head, LoRA and bottleneck adapters when the run has them), in eval mode (no dropout) on one small batch. What to run
// before trusting a new model family or a custom head. tfjs computes in float32 only (it has no float64 tensors), so
// the check is built for float32: the rounding error of a difference quotient is about 2^-24·|loss|/h, which is as
// large as the small gradients of a freshly initialised model; checking each tensor's largest gradients (a wrong
// backward pass is wrong there too) keeps the signal well above it, and with h = 1e-2 the O(h²) truncation error is
// below 1e-3 of them. A wrong gradient gives relative errors of order one (a doubled one 1/3).
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { mlmTokenizerInfo } from '../data/mlm-collator';
import { isBottleneckName } from '../../protocol/bottleneck';
import { GRADCHECK_DEFAULTS, type GradcheckOptions, type GradcheckReport, type GradEntry, type GradModule, type ModuleReport } from '../../protocol/gradcheck';
import { isAdapterName } from '../../protocol/lora';
import { taskLoss, type ForwardOptions } from '../models/index';
import type { PreparedRun } from './recipe';
import { batchTensors, type StepModel } from './step';
import { microBatch, type MicroBatch } from './windows';

export { GRADCHECK_DEFAULTS } from '../../protocol/gradcheck';
export type { GradcheckOptions, GradcheckReport, GradEntry, GradModule, ModuleReport } from '../../protocol/gradcheck';

/**
 * Gradients smaller than the rounding noise of the difference quotient count as zero: the relative error is
 * |a − n| / max(|a| + |n|, floor), floor = 64 · 2^-24 · max(1, |loss|) / h. (Measured on the tiny fixtures at
 * h = 1e-2: a gradient that is exactly zero, such as an attention key's bias, differences to about 4e-6, 1% of it.)
 */
function noiseFloor(loss: number, step: number): number {
  return (64 * 2 ** -24 * Math.max(1, Math.abs(loss))) / step;
}

/** The flat indices of the `count` largest |values| (ties: the lower index first), in one pass: an embedding table has millions. */
function largest(values: Float32Array, count: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (best.length === count && !(v > Math.abs(values[best[count - 1]]))) continue;
    let at = best.length === count ? count - 1 : best.length;
    while (at > 0 && Math.abs(values[best[at - 1]]) < v) at--;
    best.splice(at, best.length === count ? 1 : 0, i);
    if (best.length > count) best.pop();
  }
  return best;
}

/** The first `examples` training examples of a prepared run as one batch, masked as an evaluation batch for MLM. */
export function checkBatch(run: PreparedRun, examples: number): MicroBatch {
  const { model, data, config } = run;
  const tokenizer = model.tokenizer as NonNullable<typeof model.tokenizer>;
  const masking = config.task === 'mlm' ? { info: mlmTokenizerInfo(tokenizer), options: { mlmProbability: config.mlm.probability, wholeWord: config.mlm.wholeWord } } : null;
  const source = { data: data.train, batchSize: examples, seed: config.seed, padding: { padId: tokenizer.special.pad, maxLength: data.maxLength }, masking };
  return microBatch(source, Array.from({ length: Math.min(examples, data.train.examples.length) }, (_, i) => i), false, 0);
}

/** The module a parameter belongs to, from its checkpoint name (the head from the family). */
export function moduleOf(model: StepModel, name: string): GradModule {
  // Adapters first: their names lie under the attention and feed-forward modules they adapt.
  if (isBottleneckName(name)) return 'adapters';
  if (isAdapterName(name)) return 'lora';
  if (model.family.isHeadParam(name, model.task)) return 'head';
  if (/(LayerNorm|layer_norm)\.(weight|bias)$/.test(name)) return 'LayerNorm';
  if (/\.embeddings\.|\.embeddings_project\./.test(name)) return 'embeddings';
  if (/\.attention\.|\.(q_lin|k_lin|v_lin|out_lin)\./.test(name)) return 'attention';
  return 'feed-forward';
}

/** Eval mode, with the model's adapters. */
const evalMode = (model: StepModel, positions: tf.Tensor | undefined): ForwardOptions => ({ training: false, positions, lora: model.lora, adapters: model.adapters });

/** The loss of the batch in eval mode, as a number (its data read back). */
function lossOf(model: StepModel, batch: MicroBatch): number {
  const { family, config, task, params } = model;
  return tf.tidy(() => {
    const { inputs, labels, positions } = batchTensors(batch.batch, task);
    const logits = family.forward(params.tensors(), inputs, config, task, evalMode(model, positions));
    return taskLoss(logits, labels, task).dataSync()[0];
  });
}

/** Where a check is: tensors checked so far of all the trainable ones. */
export interface GradcheckProgress {
  done: number;
  total: number;
}

/** The check, one parameter tensor at a time: yields after each, returns the report; the weights are as they were after. */
function* checkTensors(model: StepModel, batch: MicroBatch, opts: GradcheckOptions): Generator<GradcheckProgress, GradcheckReport> {
  const { family, config, task, params } = model;
  if (batch.count === 0) {
    throw new LayerwiseError('GRADCHECK_NOTHING_LABELLED', 'The examples checked have no labelled item (for masked LM: no token was masked): check more examples.', { field: 'examples' });
  }
  const { loss, grads } = tf.tidy(() => {
    const { inputs, labels, positions } = batchTensors(batch.batch, task);
    const out = params.gradients(() => taskLoss(family.forward(params.tensors(), inputs, config, task, evalMode(model, positions)), labels, task));
    return { loss: out.loss, grads: [...out.grads] };
  });
  const analytic = new Map(grads.map(([name, g]) => [name, g.dataSync() as Float32Array]));
  const lossValue = loss.dataSync()[0];
  tf.dispose([loss, ...grads.map(([, g]) => g)]);

  const floor = noiseFloor(lossValue, opts.step);
  const byModule = new Map<GradModule, GradEntry[]>();
  const names = params.trainableNames();
  for (const [done, name] of names.entries()) {
    const values = params.get(name).dataSync() as Float32Array;
    const shape = params.shape(name);
    const grad = analytic.get(name) ?? new Float32Array(values.length);
    const indices = largest(grad, opts.samplesPerTensor);
    const perturbed = Float32Array.from(values);
    const at = (value: number, index: number) => {
      perturbed[index] = value;
      tf.tidy(() => params.assign(name, tf.tensor(perturbed, shape, 'float32')));
      return lossOf(model, batch);
    };
    try {
      for (const index of indices) {
        const w = values[index];
        const numeric = (at(w + opts.step, index) - at(w - opts.step, index)) / (2 * opts.step);
        perturbed[index] = w;
        const a = grad[index];
        const relativeError = Math.abs(a - numeric) / Math.max(Math.abs(a) + Math.abs(numeric), floor);
        const module = moduleOf(model, name);
        byModule.set(module, [...(byModule.get(module) ?? []), { name, index, analytic: a, numeric, relativeError }]);
      }
    } finally {
      tf.tidy(() => params.assign(name, tf.tensor(values, shape, 'float32')));
    }
    yield { done: done + 1, total: names.length };
  }
  const modules = [...byModule].map(([module, entries]): ModuleReport => {
    const worst = entries.reduce((a, b) => (b.relativeError > a.relativeError ? b : a));
    return { module, checked: entries.length, worst, pass: worst.relativeError <= opts.threshold };
  });
  return { loss: lossValue, examples: batch.batch.size, options: opts, modules, pass: modules.every((m) => m.pass) };
}

/** Checks the gradients of every trainable parameter of `model` on `batch`; the weights are as they were after. */
export function gradcheck(model: StepModel, batch: MicroBatch, options: Partial<GradcheckOptions> = {}): GradcheckReport {
  const steps = checkTensors(model, batch, { ...GRADCHECK_DEFAULTS, ...options });
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/**
 * The same check for a host that must stay responsive (the studio's worker): `between` is awaited after each tensor
 * (progress, a turn of the event loop), and an aborted signal ends the check there with GRADCHECK_CANCELLED.
 */
export async function gradcheckAsync(
  model: StepModel,
  batch: MicroBatch,
  options: Partial<GradcheckOptions> = {},
  hooks: { between?: (progress: GradcheckProgress) => Promise<void>; signal?: AbortSignal } = {},
): Promise<GradcheckReport> {
  const steps = checkTensors(model, batch, { ...GRADCHECK_DEFAULTS, ...options });
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    await hooks.between?.(next.value);
    if (hooks.signal?.aborted) {
      steps.return(undefined as never);
      throw new LayerwiseError('GRADCHECK_CANCELLED', 'The gradient check was cancelled.');
    }
  }
}
