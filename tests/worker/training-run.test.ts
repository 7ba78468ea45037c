// A run as the worker drives it (src/worker/training-run.ts) on the tiny BERT fixture and a CSV made here, on the
// wasm backend: the events in order (preparing, started with the relabelled head, batched steps, evaluations,
// finished), pause and resume between steps, stop during preparation, and a preparation failure that changes
// nothing (no model to adopt, the error as an event).
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import { nodeFolder } from '../../src/cli/node-files';
import { readDataset, type Dataset } from '../../src/formats/datasets/index';
import { bytesFile } from '../../src/formats/source-file';
import type { FromWorker } from '../../src/protocol/messages';
import { parseTrainConfig } from '../../src/protocol/train-config';
import { TrainingRun, type RunCheckpointer, type RunSources } from '../../src/worker/training-run';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
let data: Dataset;

beforeAll(async () => {
  await useNodeBackend('wasm');
  const rows = ['text,label', ...Array.from({ length: 24 }, (_, i) => `"text ${i}",${['good', 'bad'][i % 2]}`)];
  data = await readDataset(bytesFile('two.csv', new TextEncoder().encode(rows.join('\n'))));
});

function sources(train: Dataset | null = data): RunSources {
  return { folder: nodeFolder(FIXTURE), source: 'bert-seq-cls', files: [], train: train && { dataset: train, file: { name: train.file, bytes: 0 } }, validation: null };
}

const CONFIG = parseTrainConfig({ batchSize: 4, maxLength: 16, epochs: 2, validationSplit: 0.25, learningRate: 1e-3 });

describe('TrainingRun', () => {
  it('prepares a relabelled copy of the checkpoint and reports the run in order', async () => {
    const events: FromWorker[] = [];
    const run = new TrainingRun('r1', (e) => events.push(e));
    const model = await run.prepare(sources(), CONFIG);
    expect(model).not.toBeNull();
    // The fixture's head has 3 labels; the data has 2: a new head, sorted as run_glue.py sorts labels.
    expect(model!.config.id2label).toEqual(['bad', 'good']);
    await run.run();
    model!.params.dispose();
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['trainingPreparing', 'trainingPreparing', 'trainingPreparing']);
    expect(types[3]).toBe('trainingStarted');
    expect(types.at(-1)).toBe('trainingFinished');
    const started = events[3] as Extract<FromWorker, { type: 'trainingStarted' }>;
    expect(started.labels).toEqual(['bad', 'good']);
    expect(started.summary.labels).toEqual(['bad', 'good']);
    // 18 training rows, batch 4: 5 steps per epoch, 10 in all; every step reported once, in order.
    expect(started.plan.totalSteps).toBe(10);
    const steps = events.flatMap((e) => (e.type === 'trainingProgressed' ? e.steps.map((s) => s.step) : []));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The default evalEvery 0.1 evaluates every tenth of the run: after each of the 10 steps.
    expect(events.filter((e) => e.type === 'trainingEvaluated').map((e) => (e as Extract<FromWorker, { type: 'trainingEvaluated' }>).record.step)).toEqual(steps);
    expect(run.state).toBe('ended');
  });

  it('pauses after a step and resumes where it stopped', async () => {
    const events: FromWorker[] = [];
    const run: TrainingRun = new TrainingRun('r2', (e) => {
      events.push(e);
      if (e.type === 'trainingStarted') run.pause();
      if (e.type === 'trainingPaused') setTimeout(() => run.resume(), 20);
    });
    const model = await run.prepare(sources(), CONFIG);
    await run.run();
    model!.params.dispose();
    const paused = events.find((e) => e.type === 'trainingPaused') as Extract<FromWorker, { type: 'trainingPaused' }>;
    expect(paused.step).toBe(1);
    expect(events.findIndex((e) => e.type === 'trainingResumed')).toBeGreaterThan(events.indexOf(paused));
    expect(events.at(-1)).toMatchObject({ type: 'trainingFinished', reason: 'completed', step: 10 });
  });

  it('stop during preparation ends it with TRAIN_CANCELLED and nothing to adopt', async () => {
    const events: FromWorker[] = [];
    const run = new TrainingRun('r3', (e) => {
      events.push(e);
      if (e.type === 'trainingPreparing') run.stop();
    });
    expect(await run.prepare(sources(), CONFIG)).toBeNull();
    expect(events.at(-1)).toMatchObject({ type: 'trainingFailed', runId: 'r3', error: { code: 'TRAIN_CANCELLED' } });
  });

  it('a preparation that fails posts the coded error and adopts nothing', async () => {
    const events: FromWorker[] = [];
    const run = new TrainingRun('r4', (e) => events.push(e));
    expect(await run.prepare(sources(null), CONFIG)).toBeNull();
    expect(events.at(-1)).toMatchObject({ type: 'trainingFailed', error: { code: 'TRAIN_NO_DATASET' } });
    const tokens = parseTrainConfig({ ...CONFIG, task: 'token-cls' });
    expect(await new TrainingRun('r5', (e) => events.push(e)).prepare(sources(), tokens)).toBeNull();
    expect(events.at(-1)).toMatchObject({ type: 'trainingFailed', error: { code: 'TRAIN_TASK_DATA_MISMATCH' } });
  });

  it('a run that fails in its loop keeps its last checkpoint and offers it; a finished one discards it', async () => {
    const calls: string[] = [];
    const checkpointer: RunCheckpointer = {
      save: async (checkpoint) => void calls.push(`save ${checkpoint.progress.step}`),
      discard: async () => void calls.push('discard'),
      keep: async () => void calls.push('keep'),
    };
    const events: FromWorker[] = [];
    // A learning rate that overflows the weights: every step after the first is skipped as non-finite, and the
    // fifth in a row ends the run with TRAIN_DIVERGED (a stuck kernel pool or a full memory end the same way).
    const run: TrainingRun = new TrainingRun('r6', (e) => events.push(e), { checkpointer, checkpointIntervalMs: 0 });
    const model = await run.prepare(sources(), parseTrainConfig({ ...CONFIG, learningRate: 1e30, maxGradNorm: null, epochs: 5 }));
    await run.run();
    model!.params.dispose();
    expect(events.at(-1)).toMatchObject({ type: 'trainingFailed', runId: 'r6', error: { code: 'TRAIN_DIVERGED' } });
    expect(calls.at(-1)).toBe('keep');
    expect(calls).not.toContain('discard');
    expect(calls.filter((c) => c.startsWith('save')).length).toBeGreaterThan(0);
    expect(run.state).toBe('ended');

    calls.length = 0;
    const done = new TrainingRun('r7', () => {}, { checkpointer, checkpointIntervalMs: 0 });
    const again = await done.prepare(sources(), CONFIG);
    await done.run();
    again!.params.dispose();
    expect(calls.at(-1)).toBe('discard');
    expect(calls).not.toContain('keep');
  });
});
