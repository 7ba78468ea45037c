// Running out of memory in a run (backend/memory-guard.ts through the Trainer, wasm): with a heap budget below what a
// step needs, the run ends with TRAIN_OUT_OF_MEMORY naming a micro-batch and the field to set, its weights bit for
// bit those before the step, no tensor left behind, and the backend working (a forward pass after it); with room
// enough the same run completes. Budgets are set from the tiny model's own size.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { Trainer, type TrainEvent } from '../../../src/engine/train/trainer';
import type { StepModel } from '../../../src/engine/train/step';
import { estimateStepMemory, memoryLimits } from '../../../src/protocol/memory-plan';
import { outOfMemoryAdvice, plannerModel } from '../../../src/engine/train/memory';
import { LayerwiseError } from '../../../src/lib/errors';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { bitEqual, fixtureModel, syntheticDataset } from './helpers';

const TRAIN = syntheticDataset('seq-cls', 32, 9);
let model: StepModel | null = null;
beforeAll(() => useNodeBackend('wasm'));
afterEach(() => {
  model?.params.dispose();
  model = null;
});

async function run(budgetFactor: number): Promise<{ events: TrainEvent[]; before: Map<string, Float32Array>; after: Map<string, Float32Array>; leaked: number }> {
  model = await fixtureModel('bert-seq-cls', 'seq-cls');
  const config = parseTrainConfig({ batchSize: 16, maxSteps: 2, epochs: 1, learningRate: 1e-3 });
  const memory = memoryLimits('wasm', null, budgetFactor * model.params.parameterCount() * 4);
  const before = await model.params.snapshot();
  const tensors = tf.memory().numTensors;
  const trainer = new Trainer({ model, train: TRAIN, validation: null, config, padId: 0, memory, groupTelemetryEvery: 0 });
  const events: TrainEvent[] = [];
  for await (const e of trainer.run()) events.push(e);
  trainer.dispose();
  return { events, before, after: await model.params.snapshot(), leaked: tf.memory().numTensors - tensors };
}

it('ends with the micro-batch that would fit, the weights as they were and the backend working', async () => {
  // Weights, gradients and two moments alone are 4 copies: 3.5 leave no room for a step.
  const { events, before, after, leaked } = await run(3.5);
  const failed = events.find((e) => e.type === 'failed');
  expect(failed, JSON.stringify(events.map((e) => e.type))).toBeDefined();
  const error = (failed as Extract<TrainEvent, { type: 'failed' }>).error;
  expect(error.code).toBe('TRAIN_OUT_OF_MEMORY');
  expect(error.location).toEqual({ field: 'microBatchSize' });
  expect(error.message).toMatch(/in a pass of 16 examples/);
  expect(error.message).toMatch(/(set microBatchSize to \d+|No micro-batch of this model fits)/);
  // The proposal as data too, which the studio's "Resume with micro-batches of N" takes (RELIABILITY F3, F4).
  const proposal = /set microBatchSize to (\d+)( and gradientCheckpointing on)?/.exec(error.message);
  expect(proposal).not.toBeNull();
  expect(error.retryWith).toEqual({ microBatchSize: Number(proposal![1]), gradientCheckpointing: proposal![2] !== undefined });
  expect(error.retryWith!.microBatchSize).toBeLessThan(16);
  expect(events.filter((e) => e.type === 'stepCompleted')).toHaveLength(0);
  expect([...before].filter(([n, w]) => !bitEqual(w, after.get(n) as Float32Array))).toEqual([]);
  expect(leaked).toBe(0);
  const logits = model!.family.forward(model!.params.tensors(), { input_ids: tf.tensor2d([[2, 5, 3]], undefined, 'int32'), attention_mask: tf.tensor2d([[1, 1, 1]], undefined, 'int32') }, model!.config, 'seq-cls', { training: false });
  expect(Array.from(await logits.data()).every(Number.isFinite)).toBe(true);
  tf.dispose(logits);
});

it('completes when the step fits the budget', async () => {
  const { events } = await run(400);
  expect(events.at(-1)?.type).toBe('finished');
  expect(events.filter((e) => e.type === 'stepCompleted')).toHaveLength(2);
});

it('proposes the largest pass with at most three quarters of the failed pass\'s activations, also when weights and moments are most of the step (F3)', async () => {
  model = await fixtureModel('bert-seq-cls', 'seq-cls');
  // A pass of 4 examples of 2 tokens: the model's weights, gradients and moments are most of its estimate.
  const config = parseTrainConfig({ batchSize: 4, maxLength: 2, maxSteps: 2, epochs: 1 });
  const planner = plannerModel(model);
  const estimate = (micro: number) => estimateStepMemory(planner, config, { microBatch: micro, microBatches: Math.ceil(4 / micro), seq: 2 }, 'wasm');
  const failed = estimate(4);
  // Weights, gradients and moments (4 copies of the weights) are most of the step: three quarters of the whole left
  // no room for any pass (the rule before), three quarters of the activations does.
  expect(failed.activations).toBeLessThan(0.25 * failed.total);
  const error = outOfMemoryAdvice(planner, config, 4, memoryLimits('wasm', null), new LayerwiseError('OUT_OF_MEMORY', 'the heap could not grow'), 7);
  expect(error).toMatchObject({ code: 'TRAIN_OUT_OF_MEMORY', location: { field: 'microBatchSize' } });
  expect(error.message).toMatch(/^Ran out of memory in step 8, in a pass of 4 examples \(the heap could not grow\)\. A pass of \d+ examples? would fit: set microBatchSize to \d+\. The weights are those after step 7\.$/);
  const micro = error.retryWith?.microBatchSize as number;
  expect(error.retryWith).toEqual({ microBatchSize: micro, gradientCheckpointing: false });
  // The largest such pass.
  expect(estimate(micro).activations).toBeLessThanOrEqual(0.75 * failed.activations);
  for (let m = micro + 1; m < 4; m++) expect(estimate(m).activations).toBeGreaterThan(0.75 * failed.activations);
});
