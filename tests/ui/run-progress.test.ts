// The Train panel's words and numbers (src/ui/features/training/run-progress.ts): the status line in the issue's
// own example, clock and ETA arithmetic by hand, and the patience count replayed against the engine's EarlyStopping
// (engine/metrics/early-stopping.ts, transformers' EarlyStoppingCallback semantics) on the same evaluations.
import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../src/engine/metrics/early-stopping';
import type { EarlyStoppingConfig } from '../../src/protocol/train-config';
import type { EvalRecord, StepTelemetry } from '../../src/protocol/train-events';
import { currentEpoch, etaSeconds, formatClock, formatLoss, patienceState, recentTokensPerSecond, statusLine } from '../../src/ui/features/training/run-progress';
import { thinIndices } from '../../src/ui/series';

describe('status line', () => {
  it('reads as the issue writes it', () => {
    expect(statusLine({ epoch: 1, epochs: 3, step: 120, totalSteps: 900, loss: 0.4123, tokensPerSecond: 1830.4, eta: 250 })).toBe(
      'Epoch 1/3 · step 120/900 · loss 0.412 · 1,830 tokens/s · ETA 4:10',
    );
  });

  it('leaves out what is not known yet and says NaN for a diverged loss', () => {
    expect(statusLine({ epoch: 0, epochs: 2, step: 0, totalSteps: 10, loss: null, tokensPerSecond: null, eta: null })).toBe('Epoch 1/2 · step 0/10');
    expect(formatLoss(NaN)).toBe('NaN');
  });

  it('formats clocks and ETAs', () => {
    expect(formatClock(250)).toBe('4:10');
    expect(formatClock(3723)).toBe('1:02:03');
    expect(formatClock(0)).toBe('0:00');
    // 30 of 90 steps in 60 s: 60 steps left at 2 s each.
    expect(etaSeconds(30, 90, 60_000)).toBe(120);
    expect(etaSeconds(0, 90, 1000)).toBeNull();
  });

  it('tokens per second over recent steps, and the epoch of the last step', () => {
    const step = (s: number, tokens: number, seconds: number) => ({ step: s, tokens, seconds }) as StepTelemetry;
    expect(recentTokensPerSecond([step(1, 100, 1), step(2, 300, 1)])).toBe(200);
    expect(currentEpoch(step(9, 0, 0), 9)).toBe(1);
    expect(currentEpoch(step(10, 0, 0), 9)).toBe(2);
    expect(currentEpoch(undefined, 9)).toBe(1);
  });
});

describe('patience', () => {
  const record = (step: number, eval_loss: number, accuracy = 0): EvalRecord => ({ step, epoch: 0, learning_rate: 0, eval_loss, accuracy, eval_samples: 1 });

  it.each([
    [{ metric: 'eval_loss', patience: 3, minDelta: 0, restoreBest: false }, [1.0, 0.9, 0.95, 0.91, 0.8, 0.85, 0.85]],
    [{ metric: 'eval_loss', patience: 2, minDelta: 0.05, restoreBest: false }, [1.0, 0.97, 0.96, 0.9, 0.89, NaN]],
    [{ metric: 'accuracy', patience: null, minDelta: 0, restoreBest: false }, [0.2, 0.5, 0.5, 0.4, 0.6]],
  ] as [EarlyStoppingConfig, number[]][])('matches EarlyStopping.update for %j', (config, values) => {
    const engine = new EarlyStopping(config);
    const records: EvalRecord[] = [];
    values.forEach((v, i) => {
      const r = config.metric === 'accuracy' ? record(10 * (i + 1), 1, v) : record(10 * (i + 1), v);
      records.push(r);
      engine.update(r.step, r);
      const ui = patienceState(records, config);
      expect(ui.waited).toBe(engine.snapshot().badEvaluations);
      expect(ui.best?.step ?? null).toBe(engine.best?.step ?? null);
    });
  });

  it('marks where the count started', () => {
    const p = patienceState([record(10, 1), record(20, 0.5), record(30, 0.6), record(40, 0.7)], { metric: 'eval_loss', patience: 3, minDelta: 0, restoreBest: false });
    expect(p).toEqual({ best: { step: 20, value: 0.5 }, waited: 2, patience: 3, since: 20 });
  });
});

describe('thinning', () => {
  it('keeps every point of a short series and spreads a long one with both ends', () => {
    expect(thinIndices(3, 5)).toEqual([0, 1, 2]);
    expect(thinIndices(11, 3)).toEqual([0, 5, 10]);
    expect(thinIndices(1000, 400)).toHaveLength(400);
  });
});
