// torch's exact GELU, x·Φ(x), and its derivative as one pass each: a WebGPU program, or a SIMD loop of the engine's
// wasm module (wasm-elementwise-wat.ts). The composite takes five kernels forward (erf, adds and products) and seven
// backward, and on wasm tfjs's Exp and Erf are scalar C. erf is tfjs's own approximation (Abramowitz and Stegun
// 7.1.26, the constants of tf.backend_util), so the kernels agree with tfjs's Erf to float32 rounding.
// Kernel 'LayerwiseGelu': inputs {x} -> x·Φ(x). Kernel 'LayerwiseGeluGrad': inputs {x, dy} -> dy·(Φ(x) + x·φ(x)).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { addressOf } from './wasm-module';
import { runCall } from './wasm-pool';

export const GELU = 'LayerwiseGelu';
export const GELU_GRAD = 'LayerwiseGeluGrad';

const u = tf.backend_util;
const CDF = `
  fn erfApprox(a : f32) -> f32 {
    let t = 1.0 / (1.0 + ${u.ERF_P} * abs(a));
    let poly = ((((${u.ERF_A5} * t + ${u.ERF_A4}) * t + ${u.ERF_A3}) * t + ${u.ERF_A2}) * t + ${u.ERF_A1}) * t;
    return sign(a) * (1.0 - poly * exp(-a * a));
  }
  fn cdf(x : f32) -> f32 { return 0.5 * (1.0 + erfApprox(x * ${Math.SQRT1_2})); }
`;

class GeluProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  private readonly backward: boolean;

  constructor(shape: number[], backward: boolean) {
    this.outputShape = shape;
    this.backward = backward;
    this.variableNames = backward ? ['X', 'DY'] : ['X'];
    this.shaderKey = `layerwiseGelu_${backward ? 'grad' : 'forward'}`;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(tf.util.sizeFromShape(shape) / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    // φ(x) = exp(-x²/2)/√(2π)
    const value = this.backward ? `DY[index] * (cdf(x) + x * exp(-0.5 * x * x) * ${1 / Math.sqrt(2 * Math.PI)})` : 'x * cdf(x)';
    return `
      ${CDF}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let x = X[index];
          setOutputAtIndex(index, ${value});
        }
      }
    `;
  }
}

interface Args {
  inputs: Record<string, tf.TensorInfo>;
  backend: tf.KernelBackend;
}

function webgpuKernel(args: Args, backward: boolean): tf.TensorInfo {
  const { x, dy } = args.inputs;
  const program = new GeluProgram(x.shape, backward);
  return (args.backend as unknown as WebGPUBackend).runWebGPUProgram(program, backward ? [x, dy] : [x], 'float32');
}

function wasmKernel(args: Args, backward: boolean): tf.TensorInfo {
  const { x, dy } = args.inputs;
  const backend = args.backend as unknown as BackendWasm;
  const out = backend.makeOutput(x.shape, 'float32');
  const pointer = (t: tf.TensorInfo) => ({ pointer: addressOf(backend, t), bytesPerUnit: 4 });
  const inputs = backward ? [pointer(x), pointer(dy)] : [pointer(x)];
  // Cut between threads in whole vectors.
  runCall(backend, backward ? 'gelu_grad' : 'gelu', 'compute', tf.util.sizeFromShape(x.shape), 4, 1, [...inputs, pointer(out), 'count']);
  return out;
}

const KERNELS: Record<string, (args: Args, backward: boolean) => tf.TensorInfo> = { webgpu: webgpuKernel, wasm: wasmKernel };

/** Registers both kernels on webgpu and wasm (cpu keeps the composite in layers/activations.ts). Idempotent. */
export function registerGelu(backend: string): void {
  const run = KERNELS[backend];
  if (run === undefined || tf.getKernel(GELU, backend) !== undefined) return;
  tf.registerKernel({ kernelName: GELU, backendName: backend, kernelFunc: ((args: Args) => run(args, false)) as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: GELU_GRAD, backendName: backend, kernelFunc: ((args: Args) => run(args, true)) as unknown as tf.KernelFunc });
}
