// Cross-entropy as torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=ε, reduction='mean'), with a
// stable log-softmax and a hand-written gradient (softmax - target), which needs no Gather gradient (absent on wasm).
import * as tf from '@tensorflow/tfjs-core';

/** Labels equal to this are left out of the loss (transformers' convention for padding and unmasked tokens). */
export const IGNORE_INDEX = -100;

/**
 * logits [N, C], labels int32 [N] in [0, C) or -100 -> the mean loss over the labels that are not -100.
 * Where every label is -100 the loss is 0 with a zero gradient (torch returns NaN there).
 * With label smoothing ε the target is (1 - ε)·onehot + ε/C, as in torch.
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor, labelSmoothing = 0): tf.Scalar {
  const [rows, classes] = logits.shape;
  const loss = tf.customGrad((x, save) => {
    const kept = tf.notEqual(labels, IGNORE_INDEX); // bool [N]
    const valid = tf.cast(kept, 'float32');
    const rowWeight = tf.div(valid, tf.maximum(tf.sum(valid), 1)); // [N]: 1/count on kept rows, 0 elsewhere
    const target = tf.mul(labels, tf.cast(kept, 'int32')); // ignored rows point at class 0, weighted 0
    const picks = tf.stack([tf.range(0, rows, 1, 'int32'), target], 1); // [N, 2]: (row, label)

    const shifted = tf.sub(x as tf.Tensor, tf.max(x as tf.Tensor, -1, true)); // [N, C]
    const logSumExp = tf.log(tf.sum(tf.exp(shifted), -1)); // [N]
    const nll = tf.sub(logSumExp, tf.gatherND(shifted, picks)); // -log p[label]
    const perRow =
      labelSmoothing > 0
        ? tf.add(tf.mul(nll, 1 - labelSmoothing), tf.mul(tf.sub(logSumExp, tf.mean(shifted, -1)), labelSmoothing))
        : nll;
    (save as tf.GradSaveFunc)([shifted, logSumExp, picks, rowWeight]);
    return {
      value: tf.sum(tf.mul(perRow, rowWeight)) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, [savedShifted, savedLse, savedPicks, savedWeight]: tf.Tensor[]) => {
        const probs = tf.exp(tf.sub(savedShifted, tf.expandDims(savedLse, 1))); // softmax [N, C]
        const onehot = tf.scatterND(savedPicks, tf.fill([rows], 1 - labelSmoothing), [rows, classes]);
        const smoothed = labelSmoothing > 0 ? tf.add(onehot, labelSmoothing / classes) : onehot;
        return tf.mul(tf.sub(probs, smoothed), tf.mul(tf.expandDims(savedWeight, 1), dy));
      },
    };
  });
  return loss(logits) as tf.Scalar;
}
