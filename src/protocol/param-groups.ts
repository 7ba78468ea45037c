// Which parameters train, at what learning-rate scale and with what weight decay: freezing, ULMFiT gradual
// unfreezing, the layer-wise pyramid (ELECTRA/ULMFiT-style layer decay) and per-prefix multipliers. Pure data, so
// the loop, the CLI and the UI's layer tree compute the same plan; the decay exclusions follow the transformers Trainer.
import { LayerwiseError } from '../lib/errors';
import { isBottleneckName } from './bottleneck';
import { isAdapterName } from './lora';
import { HEADS_PREFIX } from './multitask';
import { learningRateAt } from './schedule';
import type { TrainConfig } from './train-config';

export interface ParameterPlan {
  /** Checkpoint name. */
  name: string;
  /** Module path used for telemetry and the layer tree: "bert.encoder.layer.3", "bert.embeddings", "classifier". */
  group: string;
  /** depthOf(name): 0 embeddings, 1..L encoder layers, L+1 pooler and head. */
  depth: number;
  /** False: the parameter is left out of the gradient computation. */
  trainable: boolean;
  /**
   * Why it does not train, when it does not ('lora' / 'adapters': a weight of the base model under LoRA or bottleneck
   * adapters, which train adapters instead).
   */
  frozenBy: 'freeze' | 'gradual-unfreeze' | 'lora' | 'adapters' | null;
  /** Factor on the scheduled learning rate: pyramid × multiplier; exactly 0 when frozen. */
  lrScale: number;
  /** AdamW weight decay for this parameter: config.weightDecay, or 0 for noDecay names (biases, LayerNorms). */
  weightDecay: number;
}

export interface GroupPlan {
  /** Module path shared by its parameters. */
  name: string;
  /** The smallest depth of its parameters. */
  depth: number;
  params: string[];
  /** True when any of its parameters trains. */
  trainable: boolean;
  /** The largest lrScale of its parameters (they differ only when a multiplier names part of the module). */
  lrScale: number;
}

export interface ParameterGroupsPlan {
  params: ParameterPlan[];
  groups: GroupPlan[];
}

/** A prefix covers whole dotted segments: "bert.encoder.layer.1" covers "bert.encoder.layer.1.x", not "...layer.10". */
function matchesPrefix(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}.`);
}

const INDEX = /^\d+$/;

/**
 * The module path of a parameter: through the layer index where there is one ("bert.encoder.layer.3"), else the
 * base model's sub-module ("bert.embeddings", "bert.pooler") or the head's first segment ("classifier", "cls"); a
 * multi-task head's name ("heads.ner").
 */
function groupOf(name: string, basePrefixes: ReadonlySet<string>): string {
  const segments = name.split('.');
  // A multi-task head is a group of its own: "heads.ner" (protocol/multitask.ts).
  if (segments[0] === HEADS_PREFIX && segments.length > 2) return segments.slice(0, 2).join('.');
  const index = segments.findIndex((s, i) => i > 0 && INDEX.test(s));
  if (index > 0) return segments.slice(0, index + 1).join('.');
  if (segments.length === 1) return name;
  const keep = basePrefixes.has(segments[0]) && segments.length > 2 ? 2 : 1;
  return segments.slice(0, keep).join('.');
}

/** Base-model prefixes ("bert", "distilbert"): first segments of names that reach a numbered layer 3 deep or more. */
function basePrefixesOf(names: readonly string[]): Set<string> {
  const bases = new Set<string>();
  for (const name of names) {
    const segments = name.split('.');
    if (segments.findIndex((s, i) => i > 0 && INDEX.test(s)) >= 3) bases.add(segments[0]);
  }
  return bases;
}

/** Fails with every freeze / lrMultipliers prefix that names no parameter (a typo must not pass silently). */
function checkPrefixes(names: readonly string[], config: TrainConfig): void {
  const unknown = [
    ...config.freeze.map((p) => ({ field: 'freeze', prefix: p })),
    ...Object.keys(config.lrMultipliers).map((p) => ({ field: 'lrMultipliers', prefix: p })),
  ].filter(({ prefix }) => !names.some((n) => matchesPrefix(n, prefix)));
  if (unknown.length === 0) return;
  const list = unknown.map((u) => `${u.field} "${u.prefix}"`).join(', ');
  throw new LayerwiseError(
    'TRAIN_CONFIG_UNKNOWN_PREFIX',
    `These prefixes match no parameter of the model: ${list}. A prefix covers whole dotted segments of checkpoint names.`,
    { field: [...new Set(unknown.map((u) => u.field))].join(', ') },
  );
}

/** The lrMultipliers factor of the longest prefix that covers name (1 when none does). */
function multiplierOf(name: string, multipliers: Readonly<Record<string, number>>): number {
  let best = '';
  let factor = 1;
  for (const [prefix, f] of Object.entries(multipliers)) {
    if (matchesPrefix(name, prefix) && prefix.length > best.length) {
      best = prefix;
      factor = f;
    }
  }
  return factor;
}

/**
 * Plans every parameter for the given epoch (0-based; it matters only for gradual unfreezing). depthOf is the model
 * family's depthOf bound to its config; numLayers is L. Encoder layer i has depth i+1, so with layerDecay ξ the top
 * layer and the head get the full rate, layer i gets ξ^(L−i−1) and the embeddings ξ^L.
 */
export function planParameterGroups(
  names: readonly string[],
  depthOf: (name: string) => number,
  numLayers: number,
  config: TrainConfig,
  epoch = 0,
): ParameterGroupsPlan {
  checkPrefixes(names, config);
  const bases = basePrefixesOf(names);
  const noDecay = config.noDecay.map((s) => s.toLowerCase());
  // ULMFiT: the head trains from the start; after every gradualUnfreeze epochs one more layer below it joins.
  const lowestTrainable =
    config.gradualUnfreeze === null ? 0 : numLayers + 1 - Math.floor(epoch / config.gradualUnfreeze);

  // LoRA: the base model (depth 0..L) is frozen but for its adapters; the head (depth L + 1) trains whole.
  const loraFrozen = (name: string, depth: number) => config.lora !== null && depth <= numLayers && !isAdapterName(name);
  // Bottleneck adapters: the same, with the adapters' own parameters training.
  const adapterFrozen = (name: string, depth: number) => config.adapters !== null && depth <= numLayers && !isBottleneckName(name);
  const params = names.map((name): ParameterPlan => {
    const depth = depthOf(name);
    const frozenBy = config.freeze.some((p) => matchesPrefix(name, p))
      ? 'freeze'
      : loraFrozen(name, depth)
        ? 'lora'
        : adapterFrozen(name, depth)
          ? 'adapters'
          : depth < lowestTrainable
          ? 'gradual-unfreeze'
          : null;
    const pyramid = depth > numLayers ? 1 : config.layerDecay ** (numLayers - depth);
    const lower = name.toLowerCase();
    return {
      name,
      group: groupOf(name, bases),
      depth,
      trainable: frozenBy === null,
      frozenBy,
      lrScale: frozenBy === null ? pyramid * multiplierOf(name, config.lrMultipliers) : 0,
      weightDecay: noDecay.some((s) => lower.includes(s)) ? 0 : config.weightDecay,
    };
  });

  const groups = new Map<string, GroupPlan>();
  for (const p of params) {
    const g = groups.get(p.group);
    if (g === undefined) {
      groups.set(p.group, { name: p.group, depth: p.depth, params: [p.name], trainable: p.trainable, lrScale: p.lrScale });
    } else {
      g.params.push(p.name);
      g.depth = Math.min(g.depth, p.depth);
      g.trainable ||= p.trainable;
      g.lrScale = Math.max(g.lrScale, p.lrScale);
    }
  }
  // Bottom to top (embeddings, layers 0..L-1, head); checkpoint order within a depth (the sort is stable).
  return { params, groups: [...groups.values()].sort((a, b) => a.depth - b.depth) };
}

/**
 * The learning rate of a parameter or group with this lrScale at optimizer step `step` (0-based); exactly 0 when
 * frozen. baseLr is the config's rate, or PlateauScheduler.lr for the plateau schedule.
 */
export function effectiveLr(
  lrScale: number,
  step: number,
  totalSteps: number,
  config: TrainConfig,
  baseLr = config.learningRate,
): number {
  return lrScale === 0 ? 0 : lrScale * learningRateAt(step, totalSteps, config.schedule, baseLr);
}
