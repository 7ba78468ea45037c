// torch's exact GELU, x·Φ(x), and its derivative as one WebGPU program each. The composite takes five dispatches
// forward (erf, adds and products) and seven backward. erf is tfjs's own approximation (Abramowitz and Stegun 7.1.26,
// the constants of tf.backend_util), so the kernel agrees with tfjs's Erf to float32 rounding.
// Kernel 'LayerwiseGelu': inputs {x} -> x·Φ(x). Kernel 'LayerwiseGeluGrad': inputs {x, dy} -> dy·(Φ(x) + x·φ(x)).
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

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

function run(args: Args, backward: boolean): tf.TensorInfo {
  const { x, dy } = args.inputs;
  const program = new GeluProgram(x.shape, backward);
  return (args.backend as unknown as WebGPUBackend).runWebGPUProgram(program, backward ? [x, dy] : [x], 'float32');
}

/** Registers both kernels on webgpu (the other backends keep the composite in layers/activations.ts). Idempotent. */
export function registerGelu(backend: string): void {
  if (backend !== 'webgpu' || tf.getKernel(GELU, backend) !== undefined) return;
  tf.registerKernel({ kernelName: GELU, backendName: backend, kernelFunc: ((args: Args) => run(args, false)) as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: GELU_GRAD, backendName: backend, kernelFunc: ((args: Args) => run(args, true)) as unknown as tf.KernelFunc });
}
