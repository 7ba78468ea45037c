// The memory a training run holds, read after each of its steps (RELIABILITY F7): the Trainer's real loop (AdamW,
// clipping, dropout, evaluations) on the tiny bert-seq-cls fixture and a seeded synthetic dataset.
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from '../../../src/engine/train/trainer';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { fixtureModel, syntheticDataset } from './helpers';

export interface MemorySample {
  step: number;
  numTensors: number;
  numBytes: number;
  /** WebGPU only: bytes of the GPU buffers tensors use. */
  numBytesInGPU?: number;
}

/** tf.memory() after each of `steps` steps, an evaluation every `evalEvery`; the model and trainer are disposed after. */
export async function memoryOverSteps(steps: number, evalEvery: number): Promise<{ samples: MemorySample[]; finished: boolean }> {
  const model = await fixtureModel('bert-seq-cls', 'seq-cls');
  const config = parseTrainConfig({ batchSize: 2, maxSteps: steps, epochs: 1000, evalEvery, learningRate: 1e-3, maxGradNorm: 1 });
  const trainer = new Trainer({ model, train: syntheticDataset('seq-cls', 16, 3), validation: syntheticDataset('seq-cls', 4, 4), config, padId: 0 });
  const samples: MemorySample[] = [];
  let finished = false;
  try {
    for await (const e of trainer.run()) {
      if (e.type === 'stepCompleted') {
        const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
        samples.push({ step: e.telemetry.step, numTensors: m.numTensors, numBytes: m.numBytes, ...(m.numBytesInGPU !== undefined && { numBytesInGPU: m.numBytesInGPU }) });
      }
      if (e.type === 'finished') finished = true;
    }
  } finally {
    trainer.dispose();
    model.params.dispose();
  }
  return { samples, finished };
}

/** The samples after the first step (AdamW makes its moments there) that differ from the one after step 2. */
export function growth(samples: MemorySample[]): MemorySample[] {
  const [, warm, ...rest] = samples;
  return rest.filter((s) => s.numTensors !== warm.numTensors || s.numBytes !== warm.numBytes || s.numBytesInGPU !== warm.numBytesInGPU);
}
