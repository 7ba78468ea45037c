// Classification losses as torch computes them: cross-entropy (CrossEntropyLoss with ignore_index=-100, label
// smoothing and class weights), focal loss (Lin et al. 2017) and binary cross-entropy with logits (BCEWithLogitsLoss with
// pos_weight) for multi-label heads; each with a stable log-softmax or softplus and a hand-written gradient, which
// needs no Gather gradient (absent on wasm).
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

/** What the classification losses take beyond logits and labels (TrainConfig's loss fields, resolved per class). */
export interface LossOptions {
  /** Cross-entropy only (multi-label and focal losses have none). */
  labelSmoothing?: number;
  /** Sigmoid outputs with binary cross-entropy over [N, C] 0/1 labels instead of a softmax over class ids. */
  multiLabel?: boolean;
  /** Per class: the cross-entropy's weight (torch's `weight`), or for multi-label the positive weight (`pos_weight`); null: all 1. */
  weights?: Float32Array | null;
  /** Focal loss γ (Lin et al. 2017); 0 or absent: the plain loss. */
  focalGamma?: number;
}

/**
 * torch.nn.CrossEntropyLoss(weight=w, ignore_index=-100, label_smoothing=ε, reduction='mean'): per kept row the target
 * a = (1 − ε)·w_y·onehot(y) + (ε/C)·w, the loss Σ_c a_c·(−log p_c), summed and divided by Σ w_y; the gradient
 * (Σ_c a_c)·softmax − a over the same sum. logits [N, C], labels int32 [N].
 */
export function weightedCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, weights: Float32Array, labelSmoothing = 0): tf.Scalar {
  const [rows, classes] = logits.shape;
  const loss = tf.customGrad((x, save) => {
    const kept = tf.cast(tf.notEqual(labels, IGNORE_INDEX), 'float32'); // [N]
    const target = tf.mul(labels, tf.cast(kept, 'int32'));
    const w = tf.tensor1d(weights);
    const wy = tf.mul(tf.gather(w, target), kept); // [N]: w_y on kept rows, 0 on ignored ones
    const picks = tf.stack([tf.range(0, rows, 1, 'int32'), target], 1);
    let a = tf.scatterND(picks, tf.mul(wy, 1 - labelSmoothing), [rows, classes]); // [N, C]
    if (labelSmoothing > 0) a = tf.add(a, tf.mul(tf.expandDims(kept, 1), tf.mul(tf.expandDims(w, 0), labelSmoothing / classes)));
    const denominator = tf.maximum(tf.sum(wy), 1e-12);
    const shifted = tf.sub(x as tf.Tensor, tf.max(x as tf.Tensor, -1, true));
    const logSumExp = tf.log(tf.sum(tf.exp(shifted), -1, true)); // [N, 1]
    const negLogP = tf.sub(logSumExp, shifted); // [N, C]
    (save as tf.GradSaveFunc)([negLogP, a, denominator]);
    return {
      value: tf.div(tf.sum(tf.mul(a, negLogP)), denominator) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, [savedNegLogP, savedA, savedDenominator]: tf.Tensor[]) => {
        const probs = tf.exp(tf.neg(savedNegLogP));
        const grad = tf.sub(tf.mul(probs, tf.sum(savedA, -1, true)), savedA);
        return tf.mul(grad, tf.div(dy, savedDenominator));
      },
    };
  });
  return loss(logits) as tf.Scalar;
}

/**
 * Focal loss over a softmax (Lin et al. 2017): per kept row −α_y·(1 − p_y)^γ·log p_y, summed and divided by Σ α_y
 * (α the class weights, all 1 without them), so that γ = 0 is exactly the (weighted) cross-entropy. The gradient is
 * g·(onehot − p) with g = γ·p_y·log p_y·(1 − p_y)^(γ−1) − (1 − p_y)^γ. logits [N, C], labels int32 [N].
 */
export function focalCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, gamma: number, weights: Float32Array | null): tf.Scalar {
  const [rows, classes] = logits.shape;
  const loss = tf.customGrad((x, save) => {
    const kept = tf.cast(tf.notEqual(labels, IGNORE_INDEX), 'float32');
    const target = tf.mul(labels, tf.cast(kept, 'int32'));
    const alpha = weights === null ? kept : tf.mul(tf.gather(tf.tensor1d(weights), target), kept); // [N]
    const picks = tf.stack([tf.range(0, rows, 1, 'int32'), target], 1);
    const shifted = tf.sub(x as tf.Tensor, tf.max(x as tf.Tensor, -1, true));
    const logSumExp = tf.log(tf.sum(tf.exp(shifted), -1)); // [N]
    const logPy = tf.sub(tf.gatherND(shifted, picks), logSumExp); // [N]
    const py = tf.exp(logPy);
    const rest = tf.maximum(tf.sub(1, py), 0); // 1 − p_y, never below 0 by rounding
    const denominator = tf.maximum(tf.sum(alpha), 1e-12);
    (save as tf.GradSaveFunc)([shifted, logSumExp, picks, alpha, py, logPy, rest, denominator]);
    return {
      value: tf.div(tf.sum(tf.mul(alpha, tf.mul(tf.pow(rest, gamma), tf.neg(logPy)))), denominator) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, [sShifted, sLse, sPicks, sAlpha, sPy, sLogPy, sRest, sDen]: tf.Tensor[]) => {
        const probs = tf.exp(tf.sub(sShifted, tf.expandDims(sLse, 1)));
        const onehot = tf.scatterND(sPicks, tf.ones([rows]), [rows, classes]);
        // (1 − p)^(γ−1) with 1 − p floored: where p_y = 1, log p_y = 0 and the term is 0 for every γ.
        const term = gamma === 0 ? tf.zerosLike(sPy) : tf.mul(tf.mul(sPy, sLogPy), tf.mul(gamma, tf.pow(tf.maximum(sRest, 1e-30), gamma - 1)));
        const g = tf.sub(term, tf.pow(sRest, gamma)); // [N]
        const scale = tf.div(tf.mul(g, sAlpha), sDen); // [N]
        return tf.mul(tf.mul(tf.sub(onehot, probs), tf.expandDims(scale, 1)), dy);
      },
    };
  });
  return loss(logits) as tf.Scalar;
}

/** softplus(x) = log(1 + eˣ), stably: max(x, 0) + log(1 + e^−|x|). */
function softplus(x: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(x), tf.log(tf.add(1, tf.exp(tf.neg(tf.abs(x))))));
}

/**
 * torch.nn.BCEWithLogitsLoss(pos_weight=w, reduction='mean') over logits [N, C] and 0/1 targets float32 [N, C]:
 * the mean over all N·C of w·y·softplus(−x) + (1 − y)·softplus(x). With γ > 0 each term is scaled as in the sigmoid
 * focal loss, by (1 − p)^γ for a positive and p^γ for a negative (p = σ(x)). The gradient in closed form:
 * −w·y·(1 − p)^γ·(γ·p·softplus(−x) + 1 − p) + (1 − y)·p^γ·(γ·(1 − p)·softplus(x) + p), over N·C.
 */
export function binaryCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, posWeights: Float32Array | null, gamma = 0): tf.Scalar {
  const count = logits.size;
  const loss = tf.customGrad((x, save) => {
    const y = tf.cast(targets, 'float32');
    const pw = posWeights === null ? y : tf.mul(y, tf.expandDims(tf.tensor1d(posWeights), 0)); // w·y [N, C]
    const neg = tf.sub(1, y);
    const spNeg = softplus(tf.neg(x as tf.Tensor)); // −log p
    const spPos = softplus(x as tf.Tensor); // −log(1 − p)
    const p = tf.sigmoid(x as tf.Tensor);
    const q = tf.sub(1, p);
    const posTerm = gamma === 0 ? spNeg : tf.mul(spNeg, tf.pow(q, gamma));
    const negTerm = gamma === 0 ? spPos : tf.mul(spPos, tf.pow(p, gamma));
    (save as tf.GradSaveFunc)([pw, neg, spNeg, spPos, p, q]);
    return {
      value: tf.div(tf.sum(tf.add(tf.mul(pw, posTerm), tf.mul(neg, negTerm))), count) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, [sPw, sNeg, sSpNeg, sSpPos, sP, sQ]: tf.Tensor[]) => {
        const posGrad = gamma === 0 ? sQ : tf.mul(tf.pow(sQ, gamma), tf.add(tf.mul(tf.mul(sP, sSpNeg), gamma), sQ));
        const negGrad = gamma === 0 ? sP : tf.mul(tf.pow(sP, gamma), tf.add(tf.mul(tf.mul(sQ, sSpPos), gamma), sP));
        const grad = tf.sub(tf.mul(sNeg, negGrad), tf.mul(sPw, posGrad));
        return tf.mul(grad, tf.div(dy, count));
      },
    };
  });
  return loss(logits) as tf.Scalar;
}

/**
 * The classification loss a run trains with: binary cross-entropy for multi-label heads, focal loss when γ > 0,
 * weighted cross-entropy with class weights, else crossEntropy as it always was. logits [N, C]; labels int32 [N], or
 * float32 [N, C] 0/1 for multi-label.
 */
export function classificationLoss(logits: tf.Tensor, labels: tf.Tensor, opts: LossOptions = {}): tf.Scalar {
  const weights = opts.weights ?? null;
  const gamma = opts.focalGamma ?? 0;
  if (opts.multiLabel) return binaryCrossEntropy(logits, labels, weights, gamma);
  if (gamma > 0) return focalCrossEntropy(logits, labels, gamma, weights);
  if (weights !== null) return weightedCrossEntropy(logits, labels, weights, opts.labelSmoothing ?? 0);
  return crossEntropy(logits, labels, opts.labelSmoothing ?? 0);
}
