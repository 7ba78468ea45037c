// "Adapt to my text" settings (src/protocol/adaptation.ts): the held-out share, the step cap, the exact-steps mode
// and the TrainConfig they make, checked against step counts worked out by hand, and every bad field listed.
import { describe, expect, it } from 'vitest';
import { ADAPT_STEP_CAP, adaptRun, adaptSettingsErrors, DEFAULT_ADAPT_SETTINGS, heldOutLines, type AdaptSettings } from '../../src/protocol/adaptation';
import { deriveSchedule } from '../../src/protocol/schedule';

const settings = (patch: Partial<AdaptSettings> = {}): AdaptSettings => ({ ...structuredClone(DEFAULT_ADAPT_SETTINGS), ...patch }) as AdaptSettings;

describe('heldOutLines', () => {
  it('holds out 5% from 100 lines on, at most 500 lines', () => {
    expect(heldOutLines(0)).toBe(0);
    expect(heldOutLines(99)).toBe(0);
    expect(heldOutLines(100)).toBe(5);
    expect(heldOutLines(873)).toBe(44); // 43.65 rounds to 44
    expect(heldOutLines(10_000)).toBe(500);
    expect(heldOutLines(67_349)).toBe(500);
  });
});

describe('adaptRun', () => {
  it('one epoch over 1,000 windows in batches of 16: 63 steps, 4 warmup steps, an evaluation every 16 steps', () => {
    const run = adaptRun(settings(), 1000);
    expect(run).toMatchObject({ totalSteps: 63, stepsPerEpoch: 63, capped: false });
    expect(run.config).toMatchObject({
      task: 'mlm',
      epochs: 1,
      maxSteps: ADAPT_STEP_CAP,
      batchSize: 16,
      learningRate: 1e-4,
      maxLength: 128,
      validationSplit: 0,
      evalEvery: 16,
      mlm: { probability: 0.15, wholeWord: true },
    });
    expect(run.config.schedule).toMatchObject({ type: 'linear', warmupRatio: 0.06 });
    // ceil(63 · 0.06) = 4, as TrainingArguments.get_warmup_steps.
    expect(deriveSchedule(run.config, 63).warmupSteps).toBe(4);
  });

  it('caps epochs at ADAPT_STEP_CAP steps and says so', () => {
    // 67,349 windows / 16 = 4,210 batches: one epoch is far past the cap.
    const run = adaptRun(settings(), 67_349);
    expect(run).toMatchObject({ totalSteps: 500, stepsPerEpoch: 4210, capped: true });
    expect(run.config.evalEvery).toBe(125);
    // 3.5 epochs of 100 batches would be 350 steps: under the cap.
    expect(adaptRun(settings({ length: { unit: 'epochs', epochs: 3.5 } }), 1600)).toMatchObject({ totalSteps: 350, capped: false });
  });

  it('runs exactly the steps asked for, over as many passes as they take, never capped', () => {
    const run = adaptRun(settings({ length: { unit: 'steps', steps: 1234 }, batchSize: 8 }), 100);
    // 100 windows / 8 = 13 batches a pass; 1,234 steps take ceil(1234 / 13) = 95 passes.
    expect(run).toMatchObject({ totalSteps: 1234, stepsPerEpoch: 13, capped: false });
    expect(run.config).toMatchObject({ epochs: 95, maxSteps: 1234, batchSize: 8 });
    expect(deriveSchedule(run.config, 13).totalSteps).toBe(1234);
  });

  it('evaluates at every step of a run shorter than four steps', () => {
    expect(adaptRun(settings({ batchSize: 4 }), 10)).toMatchObject({ totalSteps: 3 });
    expect(adaptRun(settings({ batchSize: 4 }), 10).config.evalEvery).toBe(1);
  });
});

describe('adaptSettingsErrors', () => {
  it('accepts the defaults', () => {
    expect(adaptSettingsErrors(settings())).toEqual([]);
  });

  it('lists every bad field by its path', () => {
    const bad = {
      length: { unit: 'steps', steps: 2.5 },
      learningRate: 0,
      wholeWord: 'yes',
      maxLength: 4,
      batchSize: '16',
    } as unknown as AdaptSettings;
    expect(adaptSettingsErrors(bad).map((e) => [e.path, e.found])).toEqual([
      ['length.steps', '2.5'],
      ['learningRate', '0'],
      ['wholeWord', '"yes"'],
      ['maxLength', '4'],
      ['batchSize', '"16"'],
    ]);
    expect(adaptSettingsErrors(settings({ length: { unit: 'epochs', epochs: 0 } })).map((e) => e.path)).toEqual(['length.epochs']);
    expect(adaptSettingsErrors(settings({ maxLength: 513 })).map((e) => e.path)).toEqual(['maxLength']);
  });
});
