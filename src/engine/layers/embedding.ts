// Embedding lookup (torch.nn.Embedding) with a gradient that every backend can run. tfjs's own Gather gradient
// needs UnsortedSegmentSum, which tfjs-backend-wasm lacks; here the gradient is a ScatterNd, which sums the rows
// of repeated ids (as torch's embedding backward does) on cpu, wasm and webgpu alike.
import * as tf from '@tensorflow/tfjs-core';

/** weight [V, H], ids int32 of any shape [...] -> [..., H]. Ids must already be validated to lie in [0, V). */
export function embedding(weight: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const [vocab, width] = weight.shape;
  const lookup = tf.customGrad((w, save) => {
    const flatIds = tf.reshape(ids, [-1]);
    (save as tf.GradSaveFunc)([flatIds]);
    return {
      value: tf.reshape(tf.gather(w as tf.Tensor, flatIds), [...ids.shape, width]),
      // dy [..., H] -> dW [V, H]: each id's row of dy added into row id.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.scatterND(tf.reshape(saved[0], [-1, 1]), tf.reshape(dy, [-1, width]), [vocab, width]),
    };
  });
  return lookup(weight);
}
