// The Sweep panel's form as data (issue #18): what the user typed for each parameter, read into the SweepConfig that
// `layerwise sweep --config` reads (protocol/sweep.ts) and validated as it validates it; and a finished trial's
// settings as a patch of the Configure draft ("Use this trial's settings"). Pure, so that tests compare it with the
// protocol's own planner.
import { LayerwiseError } from '../../../lib/errors';
import { parseSweepConfig, rankTrials, type PlannedTrial, type SweepConfig, type SweepParam, type SweepRange, type SweepSpace, type TrialResult } from '../../../protocol/sweep';
import type { EvalMetric, TrainConfig } from '../../../protocol/train-config';

/** The parameters swept over numbers; freezing is swept over presets. */
export const NUMERIC_PARAMS = ['learningRate', 'batchSize', 'layerDecay', 'warmupRatio', 'dropout', 'weightDecay'] as const;
export type NumericParam = (typeof NUMERIC_PARAMS)[number];

/** The freezing presets of the Layers panel a sweep can compare: everything trains, the top two layers, the head only. */
export const FREEZE_PRESETS = ['all', 'last-2', 'head-only'] as const;
export type FreezePreset = (typeof FREEZE_PRESETS)[number];

export interface SweepDraft {
  method: 'grid' | 'random';
  /** As typed: "1e-4, 3e-4" (a list) or "1e-5 .. 1e-3 log" (a range, random search only); empty: not swept. */
  values: Record<NumericParam, string>;
  /** The freezing presets tried; none: freezing is not swept (every trial keeps Configure's). */
  freeze: FreezePreset[];
  // Numbers as the number fields hand them on (a number, or the text when it is not one): parseSweepConfig says what is wrong.
  trials: unknown;
  seed: unknown;
  metric: EvalMetric;
  /** Successive halving's eta and rungs; null trains every trial for the full epochs. */
  halving: { eta: unknown; rungs: unknown } | null;
}

export const DEFAULT_SWEEP_DRAFT: SweepDraft = {
  method: 'random',
  values: { learningRate: '1e-5 .. 1e-3 log', batchSize: '', layerDecay: '', warmupRatio: '', dropout: '', weightDecay: '' },
  freeze: [],
  trials: 8,
  seed: 42,
  metric: 'eval_loss',
  halving: null,
};

function invalid(message: string, field: string): never {
  throw new LayerwiseError('SWEEP_CONFIG_INVALID', message, { field });
}

const RANGE = /^(\S+)\s*\.\.\s*(\S+?)(\s+log)?$/;

/** One parameter's text as a list of numbers or a range; null when empty (not swept). */
export function readValues(param: NumericParam, text: string): number[] | SweepRange | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const field = `space.${param}`;
  const number = (s: string) => {
    const n = s.trim() === '' ? NaN : Number(s);
    if (!Number.isFinite(n)) invalid(`${field}: "${s.trim()}" is not a number`, field);
    return n;
  };
  const range = RANGE.exec(trimmed);
  if (range !== null) return range[3] === undefined ? { min: number(range[1]), max: number(range[2]) } : { min: number(range[1]), max: number(range[2]), log: true };
  return trimmed.split(',').map(number);
}

/**
 * The sweep the form describes, every trial starting from `base` (Configure's config); `freezeOf` gives a preset's
 * freeze list for the run's model. Throws SWEEP_CONFIG_INVALID naming the field, as parseSweepConfig does.
 */
export function sweepFromDraft(draft: SweepDraft, base: TrainConfig, freezeOf: (preset: FreezePreset) => string[]): SweepConfig {
  const space: SweepSpace = {};
  for (const param of NUMERIC_PARAMS) {
    const values = readValues(param, draft.values[param]);
    if (values !== null) (space as Record<string, unknown>)[param] = values;
  }
  if (draft.freeze.length > 0) space.freeze = draft.freeze.map(freezeOf);
  return parseSweepConfig({ base, method: draft.method, space, trials: draft.trials, seed: draft.seed, metric: draft.metric, halving: draft.halving });
}

/** The swept parameters that are TrainConfig fields of their own (warmupRatio and dropout live in objects). */
const TOP_LEVEL = ['learningRate', 'batchSize', 'layerDecay', 'weightDecay', 'freeze'] as const satisfies readonly (SweepParam & keyof TrainConfig)[];

/**
 * "Use this trial's settings": the trial's swept values as a patch of the draft, the other fields as the user left
 * them. Objects that hold a swept value (schedule, dropout) are the draft's with that value set, as the planner sets it.
 */
export function trialPatch(trial: PlannedTrial, draft: TrainConfig): Partial<TrainConfig> {
  const patch: Partial<TrainConfig> = {};
  for (const field of TOP_LEVEL) if (trial.values[field] !== undefined) Object.assign(patch, { [field]: trial.config[field] });
  if (trial.values.warmupRatio !== undefined) patch.schedule = { ...draft.schedule, warmupRatio: trial.config.schedule.warmupRatio, warmupSteps: null };
  if (trial.values.dropout !== undefined) patch.dropout = { ...draft.dropout, hidden: trial.config.dropout.hidden, attention: trial.config.dropout.attention };
  return patch;
}

/**
 * The results ordered best first by a metric: the sweep's own metric by each result's score (rankTrials, the
 * restored best when early stopping restores it), any other by its value in the result's metrics; results without
 * it come last, by trial.
 */
export function sortResults(sweep: SweepConfig, results: readonly TrialResult[], metric: EvalMetric): TrialResult[] {
  if (metric === sweep.metric) return rankTrials(sweep, results);
  // rankTrials keeps the objects it is given: each copy scored by the metric leads back to its result.
  const byCopy = new Map(results.map((r) => [{ ...r, score: r.metrics?.[metric] ?? null }, r]));
  return rankTrials({ ...sweep, metric }, [...byCopy.keys()]).map((copy) => byCopy.get(copy) as TrialResult);
}
