// TrainConfig.microBatchSize (train/windows.ts splitMicroBatch): a batch split into passes keeps its examples, padding
// and masks, and with dropout off a run of micro-batches takes the steps of the whole-batch run (wasm, tiny BERT:
// losses and weights within float32 summation order); the run reports the split in its plan.
import { afterEach, beforeAll, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { Trainer } from '../../../src/engine/train/trainer';
import type { StepModel } from '../../../src/engine/train/step';
import { splitMicroBatch, type MicroBatch } from '../../../src/engine/train/windows';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { fixtureModel, maxAbsDiff, syntheticDataset } from './helpers';

const TRAIN = syntheticDataset('seq-cls', 24, 5);
const made: { model: StepModel; trainer: Trainer }[] = [];
beforeAll(() => useNodeBackend('wasm'));
afterEach(() => {
  for (const { model, trainer } of made.splice(0)) {
    trainer.dispose();
    model.params.dispose();
  }
});

it('splitMicroBatch keeps the rows, padding and labels of the batch, in order', () => {
  const seq = 4;
  const m: MicroBatch = {
    batch: {
      size: 3, seqLength: seq, indices: [7, 8, 9],
      input_ids: Int32Array.from({ length: 12 }, (_, i) => i), attention_mask: Int32Array.from([1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0]),
      token_type_ids: new Int32Array(12), labels: Int32Array.from([-100, 3, -100, -100, 4, 5, -100, -100, 6, -100, -100, -100]),
    },
    count: 4, tokens: 6,
  };
  const parts = splitMicroBatch(m, 2);
  expect(parts.map((p) => [p.batch.size, p.batch.seqLength, p.count, p.tokens, p.batch.indices])).toEqual([[2, 4, 3, 5, [7, 8]], [1, 4, 1, 1, [9]]]);
  expect(Array.from(parts[1].batch.input_ids)).toEqual([8, 9, 10, 11]);
  expect(Array.from(parts[0].batch.labels)).toEqual([-100, 3, -100, -100, 4, 5, -100, -100]);
  expect(splitMicroBatch(m, 3)).toEqual([m]);
});

async function run(microBatchSize: number | null) {
  const model = await fixtureModel('bert-seq-cls', 'seq-cls');
  const config = parseTrainConfig({ batchSize: 8, microBatchSize, maxSteps: 3, epochs: 2, learningRate: 1e-3, dropout: { hidden: 0, attention: 0, classifier: 0 } });
  const trainer = new Trainer({ model, train: TRAIN, validation: null, config, padId: 0 });
  made.push({ model, trainer });
  const losses: number[] = [];
  let planned: number | null | undefined;
  for await (const e of trainer.run()) {
    if (e.type === 'started') planned = e.plan.microBatchSize;
    if (e.type === 'stepCompleted') losses.push(e.telemetry.loss);
    if (e.type === 'failed') throw new Error(e.error.message);
  }
  return { losses, planned, weights: await model.params.snapshot() };
}

it('a run in micro-batches takes the whole-batch run\'s steps', async () => {
  const whole = await run(null);
  const split = await run(3);
  expect([whole.planned, split.planned]).toEqual([null, 3]);
  expect(split.losses).toHaveLength(3);
  split.losses.forEach((l, i) => expect(Math.abs(l - whole.losses[i])).toBeLessThanOrEqual(1e-6));
  let worst = 0;
  for (const [name, w] of whole.weights) worst = Math.max(worst, maxAbsDiff(w, split.weights.get(name) as Float32Array));
  expect(worst).toBeLessThanOrEqual(1e-6);
  expect(worst).toBeGreaterThanOrEqual(0);
});
