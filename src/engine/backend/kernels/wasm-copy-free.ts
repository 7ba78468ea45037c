// Two tfjs-backend-wasm 4.22 kernels replaced by memory-light ones. Identity: the stock kernel copies its input, and
// tfjs clones (Identity) every tensor it saves for the backward pass, so a training step copied each saved
// activation once more; tensors are immutable, so sharing the buffer (what tfjs-backend-cpu does) is enough.
// GatherV2 on axis 0 (embedding lookups): the stock C loop computes strided coordinates per element; here whole rows.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Identity without a copy (registered by wasm-kernels.ts). */
export function wasmIdentity(args: { inputs: tf.IdentityInputs; backend: tf.KernelBackend }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Row gather for x [V, ...row] float32 or int32, indices int32 of any shape, axis 0, batchDims 0. */
function gatherRows(backend: BackendWasm, x: tf.TensorInfo, indices: tf.TensorInfo): tf.TensorInfo {
  const rows = x.shape[0];
  const rowSize = tf.util.sizeFromShape(x.shape.slice(1));
  // Views after the allocation: growing the heap detaches views made before it.
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  const ids = backend.typedArrayFromHeap(indices);
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    // Same check and message as the stock kernel: cpu and wasm throw on an out-of-range id.
    if (!(id >= 0 && id < rows)) {
      backend.disposeData(out.dataId);
      throw new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
    }
    dst.set(src.subarray(id * rowSize, (id + 1) * rowSize), i * rowSize);
  }
  return out;
}

/** GatherV2 with whole-row copies on axis 0; `stock` (tfjs's own kernel function) handles every other case. */
export function wasmGatherV2(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as unknown as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    const rows = tf.util.parseAxisParam(axis, x.shape)[0] === 0 && (batchDims ?? 0) === 0;
    if (!rows || x.dtype === 'string' || indices.dtype !== 'int32') return stock(args);
    return gatherRows(args.backend as BackendWasm, x, indices);
  };
}
