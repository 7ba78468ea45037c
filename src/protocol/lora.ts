// Which linear layers a LoRA config adapts, with what rank and scale, and the names and shapes of the adapters: pure,
// so that the engine adds exactly the adapters the studio's layer tree and memory planner show. Matching follows PEFT
// (tuners_utils.check_target_module_exists, utils/other.get_pattern_key): a target names the end of a layer's name
// in whole segments; the task head is never a target (PEFT's modules_to_save are excluded), it trains whole.
import { LayerwiseError } from '../lib/errors';
import type { LoraConfig } from './train-config';

/** One adapted linear layer: W [out, in] gets A [r, in] and B [out, r]; its output gains scaling · x·Aᵀ·Bᵀ. */
export interface LoraModule {
  /** The layer's checkpoint name without `.weight`, e.g. "bert.encoder.layer.0.attention.self.query". */
  module: string;
  r: number;
  /** alpha / r (PEFT's scaling without use_rslora). */
  scaling: number;
  inFeatures: number;
  outFeatures: number;
}

export interface NamedShape {
  name: string;
  shape: readonly number[];
}

/** Adapter parameters are named `${module}.lora_A.weight` and `${module}.lora_B.weight`, as PEFT saves them. */
export const loraAName = (module: string): string => `${module}.lora_A.weight`;
export const loraBName = (module: string): string => `${module}.lora_B.weight`;
const ADAPTER = /\.lora_[AB]\.weight$/;
export const isAdapterName = (name: string): boolean => ADAPTER.test(name);

/** A layer name ends in `target` at a segment boundary (PEFT: key == target or key.endswith("." + target)). */
function endsWithSegments(module: string, target: string): boolean {
  return module === target || module.endsWith(`.${target}`);
}

/**
 * PEFT's get_pattern_key: the first key k for which the whole module name matches `(.*\.)?(k)$`; keys are plain
 * segment names here (TrainConfig validates them), so that is a segment-boundary suffix.
 */
export function patternKey(keys: readonly string[], module: string): string | null {
  return keys.find((k) => endsWithSegments(module, k)) ?? null;
}

/**
 * The linear layers (a 2-D `.weight` with a `.bias` beside it) that `lora` targets, outside the head. Throws
 * LORA_NO_TARGET when none matches, LORA_PATTERN_UNUSED for a rankPattern key that names no targeted layer.
 */
export function loraModules(params: readonly NamedShape[], lora: LoraConfig, isHead: (name: string) => boolean): LoraModule[] {
  const shapes = new Map(params.map((p) => [p.name, p.shape]));
  const patterns = Object.keys(lora.rankPattern ?? {});
  const used = new Set<string>();
  const modules: LoraModule[] = [];
  for (const { name, shape } of params) {
    if (!name.endsWith('.weight') || shape.length !== 2 || isAdapterName(name) || isHead(name)) continue;
    const module = name.slice(0, -'.weight'.length);
    if (!shapes.has(`${module}.bias`) || !lora.targetModules.some((t) => endsWithSegments(module, t))) continue;
    const key = patternKey(patterns, module);
    if (key !== null) used.add(key);
    const r = key === null ? lora.r : (lora.rankPattern as Record<string, number>)[key];
    modules.push({ module, r, scaling: lora.alpha / r, inFeatures: shape[1], outFeatures: shape[0] });
  }
  if (modules.length === 0) {
    throw new LayerwiseError('LORA_NO_TARGET', `LoRA's target modules (${lora.targetModules.join(', ')}) name no linear layer of this model's encoder: a target is the end of a layer's name, such as "query" for bert.encoder.layer.0.attention.self.query.`, { field: 'lora.targetModules' });
  }
  const unused = patterns.filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw new LayerwiseError('LORA_PATTERN_UNUSED', `These rankPattern keys name no layer that LoRA adapts: ${unused.join(', ')}.`, { field: 'lora.rankPattern' });
  }
  return modules;
}

/** The adapters' parameters: A [r, in] then B [out, r] per module, in module order. */
export function adapterShapes(modules: readonly LoraModule[]): [string, number[]][] {
  return modules.flatMap((m): [string, number[]][] => [
    [loraAName(m.module), [m.r, m.inFeatures]],
    [loraBName(m.module), [m.outFeatures, m.r]],
  ]);
}

/** Scalars the adapters add: r · (in + out) per module. */
export function adapterParameterCount(modules: readonly LoraModule[]): number {
  return modules.reduce((n, m) => n + m.r * (m.inFeatures + m.outFeatures), 0);
}

/**
 * PEFT's modules_to_save for the head: for each head parameter the outermost module whose parameters are all head
 * parameters ("classifier", "bert.pooler", "pre_classifier"), so that PEFT wraps whole modules, never nested ones.
 */
export function headModules(names: readonly string[], isHead: (name: string) => boolean): string[] {
  const modules = new Set<string>();
  const nonHead = names.filter((n) => !isHead(n) && !isAdapterName(n));
  for (const name of names) {
    if (!isHead(name) || isAdapterName(name)) continue;
    const segments = name.split('.');
    for (let k = 1; k < segments.length; k++) {
      const prefix = segments.slice(0, k).join('.');
      if (!nonHead.some((n) => n.startsWith(`${prefix}.`))) {
        modules.add(prefix);
        break;
      }
    }
  }
  return [...modules];
}
