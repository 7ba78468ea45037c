// Installs the replacement tfjs-backend-wasm kernels (wasm-gemm.ts, wasm-copy-free.ts) and keeps them in step
// with the fast-paths switch: off puts tfjs's own kernels back. Each registration keeps the stock setupFunc, so the
// stock kernel is bound to its C entry point when the backend starts and can take over at any time.
import * as tf from '@tensorflow/tfjs-core';
import { onFastPathsChange } from '../fast-paths';
import { wasmBatchMatMul, wasmFusedMatMul } from './wasm-gemm';
import { wasmGatherV2, wasmIdentity } from './wasm-copy-free';

let installed = false;

/** Call after importing @tensorflow/tfjs-backend-wasm and before the backend starts. Idempotent. */
export function installWasmKernels(): void {
  if (installed) return;
  const stock = (name: string): tf.KernelConfig => {
    const k = tf.getKernel(name, 'wasm');
    if (k === undefined) throw new Error(`tfjs-backend-wasm has no ${name} kernel to replace (import the package first)`);
    return k;
  };
  const replacements: [tf.KernelConfig, tf.KernelFunc][] = [
    [stock(tf.BatchMatMul), wasmBatchMatMul as unknown as tf.KernelFunc],
    [stock(tf._FusedMatMul), wasmFusedMatMul as unknown as tf.KernelFunc],
    [stock(tf.Identity), wasmIdentity as unknown as tf.KernelFunc],
    [stock(tf.GatherV2), wasmGatherV2(stock(tf.GatherV2).kernelFunc)],
  ];
  onFastPathsChange((on) => {
    for (const [original, fast] of replacements) {
      tf.unregisterKernel(original.kernelName, 'wasm');
      tf.registerKernel({ ...original, kernelFunc: on ? fast : original.kernelFunc });
    }
  });
  installed = true;
}
