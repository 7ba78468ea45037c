// A small hyperparameter search (issue #18), as plain data shared by the studio and `layerwise sweep`: which
// TrainConfig fields vary and over what, grid or seeded random trials within a budget, and successive halving
// (Jamieson & Talwalkar 2016): every trial trains a short budget first, the best 1/eta go on with eta times more, and
// only the last rung trains the full epochs. A rung restarts its trials from the start (a run's schedule depends on
// its length, so a longer run is not a continued shorter one). The plan is a pure function of the config.
import { LayerwiseError } from '../lib/errors';
import { createRng, streamId } from '../lib/random';
import { EVAL_METRICS, METRIC_GOAL, METRICS_BY_TASK, parseTrainConfig, type EvalMetric, type TrainConfig } from './train-config';

/** A numeric range drawn uniformly, or log-uniformly (learning rates, weight decay). */
export interface SweepRange {
  min: number;
  max: number;
  log?: boolean;
}

/** What a trial may vary: lists for grid and random search, ranges for random search only. */
export interface SweepSpace {
  learningRate?: number[] | SweepRange;
  batchSize?: number[];
  layerDecay?: number[] | SweepRange;
  /** schedule.warmupRatio */
  warmupRatio?: number[] | SweepRange;
  /** dropout.hidden and dropout.attention together. */
  dropout?: number[] | SweepRange;
  weightDecay?: number[] | SweepRange;
  /** Freezing presets: each a list of checkpoint-name prefixes (TrainConfig.freeze). */
  freeze?: string[][];
}

export const SWEEP_PARAMS = ['learningRate', 'batchSize', 'layerDecay', 'warmupRatio', 'dropout', 'weightDecay', 'freeze'] as const;
export type SweepParam = (typeof SWEEP_PARAMS)[number];

export interface SweepConfig {
  /** TrainConfig fields every trial starts from (validated as a TrainConfig). */
  base: Record<string, unknown>;
  method: 'grid' | 'random';
  space: SweepSpace;
  /** The budget: trials of random search; a grid must not have more points. */
  trials: number;
  seed: number;
  /** The metric trials are ranked by (its goal from METRIC_GOAL). */
  metric: EvalMetric;
  /** Successive halving: `rungs` rounds, keeping the best 1/eta each time; null trains every trial fully. */
  halving: { eta: number; rungs: number } | null;
}

/** One trial: its values of the swept parameters and the TrainConfig they make. */
export interface PlannedTrial {
  id: number;
  values: Partial<Record<SweepParam, number | string[]>>;
  config: TrainConfig;
}

/** A trial's outcome at one rung, as `layerwise sweep` writes it (one JSONL line) and the studio lists it. */
export interface TrialResult {
  id: number;
  rung: number;
  epochs: number;
  values: PlannedTrial['values'];
  /** The ranking metric's value at the end of the rung (the restored best when early stopping restores it); null when it could not be measured. */
  score: number | null;
  metrics: Record<string, number> | null;
  /** Why a trial has no score: its run failed (diverged, ...). */
  error: string | null;
  seconds: number;
}

function fail(message: string, field: string): never {
  throw new LayerwiseError('SWEEP_CONFIG_INVALID', message, { field });
}

function isRange(v: unknown): v is SweepRange {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as SweepRange).min === 'number' && typeof (v as SweepRange).max === 'number';
}

/** Validates a sweep config; every problem is a SWEEP_CONFIG_INVALID naming its field. */
export function parseSweepConfig(input: unknown, file?: string): SweepConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail(`${file ?? 'the sweep config'} must be a JSON object`, '(config)');
  const raw = input as Record<string, unknown>;
  const known = ['base', 'method', 'space', 'trials', 'seed', 'metric', 'halving'];
  for (const key of Object.keys(raw)) if (!known.includes(key)) fail(`unknown field "${key}" (known: ${known.join(', ')})`, key);
  const base = (raw.base ?? {}) as Record<string, unknown>;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) fail('base must be an object of TrainConfig fields', 'base');
  parseTrainConfig(base, file);
  const method = raw.method ?? 'random';
  if (method !== 'grid' && method !== 'random') fail(`method must be "grid" or "random", got ${JSON.stringify(method)}`, 'method');
  const space = raw.space as Record<string, unknown> | undefined;
  if (typeof space !== 'object' || space === null || Array.isArray(space) || Object.keys(space).length === 0) {
    fail(`space must name at least one of ${SWEEP_PARAMS.join(', ')}`, 'space');
  }
  for (const [key, value] of Object.entries(space)) {
    const where = `space.${key}`;
    if (!(SWEEP_PARAMS as readonly string[]).includes(key)) fail(`${where}: unknown (sweepable: ${SWEEP_PARAMS.join(', ')})`, where);
    if (key === 'freeze') {
      if (!Array.isArray(value) || value.length === 0 || !value.every((p) => Array.isArray(p) && p.every((s) => typeof s === 'string'))) {
        fail(`${where} must be a non-empty list of prefix lists, e.g. [[], ["bert.embeddings"]]`, where);
      }
    } else if (isRange(value)) {
      if (method === 'grid') fail(`${where}: a grid needs a list of values, not a range`, where);
      if (key === 'batchSize') fail(`${where} must be a list of batch sizes`, where);
      if (!(value.min < value.max) || (value.log === true && !(value.min > 0))) fail(`${where}: need min < max${value.log ? ' and min > 0 on a log scale' : ''}`, where);
    } else if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      fail(`${where} must be a non-empty list of numbers${method === 'random' && key !== 'batchSize' ? ' or a range {min, max, log?}' : ''}`, where);
    }
  }
  const trials = raw.trials ?? 8;
  if (!(Number.isSafeInteger(trials) && (trials as number) >= 1 && (trials as number) <= 1000)) fail(`trials must be an integer in [1, 1000], got ${JSON.stringify(trials)}`, 'trials');
  const seed = raw.seed ?? 42;
  if (!(Number.isSafeInteger(seed) && (seed as number) >= 0)) fail(`seed must be an integer >= 0, got ${JSON.stringify(seed)}`, 'seed');
  const metric = raw.metric ?? 'eval_loss';
  if (!(EVAL_METRICS as readonly unknown[]).includes(metric)) fail(`metric must be one of ${EVAL_METRICS.join(', ')}, got ${JSON.stringify(metric)}`, 'metric');
  const halving = raw.halving ?? null;
  if (halving !== null) {
    const h = halving as { eta?: unknown; rungs?: unknown };
    if (typeof h !== 'object' || !(typeof h.eta === 'number' && h.eta >= 2) || !(Number.isSafeInteger(h.rungs) && (h.rungs as number) >= 2)) {
      fail('halving must be null or {eta >= 2, rungs >= 2 (an integer)}', 'halving');
    }
  }
  const config: SweepConfig = { base, method: method as SweepConfig['method'], space: space as SweepSpace, trials: trials as number, seed: seed as number, metric: metric as EvalMetric, halving: halving as SweepConfig['halving'] };
  // The grid's size and the trial configs are checked here too, so that a bad sweep fails before its first trial.
  const [first] = planTrials(config, file);
  const reported = METRICS_BY_TASK[first.config.task];
  if (!reported.includes(config.metric)) fail(`metric "${config.metric}" is not reported for task ${first.config.task} (${reported.join(', ')})`, 'metric');
  return config;
}

const draw = (range: SweepRange, u: number) =>
  range.log === true ? Math.exp(Math.log(range.min) + u * (Math.log(range.max) - Math.log(range.min))) : range.min + u * (range.max - range.min);

/** The value of one parameter in a trial's TrainConfig fields. */
function apply(fields: Record<string, unknown>, param: SweepParam, value: number | string[]): Record<string, unknown> {
  const obj = (key: string) => ({ ...((fields[key] as object | undefined) ?? {}) });
  switch (param) {
    case 'warmupRatio':
      return { ...fields, schedule: { ...obj('schedule'), warmupRatio: value, warmupSteps: null } };
    case 'dropout':
      return { ...fields, dropout: { ...obj('dropout'), hidden: value, attention: value } };
    default:
      return { ...fields, [param]: value };
  }
}

/** The trials of a sweep: every grid point, or `trials` seeded random draws; each config validated. */
export function planTrials(sweep: SweepConfig, file?: string): PlannedTrial[] {
  const params = SWEEP_PARAMS.filter((p) => sweep.space[p] !== undefined);
  let points: PlannedTrial['values'][];
  if (sweep.method === 'grid') {
    points = [{}];
    for (const p of params) {
      const values = sweep.space[p] as (number | string[])[];
      points = points.flatMap((point) => values.map((v) => ({ ...point, [p]: v })));
    }
    if (points.length > sweep.trials) fail(`the grid has ${points.length} points, more than the budget of ${sweep.trials} trials: raise trials or use fewer values`, 'trials');
  } else {
    const rng = createRng(sweep.seed, streamId('sweep'));
    points = Array.from({ length: sweep.trials }, () =>
      Object.fromEntries(
        params.map((p) => {
          const space = sweep.space[p] as (number | string[])[] | SweepRange;
          return [p, isRange(space) ? Number(draw(space, rng.next()).toPrecision(3)) : space[rng.int(space.length)]];
        }),
      ),
    );
  }
  return points.map((values, id) => {
    const fields = (Object.entries(values) as [SweepParam, number | string[]][]).reduce((f, [p, v]) => apply(f, p, v), sweep.base);
    try {
      return { id, values, config: parseTrainConfig(fields, file) };
    } catch (err) {
      fail(`trial ${id} (${JSON.stringify(values)}) is not a valid TrainConfig: ${(err as Error).message}`, 'space');
    }
  });
}

/** The epochs each rung trains for (the last one the base config's epochs) and how many trials go on to each. */
export function halvingPlan(sweep: SweepConfig, trials: number, epochs: number): { epochs: number; trials: number }[] {
  if (sweep.halving === null) return [{ epochs, trials }];
  const { eta, rungs } = sweep.halving;
  return Array.from({ length: rungs }, (_, r) => ({
    epochs: epochs / eta ** (rungs - 1 - r),
    trials: Math.max(1, Math.ceil(trials / eta ** r)),
  }));
}

/** The trials of a rung ranked best first by the sweep's metric; those without a score come last. */
export function rankTrials(sweep: SweepConfig, results: readonly TrialResult[]): TrialResult[] {
  const sign = METRIC_GOAL[sweep.metric] === 'max' ? -1 : 1;
  return [...results].sort((a, b) => {
    if (a.score === null || b.score === null) return a.score === null ? (b.score === null ? a.id - b.id : 1) : -1;
    return sign * (a.score - b.score) || a.id - b.id;
  });
}
