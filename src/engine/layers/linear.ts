// Linear layer with the weight in checkpoint layout [out, in], as torch.nn.Linear: y = x·Wᵀ + b.
// Every dense layer of the models goes through here, so the matmul form can change in one place.
import * as tf from '@tensorflow/tfjs-core';
import { fastPathsEnabled } from '../backend/fast-paths';
import { columnSums } from './column-sums';
import { matMul } from './mat-mul';

/**
 * x [N, in], W [out, in] -> x·Wᵀ [N, out], with 2-D products in the gradient too (tfjs's own gradient of a
 * transposed matmul goes through its general batched form); mat-mul.ts decides how the transposes are done.
 */
const matMulWeightT = tf.customGrad((x, w, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor2D, w as tf.Tensor2D]);
  return {
    value: matMul(x as tf.Tensor2D, w as tf.Tensor2D, false, true) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor2D, [savedX, savedW]: tf.Tensor[]) => [
      matMul(dy, savedW), // dx [N, in] = dy [N, out] · W [out, in]
      matMul(dy, savedX, true, false), // dW [out, in] = dyᵀ [out, N] · x [N, in]
    ],
  };
});

/**
 * matMulWeightT plus the bias, added by the product itself (tfjs's fused matmul: no separate pass over [N, out]);
 * its gradient, the column sums of dy, avoids tfjs's transposing reduction (column-sums.ts).
 */
const matMulWeightTBias = tf.customGrad((x, w, b, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor2D, w as tf.Tensor2D]);
  return {
    value: matMul(x as tf.Tensor2D, w as tf.Tensor2D, false, true, b as tf.Tensor1D) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor2D, [savedX, savedW]: tf.Tensor[]) => [
      matMul(dy, savedW),
      matMul(dy, savedX, true, false),
      columnSums(dy), // db [out]
    ],
  };
});

/**
 * x·Wᵀ + b for a frozen layer (W a variable that does not train): the gradient is dx only. A customGrad computes
 * every input's gradient when its node is reached, so a frozen W inside matMulWeightT would still cost its dW.
 */
function frozenLinear(x2d: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor): tf.Tensor2D {
  const run = tf.customGrad((x) => ({
    value: matMul(x as tf.Tensor2D, w, false, true, bias as tf.Tensor1D | undefined) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor2D) => matMul(dy, w), // dx [N, in] = dy [N, out] · W [out, in]
  }));
  return run(x2d) as tf.Tensor2D;
}

/** The plain tfjs form, with tfjs's own gradients (the fast paths' reference). */
export function linearPlain(x2d: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor): tf.Tensor2D {
  const y = tf.matMul(x2d, weight, false, true) as tf.Tensor2D;
  return bias === undefined ? y : (tf.add(y, bias) as tf.Tensor2D);
}

/** x [..., in] -> [..., out]. Computed as one 2-D matmul over the flattened leading dimensions. */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const [out, inFeatures] = weight.shape;
  const lead = x.shape.slice(0, -1);
  const x2d = (x.rank === 2 ? x : tf.reshape(x, [-1, inFeatures])) as tf.Tensor2D;
  const w = weight as tf.Tensor2D;
  let y: tf.Tensor;
  if (!fastPathsEnabled()) y = linearPlain(x2d, w, bias);
  else if (weight instanceof tf.Variable && !weight.trainable && (bias === undefined || (bias instanceof tf.Variable && !bias.trainable))) y = frozenLinear(x2d, w, bias);
  else y = bias === undefined ? matMulWeightT(x2d, w) : matMulWeightTBias(x2d, w, bias);
  return x.rank === 2 ? y : tf.reshape(y, [...lead, out]);
}
