// Backend choice: loads tfjs-core's gradient registry and one backend package, then makes that backend current.
// Host specifics (where the .wasm files are served, a navigator.gpu under Node) are set up by the host first:
// the worker in the browser, src/cli/node-backend.ts under Node.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { registerAdamWUpdate } from './kernels/adamw-update';
import { registerColumnSums } from './kernels/column-sums';
import { registerDropoutMask } from './kernels/dropout-mask';
import { registerGelu } from './kernels/gelu';
import { registerL2Norm } from './kernels/l2-norm';
import { registerLayerNorm } from './kernels/layer-norm';
import { registerMaskedSoftmax } from './kernels/masked-softmax';
import { installWasmKernels } from './kernels/wasm-kernels';
import { stopWasmThreads } from './kernels/wasm-pool';

export type BackendName = 'cpu' | 'wasm' | 'webgpu';

export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'wasm', 'webgpu'];

let gradientsRegistered: Promise<unknown> | null = null;

/**
 * Makes `name` the tfjs backend. tfjs-core alone registers no gradients (the @tensorflow/tfjs umbrella does),
 * so the registry is imported here once; it is loaded lazily so that a Node host can make it importable first.
 */
export async function useBackend(name: BackendName): Promise<void> {
  gradientsRegistered ??= import('@tensorflow/tfjs-core/dist/register_all_gradients');
  await gradientsRegistered;
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    // Faster replacements of stock kernels (the reasons are in each file), registered before the backend starts.
    installWasmKernels();
  }
  else await import('@tensorflow/tfjs-backend-webgpu');
  // The engine's own kernels (backend/kernels/), for every backend.
  registerDropoutMask(name);
  registerAdamWUpdate(name);
  registerColumnSums(name);
  registerLayerNorm(name);
  registerGelu(name);
  registerL2Norm(name);
  registerMaskedSoftmax(name);
  // The webgpu package registers its backend only where navigator.gpu exists at import time.
  if (tf.findBackendFactory(name) === null) {
    throw new LayerwiseError('BACKEND_UNAVAILABLE', `The ${name} backend is not available here (${unavailableReason(name)}).`);
  }
  if (!(await tf.setBackend(name))) {
    throw new LayerwiseError('BACKEND_UNAVAILABLE', `The ${name} backend failed to start (${unavailableReason(name)}).`);
  }
  await tf.ready();
}

/** The priorities tfjs-backend-wasm and tfjs-backend-webgpu register their backends with. */
const PRIORITY = { wasm: 2, webgpu: 3 } as const;

/**
 * Drops the backend `name` and registers its factory again, so that its next use starts it anew: a new WebAssembly
 * module with a new heap (after the old one failed inside: RELIABILITY F4), or a new WebGPU adapter and device (after
 * a device loss: F2). Its tensors are gone.
 */
export function renewBackend(name: 'wasm' | 'webgpu'): void {
  const factory = tf.findBackendFactory(name);
  if (factory === null) return;
  const old = tf.findBackend(name);
  if (name === 'wasm' && old !== null) stopWasmThreads(old);
  tf.removeBackend(name);
  tf.registerBackend(name, factory, PRIORITY[name]);
}

function unavailableReason(name: BackendName): string {
  if (name === 'webgpu') return 'no WebGPU adapter: navigator.gpu is missing or returned no adapter';
  if (name === 'wasm') return 'the WebAssembly module could not be loaded';
  return 'tfjs could not initialise it';
}
