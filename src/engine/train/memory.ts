// The memory planner (protocol/memory-plan.ts) applied to a run: the model as the planner sees it, and the run's
// config adjusted to the plan — micro-batches and gradient checkpointing, both of which leave the gradient as it is,
// are taken when the run as asked would not fit; a plan that needs LoRA (another model) or nothing that fits stops the
// run before it starts, with the planner's sentence.
import { LayerwiseError } from '../../lib/errors';
import type { MemoryPlan, PlannerModel } from '../../protocol/memory-plan';
import { isAdapterName } from '../../protocol/lora';
import type { TrainConfig } from '../../protocol/train-config';
import type { ModelConfig } from '../../formats/hf-config';
import type { ModelFamily } from '../models/types';
import type { ParamStore } from '../params/store';

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

