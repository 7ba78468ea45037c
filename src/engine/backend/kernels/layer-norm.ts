// LayerNorm over the last axis (torch.nn.LayerNorm: biased variance, eps inside the sqrt) as row kernels: WebGPU
// programs, or SIMD row loops of the engine's wasm module (wasm-elementwise-wat.ts). The composite takes 9 kernels
// forward and about 11 backward; here the forward is one, and the backward two (dx, and dy·x̂ for the weight's
// gradient) plus the column sums. Statistics are recomputed in the backward rather than saved.
// Kernel 'LayerwiseLayerNorm': inputs {x [N, H], weight [H], bias [H]}, attrs {eps} -> y [N, H].
// Kernel 'LayerwiseLayerNormGrad': inputs {x [N, H], weight [H], dy [N, H]}, attrs {eps, output} -> [N, H]:
//   output 'dx': rstd·(g - mean(g) - x̂·mean(g·x̂)) with g = dy·weight (aten's layer_norm_backward);
//   output 'dyXHat': dy·x̂, whose column sums are the weight's gradient.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addressOf } from './wasm-module';
import { runCall } from './wasm-pool';
import { ROW_THREADS, runRowKernel } from './webgpu-rows';

export const LAYER_NORM = 'LayerwiseLayerNorm';
export const LAYER_NORM_GRAD = 'LayerwiseLayerNormGrad';

type Mode = 'forward' | 'dx' | 'dyXHat';

/** WGSL: the row's mean and rstd, from X. */
const ROW_STATISTICS = `
    var sum = 0.0;
    for (var c = tid; c < width; c += ${ROW_THREADS}) { sum += X[row * width + c]; }
    let mean = rowSum(sum, tid) / f32(width);
    var squares = 0.0;
    for (var c = tid; c < width; c += ${ROW_THREADS}) {
      let d = X[row * width + c] - mean;
      squares += d * d;
    }
    let rstd = inverseSqrt(rowSum(squares, tid) / f32(width) + uniforms.eps);`;

const BODY: Record<Mode, string> = {
  forward: `
    for (var c = tid; c < width; c += ${ROW_THREADS}) {
      let i = row * width + c;
      setOutputAtIndex(i, (X[i] - mean) * rstd * W[c] + B[c]);
    }`,
  dx: `
    var gSum = 0.0;
    var gxSum = 0.0;
    for (var c = tid; c < width; c += ${ROW_THREADS}) {
      let i = row * width + c;
      let g = DY[i] * W[c];
      gSum += g;
      gxSum += g * (X[i] - mean) * rstd;
    }
    let gMean = rowSum(gSum, tid) / f32(width);
    let gxMean = rowSum(gxSum, tid) / f32(width);
    for (var c = tid; c < width; c += ${ROW_THREADS}) {
      let i = row * width + c;
      setOutputAtIndex(i, rstd * (DY[i] * W[c] - gMean - (X[i] - mean) * rstd * gxMean));
    }`,
  dyXHat: `
    for (var c = tid; c < width; c += ${ROW_THREADS}) {
      let i = row * width + c;
      setOutputAtIndex(i, DY[i] * (X[i] - mean) * rstd);
    }`,
};

const INPUTS: Record<Mode, string[]> = { forward: ['X', 'W', 'B'], dx: ['X', 'W', 'DY'], dyXHat: ['X', 'DY'] };

interface Args {
  inputs: Record<string, tf.TensorInfo>;
  backend: tf.KernelBackend;
  attrs?: unknown;
}

function webgpuRun(args: Args, mode: Mode, inputs: tf.TensorInfo[]): tf.TensorInfo {
  const { eps } = args.attrs as unknown as { eps: number };
  const body = ROW_STATISTICS + BODY[mode];
  return runRowKernel(args.backend, { key: `layerwiseLayerNorm_${mode}`, names: INPUTS[mode], inputs, uniform: { name: 'eps', value: eps }, body });
}

/** The same on wasm: the module's row loops, rows cut between threads; inputs in INPUTS' order, x first. */
function wasmRun(args: Args, mode: Mode, inputs: tf.TensorInfo[]): tf.TensorInfo {
  const { eps } = args.attrs as unknown as { eps: number };
  const backend = args.backend as unknown as BackendWasm;
  const x = inputs[0];
  const width = x.shape[x.shape.length - 1];
  const out = backend.makeOutput(x.shape, 'float32');
  // [rows, width] tensors advance a row at a time; the weight and bias ([width]) stay.
  const pointer = (t: tf.TensorInfo) => ({ pointer: addressOf(backend, t), bytesPerUnit: t.shape.length === 1 ? 0 : 4 * width });
  const name = { forward: 'layer_norm', dx: 'layer_norm_dx', dyXHat: 'layer_norm_dy_xhat' } as const;
  runCall(backend, name[mode], 'memory', tf.util.sizeFromShape(x.shape) / width, 1, width, [...inputs.map(pointer), pointer(out), 'count', { i32: width }, { f32: eps }]);
  return out;
}

const RUN: Record<string, (args: Args, mode: Mode, inputs: tf.TensorInfo[]) => tf.TensorInfo> = { webgpu: webgpuRun, wasm: wasmRun };

function forwardKernel(args: Args, run: typeof webgpuRun): tf.TensorInfo {
  const { x, weight, bias } = args.inputs;
  return run(args, 'forward', [x, weight, bias]);
}

function gradKernel(args: Args, run: typeof webgpuRun): tf.TensorInfo {
  const { x, weight, dy } = args.inputs;
  const { output } = args.attrs as unknown as { output: 'dx' | 'dyXHat' };
  return run(args, output, output === 'dx' ? [x, weight, dy] : [x, dy]);
}

/** Registers both kernels on webgpu and wasm (cpu keeps the composite in layers/layer-norm.ts). Idempotent. */
export function registerLayerNorm(backend: string): void {
  const run = RUN[backend];
  if (run === undefined || tf.getKernel(LAYER_NORM, backend) !== undefined) return;
  tf.registerKernel({ kernelName: LAYER_NORM, backendName: backend, kernelFunc: ((args: Args) => forwardKernel(args, run)) as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: LAYER_NORM_GRAD, backendName: backend, kernelFunc: ((args: Args) => gradKernel(args, run)) as unknown as tf.KernelFunc });
}
