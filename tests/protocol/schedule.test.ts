// Schedules against torch: schedule_reference.json is made by make_schedule_reference.py (torch LambdaLR with
// transformers' lambdas, CosineAnnealingLR, StepLR, SequentialLR, ReduceLROnPlateau).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveSchedule, learningRateAt, PlateauScheduler } from '../../src/protocol/schedule';
import { DEFAULT_TRAIN_CONFIG, parseTrainConfig, type ScheduleConfig } from '../../src/protocol/train-config';

interface Case {
  name: string;
  schedule: Partial<ScheduleConfig>;
  baseLr: number;
  totalSteps: number;
  lrs: number[];
}
interface PlateauRun {
  name: string;
  goal: 'min' | 'max';
  baseLr: number;
  metrics: (number | null)[];
  plateau: ScheduleConfig['plateau'];
  minLr: number;
  lrs: number[];
}
const reference = JSON.parse(readFileSync(new URL('./schedule_reference.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  plateau: PlateauRun[];
};

/** Relative 1e-6, with an absolute floor for values that are exactly 0 in the reference. */
function expectClose(actual: number, expected: number, what: string): void {
  const tol = 1e-6 * Math.abs(expected) + 1e-15;
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${what}: got ${actual}, torch ${expected}`);
}

function scheduleOf(partial: Partial<ScheduleConfig>): ScheduleConfig {
  return { ...DEFAULT_TRAIN_CONFIG.schedule, warmupRatio: 0, ...partial };
}

describe('learningRateAt matches torch at every step', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const schedule = scheduleOf(c.schedule);
    expect(c.lrs.length).toBeGreaterThan(c.totalSteps);
    c.lrs.forEach((lr, step) => expectClose(learningRateAt(step, c.totalSteps, schedule, c.baseLr), lr, `step ${step}`));
  });
});

describe('PlateauScheduler matches ReduceLROnPlateau', () => {
  it.each(reference.plateau.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    const schedule = scheduleOf({ type: 'plateau', minLr: r.minLr, plateau: { ...r.plateau, metric: 'eval_loss' } });
    const plateau = new PlateauScheduler(r.baseLr, schedule, r.goal);
    r.metrics.forEach((m, i) => {
      plateau.step(m ?? NaN);
      expectClose(plateau.lr, r.lrs[i], `evaluation ${i}`);
    });
  });

  it('resumes from a snapshot with the same future', () => {
    const r = reference.plateau[0];
    const schedule = scheduleOf({ type: 'plateau', minLr: r.minLr, plateau: { ...r.plateau, metric: 'eval_loss' } });
    const first = new PlateauScheduler(r.baseLr, schedule, r.goal);
    r.metrics.slice(0, 10).forEach((m) => first.step(m ?? NaN));
    const resumed = new PlateauScheduler(r.baseLr, schedule, r.goal, first.snapshot());
    r.metrics.slice(10).forEach((m, i) => {
      resumed.step(m ?? NaN);
      expectClose(resumed.lr, r.lrs[10 + i], `evaluation ${10 + i}`);
    });
  });

  it('with warmup, the plateau curve is warmup then the plateau rate', () => {
    const schedule = scheduleOf({ type: 'plateau', warmupSteps: 4 });
    expect(learningRateAt(1, 100, schedule, 2e-4)).toBeCloseTo(0.5e-4, 15);
    expect(learningRateAt(50, 100, schedule, 2e-4)).toBe(2e-4);
  });
});

describe('deriveSchedule', () => {
  // Hand-computed as transformers' Trainer: steps/epoch = ceil(batches / accumulation); total = ceil(epochs · that);
  // warmup = ceil(total · warmupRatio) in float64, so 100 · 0.07 = 7.000000000000001 rounds up to 8.
  it('counts optimizer steps, caps by maxSteps and rounds warmup up', () => {
    const config = parseTrainConfig({ epochs: 10, gradAccumulation: 4, schedule: { warmupRatio: 0.07 } });
    expect(deriveSchedule(config, 38)).toEqual({ stepsPerEpoch: 10, totalSteps: 100, warmupSteps: 8, epochs: 10 });
    const capped = parseTrainConfig({ epochs: 3, maxSteps: 25, schedule: { warmupSteps: 5 } });
    expect(deriveSchedule(capped, 10)).toEqual({ stepsPerEpoch: 10, totalSteps: 25, warmupSteps: 5, epochs: 3 });
  });

  it('handles fractional epochs and tiny datasets', () => {
    const config = parseTrainConfig({ epochs: 1.5, schedule: { warmupRatio: 0 } });
    expect(deriveSchedule(config, 7)).toEqual({ stepsPerEpoch: 7, totalSteps: 11, warmupSteps: 0, epochs: 2 });
    const tiny = parseTrainConfig({ epochs: 2, gradAccumulation: 8 });
    expect(deriveSchedule(tiny, 3)).toMatchObject({ stepsPerEpoch: 1, totalSteps: 2 });
  });

  it('drives learningRateAt: the default linear schedule peaks after warmup and ends at 0', () => {
    const config = parseTrainConfig({ learningRate: 1e-4 });
    const d = deriveSchedule(config, 100); // 300 steps, warmup ceil(300 · 0.1) = 30
    expect(d).toEqual({ stepsPerEpoch: 100, totalSteps: 300, warmupSteps: 30, epochs: 3 });
    expect(learningRateAt(0, d.totalSteps, config.schedule, config.learningRate)).toBe(0);
    expect(learningRateAt(d.warmupSteps, d.totalSteps, config.schedule, config.learningRate)).toBe(1e-4);
    expect(learningRateAt(d.totalSteps, d.totalSteps, config.schedule, config.learningRate)).toBe(0);
  });
});
