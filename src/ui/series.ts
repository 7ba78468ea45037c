// Long series, thinned: the points a chart draws, and the one bounded history of a run's steps that the Train
// panel (status line, curves, layer heatmap) and the History record read, however long the run.
import type { StepTelemetry } from '../protocol/train-events';

/** Indices of at most `max` points spread over n, the first and last always kept. */
export function thinIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  const stride = (n - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(Math.round(i * stride));
  return out;
}

/** Steps kept for the curves: a thinning leaves more than half, more than the History's 1000 and a chart's 400 points. */
export const CURVE_STEPS = 2048;
/** Steps with per-group norms kept for the heatmap (the worker measures about 200 in a run). */
export const LAYER_STEPS = 256;
/** The latest steps are all kept: the status line's loss and tokens/s. */
export const RECENT_STEPS = 10;

/** A run's steps as the studio keeps them: bounded, evenly spread, the latest ones exact. A new one per batch. */
export interface StepHistory {
  /** Steps received (a resumed run's restored ones included). */
  count: number;
  /** Oldest first: the first step, every stride-th step after it, and the last RECENT_STEPS. */
  curve: readonly StepTelemetry[];
  stride: number;
  /** Oldest first: the steps that measured per-group norms, evenly thinned past LAYER_STEPS. */
  layers: readonly StepTelemetry[];
}

export const NO_STEPS: StepHistory = { count: 0, curve: [], stride: 1, layers: [] };

/** Whether the worker measured the per-group norms at this step (it does every few steps). */
export function measuresGroups(s: StepTelemetry): boolean {
  return s.groups.length > 0 && s.groups[0].gradNorm !== null;
}

/** The latest step received, if any. */
export function latestStep(h: StepHistory): StepTelemetry | undefined {
  return h.curve.at(-1);
}

/** The history with the steps of a batch after what it holds. */
export function appendSteps(h: StepHistory, steps: readonly StepTelemetry[]): StepHistory {
  const measured = steps.filter(measuresGroups);
  return bounded(h.count + steps.length, [...h.curve, ...steps], h.stride, measured.length > 0 ? [...h.layers, ...measured] : h.layers);
}

/** The history with a resumed run's earlier steps (stored thinned) before what it holds. */
export function prependSteps(h: StepHistory, steps: readonly StepTelemetry[]): StepHistory {
  return bounded(h.count + steps.length, [...steps, ...h.curve], 1, [...steps.filter(measuresGroups), ...h.layers]);
}

function bounded(count: number, curve: StepTelemetry[], stride: number, layers: readonly StepTelemetry[]): StepHistory {
  const first = curve[0]?.step ?? 0;
  const span = (curve.at(-1)?.step ?? 0) - first;
  const keep = (s: StepTelemetry, i: number, all: readonly StepTelemetry[]) => (s.step - first) % stride === 0 || i >= all.length - RECENT_STEPS;
  let kept = curve.filter(keep);
  // Each doubling leaves every other step of the grid: the kept steps stay evenly spread over the run.
  while (kept.length > CURVE_STEPS && stride <= span) {
    stride *= 2;
    kept = kept.filter(keep);
  }
  while (layers.length > LAYER_STEPS) layers = layers.filter((_, i) => i % 2 === 0 || i === layers.length - 1);
  return { count, curve: kept, stride, layers };
}
