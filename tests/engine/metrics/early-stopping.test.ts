// Early stopping as transformers' EarlyStoppingCallback: patience counts evaluations that do not beat the previous
// best by more than minDelta; the best evaluation is any strict improvement. Sequences are traced by hand below.
import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../../src/engine/metrics/early-stopping';
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
