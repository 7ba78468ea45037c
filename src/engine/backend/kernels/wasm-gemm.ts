// BatchMatMul and _FusedMatMul for tfjs-backend-wasm 4.22 on the engine's own matrix product (wasm-gemm-wat.ts),
// replacing the stock kernels (batch_mat_mul_impl.cc): those use XNNPACK only for a non-transposed product of batch
// 1, send everything else (attention's per-head products, tfjs's transposed gradients) to a scalar loop about 10x
// slower, and even XNNPACK's 2021 SIMD128 kernels reach 17-19 GFLOP/s on one core here where this product reaches
// 25-38 (41-65 on two cores; docs/PERFORMANCE.md). It runs in the backend's own memory: operands are read where they
// lie, packing undoes transposes, the product is written into the output tensor, and the packed panels live in one
// malloc'd block per call.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GEMM_BINARIES } from './wasm-binaries';
import { JOB_AT, JOB_FIELDS, runShare, type GemmExports } from './wasm-gemm-share';
import { GemmThreads, type SpawnWorker } from './wasm-gemm-threads';
import { addressOf, bindModule, isShared, type BoundModule } from './wasm-module';

interface Gemm extends BoundModule<GemmExports> {
  rows: number;
  threads: GemmThreads | null;
}

const gemms = new WeakMap<object, Gemm>();

/** The product's module on this backend's memory: the fused multiply-add variant where the engine has one. */
function gemmFor(backend: BackendWasm): Gemm {
  let gemm = gemms.get(backend.wasm);
  if (gemm === undefined) {
    const bound = bindModule<GemmExports>(backend, 'gemm', (bytesFor) => {
      const fma = bytesFor(GEMM_BINARIES.fma);
      return WebAssembly.validate(fma) ? fma : bytesFor(GEMM_BINARIES.plain);
    });
    gemm = { ...bound, rows: bound.exports.rows(), threads: null };
    gemms.set(backend.wasm, gemm);
  }
  return gemm;
}

/** Whether this backend runs the fused multiply-add variant (relaxed SIMD). */
export function wasmGemmUsesFma(backend: tf.KernelBackend): boolean {
  return gemmFor(backend as BackendWasm).rows === 6;
}

/** The threads this backend's products run on (startWasmGemmThreads). */
export function wasmGemmThreads(backend: tf.KernelBackend): number {
  return gemmFor(backend as BackendWasm).threads?.threads ?? 1;
}

/**
 * Runs the current wasm backend's products on `threads` threads: this one and threads - 1 workers from `spawn`.
 * Needs the backend's threaded build (a shared memory) and a thread that may block (a worker, or Node's main
 * thread). Returns the thread count in effect: 1 where the memory is not shared or the workers did not start.
 */
export async function startWasmGemmThreads(threads: number, spawn: SpawnWorker): Promise<number> {
  const gemm = gemmFor(tf.backend() as BackendWasm);
  gemm.threads?.stop();
  gemm.threads = null;
  if (threads > 1 && isShared(gemm.memory)) gemm.threads = await GemmThreads.start(gemm.memory, gemm.module, threads, spawn);
  return gemm.threads?.threads ?? 1;
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

  const { exports, memory, rows, heap, threads: pool } = gemmFor(backend);
  // With one right operand and A untransposed, the whole batch of A is one [batch·m, k] matrix: one product.
  const folded = bBatch === 1 && aBatch > 1 && !transposeA;
  const [mRows, products] = folded ? [aBatch * m, 1] : [m, batch];
  const threads = pool !== null && mRows * n * k * products >= THREADED_MIN_MACS ? pool.threads : 1;
  // Float counts: A's panels, B's panels (each thread its own when the threads split products), the bias padded
  // to whole panels, a tile per thread.
  const aPanels = Math.ceil(mRows / rows);
  const bPanels = Math.ceil(n / 8);
  const perThread = products > 1 ? threads : 1;
  const [aFloats, bFloats] = [aPanels * rows * k, bPanels * 8 * k];
  const block = heap._malloc(4 * (perThread * (aFloats + bFloats) + bPanels * 8 + threads * rows * 8));
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
    const job = threads > 1 ? pool!.job : new Uint32Array(JOB_AT + JOB_FIELDS);
    job.set(
      [products, mRows, n, k,
        aBase, aRs, aCs, aBatch > 1 ? 4 * m * k : 0,
        bBase, bRs, bCs, bBatch > 1 ? 4 * k * n : 0,
        addressOf(backend, out), 4 * m * n, biasAt,
        ap, 4 * aFloats, bp, 4 * bFloats, tile, 4 * rows * 8],
      JOB_AT,
    );
    // One product: its B is packed once, here, for every thread.
    if (products === 1) exports.pack_b(bBase, bRs, bCs, k, n, bp);
    if (threads > 1) pool!.run(exports);
    else runShare(exports, job, 0, 1);
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
