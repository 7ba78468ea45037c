// A dropout mask drawn where the tensor lives: element i is kept (as 1/(1-rate)) when C. Wellons' lowbias32 hash of
// i ^ lowbias32(seed) is at least rate·2³², the same mask on cpu, wasm and webgpu. tf.dropout draws every number in
// JavaScript (seedrandom's alea, ~30 ns each; 150 ms of a mini step on wasm) and uploads them.
// Kernel 'LayerwiseDropoutMask': no inputs; attrs {shape, rate, seed}.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { addressOf } from './wasm-module';
import { runCall } from './wasm-pool';

export const DROPOUT_MASK = 'LayerwiseDropoutMask';

export interface DropoutMaskAttrs {
  shape: number[];
  /** In [0, 1). */
  rate: number;
  /** Any 32-bit integer. */
  seed: number;
}

/** lowbias32 (https://nullprogram.com/blog/2018/07/31/), on unsigned 32-bit integers. */
function lowbias32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function parameters(attrs: DropoutMaskAttrs) {
  return {
    key: lowbias32(attrs.seed),
    // Dropped when the hash is below rate·2³² (at most 2³² - 1 for rate < 1).
    threshold: Math.min(Math.floor(attrs.rate * 4294967296), 4294967295),
    scale: 1 / (1 - attrs.rate),
  };
}

/** The mask into `out` (cpu). */
function fillMask(out: Float32Array, attrs: DropoutMaskAttrs): void {
  const { key, threshold, scale } = parameters(attrs);
  const kept = Math.fround(scale);
  for (let i = 0; i < out.length; i++) out[i] = lowbias32(i ^ key) >= threshold ? kept : 0;
}

const attrsOf = (args: { attrs?: unknown }) => args.attrs as unknown as DropoutMaskAttrs;

function cpuKernel(args: { backend: tf.KernelBackend; attrs?: unknown }): tf.TensorInfo {
  const attrs = attrsOf(args);
  const values = new Float32Array(tf.util.sizeFromShape(attrs.shape));
  fillMask(values, attrs);
  const backend = args.backend as unknown as { makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo };
  return backend.makeTensorInfo(attrs.shape, 'float32', values);
}

/** The same hash four elements at a time in the engine's wasm module (wasm-elementwise-wat.ts). */
function wasmKernel(args: { backend: tf.KernelBackend; attrs?: unknown }): tf.TensorInfo {
  const attrs = attrsOf(args);
  const backend = args.backend as unknown as BackendWasm;
  const out = backend.makeOutput(attrs.shape, 'float32');
  const { key, threshold, scale } = parameters(attrs);
  const out0 = { pointer: addressOf(backend, out), bytesPerUnit: 4 };
  runCall(backend, 'dropout_mask', 'memory', tf.util.sizeFromShape(attrs.shape), 4, 1, [out0, 'first', 'count', { i32: key }, { i32: threshold }, { f32: scale }]);
  return out;
}

/** The same hash in WGSL; one thread per element (tfjs spreads a flat dispatch over more dimensions when needed). */
class DropoutMaskProgram implements WebGPUProgram {
  variableNames: string[] = [];
  outputShape: number[];
  shaderKey = 'layerwiseDropoutMask';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  uniforms = 'key : u32, threshold : u32, scale : f32,';

  constructor(shape: number[]) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(tf.util.sizeFromShape(shape) / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    return `
      fn lowbias32(v : u32) -> u32 {
        var x = v;
        x = x ^ (x >> 16u);
        x = x * 0x7feb352du;
        x = x ^ (x >> 15u);
        x = x * 0x846ca68bu;
        x = x ^ (x >> 16u);
        return x;
      }
      fn main(index : i32) {
        if (index < uniforms.size) {
          let kept = lowbias32(u32(index) ^ uniforms.key) >= uniforms.threshold;
          setOutputAtIndex(index, select(0.0, uniforms.scale, kept));
        }
      }
    `;
  }
}

function webgpuKernel(args: { backend: tf.KernelBackend; attrs?: unknown }): tf.TensorInfo {
  const attrs = attrsOf(args);
  const { key, threshold, scale } = parameters(attrs);
  const uniforms = [
    { type: 'uint32', data: [key] },
    { type: 'uint32', data: [threshold] },
    { type: 'float32', data: [scale] },
  ];
  return (args.backend as unknown as WebGPUBackend).runWebGPUProgram(new DropoutMaskProgram(attrs.shape), [], 'float32', uniforms);
}

const KERNELS: Record<string, tf.KernelFunc> = {
  cpu: cpuKernel as unknown as tf.KernelFunc,
  wasm: wasmKernel as unknown as tf.KernelFunc,
  webgpu: webgpuKernel as unknown as tf.KernelFunc,
};

/** Registers the mask kernel for `backend` (cpu, wasm or webgpu). Idempotent. */
export function registerDropoutMask(backend: string): void {
  const kernelFunc = KERNELS[backend];
  if (kernelFunc !== undefined && tf.getKernel(DROPOUT_MASK, backend) === undefined) {
    tf.registerKernel({ kernelName: DROPOUT_MASK, backendName: backend, kernelFunc });
  }
}

/** float32 [shape]: 0 with probability ≈ rate, else 1/(1-rate); a pure function of (shape, rate, seed). */
export function dropoutMask(shape: number[], rate: number, seed: number): tf.Tensor {
  const attrs: DropoutMaskAttrs = { shape, rate, seed };
  return tf.engine().runKernel(DROPOUT_MASK, {}, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
