// BatchMatMul and _FusedMatMul for tfjs-backend-wasm 4.22 on the engine's own matrix product (wasm-gemm-wat.ts),
// replacing the stock kernels (batch_mat_mul_impl.cc): those use XNNPACK only for a non-transposed product of batch
// 1, send everything else (attention's per-head products, tfjs's transposed gradients) to a scalar loop about 10x
// slower, and even XNNPACK's 2021 SIMD128 kernels reach 17-19 GFLOP/s on one core here where this product reaches
// 25-38 (41-65 on two cores; docs/PERFORMANCE.md). It runs in the backend's own memory: operands are read where they
// lie, packing undoes transposes, the product is written into the output tensor, and the packed panels live in one
// malloc'd block per call.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runJob, wasmThreads } from './wasm-pool';
import { JOB_AT, PRODUCT } from './wasm-share';
import { addressOf, gemmModule, malloc } from './wasm-module';

/** Whether this backend runs the fused multiply-add variant (relaxed SIMD). */
export function wasmGemmUsesFma(backend: tf.KernelBackend): boolean {
  return gemmModule(backend as BackendWasm).exports.rows() === 6; // the FMA tile's height (wasm-gemm-wat.ts)
}

/** Below this many multiply-adds a product stays on the calling thread: waking the workers costs more. */
const THREADED_MIN_MACS = 1 << 22;

/** op(a)·op(b) (+ bias[n]) for [..., m, k] and [..., k, n] operands whose batch shapes are equal or one is empty. */
function product(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean, bias?: tf.TensorInfo): tf.TensorInfo {
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
  if (aBatch !== bBatch && aBatch !== 1 && bBatch !== 1) throw new Error(`matMul: batch shapes of [${a.shape}] and [${b.shape}] do not broadcast`);
  const outLead = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...outLead, m, n], 'float32');
  const batch = Math.max(aBatch, bBatch);
  if (m * n * batch === 0) return out;

  const { exports, memory, heap } = gemmModule(backend);
  const rows = exports.rows();
  // With one right operand and A untransposed, the whole batch of A is one [batch·m, k] matrix: one product.
  const folded = bBatch === 1 && aBatch > 1 && !transposeA;
  const [mRows, products] = folded ? [aBatch * m, 1] : [m, batch];
  // Room for every thread the job will run on (runJob's rule): a thread's own panels when the threads split
  // products, a tile each.
  const work = mRows * n * k * products;
  const threads = work >= THREADED_MIN_MACS ? wasmThreads(backend) : 1;
  // Float counts: A's panels, B's panels, the bias padded to whole panels, the tiles.
  const aPanels = Math.ceil(mRows / rows);
  const bPanels = Math.ceil(n / 8);
  const perThread = products > 1 ? threads : 1;
  const [aFloats, bFloats] = [aPanels * rows * k, bPanels * 8 * k];
  const block = malloc(heap, 4 * (perThread * (aFloats + bFloats) + bPanels * 8 + threads * rows * 8));
  try {
    const ap = block;
    const bp = ap + 4 * perThread * aFloats;
    const biasAt = bp + 4 * perThread * bFloats;
    const tile = biasAt + 4 * bPanels * 8;
    const padded = new Float32Array(memory.buffer, biasAt, bPanels * 8).fill(0);
    if (bias !== undefined) padded.set(backend.typedArrayFromHeap(bias) as Float32Array);
    // Byte strides of element (row, col) of op(a) and op(b) as they lie in memory.
    const [aRs, aCs] = transposeA ? [4, 4 * m] : [4 * k, 4];
    const [bRs, bCs] = transposeB ? [4, 4 * k] : [4 * n, 4];
    const [aBase, bBase] = [addressOf(backend, a), addressOf(backend, b)];
    // One product: its B is packed once, here, for every thread.
    if (products === 1) exports.pack_b(bBase, bRs, bCs, k, n, bp);
    runJob(backend, work, THREADED_MIN_MACS, (job) =>
      job.set(
        [PRODUCT, products, mRows, n, k,
          aBase, aRs, aCs, aBatch > 1 ? 4 * m * k : 0,
          bBase, bRs, bCs, bBatch > 1 ? 4 * k * n : 0,
          addressOf(backend, out), 4 * m * n, biasAt,
          ap, 4 * aFloats, bp, 4 * bFloats, tile, 4 * rows * 8],
        JOB_AT,
      ),
    );
  } finally {
    heap._free(block);
  }
  return out;
}

/** BatchMatMul (registered by wasm-kernels.ts). */
export function wasmBatchMatMul(args: { inputs: tf.BatchMatMulInputs; backend: tf.KernelBackend; attrs: tf.BatchMatMulAttrs }): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  return product(args.backend as BackendWasm, a, b, args.attrs.transposeA, args.attrs.transposeB);
}

/** tf.fused.matMul's activations as the backend's kernels: name and attributes. */
const ACTIVATIONS: Record<string, (alpha: number) => [string, tf.NamedAttrMap]> = {
  relu: () => [tf.Relu, {}],
  relu6: () => [tf.Relu6, {}],
  elu: () => [tf.Elu, {}],
  sigmoid: () => [tf.Sigmoid, {}],
  leakyrelu: (alpha) => [tf.LeakyRelu, { alpha }],
};

/**
 * _FusedMatMul (tf.fused.matMul): a bias over the last axis (the Linear layers') is added by the product itself,
 * any other bias and the activation by the backend's own kernels. The stock kernel is no fallback: with a transposed
 * operand it returns wrong values (tfjs-backend-wasm 4.22; tests/engine/backend/wasm-kernels.test.ts).
 */
export function wasmFusedMatMul(args: { inputs: tf._FusedMatMulInputs; backend: tf.KernelBackend; attrs: tf._FusedMatMulAttrs }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs;
  const run = (name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}) => {
    const kernel = tf.getKernel(name, 'wasm');
    if (kernel === undefined) throw new Error(`tfjs-backend-wasm has no ${name} kernel`);
    return kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
  };
  /** f(x), x freed. */
  const then = (x: tf.TensorInfo, f: (x: tf.TensorInfo) => tf.TensorInfo) => {
    try {
      return f(x);
    } finally {
      backend.disposeData(x.dataId);
    }
  };
  const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  const rowBias = bias !== undefined && bias.dtype === 'float32' && bias.shape[bias.shape.length - 1] === n && tf.util.sizeFromShape(bias.shape) === n;
  let y = product(backend, a, b, transposeA, transposeB, rowBias ? bias : undefined);
  if (bias !== undefined && !rowBias) y = then(y, (x) => run(tf.Add, { a: x, b: bias }));
  if (activation === 'linear') return y;
  if (activation === 'prelu') return then(y, (x) => run(tf.Prelu, { x, alpha: preluActivationWeights! }));
  const [name, attrs] = ACTIVATIONS[activation]?.(leakyreluAlpha ?? 0.2) ?? [];
  if (name === undefined) throw new Error(`fused matMul on wasm: unknown activation ${activation}`);
  return then(y, (x) => run(name, { x }, attrs));
}
