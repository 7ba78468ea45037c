// RELIABILITY F7 on WebGPU under Node: Dawn from the `webgpu` package, on SwiftShader where the machine has no GPU (the
// adapter headless Chromium gives the e2e runs). tf.memory().numBytesInGPU (bytes of the GPU buffers tensors use),
// numTensors and numBytes may not move after the first step. Skipped, with the reason, where no adapter can be made.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { toErrorData } from '../../../src/lib/errors';
import { growth, memoryOverSteps } from './memory-flat';

const unavailable = await useNodeBackend('webgpu').then(
  () => null,
  (err: unknown) => toErrorData(err).message,
);

// SwiftShader runs every shader on the CPU: fewer steps than on wasm, with the same evaluations and clipping.
it.skipIf(unavailable !== null)(`webgpu: numBytesInGPU, numTensors and numBytes are flat over 20 steps with evaluations ${unavailable ?? ''}`, async () => {
  // A validation error (a kernel binding more storage buffers than the device allows, as addN over an encoder layer's
  // 16 gradients did in the group telemetry) is only reported to this listener: the step goes on with a wrong value.
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  const errors: string[] = [];
  const onError = (e: Event) => errors.push((e as GPUUncapturedErrorEvent).error.message);
  device.addEventListener('uncapturederror', onError);
  const { samples, finished } = await memoryOverSteps(20, 5).finally(() => device.removeEventListener('uncapturederror', onError));
  expect(errors).toEqual([]);
  expect(finished).toBe(true);
  expect(samples).toHaveLength(20);
  expect(samples.every((s) => typeof s.numBytesInGPU === 'number' && s.numBytesInGPU > 0)).toBe(true);
  expect(growth(samples)).toEqual([]);
}, 300_000);
