// The training loop end to end on a tiny BERT (tests/golden/hf-tiny/bert-seq-cls) and seeded synthetic data, on the
// wasm backend: flat tensor counts over many steps, identical loss curves for the same seed (seed 0 included),
// divergence stopping with a coded error and the last finite weights kept, early stopping with restoreBest, the
// plateau schedule, pause / resume / stop, and the configurations that need an evaluation split.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import type { EncodedDataset } from '../../../src/engine/data/encode';
import type { StepModel } from '../../../src/engine/train/step';
import { Trainer, type TrainEvent, type TrainerOptions } from '../../../src/engine/train/trainer';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import type { StepTelemetry } from '../../../src/protocol/train-events';
import { bitEqual, fixtureModel, maxAbsDiff, syntheticDataset } from './helpers';

const TRAIN = syntheticDataset('seq-cls', 40, 1);
const VALID = syntheticDataset('seq-cls', 12, 2);
let model: StepModel | null = null;
let trainer: Trainer | null = null;

beforeAll(() => useNodeBackend('wasm'));
afterEach(() => {
  trainer?.dispose();
  model?.params.dispose();
  trainer = null;
  model = null;
});

async function makeTrainer(config: unknown, extra: Partial<TrainerOptions> = {}, train: EncodedDataset = TRAIN): Promise<Trainer> {
  model?.params.dispose();
  trainer?.dispose();
  model = await fixtureModel('bert-seq-cls', 'seq-cls');
  trainer = new Trainer({ model, train, validation: VALID, config: parseTrainConfig(config), padId: 0, ...extra });
  return trainer;
}

async function collect(t: Trainer, onEvent?: (e: TrainEvent) => Promise<void> | void): Promise<TrainEvent[]> {
  const events: TrainEvent[] = [];
  for await (const e of t.run()) {
    events.push(e);
    await onEvent?.(e);
  }
  return events;
}

const steps = (events: TrainEvent[]): StepTelemetry[] =>
  events.flatMap((e) => (e.type === 'stepCompleted' ? [e.telemetry] : []));

describe('memory', () => {
  it('tf.memory().numTensors stays flat over 60 steps with evaluations, clipping, L2-SP and group telemetry', async () => {
    const t = await makeTrainer({ batchSize: 2, gradAccumulation: 2, maxSteps: 60, epochs: 20, evalEvery: 15, l2sp: 0.01, learningRate: 1e-3 }, { groupTelemetryEvery: 3 });
    const counts: number[] = [];
    const events = await collect(t, (e) => {
      if (e.type === 'stepCompleted') counts.push(tf.memory().numTensors);
    });
    expect(events.at(-1)?.type).toBe('finished');
    expect(counts).toHaveLength(60);
    // AdamW makes its moments on the first step; from then on nothing may accumulate.
    expect(new Set(counts.slice(1))).toEqual(new Set([counts[1]]));
  });
});

describe('readbacks', () => {
  it('one asynchronous readback per step (loss, norm and group telemetry together), no synchronous one', async () => {
    const t = await makeTrainer({ batchSize: 4, gradAccumulation: 2, maxSteps: 6, l2sp: 0.01, learningRate: 1e-3 }, { groupTelemetryEvery: 2 });
    const engine = tf.engine();
    const counts = { read: 0, readSync: 0 };
    const read = engine.read.bind(engine);
    const readSync = engine.readSync.bind(engine);
    engine.read = (dataId) => {
      counts.read++;
      return read(dataId);
    };
    engine.readSync = (dataId) => {
      counts.readSync++;
      return readSync(dataId);
    };
    const perStep: { read: number; readSync: number }[] = [];
    try {
      // Counted from the event before a step to its stepCompleted: the step's own reads (evaluations fall between).
      for await (const e of t.run()) {
        if (e.type === 'stepCompleted') perStep.push({ ...counts });
        Object.assign(counts, { read: 0, readSync: 0 });
      }
    } finally {
      engine.read = read;
      engine.readSync = readSync;
    }
    expect(perStep).toEqual(Array.from({ length: 6 }, () => ({ read: 1, readSync: 0 })));
  });
});

describe('determinism', () => {
  for (const seed of [0, 7]) {
    it(`seed ${seed}: two runs give the same loss curve, with dropout on`, async () => {
      const config = { seed, batchSize: 4, maxSteps: 8, learningRate: 1e-3, evalEvery: 4 };
      const first = steps(await collect(await makeTrainer(config))).map((s) => s.loss);
      const second = steps(await collect(await makeTrainer(config))).map((s) => s.loss);
      expect(first).toHaveLength(8);
      expect(first.every(Number.isFinite)).toBe(true);
      expect(second).toEqual(first);
    });
  }

  it('a different seed gives a different curve (the seed reaches data order and dropout)', async () => {
    const curve = async (seed: number) => steps(await collect(await makeTrainer({ seed, batchSize: 4, maxSteps: 4, learningRate: 1e-3 }))).map((s) => s.loss);
    expect(await curve(1)).not.toEqual(await curve(2));
  });
});

describe('gradient accumulation', () => {
  it('4 micro-batches of 2 train like batches of 8: same losses, same weights after 3 steps', async () => {
    const common = { maxSteps: 3, learningRate: 1e-3, dropout: { hidden: 0, attention: 0, classifier: 0 }, maxGradNorm: 0.5 };
    const run = async (config: unknown) => {
      const losses = steps(await collect(await makeTrainer(config))).map((s) => s.loss);
      return { losses, weights: await model!.params.snapshot() };
    };
    const small = await run({ ...common, batchSize: 2, gradAccumulation: 4 });
    const large = await run({ ...common, batchSize: 8, gradAccumulation: 1 });
    small.losses.forEach((l, i) => expect(l).toBeCloseTo(large.losses[i], 6));
    for (const [name, w] of large.weights) {
      // The key bias's true gradient is 0 (softmax ignores a per-row shift): Adam normalises float noise there.
      if (name.endsWith('attention.self.key.bias')) continue;
      expect(maxAbsDiff(small.weights.get(name)!, w), name).toBeLessThan(1e-6);
    }
  });
});

describe('divergence (RELIABILITY N1)', () => {
  it('skips non-finite steps, keeps the last finite weights and stops with TRAIN_DIVERGED', async () => {
    // Without evaluation data: a NaN evaluation loss would end the run before the fifth skip (non-finite.test.ts).
    const t = await makeTrainer({ learningRate: 1e4, batchSize: 4, gradAccumulation: 2, maxSteps: 40, epochs: 10 }, { checkpointEvery: 1, validation: null });
    const snapshots = new Map<number, Map<string, Float32Array>>();
    const checkpointed: number[] = [];
    const events = await collect(t, async (e) => {
      if (e.type === 'stepCompleted') snapshots.set(e.telemetry.step, await model!.params.snapshot());
      if (e.type === 'checkpointed') checkpointed.push(e.step);
    });
    const last = events.at(-1)!;
    expect(last.type).toBe('failed');
    if (last.type !== 'failed') return;
    expect(last.error.code).toBe('TRAIN_DIVERGED');
    expect(last.error.message).toMatch(/^Diverged at step \d+; try a learning rate <= 1000\b/);
    const telemetry = steps(events);
    const firstSkip = telemetry.findIndex((s) => s.skipped);
    expect(firstSkip).toBeGreaterThan(0);
    const skipped = telemetry.slice(firstSkip);
    expect(skipped).toHaveLength(5);
    expect(skipped.every((s) => s.skipped && (Number.isNaN(s.loss) || Number.isNaN(s.gradNorm) || !Number.isFinite(s.loss)))).toBe(true);
    expect(skipped.some((s) => Number.isNaN(s.loss))).toBe(true);
    expect(last.step).toBe(skipped.at(-1)!.step);
    // The weights after the failure are those of the last finite step, bit for bit.
    const lastGood = snapshots.get(telemetry[firstSkip - 1].step)!;
    const now = await model!.params.snapshot();
    for (const [name, w] of lastGood) expect(bitEqual(now.get(name)!, w), name).toBe(true);
    // No checkpoint is taken from a skipped step.
    expect(checkpointed.at(-1)).toBe(telemetry[firstSkip - 1].step);
  });
});

describe('early stopping and restoreBest', () => {
  it('stops after `patience` evaluations without an improvement above minDelta and puts the best weights back', async () => {
    const t = await makeTrainer({
      learningRate: 3e-3,
      batchSize: 4,
      epochs: 20,
      evalEvery: 2,
      earlyStopping: { metric: 'eval_loss', patience: 2, minDelta: 100, restoreBest: true },
    });
    const atEvaluation = new Map<number, Map<string, Float32Array>>();
    const events = await collect(t, async (e) => {
      if (e.type === 'evaluated') atEvaluation.set(e.record.step, await model!.params.snapshot());
    });
    const evaluations = events.flatMap((e) => (e.type === 'evaluated' ? [e] : []));
    // minDelta 100: the first evaluation is the only significant improvement, so the third one stops the run.
    expect(evaluations.map((e) => e.record.step)).toEqual([2, 4, 6]);
    const finished = events.at(-1)!;
    expect(finished.type).toBe('finished');
    if (finished.type !== 'finished') return;
    expect(finished.reason).toBe('early-stopped');
    const best = evaluations.reduce((a, b) => (b.record.eval_loss < a.record.eval_loss ? b : a));
    expect(evaluations.filter((e) => e.isBest).at(-1)!.record.step).toBe(best.record.step);
    expect(finished.restoredBestStep).toBe(best.record.step);
    expect(finished.metrics?.eval_loss).toBe(best.record.eval_loss);
    const restored = await model!.params.snapshot();
    for (const [name, w] of atEvaluation.get(best.record.step)!) expect(bitEqual(restored.get(name)!, w), name).toBe(true);
  });
});

describe('plateau schedule', () => {
  it('halves the base rate after an evaluation without improvement (ReduceLROnPlateau, patience 0)', async () => {
    const config = {
      learningRate: 1e-3,
      batchSize: 4,
      maxSteps: 6,
      evalEvery: 2,
      schedule: { type: 'plateau', warmupSteps: 0, plateau: { metric: 'accuracy', factor: 0.5, patience: 0, threshold: 10, thresholdMode: 'abs' } },
    };
    const events = await collect(await makeTrainer(config));
    const rates = steps(events).map((s) => s.learningRate);
    // Evaluation 1 sets the best; with threshold 10 nothing after it improves, so each later evaluation halves the rate.
    expect(rates).toEqual([1e-3, 1e-3, 1e-3, 1e-3, 5e-4, 5e-4]);
    expect(events.flatMap((e) => (e.type === 'evaluated' ? [e.lrReduced] : []))).toEqual([false, true, true]);
  });
});

describe('pause, resume and stop', () => {
  it('waits after pause() until resume(), and ends with reason "stopped" after stop()', async () => {
    const t = await makeTrainer({ batchSize: 4, maxSteps: 20, learningRate: 1e-3, evalEvery: 'epoch' });
    const seen: string[] = [];
    const events = await collect(t, (e) => {
      seen.push(e.type === 'stepCompleted' ? `step ${e.telemetry.step}` : e.type);
      if (e.type === 'stepCompleted' && e.telemetry.step === 2) t.pause();
      if (e.type === 'paused') setTimeout(() => t.resume(), 20);
      if (e.type === 'stepCompleted' && e.telemetry.step === 4) t.stop();
    });
    expect(seen).toEqual(['started', 'epochStarted', 'step 1', 'step 2', 'paused', 'step 3', 'step 4', 'finished']);
    const finished = events.at(-1)!;
    expect(finished.type === 'finished' && finished.reason).toBe('stopped');
    expect(t.step).toBe(4);
  });
});

describe('evaluations asked for', () => {
  it('requestEvaluation() evaluates after the current step, and at once on a paused run, which stays paused', async () => {
    const t = await makeTrainer({ batchSize: 4, maxSteps: 20, learningRate: 1e-3, evalEvery: 'epoch' });
    const seen: string[] = [];
    await collect(t, (e) => {
      seen.push(e.type === 'stepCompleted' ? `step ${e.telemetry.step}` : e.type === 'evaluated' ? `evaluated ${e.record.step}` : e.type);
      if (e.type === 'stepCompleted' && e.telemetry.step === 2) t.requestEvaluation();
      if (e.type === 'stepCompleted' && e.telemetry.step === 4) t.pause();
      if (e.type === 'paused') setTimeout(() => t.requestEvaluation(), 10);
      if (e.type === 'evaluated' && e.record.step === 4) setTimeout(() => t.stop(), 10);
    });
    expect(seen).toEqual(['started', 'epochStarted', 'step 1', 'step 2', 'evaluated 2', 'step 3', 'step 4', 'paused', 'evaluated 4', 'finished']);
  });

  it('a stopped run ends with an evaluation of its weights where the host asks for it (evaluateOnStop)', async () => {
    const stopAt = async (step: number, evaluateOnStop: boolean) => {
      const t = await makeTrainer({ batchSize: 4, maxSteps: 20, learningRate: 1e-3, evalEvery: 'epoch' }, { evaluateOnStop });
      if (step === 0) t.stop();
      const events = await collect(t, (e) => {
        if (e.type === 'stepCompleted' && e.telemetry.step === step) t.stop();
      });
      return events.filter((e) => e.type === 'evaluated' || e.type === 'finished').map((e) => (e.type === 'evaluated' ? `evaluated ${e.record.step}` : `finished ${e.type === 'finished' && e.metrics ? 'with metrics' : 'without metrics'}`));
    };
    expect(await stopAt(3, true)).toEqual(['evaluated 3', 'finished with metrics']);
    expect(await stopAt(3, false)).toEqual(['finished without metrics']);
  });

  it('evalEvery below 1 is a share of the run: 0.25 of 20 steps evaluates every 5 steps', async () => {
    const t = await makeTrainer({ batchSize: 4, maxSteps: 20, epochs: 10, learningRate: 1e-3, evalEvery: 0.25 });
    const events = await collect(t);
    expect(events.flatMap((e) => (e.type === 'evaluated' ? [e.record.step] : []))).toEqual([5, 10, 15, 20]);
  });
});

describe('bad configurations', () => {
  it('early stopping without an evaluation split is refused with TRAIN_NO_VALIDATION', async () => {
    model = await fixtureModel('bert-seq-cls', 'seq-cls');
    const config = parseTrainConfig({ earlyStopping: { patience: 2 } });
    expect(() => new Trainer({ model: model!, train: TRAIN, validation: null, config, padId: 0 })).toThrow(expect.objectContaining({ code: 'TRAIN_NO_VALIDATION' }));
  });

  it('a config task other than the model head\'s is refused with TRAIN_TASK_MISMATCH', async () => {
    model = await fixtureModel('bert-seq-cls', 'seq-cls');
    const config = parseTrainConfig({ task: 'token-cls' });
    expect(() => new Trainer({ model: model!, train: TRAIN, validation: VALID, config, padId: 0 })).toThrow(expect.objectContaining({ code: 'TRAIN_TASK_MISMATCH' }));
  });

  it('masked-LM training without masking facts is refused with TRAIN_NO_MASKING', async () => {
    model = await fixtureModel('bert-mlm', 'mlm');
    const data = { ...TRAIN, task: 'mlm' as const };
    expect(() => new Trainer({ model: model!, train: data, validation: null, config: parseTrainConfig({ task: 'mlm' }), padId: 0 })).toThrow(
      expect.objectContaining({ code: 'TRAIN_NO_MASKING' }),
    );
  });
});
