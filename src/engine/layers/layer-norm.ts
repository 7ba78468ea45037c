// LayerNorm over the last dimension with torch.nn.LayerNorm semantics: biased variance, eps inside the sqrt.
import * as tf from '@tensorflow/tfjs-core';

/** x [..., H], weight and bias [H]. */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, weight), bias);
}
