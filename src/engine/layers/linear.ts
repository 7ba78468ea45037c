// Linear layer with the weight in checkpoint layout [out, in], as torch.nn.Linear: y = x·Wᵀ + b.
// Every dense layer of the models goes through here, so the matmul form can change in one place.
import * as tf from '@tensorflow/tfjs-core';

/**
 * x [N, in], W [out, in] -> x·Wᵀ [N, out]. tfjs's own gradient of a transposed matmul is again transposed, and
 * tfjs-wasm sends every transposed (or batched) matmul to a slow reference loop instead of XNNPACK. Here the
 * transposes are explicit copies (O(N·in) and O(out·in), small next to the O(N·in·out) products), so the forward
 * product and both gradient products are plain 2-D matmuls.
 */
const matMulWeightT = tf.customGrad((x, w, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor2D, w as tf.Tensor2D]);
  return {
    value: tf.matMul(x as tf.Tensor2D, tf.transpose(w as tf.Tensor2D)) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor2D, [savedX, savedW]: tf.Tensor[]) => [
      tf.matMul(dy, savedW as tf.Tensor2D), // dx [N, in] = dy [N, out] · W [out, in]
      tf.matMul(tf.transpose(dy), savedX as tf.Tensor2D), // dW [out, in] = dyᵀ [out, N] · x [N, in]
    ],
  };
});

/** x [..., in] -> [..., out]. Computed as one 2-D matmul over the flattened leading dimensions. */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const [out, inFeatures] = weight.shape;
  const lead = x.shape.slice(0, -1);
  const x2d = x.rank === 2 ? x : tf.reshape(x, [-1, inFeatures]);
  const y = matMulWeightT(x2d, weight); // [N, out]
  const withBias = bias === undefined ? y : tf.add(y, bias);
  return x.rank === 2 ? withBias : tf.reshape(withBias, [...lead, out]);
}
