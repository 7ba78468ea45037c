// RELIABILITY F7 on wasm: 200 steps of the real training loop, tf.memory() read after each; numTensors and numBytes
// may not move after the first step (memory-flat.ts).
import { beforeAll, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { growth, memoryOverSteps } from './memory-flat';

beforeAll(() => useNodeBackend('wasm'));

it('wasm: tf.memory().numTensors and numBytes are flat over 200 steps with evaluations, clipping and dropout', async () => {
  const { samples, finished } = await memoryOverSteps(200, 25);
  expect(finished).toBe(true);
  expect(samples.map((s) => s.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  expect(growth(samples)).toEqual([]);
}, 120_000);
