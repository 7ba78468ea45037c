// TrainConfig.gradientCheckpointing through the training loop (wasm, the tiny BERT, dropout on, two micro-batches a
// step): the run's losses and final weights are those of the same run without it, bit for bit, because the
// recomputation repeats the same kernels on the same values with the same dropout masks.
import { afterEach, beforeAll, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { Trainer } from '../../../src/engine/train/trainer';
import type { StepModel } from '../../../src/engine/train/step';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { bitEqual, fixtureModel, syntheticDataset } from './helpers';

const TRAIN = syntheticDataset('seq-cls', 16, 3);
const made: { model: StepModel; trainer: Trainer }[] = [];

beforeAll(() => useNodeBackend('wasm'));
afterEach(() => {
  for (const { model, trainer } of made.splice(0)) {
    trainer.dispose();
    model.params.dispose();
  }
});

async function train(gradientCheckpointing: boolean): Promise<{ losses: number[]; weights: Map<string, Float32Array> }> {
  const model = await fixtureModel('bert-seq-cls', 'seq-cls');
  const config = parseTrainConfig({ batchSize: 4, gradAccumulation: 2, maxSteps: 4, epochs: 2, learningRate: 1e-3, gradientCheckpointing, dropout: { hidden: 0.2, attention: 0.2 } });
  const trainer = new Trainer({ model, train: TRAIN, validation: null, config, padId: 0 });
  made.push({ model, trainer });
  const losses: number[] = [];
  for await (const e of trainer.run()) {
    if (e.type === 'stepCompleted') losses.push(e.telemetry.loss);
    if (e.type === 'failed') throw new Error(e.error.message);
  }
  return { losses, weights: await model.params.snapshot() };
}

it('gives the losses and weights of the run without it, bit for bit', async () => {
  const plain = await train(false);
  const checkpointed = await train(true);
  expect(checkpointed.losses).toHaveLength(4);
  expect(checkpointed.losses).toEqual(plain.losses);
  const differing = [...plain.weights].filter(([name, w]) => !bitEqual(w, checkpointed.weights.get(name) as Float32Array)).map(([n]) => n);
  expect(differing).toEqual([]);
});
