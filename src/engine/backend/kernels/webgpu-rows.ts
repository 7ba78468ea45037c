// What the WebGPU row kernels share (layer-norm.ts, masked-softmax.ts): one workgroup per row of a [rows, width]
// matrix, its threads striding over the row and reducing through workgroup memory, as tfjs-webgpu's own Softmax does.
// A row's reductions and its elementwise output then take one dispatch instead of one per op.
import * as tf from '@tensorflow/tfjs-core';

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
export function rowDispatch(rows: number, outputShape: number[]): { dispatchLayout: { x: number[] }; dispatch: [number, number, number] } {
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

/** rowPrelude for ROW_THREADS. */
export const ROW_PRELUDE = rowPrelude(ROW_THREADS);

/**
 * WGSL statements opening main(index): `row`, `tid` and the row's `width`. Workgroups past the last row (a split
 * dispatch rounds up) redo the last row, writing the same values, so that no thread leaves before a barrier.
 */
export function rowIndices(rows: string, width: string): string {
  return `
    let row = min(index / ${ROW_THREADS}, ${rows} - 1);
    let tid = index % ${ROW_THREADS};
    let width = ${width};`;
}

/** The product of a shape, for the row count of [..., width] tensors. */
export const rowsOf = (shape: number[]) => tf.util.sizeFromShape(shape) / shape[shape.length - 1];
