// The L2 norm of a whole tensor as one WebGPU program (a single workgroup striding over the values, as tfjs's own
// full reduction does) or one SIMD pass of the engine's wasm module (squares summed in float64), instead of Square,
// Sum and Sqrt: gradient clipping measures every parameter's gradient, so this is one kernel per parameter, not three.
// Kernel 'LayerwiseL2Norm': inputs {x} (any shape) -> float32 [1] sqrt(Σ x²).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { addressOf, elementwise } from './wasm-module';
import { WIDE_ROW_THREADS, rowPrelude } from './webgpu-rows';

export const L2_NORM = 'LayerwiseL2Norm';

class L2NormProgram implements WebGPUProgram {
  variableNames = ['X'];
  outputShape = [1];
  shaderKey = 'layerwiseL2Norm';
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number] = [1, 1, 1];
  workgroupSize: [number, number, number] = [WIDE_ROW_THREADS, 1, 1];
  uniforms = 'length : i32,';

  getUserCode(): string {
    return `
      ${rowPrelude(WIDE_ROW_THREADS)}
      fn main(index : i32) {
        var squares = 0.0;
        for (var i = index; i < uniforms.length; i += ${WIDE_ROW_THREADS}) {
          squares += X[i] * X[i];
        }
        let total = rowSum(squares, index);
        if (index == 0) {
          setOutputAtIndex(0, sqrt(total));
        }
      }
    `;
  }
}

function webgpuKernel(args: { inputs: Record<string, tf.TensorInfo>; backend: tf.KernelBackend }): tf.TensorInfo {
  const { x } = args.inputs;
  const uniforms = [{ type: 'int32', data: [tf.util.sizeFromShape(x.shape)] }];
  return (args.backend as unknown as WebGPUBackend).runWebGPUProgram(new L2NormProgram(), [x], 'float32', uniforms);
}

function wasmKernel(args: { inputs: Record<string, tf.TensorInfo>; backend: tf.KernelBackend }): tf.TensorInfo {
  const { x } = args.inputs;
  const backend = args.backend as unknown as BackendWasm;
  const out = backend.makeOutput([1], 'float32');
  elementwise(backend).exports.l2_norm(addressOf(backend, x), tf.util.sizeFromShape(x.shape), addressOf(backend, out));
  return out;
}

const KERNELS: Record<string, tf.KernelFunc> = { webgpu: webgpuKernel as unknown as tf.KernelFunc, wasm: wasmKernel as unknown as tf.KernelFunc };

/** Registers the kernel on webgpu and wasm (cpu keeps Square, Sum and Sqrt: optim/clip.ts). Idempotent. */
export function registerL2Norm(backend: string): void {
  const kernelFunc = KERNELS[backend];
  if (kernelFunc === undefined || tf.getKernel(L2_NORM, backend) !== undefined) return;
  tf.registerKernel({ kernelName: L2_NORM, backendName: backend, kernelFunc });
}
