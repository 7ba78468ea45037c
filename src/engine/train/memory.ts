// The memory planner (protocol/memory-plan.ts) applied to a run: the model as the planner sees it, and the run's
// config adjusted to the plan — micro-batches and gradient checkpointing, both of which leave the gradient as it is,
// are taken when the run as asked would not fit; a plan that needs LoRA (another model) or nothing that fits stops the
// run before it starts, with the planner's sentence. Running out of memory anyway ends the run before its weights
// change, with the micro-batch that would have fit.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { estimateStepMemory, type MemoryLimits, type MemoryPlan, type PlannerModel } from '../../protocol/memory-plan';
import { isAdapterName } from '../../protocol/lora';
import type { TrainConfig } from '../../protocol/train-config';
import type { ModelConfig } from '../../formats/hf-config';
import type { ModelFamily } from '../models/types';
import { disposingOnThrow, isOutOfMemory, OUT_OF_MEMORY, type MemoryGuard } from '../backend/memory-guard';
import type { ParamStore } from '../params/store';
import type { AccumulatedGradients } from './step';

/** The model's parameters (without adapters: the planner adds them from the config) with their depths and sizes. */
export function plannerModel(model: { family: ModelFamily; config: ModelConfig; params: ParamStore }): PlannerModel {
  const { family, config, params } = model;
  return {
    params: params.names().filter((n) => !isAdapterName(n)).map((name) => ({ name, shape: params.shape(name), depth: family.depthOf(name, config) })),
    structure: family.name === 'distilbert' ? 'distilbert' : 'bert',
    layers: config.num_hidden_layers,
    hidden: config.hidden_size,
    heads: config.num_attention_heads,
    ffn: config.intermediate_size,
    vocab: config.vocab_size,
    labels: config.num_labels,
  };
}

/**
 * The run's config after its memory plan: unchanged when it fits (or names its own microBatchSize); else the
 * proposal's micro-batch and checkpointing. TRAIN_WONT_FIT when the proposal needs LoRA or nothing fits.
 */
export function fitToMemory(plan: MemoryPlan, config: TrainConfig): TrainConfig {
  if (plan.asked.fits || config.microBatchSize !== null) return config;
  const p = plan.proposal;
  if (p === null || (p.lora !== null && config.lora === null)) {
    const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;
    throw new LayerwiseError(
      'TRAIN_WONT_FIT',
      `This run needs about ${gib(plan.asked.estimate.total)} at its peak, more than ${plan.limits.budgetLabel} (${gib(plan.limits.budget)}). ${plan.reason}`,
      { field: p?.lora ? 'lora' : 'batchSize' },
    );
  }
  return { ...config, microBatchSize: p.microBatch < config.batchSize ? p.microBatch : null, gradientCheckpointing: p.checkpointing };
}


/**
 * The passes of one step under the memory guard (backend/memory-guard.ts), and room for the AdamW update (`reserve`
 * bytes) checked before any weight changes. Out of memory anywhere in them disposes what the passes made and throws
 * `advice(err)`: the run ends with its weights as they were before this step.
 */
export async function gradientsWithinMemory(
  guard: MemoryGuard | null,
  compute: () => AccumulatedGradients,
  reserve: number,
  advice: (err: LayerwiseError) => LayerwiseError,
): Promise<AccumulatedGradients> {
  const scope = guard?.scope() ?? null;
  let checked = false;
  let acc: AccumulatedGradients | null = null;
  try {
    acc = disposingOnThrow(compute);
    checked = true;
    if (scope && (await scope.check())) throw new LayerwiseError(OUT_OF_MEMORY, 'WebGPU ran out of memory in the passes of this step');
    guard?.ensure(reserve, 'the AdamW update');
    return acc;
  } catch (err) {
    if (scope && !checked) await scope.check();
    if (!isOutOfMemory(err)) throw err;
    if (acc) tf.dispose([acc.loss, acc.penalty, ...acc.grads.values()]);
    throw advice(err as LayerwiseError);
  }
}

/**
 * TRAIN_OUT_OF_MEMORY for a step whose pass of `micro` examples ran out of memory: the largest smaller pass (without
 * gradient checkpointing, else with it) whose estimated activations are at most three quarters of the failed pass's.
 * Only the pass's activations shrink with it (weights, gradients, moments and the AdamW update do not): a budget of
 * three quarters of the whole step proposed nothing for a small model, whose weights and moments are most of it.
 */
export function outOfMemoryAdvice(model: PlannerModel, config: TrainConfig, micro: number, limits: MemoryLimits, err: LayerwiseError, step: number): LayerwiseError {
  const passOf = (m: number) => ({ microBatch: m, microBatches: Math.ceil(config.batchSize / m) * config.gradAccumulation, seq: config.maxLength });
  const room = 0.75 * estimateStepMemory(model, config, passOf(micro), limits.backend).activations;
  let p: { microBatch: number; checkpointing: boolean } | null = null;
  for (const checkpointing of config.gradientCheckpointing ? [true] : [false, true]) {
    const options = { ...config, microBatchSize: null, gradientCheckpointing: checkpointing };
    for (let m = checkpointing && !config.gradientCheckpointing ? micro : micro - 1; m >= 1 && p === null; m--) {
      if (estimateStepMemory(model, options, passOf(m), limits.backend).activations <= room) p = { microBatch: m, checkpointing };
    }
    if (p !== null) break;
  }
  const fix =
    p === null
      ? 'No micro-batch of this model fits: train with LoRA (lora), freeze layers, or shorten maxLength'
      : `A pass of ${p.microBatch} example${p.microBatch === 1 ? '' : 's'}${p.checkpointing ? ' with gradient checkpointing' : ''} would fit: set microBatchSize to ${p.microBatch}${p.checkpointing ? ' and gradientCheckpointing on' : ''}`;
  return new LayerwiseError(
    'TRAIN_OUT_OF_MEMORY',
    `Ran out of memory in step ${step + 1}, in a pass of ${micro} example${micro === 1 ? '' : 's'} (${err.message}). ${fix}. The weights are those after step ${step}.`,
    { field: 'microBatchSize' },
    // The same proposal as data, for the studio's "resume with micro-batches of N".
    p === null ? undefined : { microBatchSize: p.microBatch, gradientCheckpointing: p.checkpointing },
  );
}
