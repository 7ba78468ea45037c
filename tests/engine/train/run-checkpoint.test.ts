// Checkpoint and resume: a run of 2k steps against a run of k steps, a checkpoint written to bytes and read back,
// a fresh store and optimizer from it, and k more steps: the same losses and the same weights, bit for bit (tiny
// BERT on wasm; mid-epoch; dropout, L2-SP, accumulation, evaluations, restoreBest, MLM masking and the plateau
// schedule all carried over). Torn, truncated and foreign checkpoints are refused with coded errors.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { bytesFile } from '../../../src/formats/source-file';
import type { EncodedDataset } from '../../../src/engine/data/encode';
import type { MlmTokenizerInfo } from '../../../src/engine/data/mlm-collator';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointFiles, type RunCheckpoint } from '../../../src/engine/train/run-checkpoint';
import type { StepModel } from '../../../src/engine/train/step';
import { Trainer, type TrainEvent } from '../../../src/engine/train/trainer';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import type { Task } from '../../../src/protocol/task';
import { bitEqual, fixtureModel, syntheticDataset } from './helpers';

const masking: MlmTokenizerInfo = { maskId: 4, vocabSize: 328, specialIds: new Set([0, 1, 2, 3, 4]), kind: 'wordpiece', idToToken: () => 'w' };
const owned: { model: StepModel; trainer: Trainer }[] = [];

beforeAll(() => useNodeBackend('wasm'));
afterEach(() => {
  for (const { model, trainer } of owned.splice(0)) {
    trainer.dispose();
    model.params.dispose();
  }
});

interface Setup {
  fixture: string;
  task: Task;
  config: Record<string, unknown>;
  train: EncodedDataset;
  validation: EncodedDataset;
}

const seqCls: Setup = {
  fixture: 'bert-seq-cls',
  task: 'seq-cls',
  config: {
    batchSize: 4,
    gradAccumulation: 2,
    epochs: 3,
    learningRate: 2e-3,
    l2sp: 0.01,
    evalEvery: 2,
    schedule: { type: 'cosine', warmupSteps: 2 },
    earlyStopping: { metric: 'accuracy', patience: 20, restoreBest: true },
  },
  train: syntheticDataset('seq-cls', 40, 1),
  validation: syntheticDataset('seq-cls', 10, 2),
};

const mlmData = (n: number, seed: number): EncodedDataset => ({ ...syntheticDataset('seq-cls', n, seed), task: 'mlm', id2label: [], label2id: new Map() });
const mlm: Setup = {
  fixture: 'bert-mlm',
  task: 'mlm',
  config: {
    task: 'mlm',
    batchSize: 4,
    epochs: 2,
    learningRate: 1e-3,
    evalEvery: 3,
    schedule: { type: 'plateau', warmupSteps: 1, plateau: { metric: 'eval_loss', patience: 0, factor: 0.5 } },
  },
  train: mlmData(24, 3),
  validation: mlmData(8, 4),
};

async function trainerFor(setup: Setup, resumeFrom?: RunCheckpoint, checkpointEvery: number | null = null): Promise<{ model: StepModel; trainer: Trainer }> {
  const model = await fixtureModel(setup.fixture, setup.task);
  let trainer: Trainer;
  try {
    trainer = new Trainer({
      model,
      train: setup.train,
      validation: setup.validation,
      config: parseTrainConfig(setup.config),
      padId: 0,
      masking: setup.task === 'mlm' ? masking : null,
      resumeFrom,
      checkpointEvery,
    });
  } catch (err) {
    model.params.dispose();
    throw err;
  }
  owned.push({ model, trainer });
  return { model, trainer };
}

async function drain(trainer: Trainer, onEvent?: (e: TrainEvent) => void): Promise<{ losses: number[]; last: TrainEvent }> {
  const losses: number[] = [];
  let last: TrainEvent | null = null;
  for await (const e of trainer.run()) {
    if (e.type === 'stepCompleted') losses.push(e.telemetry.loss);
    onEvent?.(e);
    last = e;
  }
  return { losses, last: last! };
}

const decode = (files: CheckpointFiles) => decodeCheckpoint(files.manifest, bytesFile('checkpoint.safetensors', files.tensors));

describe('a resumed run continues exactly as the uninterrupted one', () => {
  for (const [setup, k] of [[seqCls, 6], [mlm, 4]] as const) {
    it(`${setup.task}: 2k steps == k steps, checkpoint, fresh store and optimizer, k more (k = ${k})`, async () => {
      let files: CheckpointFiles | null = null;
      const whole = await trainerFor(setup, undefined, k);
      const full = await drain(whole.trainer, (e) => {
        if (e.type === 'checkpointed' && e.step === k) files = encodeCheckpoint(e.checkpoint);
      });
      expect(full.last.type).toBe('finished');
      const total = full.losses.length;
      expect(total).toBeGreaterThanOrEqual(2 * k);
      expect(k % whole.trainer.plan.stepsPerEpoch).not.toBe(0); // the checkpoint falls mid-epoch
      expect(files).not.toBeNull();

      const resumed = await trainerFor(setup, await decode(files!));
      const events: TrainEvent[] = [];
      const rest = await drain(resumed.trainer, (e) => events.push(e));
      expect(events[0]).toMatchObject({ type: 'started', resumedAtStep: k });
      expect(rest.losses).toEqual(full.losses.slice(k));
      expect(resumed.trainer.history).toEqual(whole.trainer.history);
      expect(rest.last).toEqual(full.last);
      const a = await whole.model.params.snapshot();
      const b = await resumed.model.params.snapshot();
      for (const [name, w] of a) expect(bitEqual(b.get(name)!, w), name).toBe(true);
      const stateA = await whole.trainer.checkpoint();
      const stateB = await resumed.trainer.checkpoint();
      expect(stateB.optimizer).toEqual(stateA.optimizer);
      expect(stateB.progress).toEqual(stateA.progress);
      expect(stateB.plateau).toEqual(stateA.plateau);
    });
  }
});

describe('a resumed run may take its batches in smaller passes (what an out-of-memory failure proposes)', () => {
  it('k steps in whole batches, then k more in micro-batches of 1 with checkpointing: the losses of the uninterrupted run', async () => {
    const k = 6;
    let files: CheckpointFiles | null = null;
    // Without dropout: each pass draws its own masks, so with dropout the draws (not their distribution) differ.
    const noDropout = { ...seqCls, config: { ...seqCls.config, dropout: { hidden: 0, attention: 0, classifier: 0 } } };
    const whole = await trainerFor(noDropout, undefined, k);
    const full = await drain(whole.trainer, (e) => {
      if (e.type === 'checkpointed' && e.step === k) files = encodeCheckpoint(e.checkpoint);
    });
    const smaller = { ...noDropout, config: { ...noDropout.config, microBatchSize: 1, gradientCheckpointing: true } };
    const resumed = await trainerFor(smaller, await decode(files!));
    expect(resumed.trainer.microBatchSize).toBe(1);
    const rest = await drain(resumed.trainer);
    expect(rest.last.type).toBe('finished');
    // The same gradient, summed in another order: equal to float32 rounding, not bit for bit.
    expect(rest.losses).toHaveLength(full.losses.length - k);
    rest.losses.forEach((loss, i) => expect(loss).toBeCloseTo(full.losses[k + i], 4));
  });
});

describe('checkpoint files', () => {
  async function someCheckpoint(): Promise<RunCheckpoint> {
    const { trainer } = await trainerFor({ ...seqCls, config: { ...seqCls.config, epochs: 1 } });
    await drain(trainer);
    return trainer.checkpoint();
  }

  it('round-trip every field, NaN metrics included', async () => {
    const c = await someCheckpoint();
    c.history[0].eval_loss = Number.NaN;
    const back = await decode(encodeCheckpoint(c));
    expect(Number.isNaN(back.history[0].eval_loss)).toBe(true);
    expect(back).toEqual(c);
  });

  it('refuse a truncated tensor file, a changed byte, and a foreign manifest', async () => {
    const files = encodeCheckpoint(await someCheckpoint());
    const cut = { ...files, tensors: files.tensors.subarray(0, files.tensors.length - 100) };
    await expect(decode(cut)).rejects.toMatchObject({ code: 'TRAIN_CHECKPOINT_CORRUPT', message: expect.stringMatching(/incomplete/) });
    const flipped = files.tensors.slice();
    flipped[flipped.length - 3] ^= 0x40;
    await expect(decode({ ...files, tensors: flipped })).rejects.toMatchObject({ code: 'TRAIN_CHECKPOINT_CORRUPT', message: expect.stringMatching(/checksum/) });
    await expect(decode({ ...files, manifest: '{"format": "something else"}' })).rejects.toMatchObject({ code: 'TRAIN_CHECKPOINT_CORRUPT' });
    await expect(decode({ ...files, manifest: files.manifest.replace('"progress"', '"progres"') })).rejects.toMatchObject({ code: 'TRAIN_CHECKPOINT_CORRUPT' });
  });

  it('resuming with another config or other data is refused before anything changes', async () => {
    const c = await someCheckpoint();
    await expect(trainerFor({ ...seqCls, config: { ...seqCls.config, epochs: 1, learningRate: 1e-2 } }, c)).rejects.toMatchObject({
      code: 'TRAIN_RESUME_MISMATCH',
      location: { field: 'learningRate' },
    });
    await expect(trainerFor({ ...seqCls, config: { ...seqCls.config, epochs: 1 }, train: syntheticDataset('seq-cls', 40, 9) }, c)).rejects.toMatchObject({
      code: 'TRAIN_RESUME_MISMATCH',
      location: { field: 'data' },
    });
  });
});
