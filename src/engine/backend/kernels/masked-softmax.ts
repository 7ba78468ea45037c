// The attention probabilities softmax(scale·scores + mask) as one WebGPU row kernel, and its gradient as another.
// The composite scales q (one dispatch), adds the mask (one, and a [B, heads, S, S] tensor written and read again),
// runs Softmax, and tfjs differentiates Softmax with four more.
// Kernel 'LayerwiseMaskedSoftmax': inputs {scores [R, S], mask [B, S]} (R = B·heads·S, rows batch-major; mask is
//   the additive padding mask), attrs {scale} -> probabilities [R, S].
// Kernel 'LayerwiseMaskedSoftmaxGrad': inputs {probs [R, S], dy [R, S]}, attrs {scale} -> scale·p·(dy - Σ dy·p).
import * as tf from '@tensorflow/tfjs-core';
import { ROW_THREADS, runRowKernel } from './webgpu-rows';

export const MASKED_SOFTMAX = 'LayerwiseMaskedSoftmax';
export const MASKED_SOFTMAX_GRAD = 'LayerwiseMaskedSoftmaxGrad';

const FORWARD = `
    // The rows of one sequence's mask: heads·S consecutive rows share it.
    let maskRow = row / (uniforms.outShape[0] / uniforms.mShape[0]);
    var localMax = -3.402823e+38;
    for (var c = tid; c < width; c += ${ROW_THREADS}) {
      localMax = max(localMax, X[row * width + c] * uniforms.scale + M[maskRow * width + c]);
    }
    let rowMaximum = rowMax(localMax, tid);
    var localSum = 0.0;
    for (var c = tid; c < width; c += ${ROW_THREADS}) {
      localSum += exp(X[row * width + c] * uniforms.scale + M[maskRow * width + c] - rowMaximum);
    }
    let total = rowSum(localSum, tid);
    for (var c = tid; c < width; c += ${ROW_THREADS}) {
      let i = row * width + c;
      setOutputAtIndex(i, exp(X[i] * uniforms.scale + M[maskRow * width + c] - rowMaximum) / total);
    }`;

const BACKWARD = `
    var localDot = 0.0;
    for (var c = tid; c < width; c += ${ROW_THREADS}) {
      let i = row * width + c;
      localDot += DY[i] * P[i];
    }
    let dot = rowSum(localDot, tid);
    for (var c = tid; c < width; c += ${ROW_THREADS}) {
      let i = row * width + c;
      setOutputAtIndex(i, uniforms.scale * P[i] * (DY[i] - dot));
    }`;

interface Args {
  inputs: Record<string, tf.TensorInfo>;
  backend: tf.KernelBackend;
  attrs?: unknown;
}

const scaleOf = (args: Args) => ({ name: 'scale', value: (args.attrs as unknown as { scale: number }).scale });

const forwardKernel = (args: Args) =>
  runRowKernel(args.backend, { key: 'layerwiseMaskedSoftmax', names: ['X', 'M'], inputs: [args.inputs.scores, args.inputs.mask], uniform: scaleOf(args), body: FORWARD });
const gradKernel = (args: Args) =>
  runRowKernel(args.backend, { key: 'layerwiseMaskedSoftmaxGrad', names: ['P', 'DY'], inputs: [args.inputs.probs, args.inputs.dy], uniform: scaleOf(args), body: BACKWARD });

/** Registers both kernels on webgpu (the other backends keep the composite in layers/attention.ts). Idempotent. */
export function registerMaskedSoftmax(backend: string): void {
  if (backend !== 'webgpu' || tf.getKernel(MASKED_SOFTMAX, backend) !== undefined) return;
  tf.registerKernel({ kernelName: MASKED_SOFTMAX, backendName: backend, kernelFunc: forwardKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: MASKED_SOFTMAX_GRAD, backendName: backend, kernelFunc: gradKernel as unknown as tf.KernelFunc });
}
