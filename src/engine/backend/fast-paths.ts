// One switch between the engine's fast paths (replacement wasm kernels, layers with hand-written gradients) and the
// plain tfjs composites they replace. On by default; `layerwise bench --baseline` turns it off to measure the
// "before" in the same run, and the tests compare both paths.
import * as tf from '@tensorflow/tfjs-core';

let enabled = true;
const listeners: ((on: boolean) => void)[] = [];

export function fastPathsEnabled(): boolean {
  return enabled;
}

/** The fast paths are on and the current backend has the engine's kernel `name` (backend/kernels/). */
export function fastKernel(name: string): boolean {
  return enabled && tf.getKernel(name, tf.getBackend()) !== undefined;
}

export function setFastPaths(on: boolean): void {
  enabled = on;
  for (const listener of listeners) listener(on);
}

/** Calls `listener` now and whenever the switch changes (kernel registrations follow it this way). */
export function onFastPathsChange(listener: (on: boolean) => void): void {
  listeners.push(listener);
  listener(enabled);
}

/**
 * Whether the current backend's matrix product reads a transposed operand at no extra cost: on wasm the engine's
 * product packs its operands anyway (kernels/wasm-gemm.ts). Elsewhere layers/mat-mul.ts transposes explicitly.
 */
export function productTakesTransposes(): boolean {
  return enabled && tf.getBackend() === 'wasm';
}
