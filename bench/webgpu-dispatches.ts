// Dispatches of one training step on WebGPU with the engine's own kernels (src/engine/backend/kernels/) and without
// them (unregistered, so the layers fall back to their tfjs composites), in one process. Dispatch counts do not depend
// on the GPU, so SwiftShader measures them as well as a real one; time per dispatch is what a real GPU adds.
// Usage: npx tsx bench/webgpu-dispatches.ts [LAYERS=4] -> one JSON line per variant.
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../src/cli/node-backend';
import { buildBenchModel, disposeBenchModel, profileStep, trainStep } from '../src/engine/bench/train-bench';
import { GELU, GELU_GRAD } from '../src/engine/backend/kernels/gelu';
import { L2_NORM } from '../src/engine/backend/kernels/l2-norm';
import { LAYER_NORM, LAYER_NORM_GRAD } from '../src/engine/backend/kernels/layer-norm';
import { MASKED_SOFTMAX, MASKED_SOFTMAX_GRAD } from '../src/engine/backend/kernels/masked-softmax';

const ROW_KERNELS = [GELU, GELU_GRAD, L2_NORM, LAYER_NORM, LAYER_NORM_GRAD, MASKED_SOFTMAX, MASKED_SOFTMAX_GRAD];

await useNodeBackend('webgpu');
// Small widths keep SwiftShader quick; the dispatch count depends on the layer count, not on the widths.
const spec = { layers: Number(process.argv[2] ?? 4), hidden: 64, heads: 2, ffn: 256, vocab: 512, batch: 2, seq: 32 };
const registered = ROW_KERNELS.map((name) => tf.getKernel(name, 'webgpu'));
for (const withKernels of [true, false]) {
  if (!withKernels) for (const name of ROW_KERNELS) tf.unregisterKernel(name, 'webgpu');
  const m = buildBenchModel(spec, 1);
  await trainStep(m, 1); // compiles the programs
  const p = await profileStep(m, 2);
  const programs = Object.fromEntries((p.programs ?? []).map((k) => [k.name, k.calls]));
  console.log(JSON.stringify({ layers: spec.layers, row_kernels: withKernels, kernel_calls: p.kernelCalls, dispatches: p.dispatches, programs }));
  disposeBenchModel(m);
}
for (const config of registered) if (config !== undefined) tf.registerKernel(config);
