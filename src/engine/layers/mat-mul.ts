// The layers' matrix product: op(a)·op(b) (+ bias over the last axis). Where the backend's product reads transposed
// operands for free (wasm, backend/fast-paths.ts) the transposes are flags; elsewhere they are explicit copies
// (O(size) next to the O(m·k·n) product) because tfjs-webgpu serves transposed operands with its slower non-vec4
// kernel and tfjs-cpu's blocked loop strides through them.
import * as tf from '@tensorflow/tfjs-core';
import { productTakesTransposes } from '../backend/fast-paths';

/** [..., M, K] -> [..., K, M]. */
const swapLast = (t: tf.Tensor): tf.Tensor =>
  tf.transpose(t, [...Array.from({ length: t.rank - 2 }, (_, i) => i), t.rank - 1, t.rank - 2]);

export function matMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false, bias?: tf.Tensor): tf.Tensor {
  if (!productTakesTransposes()) {
    if (transposeA) a = swapLast(a);
    if (transposeB) b = swapLast(b);
    transposeA = transposeB = false;
  }
  if (bias === undefined) return tf.matMul(a, b, transposeA, transposeB);
  return tf.fused.matMul({ a, b, transposeA, transposeB, bias });
}
