// BatchMatMul for tfjs-backend-wasm 4.22 that always reaches XNNPACK. The stock kernel (batch_mat_mul_impl.cc) uses
// XNNPACK only for a non-transposed product of batch 1 and sends everything else (attention's per-head products,
// tfjs's transposed gradients) to slow_batch_matmul, a scalar loop about 10x slower. Here transposes are explicit
// copies and a batch is a loop of 2-D products over views into the operands' heap memory (no copies).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The C entry point `BatchMatMul(a_id, a_shape, a_rank, b_id, b_shape, b_rank, transpose_a, transpose_b, out_id)`. */
type WasmBatchMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, ta: boolean, tb: boolean, outId: number) => void;

const entryPoints = new WeakMap<object, WasmBatchMatMul>();

function entryPoint(backend: BackendWasm): WasmBatchMatMul {
  let fn = entryPoints.get(backend.wasm);
  if (fn === undefined) {
    const types = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'];
    const module = backend.wasm as unknown as { cwrap(name: string, ret: null, args: string[]): WasmBatchMatMul };
    fn = module.cwrap('BatchMatMul', null, types);
    entryPoints.set(backend.wasm, fn);
  }
  return fn;
}

const shapeBytes = (shape: readonly number[]) => new Uint8Array(new Int32Array(shape).buffer);

/** A tensor the C side knows by a fresh id, over `size` floats at byteOffset of the heap; released by dropView. */
function view(backend: BackendWasm, byteOffset: number, shape: number[]): number {
  const info = backend.makeOutput(shape, 'float32', byteOffset);
  const id = backend.dataIdMap.get(info.dataId)!.id;
  // The JS side never sees this tensor: only its C registration is needed, and dropView removes that.
  backend.dataIdMap.delete(info.dataId);
  return id;
}

/** Unregisters a view (and the XNNPACK operator cached on it) without freeing the memory it points into. */
function dropView(backend: BackendWasm, id: number): void {
  (backend.wasm.tfjs as { disposeData(id: number): void }).disposeData(id);
}

/** x [batch, r, c] -> [batch, c, r] through the backend's own Transpose kernel (caller disposes). */
function transposeLast(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  const kernel = tf.getKernel(tf.Transpose, 'wasm');
  if (kernel === undefined) throw new Error('tfjs-backend-wasm has no Transpose kernel');
  return kernel.kernelFunc({ inputs: { x }, backend, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo;
}

/** The kernel function (registered by wasm-kernels.ts). */
export function wasmBatchMatMul(args: { inputs: tf.BatchMatMulInputs; backend: tf.KernelBackend; attrs: tf.BatchMatMulAttrs }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const { transposeA, transposeB } = args.attrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('BatchMatMul on wasm needs float32 tensors');
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (k !== kB) throw new Error(`matMul: inner dimensions ${k} and ${kB} of [${a.shape}] and [${b.shape}] differ`);
  const aBatch = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const bBatch = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const outLead = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = Math.max(aBatch, bBatch);
  if (aBatch !== bBatch && aBatch !== 1 && bBatch !== 1) throw new Error(`matMul: batch shapes of [${a.shape}] and [${b.shape}] do not broadcast`);

  const out = backend.makeOutput([...outLead, m, n], 'float32');
  if (m * n * batch === 0) return out;
  if (k === 0) {
    backend.typedArrayFromHeap(out).fill(0);
    return out;
  }
  // Row-major [batch, m, k] and [batch, k, n] operands, transposed copies where needed.
  const temps: tf.TensorInfo[] = [];
  const plain = (x: tf.TensorInfo, xBatch: number, rows: number, cols: number, transposed: boolean): tf.TensorInfo => {
    if (!transposed) return x;
    const t = transposeLast(backend, { dataId: x.dataId, shape: [xBatch, cols, rows], dtype: 'float32' });
    temps.push(t);
    return t;
  };
  const a3 = plain(a, aBatch, m, k, transposeA);
  const b3 = plain(b, bBatch, k, n, transposeB);
  const call = entryPoint(backend);
  const offsetOf = (x: tf.TensorInfo) => backend.dataIdMap.get(x.dataId)!.memoryOffset;
  const [aBase, bBase, outBase] = [offsetOf(a3), offsetOf(b3), offsetOf(out)];
  try {
    if (bBatch === 1) {
      // One shared right operand: the whole batch of A is one [batch·m, k] matrix, one product.
      const rows = aBatch * m;
      const [aId, bId, outId] = [view(backend, aBase, [rows, k]), view(backend, bBase, [k, n]), view(backend, outBase, [rows, n])];
      call(aId, shapeBytes([1, rows, k]), 3, bId, shapeBytes([1, k, n]), 3, false, false, outId);
      [aId, bId, outId].forEach((id) => dropView(backend, id));
    } else {
      for (let g = 0; g < batch; g++) {
        const aAt = aBatch === 1 ? aBase : aBase + 4 * g * m * k;
        const ids = [view(backend, aAt, [m, k]), view(backend, bBase + 4 * g * k * n, [k, n]), view(backend, outBase + 4 * g * m * n, [m, n])];
        call(ids[0], shapeBytes([1, m, k]), 3, ids[1], shapeBytes([1, k, n]), 3, false, false, ids[2]);
        ids.forEach((id) => dropView(backend, id));
      }
    }
  } finally {
    temps.forEach((t) => backend.disposeData(t.dataId));
  }
  return out;
}
