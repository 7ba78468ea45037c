// What the WebGPU row kernels share (layer-norm.ts, masked-softmax.ts; l2-norm.ts uses the reductions): one workgroup
// per row of a [rows, width] matrix, its threads striding over the row and reducing through workgroup memory, as
// tfjs-webgpu's own Softmax does.
// A row's reductions and its elementwise output then take one dispatch instead of one per op.
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** Threads per row: widths here are 128-3072 (sequence length, hidden size); 64 keeps every thread busy. */
export const ROW_THREADS = 64;

/** Threads of a whole-tensor reduction (one row of up to tens of millions of values). */
export const WIDE_ROW_THREADS = 256;

/** WebGPU's least maxComputeWorkgroupsPerDimension. */
const MAX_WORKGROUPS = 65535;

/**
 * The dispatch of `rows` workgroups, a square past 65,535 (main's flat index counts over x and y). The layout is
 * flat so that tfjs passes main that index.
 */
function rowDispatch(rows: number, outputShape: number[]): { dispatchLayout: { x: number[] }; dispatch: [number, number, number] } {
  const dispatchLayout = { x: outputShape.map((_, i) => i) };
  if (rows <= MAX_WORKGROUPS) return { dispatchLayout, dispatch: [rows, 1, 1] };
  const side = Math.ceil(Math.sqrt(rows));
  return { dispatchLayout, dispatch: [side, Math.ceil(rows / side), 1] };
}

/**
 * WGSL: rowSum(v) and rowMax(v), the sum and the maximum of v over the workgroup's threads (every thread must call
 * them: they hold barriers).
 */
export const rowPrelude = (threads: number) => `
  var<workgroup> rowPartials : array<f32, ${threads}>;
  fn rowSum(v : f32, tid : i32) -> f32 {
    rowPartials[tid] = v;
    workgroupBarrier();
    for (var stride = ${threads / 2}; stride > 0; stride = stride / 2) {
      if (tid < stride) {
        rowPartials[tid] = rowPartials[tid] + rowPartials[tid + stride];
      }
      workgroupBarrier();
    }
    let total = rowPartials[0];
    workgroupBarrier();
    return total;
  }
  fn rowMax(v : f32, tid : i32) -> f32 {
    rowPartials[tid] = v;
    workgroupBarrier();
    for (var stride = ${threads / 2}; stride > 0; stride = stride / 2) {
      if (tid < stride) {
        rowPartials[tid] = max(rowPartials[tid], rowPartials[tid + stride]);
      }
      workgroupBarrier();
    }
    let total = rowPartials[0];
    workgroupBarrier();
    return total;
  }
`;

/**
 * One workgroup per row of its [rows, width] output. `body` is WGSL that sees `row`, `tid` (the thread, 0-63), the
 * row's `width`, rowSum and rowMax, the inputs by their variable names and the one f32 uniform. Workgroups past the
 * last row (a split dispatch rounds up) redo the last row, writing the same values, so that no thread leaves before
 * a barrier.
 */
class RowProgram implements WebGPUProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms: string;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [ROW_THREADS, 1, 1];
  private readonly body: string;

  constructor(k: RowKernel) {
    const shape = k.inputs[0].shape;
    this.shaderKey = k.key;
    this.variableNames = k.names;
    this.uniforms = `${k.uniform.name} : f32,`;
    this.outputShape = shape;
    this.body = k.body;
    ({ dispatchLayout: this.dispatchLayout, dispatch: this.dispatch } = rowDispatch(tf.util.sizeFromShape(shape) / shape[shape.length - 1], shape));
  }

  getUserCode(): string {
    return `
      ${rowPrelude(ROW_THREADS)}
      fn main(index : i32) {
        let row = min(index / ${ROW_THREADS}, uniforms.outShape[0] - 1);
        let tid = index % ${ROW_THREADS};
        let width = uniforms.outShape[1];
        ${this.body}
      }
    `;
  }
}

export interface RowKernel {
  /** The shader's cache key: one per distinct body. */
  key: string;
  /** The inputs' names in the WGSL (X, W, ...), in the order of `inputs`. */
  names: string[];
  inputs: tf.TensorInfo[];
  /** The program's one f32 uniform (eps, scale). */
  uniform: { name: string; value: number };
  body: string;
}

/** Runs a row program whose output has the shape of the first input, [rows, width]. */
export function runRowKernel(backend: tf.KernelBackend, k: RowKernel): tf.TensorInfo {
  return (backend as unknown as WebGPUBackend).runWebGPUProgram(new RowProgram(k), k.inputs, 'float32', [{ type: 'float32', data: [k.uniform.value] }]);
}
