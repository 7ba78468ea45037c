// The Layers panel's memory plan: the engine's planner (protocol/memory-plan.ts: the same numbers a run is fitted to)
// on the run's model as the studio shows it (store/run-model.ts), against the backend in use and what the browser
// reports (BackendProbe); with LoRA, the adapters as parameters of the tree (their layers' depths), so that they show
// as nodes and the trainable share counts them.
import { toErrorData, type LayerwiseErrorData } from '../../../lib/errors';
import { adapterShapes, loraModules } from '../../../protocol/lora';
import { memoryLimits, planMemory, stepCost, type MemoryPlan, type PlanOption, type PlannerModel } from '../../../protocol/memory-plan';
import type { BackendName, BackendProbe, ModelSummary, ParameterInfo } from '../../../protocol/messages';
import { DEFAULT_LORA, validateTrainConfig, type TrainConfig } from '../../../protocol/train-config';

/** The config with a LoRA block that is being typed (a field not yet valid) read as PEFT's defaults. */
function usableLora(config: TrainConfig): TrainConfig {
  if (config.lora === null || validateTrainConfig({ lora: config.lora }).ok) return config;
  return { ...config, lora: { ...DEFAULT_LORA } };
}

/** The run's parameters with LoRA's adapters (`…query.lora_A.weight` [r, in], `…lora_B.weight` [out, r]) when config.lora asks. */
export function withAdapters(parameters: readonly ParameterInfo[], draft: TrainConfig, numLayers: number): { parameters: ParameterInfo[]; error: LayerwiseErrorData | null } {
  const config = usableLora(draft);
  if (config.lora === null) return { parameters: [...parameters], error: null };
  const depth = new Map(parameters.map((p) => [p.name, p.depth]));
  try {
    const modules = loraModules(parameters, config.lora, (n) => (depth.get(n) ?? 0) > numLayers);
    const adapters = adapterShapes(modules).map(([name, shape]): ParameterInfo => {
      const layer = name.replace(/\.lora_[AB]\.weight$/, '.weight');
      return { name, shape, depth: depth.get(layer) ?? 0, nonFinite: 0 };
    });
    return { parameters: [...parameters, ...adapters], error: null };
  } catch (err) {
    return { parameters: [...parameters], error: toErrorData(err) };
  }
}

/** The planner's view of the run's model: its parameters (without adapters: the planner adds them from the config). */
export function plannerModelOf(model: ModelSummary, parameters: readonly ParameterInfo[], classes: number): PlannerModel {
  return {
    params: parameters.filter((p) => !/\.lora_[AB]\.weight$/.test(p.name)),
    structure: model.family === 'distilbert' ? 'distilbert' : 'bert',
    layers: model.num_hidden_layers,
    hidden: model.hidden_size,
    heads: model.num_attention_heads,
    ffn: model.intermediate_size,
    vocab: model.vocab_size,
    labels: classes,
  };
}

/**
 * The plan of the run as configured on `backend` (none chosen yet: wasm, the fallback), tokens per example at most
 * the model's positions; the W₀ anchors are counted, as the studio's runs keep them for their telemetry.
 */
export function runMemoryPlan(model: ModelSummary, parameters: readonly ParameterInfo[], classes: number, config: TrainConfig, backend: BackendName | null, probe: BackendProbe | null): MemoryPlan {
  const seq = Math.min(config.maxLength, model.max_position_embeddings);
  return planMemory(plannerModelOf(model, parameters, classes), usableLora(config), seq, memoryLimits(backend ?? 'wasm', probe));
}

/**
 * Seconds per optimizer step of `option`, from a step of the last run (its seconds, the examples it took and the way
 * it ran): scaled by the examples per step and by the two ways' relative costs (stepCost). Null without one. The
 * data's lengths are taken to be alike: the run pads each batch to its longest example, not to maxLength.
 */
export function secondsPerStep(option: PlanOption, config: TrainConfig, measured: { seconds: number; examples: number; microBatch: number; checkpointing: boolean; lora: boolean } | null): number | null {
  if (measured === null || !(measured.seconds > 0 && measured.examples > 0)) return null;
  const batch = config.batchSize;
  const examples = batch * config.gradAccumulation;
  const cost = stepCost({ microBatch: option.microBatch, checkpointing: option.checkpointing, lora: option.lora !== null }, batch);
  return measured.seconds * (examples / measured.examples) * (cost / stepCost(measured, batch));
}
