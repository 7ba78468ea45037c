// One AdamW update of one parameter (torch.optim.AdamW's _single_tensor_adamw per element) as one kernel instead of ~14
// ops: one JavaScript loop on cpu, one WGSL program per output on webgpu, one SIMD pass of the engine's wasm module on
// wasm (wasm-elementwise-wat.ts; a JavaScript loop over the heap lost to tfjs-wasm's SIMD ops, 45 vs 35 ms for 2.1M
// values). Kernel 'LayerwiseAdamW': inputs {param, grad, expAvg, expAvgSq}, attrs AdamWUpdateAttrs; outputs
// [param, expAvg, expAvgSq].
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { addressOf } from './wasm-module';
import { runCall } from './wasm-pool';

export const ADAMW_UPDATE = 'LayerwiseAdamW';

export interface AdamWUpdateAttrs {
  beta1: number;
  beta2: number;
  eps: number;
  lr: number;
  weightDecay: number;
  /** This parameter's step count, counting this update (1 for its first). */
  step: number;
  /** The gradient is used times this (gradient clipping's coefficient, optim/clip.ts), rounded to float32. */
  gradScale: number;
}

/** The per-step scalars, as torch computes them (in float64 on the host). */
function scalars(a: AdamWUpdateAttrs) {
  return {
    decay: 1 - a.lr * a.weightDecay,
    stepSize: a.lr / (1 - a.beta1 ** a.step),
    biasCorrection2Sqrt: Math.sqrt(1 - a.beta2 ** a.step),
  };
}

/** With g = grad·gradScale: p *= decay; m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; p -= stepSize·m / (√v / √bc2 + eps). */
function update(a: AdamWUpdateAttrs, p: ArrayLike<number>, g: ArrayLike<number>, m: ArrayLike<number>, v: ArrayLike<number>, outP: Float32Array, outM: Float32Array, outV: Float32Array): void {
  const { decay, stepSize, biasCorrection2Sqrt } = scalars(a);
  const { beta1, beta2, eps, gradScale } = a;
  for (let i = 0; i < outP.length; i++) {
    const gi = gradScale === 1 ? g[i] : Math.fround(g[i] * gradScale);
    const mi = (outM[i] = beta1 * m[i] + (1 - beta1) * gi);
    const vi = (outV[i] = beta2 * v[i] + (1 - beta2) * gi * gi);
    outP[i] = p[i] * decay - (stepSize * mi) / (Math.sqrt(vi) / biasCorrection2Sqrt + eps);
  }
}

interface Args {
  inputs: Record<string, tf.TensorInfo>;
  backend: tf.KernelBackend;
  attrs?: unknown;
}

const attrsOf = (args: Args) => args.attrs as unknown as AdamWUpdateAttrs;

function cpuKernel(args: Args): tf.TensorInfo[] {
  const { param, grad, expAvg, expAvgSq } = args.inputs;
  const backend = args.backend as unknown as {
    readSync(dataId: tf.DataId): ArrayLike<number>;
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  };
  const outs = [0, 1, 2].map(() => new Float32Array(tf.util.sizeFromShape(param.shape)));
  const read = (t: tf.TensorInfo) => backend.readSync(t.dataId);
  update(attrsOf(args), read(param), read(grad), read(expAvg), read(expAvgSq), outs[0], outs[1], outs[2]);
  return outs.map((values) => backend.makeTensorInfo(param.shape, 'float32', values));
}

type Output = 'param' | 'expAvg' | 'expAvgSq';

/** Each output's inputs: a program binds only what it reads (WebGPU's layout leaves unread buffers out). */
const PROGRAM_INPUTS: Record<Output, string[]> = { param: ['P', 'G', 'M', 'V'], expAvg: ['G', 'M'], expAvgSq: ['G', 'V'] };

/** One output of the update per program; the parameter's program recomputes both moments. */
class AdamWProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  uniforms = 'beta1 : f32, beta2 : f32, eps : f32, decay : f32, stepSize : f32, biasCorrection2Sqrt : f32, gradScale : f32,';
  private readonly output: Output;

  constructor(shape: number[], output: Output) {
    this.outputShape = shape;
    this.output = output;
    this.variableNames = PROGRAM_INPUTS[output];
    this.shaderKey = `layerwiseAdamW_${output}`;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(tf.util.sizeFromShape(shape) / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    const m = 'uniforms.beta1 * M[index] + (1.0 - uniforms.beta1) * g';
    const v = 'uniforms.beta2 * V[index] + (1.0 - uniforms.beta2) * g * g';
    const body = {
      expAvg: `setOutputAtIndex(index, ${m});`,
      expAvgSq: `setOutputAtIndex(index, ${v});`,
      param: `let m = ${m};
          let v = ${v};
          setOutputAtIndex(index, P[index] * uniforms.decay - uniforms.stepSize * m / (sqrt(v) / uniforms.biasCorrection2Sqrt + uniforms.eps));`,
    }[this.output];
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let g = G[index] * uniforms.gradScale;
          ${body}
        }
      }
    `;
  }
}

function webgpuKernel(args: Args): tf.TensorInfo[] {
  const { param, grad, expAvg, expAvgSq } = args.inputs;
  const a = attrsOf(args);
  const s = scalars(a);
  const uniforms = [a.beta1, a.beta2, a.eps, s.decay, s.stepSize, s.biasCorrection2Sqrt, a.gradScale].map((x) => ({ type: 'float32', data: [x] }));
  const backend = args.backend as unknown as WebGPUBackend;
  const byName: Record<string, tf.TensorInfo> = { P: param, G: grad, M: expAvg, V: expAvgSq };
  return (['param', 'expAvg', 'expAvgSq'] as const).map((o) => {
    const program = new AdamWProgram(param.shape, o);
    return backend.runWebGPUProgram(program, program.variableNames.map((n) => byName[n]), 'float32', uniforms);
  });
}

/** The float32 operations of optim/adamw.ts's ops path, in one pass: its scalars rounded as tfjs rounds them. */
function wasmKernel(args: Args): tf.TensorInfo[] {
  const { param, grad, expAvg, expAvgSq } = args.inputs;
  const a = attrsOf(args);
  const s = scalars(a);
  const backend = args.backend as unknown as BackendWasm;
  const outs = [0, 1, 2].map(() => backend.makeOutput(param.shape, 'float32'));
  const pointers = [param, grad, expAvg, expAvgSq, ...outs].map((t) => ({ pointer: addressOf(backend, t), bytesPerUnit: 4 }));
  const values = [a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, s.decay, -s.stepSize, s.biasCorrection2Sqrt, a.gradScale];
  runCall(backend, 'adamw', 'memory', tf.util.sizeFromShape(param.shape), 4, 1, [...pointers, 'count', ...values.map((f32) => ({ f32 }))]);
  return outs;
}

const KERNELS: Record<string, (args: Args) => tf.TensorInfo[]> = { cpu: cpuKernel, wasm: wasmKernel, webgpu: webgpuKernel };

/** Registers the update kernel for `backend` (cpu, wasm, webgpu). Idempotent. */
export function registerAdamWUpdate(backend: string): void {
  const kernelFunc = KERNELS[backend];
  if (kernelFunc !== undefined && tf.getKernel(ADAMW_UPDATE, backend) === undefined) {
    tf.registerKernel({ kernelName: ADAMW_UPDATE, backendName: backend, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}

/** The updated [param, expAvg, expAvgSq] (new tensors; the inputs are left as they are). */
export function adamwUpdate(param: tf.Tensor, grad: tf.Tensor, expAvg: tf.Tensor, expAvgSq: tf.Tensor, attrs: AdamWUpdateAttrs): tf.Tensor[] {
  const inputs = { param, grad, expAvg, expAvgSq };
  return tf.engine().runKernel(ADAMW_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
