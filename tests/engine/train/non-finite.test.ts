// Divergence that the step's loss does not show (issue #15 item 5): an update that overflows leaves ±Inf weights
// after a step whose loss was finite (lr 1e308), and a run can reach its last step on skipped steps (lr 1e4). Either
// way the run ends with TRAIN_DIVERGED, never 'finished', and no checkpoint holds weights that are not finite; with
// allowNonFinite (the command line's --allow-non-finite) the weights are not watched.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import type { StepModel } from '../../../src/engine/train/step';
import { Trainer, type TrainEvent, type TrainerOptions } from '../../../src/engine/train/trainer';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { fixtureModel, syntheticDataset } from './helpers';

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

async function run(config: unknown, extra: Partial<TrainerOptions> = {}): Promise<{ events: TrainEvent[]; checkpoints: Map<string, Float32Array>[] }> {
  model = await fixtureModel('bert-seq-cls', 'seq-cls');
  trainer = new Trainer({ model, train: TRAIN, validation: VALID, config: parseTrainConfig(config), padId: 0, ...extra });
  const events: TrainEvent[] = [];
  const checkpoints: Map<string, Float32Array>[] = [];
  for await (const e of trainer.run()) {
    events.push(e);
    if (e.type === 'checkpointed') checkpoints.push(new Map([...e.checkpoint.weights].map(([n, w]) => [n, w.data])));
  }
  return { events, checkpoints };
}

const allFinite = (weights: Map<string, Float32Array>) => [...weights.values()].every((w) => w.every(Number.isFinite));
const skippedSteps = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'stepCompleted' && e.telemetry.skipped ? [e.telemetry.step] : []));

describe('weights that are not finite end the run (TRAIN_DIVERGED)', () => {
  it('lr 1e308: the update overflows after a finite loss; the run fails at the next step, no checkpoint holds Inf', async () => {
    const { events, checkpoints } = await run({ learningRate: 1e308, batchSize: 4, maxSteps: 3, schedule: { type: 'constant', warmupSteps: 0 }, evalEvery: 100 }, { checkpointEvery: 1 });
    const steps = events.flatMap((e) => (e.type === 'stepCompleted' ? [e.telemetry] : []));
    expect(Number.isFinite(steps[0].loss)).toBe(true);
    const last = events.at(-1)!;
    expect(events.some((e) => e.type === 'finished')).toBe(false);
    expect(last).toMatchObject({ type: 'failed', error: { code: 'TRAIN_DIVERGED' } });
    if (last.type !== 'failed') return;
    expect(last.error.message).toMatch(/^Diverged at step 1; try a learning rate <= 1e\+307 \(\d+ tensors hold NaN or infinite values .*no checkpoint is taken of them\)/);
    expect(checkpoints.every(allFinite)).toBe(true);
  });

  it('lr 1e308 without checkpoints: the weights read back with step 2 stop the run there', async () => {
    const { events } = await run({ learningRate: 1e308, batchSize: 4, maxSteps: 3, schedule: { type: 'constant', warmupSteps: 0 }, evalEvery: 100 });
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'failed', step: 2, error: { code: 'TRAIN_DIVERGED' } });
    if (last.type === 'failed') expect(last.error.message).toMatch(/\(the update of step 1 left weights that are NaN or infinite \(their norm is (NaN|Infinity)\)\)$/);
  });

  it('lr 1e308 for one step: the end of the run checks the weights the last update left', async () => {
    const { events } = await run({ learningRate: 1e308, batchSize: 4, maxSteps: 1, schedule: { type: 'constant', warmupSteps: 0 } }, { validation: null });
    expect(events.at(-1)).toMatchObject({ type: 'failed', error: { code: 'TRAIN_DIVERGED', message: expect.stringMatching(/the update of step 1 left weights that are NaN or infinite/) } });
  });

  it('lr 1e4: a run whose last steps were skipped is not "completed"', async () => {
    // Where the first skip falls, without evaluations (they would stop the run at a NaN eval_loss first).
    const probe = await run({ learningRate: 1e4, batchSize: 4, maxSteps: 40, epochs: 10, schedule: { type: 'constant', warmupSteps: 0 } }, { validation: null });
    const firstSkip = skippedSteps(probe.events)[0];
    expect(firstSkip).toBeGreaterThan(1);
    trainer?.dispose();
    model?.params.dispose();
    const { events } = await run({ learningRate: 1e4, batchSize: 4, maxSteps: firstSkip, epochs: 10, schedule: { type: 'constant', warmupSteps: 0 } }, { validation: null });
    expect(skippedSteps(events)).toEqual([firstSkip]);
    expect(events.at(-1)).toMatchObject({
      type: 'failed',
      error: { code: 'TRAIN_DIVERGED', message: expect.stringMatching(/not finite for 1 step in a row; the weights are those after step/) },
    });
  });

  it('an evaluation whose loss is NaN ends the run', async () => {
    const { events } = await run({ learningRate: 1e4, batchSize: 4, maxSteps: 40, epochs: 10, schedule: { type: 'constant', warmupSteps: 0 }, evalEvery: 1 });
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'failed', error: { code: 'TRAIN_DIVERGED' } });
    if (last.type === 'failed') expect(last.error.message).toMatch(/the evaluation loss at step \d+ is NaN/);
    expect(events.filter((e) => e.type === 'evaluated').every((e) => e.type === 'evaluated' && Number.isFinite(e.record.eval_loss))).toBe(true);
  });

  it('checkpoint() refuses weights that are not finite; allowNonFinite trains on them and checks nothing', async () => {
    const config = { learningRate: 1e-3, batchSize: 4, maxSteps: 2, schedule: { type: 'constant', warmupSteps: 0 } };
    model = await fixtureModel('bert-seq-cls', 'seq-cls');
    // One NaN in a row of the word embedding that the data never uses (ids start at 5).
    const name = 'bert.embeddings.word_embeddings.weight';
    tf.tidy(() => model!.params.assign(name, tf.tensor(Float32Array.from(model!.params.get(name).dataSync(), (v, i) => (i === 32 * 3 ? NaN : v)), model!.params.shape(name))));
    trainer = new Trainer({ model, train: TRAIN, validation: null, config: parseTrainConfig(config), padId: 0 });
    await expect(trainer.checkpoint()).rejects.toMatchObject({ code: 'TRAIN_DIVERGED', message: expect.stringMatching(/1 tensors hold NaN or infinite values \(bert\.embeddings\.word_embeddings\.weight: 1\)/) });
    const events: TrainEvent[] = [];
    for await (const e of trainer.run()) events.push(e);
    expect(events.at(-1)).toMatchObject({ type: 'failed', step: 1, error: { message: expect.stringMatching(/the starting weights are NaN or infinite/) } });
    trainer.dispose();
    trainer = new Trainer({ model, train: TRAIN, validation: null, config: parseTrainConfig(config), padId: 0, allowNonFinite: true });
    const allowed: TrainEvent[] = [];
    for await (const e of trainer.run()) allowed.push(e);
    expect(allowed.at(-1)).toMatchObject({ type: 'finished', reason: 'completed' });
    expect((await trainer.checkpoint()).progress.step).toBe(2);
  });
});
