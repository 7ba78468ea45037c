// Early stopping as transformers' EarlyStoppingCallback: patience counts evaluations that do not beat the previous
// best by more than minDelta; the best evaluation is any strict improvement. Sequences are traced by hand below, and
// seeded sequences on a grid (ties and gains of exactly minDelta) are compared with a transcription of the callback.
import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../../src/engine/metrics/early-stopping';
import { createRng } from '../../../src/lib/random';
import type { EarlyStoppingConfig } from '../../../src/protocol/train-config';

const config = (c: Partial<EarlyStoppingConfig>): EarlyStoppingConfig => ({
  metric: 'eval_loss',
  patience: 2,
  minDelta: 0,
  restoreBest: true,
  ...c,
});

function run(stopper: EarlyStopping, metric: 'eval_loss' | 'f1_macro', values: number[]) {
  return values.map((v, i) => stopper.update((i + 1) * 10, { [metric]: v }));
}

describe('EarlyStopping', () => {
  it('stops after `patience` evaluations without a lower loss, keeping the best step', () => {
    const e = new EarlyStopping(config({ patience: 2 }));
    // 1.0 best; 0.8 best; 0.85 bad (1); 0.7 best (reset); 0.7 bad (1, not strictly lower); 0.9 bad (2) -> stop.
    const d = run(e, 'eval_loss', [1.0, 0.8, 0.85, 0.7, 0.7, 0.9]);
    expect(d.map((x) => x.isBest)).toEqual([true, true, false, true, false, false]);
    expect(d.map((x) => x.shouldStop)).toEqual([false, false, false, false, false, true]);
    expect(e.best).toEqual({ value: 0.7, step: 40 });
  });

  it('maximises F1 and ignores improvements within minDelta for patience, not for best', () => {
    const e = new EarlyStopping(config({ metric: 'f1_macro', patience: 2, minDelta: 0.01 }));
    // 0.50 best; 0.505 best but |Δ| 0.005 ≤ 0.01: bad (1); 0.52 best, |0.52 − 0.505| = 0.015 > 0.01: reset;
    // 0.525 best, small: bad (1); 0.4 bad (2) -> stop.
    const d = run(e, 'f1_macro', [0.5, 0.505, 0.52, 0.525, 0.4]);
    expect(d.map((x) => x.isBest)).toEqual([true, true, true, true, false]);
    expect(d.map((x) => x.shouldStop)).toEqual([false, false, false, false, true]);
    expect(e.best).toEqual({ value: 0.525, step: 40 });
  });

  it('a gain of exactly minDelta is not an improvement for patience (abs(value − best) > threshold), a hair more is', () => {
    // 1 → 0.75 → 0.5: gains of exactly 0.25 (exact in binary) are new bests that do not reset the count; patience 2.
    const e = new EarlyStopping(config({ patience: 2, minDelta: 0.25 }));
    const d = run(e, 'eval_loss', [1, 0.75, 0.5]);
    expect(d.map((x) => x.isBest)).toEqual([true, true, true]);
    expect(d.map((x) => x.shouldStop)).toEqual([false, false, true]);
    // Maximising: 0.5 → 0.625 is exactly minDelta 0.125 (bad, 1), then 0.625 → the next double above 0.75 is more (reset).
    const f = new EarlyStopping(config({ metric: 'f1_macro', patience: 2, minDelta: 0.125 }));
    const g = run(f, 'f1_macro', [0.5, 0.625, 0.7500000000000001, 0.875, 0.875]);
    expect(g.map((x) => x.isBest)).toEqual([true, true, true, true, false]);
    expect(g.map((x) => x.shouldStop)).toEqual([false, false, false, false, true]);
  });

  it('follows EarlyStoppingCallback + Trainer best_metric on seeded sequences with ties and gains of exactly minDelta', () => {
    // transformers: EarlyStoppingCallback.check_metric_value (on_evaluate, before the Trainer updates best_metric),
    // then Trainer._determine_best_metric: best_metric = value when it is None or operator(value, best_metric).
    function callback(values: number[], greaterIsBetter: boolean, threshold: number, patience: number) {
      const operator = (a: number, b: number) => (greaterIsBetter ? a > b : a < b);
      let best: number | null = null;
      let counter = 0;
      return values.map((value) => {
        if (best === null || (operator(value, best) && Math.abs(value - best) > threshold)) counter = 0;
        else counter += 1;
        const isBest = best === null || operator(value, best);
        if (isBest) best = value;
        return { isBest, shouldStop: counter >= patience };
      });
    }
    const rng = createRng(21);
    for (let trial = 0; trial < 200; trial++) {
      const metric = trial % 2 === 0 ? 'eval_loss' : 'f1_macro';
      const minDelta = [0, 0.125, 0.25][trial % 3];
      const patience = 1 + rng.int(4);
      let value = 1;
      const values = Array.from({ length: 12 }, () => (value += (rng.int(7) - 3) * 0.125));
      const expected = callback(values, metric === 'f1_macro', minDelta, patience);
      const stop = expected.findIndex((x) => x.shouldStop);
      const upTo = stop === -1 ? values.length : stop + 1; // the run ends at the first stop
      const e = new EarlyStopping(config({ metric, patience, minDelta }));
      expect(run(e, metric, values.slice(0, upTo)), JSON.stringify({ metric, minDelta, patience, values })).toEqual(expected.slice(0, upTo));
    }
  });

  it('treats NaN as no improvement and never stops with patience null', () => {
    const e = new EarlyStopping(config({ patience: null }));
    const d = run(e, 'eval_loss', [NaN, 2, NaN, NaN, NaN, 3]);
    expect(d.map((x) => x.isBest)).toEqual([false, true, false, false, false, false]);
    expect(d.some((x) => x.shouldStop)).toBe(false);
    expect(e.best).toEqual({ value: 2, step: 20 });
  });

  it('resumes from a snapshot', () => {
    const first = new EarlyStopping(config({ patience: 3 }));
    run(first, 'eval_loss', [1, 1.1, 1.2]); // best 1 at step 10, 2 bad evaluations
    const resumed = new EarlyStopping(config({ patience: 3 }), first.snapshot());
    expect(resumed.update(40, { eval_loss: 1.05 }).shouldStop).toBe(true);
    expect(resumed.best).toEqual({ value: 1, step: 10 });
  });

  it('refuses an evaluation without the watched metric', () => {
    const e = new EarlyStopping(config({ metric: 'entity_f1' }));
    expect(() => e.update(1, { eval_loss: 1 })).toThrow(
      expect.objectContaining({ code: 'EARLY_STOPPING_METRIC_MISSING' }),
    );
  });
});
