// Sums over all rows: the bias and LayerNorm-parameter gradients. tfjs reduces a non-innermost axis by transposing
// first (a full copy, then a reduction). cpu and wasm get one pass in JavaScript (backend/kernels/column-sums.ts);
// elsewhere (WebGPU) the sum is a [1, N]·[N, H] product, a form its matmul kernels handle directly.
import * as tf from '@tensorflow/tfjs-core';
import { COLUMN_SUMS } from '../backend/kernels/column-sums';

/** t [..., H] -> [H]: the sum over every leading position. */
export function columnSums(t: tf.Tensor): tf.Tensor1D {
  const width = t.shape[t.rank - 1];
  const rows = t.size / width;
  const matrix = tf.reshape(t, [rows, width]);
  if (tf.getKernel(COLUMN_SUMS, tf.getBackend()) !== undefined) return tf.engine().runKernel(COLUMN_SUMS, { x: matrix }) as tf.Tensor1D;
  return tf.reshape(tf.matMul(tf.ones([1, rows]), matrix), [width]);
}
