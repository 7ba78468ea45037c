// The one history of a run's steps (src/ui/series.ts StepHistory): every step of a short run as it came; a long
// run bounded and evenly spread, its first and last ten steps exact and its measured steps (the heatmap's) all there;
// a resumed run's stored steps in front of the new ones.
import { describe, expect, it } from 'vitest';
import type { StepTelemetry } from '../../src/protocol/train-events';
import { appendSteps, CURVE_STEPS, latestStep, LAYER_STEPS, NO_STEPS, prependSteps, RECENT_STEPS, type StepHistory } from '../../src/ui/series';

/** Step n; every `measureEvery`-th step carries per-group norms, as the worker sends them. */
const step = (n: number, measureEvery = 0): StepTelemetry => ({
  step: n,
  epoch: n / 100,
  loss: 1 / n,
  penalty: 0,
  gradNorm: 1,
  skipped: false,
  learningRate: 1e-3,
  groups: [{ name: 'classifier', lr: 1e-3, gradNorm: measureEvery > 0 && n % measureEvery === 0 ? 0.5 : null, weightDelta: null }],
  tokens: 100,
  seconds: 0.1,
  tokensPerSecond: 1000,
});

/** A run of n steps, sent in batches of `batch` as trainingProgressed does. */
function run(n: number, batch: number, measureEvery = 0, from: StepHistory = NO_STEPS): StepHistory {
  let h = from;
  for (let s = 1; s <= n; s += batch) h = appendSteps(h, Array.from({ length: Math.min(batch, n - s + 1) }, (_, i) => step(s + i, measureEvery)));
  return h;
}

describe('StepHistory', () => {
  it('keeps every step of a run shorter than its bound, in order', () => {
    const h = run(1500, 7);
    expect(h.count).toBe(1500);
    expect(h.stride).toBe(1);
    expect(h.curve.map((s) => s.step)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
  });

  it('bounds a long run to evenly spread steps, with the first and the latest ten exact', () => {
    const h = run(100_000, 13, 500);
    expect(h.count).toBe(100_000);
    expect(h.curve.length).toBeLessThanOrEqual(CURVE_STEPS);
    expect(h.curve.length).toBeGreaterThan(CURVE_STEPS / 2);
    const steps = h.curve.map((s) => s.step);
    expect(steps[0]).toBe(1);
    expect(latestStep(h)?.step).toBe(100_000);
    expect(steps.slice(-RECENT_STEPS)).toEqual(Array.from({ length: RECENT_STEPS }, (_, i) => 100_000 - RECENT_STEPS + 1 + i));
    // Before the tail, every kept step is on the stride's grid from the first.
    const grid = steps.slice(0, -RECENT_STEPS);
    expect(grid.every((s, i) => i === 0 || s - grid[i - 1] === h.stride)).toBe(true);
    // The 200 steps that measured the groups are all kept for the heatmap.
    expect(h.layers.map((s) => s.step)).toEqual(Array.from({ length: 200 }, (_, i) => (i + 1) * 500));
  });

  it('thins the measured steps too when there are more than it keeps, the latest always kept', () => {
    const h = run(5000, 50, 1);
    expect(h.layers.length).toBeLessThanOrEqual(LAYER_STEPS);
    expect(h.layers[0].step).toBe(1);
    expect(h.layers.at(-1)?.step).toBe(5000);
  });

  it('keeps the measured steps as they were when a batch has none', () => {
    const h = run(20, 10, 10);
    expect(appendSteps(h, [step(21, 10)]).layers).toBe(h.layers);
  });

  it('puts the stored steps of a resumed run before the new ones', () => {
    const stored = Array.from({ length: 300 }, (_, i) => step(i * 10 + 1));
    const resumed = prependSteps(NO_STEPS, stored);
    const h = appendSteps(resumed, [step(3001), step(3002)]);
    expect(h.count).toBe(302);
    expect(h.curve[0].step).toBe(1);
    expect(h.curve.at(-3)?.step).toBe(2991);
    expect(latestStep(h)?.step).toBe(3002);
  });
});
