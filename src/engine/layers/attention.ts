// Multi-head scaled dot-product self-attention over projected q, k, v, with the additive padding mask that
// transformers builds for BERT-like encoders: (1 - mask) · finfo(float32).min added to the scores.
import * as tf from '@tensorflow/tfjs-core';
import { fastKernel, fastPathsEnabled } from '../backend/fast-paths';
import { MASKED_SOFTMAX, MASKED_SOFTMAX_GRAD } from '../backend/kernels/masked-softmax';
import { dropout, type DropoutContext } from './dropout';
import { matMul } from './mat-mul';

/** torch.finfo(torch.float32).min. */
export const FLOAT32_MIN = -3.4028234663852886e38;

/** attention_mask int32 [B, S] (1 = attend, 0 = padding) -> additive float mask [B, 1, 1, S]. */
export function extendedAttentionMask(attentionMask: tf.Tensor): tf.Tensor4D {
  const [batch, seq] = attentionMask.shape;
  const keep = tf.cast(attentionMask, 'float32');
  return tf.reshape(tf.mul(tf.sub(1, keep), FLOAT32_MIN), [batch, 1, 1, seq]);
}

export interface AttentionShape {
  batch: number;
  seq: number;
  numHeads: number;
}

/**
 * a [..., M, K] · b [..., K, N] with the gradient dA = dy·bᵀ and dB = aᵀ·dy through mat-mul.ts (tfjs's own
 * BatchMatMul gradient asks for transposed operands, which tfjs-webgpu serves with its slower non-vec4 kernel).
 */
const matMulPlainGrads = tf.customGrad((a, b, save) => {
  (save as tf.GradSaveFunc)([a as tf.Tensor, b as tf.Tensor]);
  return {
    value: matMul(a as tf.Tensor, b as tf.Tensor),
    gradFunc: (dy: tf.Tensor, [savedA, savedB]: tf.Tensor[]) => [matMul(dy, savedB, false, true), matMul(savedA, dy, true, false)],
  };
});

/**
 * a [..., M, K] · b [..., N, K]ᵀ (Q·Kᵀ) with dA = dy·b and dB = dyᵀ·a. Each gradient product then has the
 * [S, S]·[S, headDim] shape; the alternative dBᵀ = aᵀ·dy ([headDim, S]·[S, S]) ran 3x slower per FLOP on wasm's XNNPACK.
 */
const matMulTransposedB = tf.customGrad((a, b, save) => {
  (save as tf.GradSaveFunc)([a as tf.Tensor, b as tf.Tensor]);
  return {
    value: matMul(a as tf.Tensor, b as tf.Tensor, false, true),
    gradFunc: (dy: tf.Tensor, [savedA, savedB]: tf.Tensor[]) => [matMul(dy, savedB), matMul(dy, savedA, true, false)],
  };
});

/**
 * softmax(scale·scores + mask) by the WebGPU kernels (backend/kernels/masked-softmax.ts): scores [R, S], mask [B, S].
 * The mask is a constant (from attention_mask): its gradient is zero.
 */
function maskedSoftmaxKernels(scale: number) {
  return tf.customGrad((scores, mask, save) => {
    const probs = tf.engine().runKernel(MASKED_SOFTMAX, { scores, mask } as tf.NamedTensorMap, { scale }) as tf.Tensor;
    (save as tf.GradSaveFunc)([probs]);
    return {
      value: probs,
      gradFunc: (dy: tf.Tensor, [savedProbs]: tf.Tensor[]) => [
        tf.engine().runKernel(MASKED_SOFTMAX_GRAD, { probs: savedProbs, dy }, { scale }) as tf.Tensor,
        tf.zerosLike(mask as tf.Tensor),
      ],
    };
  });
}

/** Attention probabilities softmax(scale·qh·khᵀ + mask): qh, kh [B, heads, S, headDim] -> [B, heads, S, S]. */
function attentionProbs(qh: tf.Tensor, kh: tf.Tensor, mask: tf.Tensor4D, scale: number): tf.Tensor {
  if (!fastKernel(MASKED_SOFTMAX)) {
    // Scaling q before the product equals scaling the scores ([B, heads, S, S]) and touches fewer values.
    return tf.softmax(tf.add(matMulTransposedB(tf.mul(qh, scale), kh), mask));
  }
  const [batch, numHeads, seq] = qh.shape;
  const scores = tf.reshape(matMulTransposedB(qh, kh), [batch * numHeads * seq, seq]);
  const probs = maskedSoftmaxKernels(scale)(scores, tf.reshape(mask, [batch, seq]));
  return tf.reshape(probs, [batch, numHeads, seq, seq]);
}

/**
 * q, k, v [B·S, H] (rows batch-major) -> context [B·S, H]. mask is extendedAttentionMask's [B, 1, 1, S];
 * attention dropout acts on the probabilities, as in transformers.
 */
export function selfAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask: tf.Tensor4D,
  shape: AttentionShape,
  attentionDropout: number,
  ctx: DropoutContext,
): tf.Tensor2D {
  if (!fastPathsEnabled()) return selfAttentionPlain(q, k, v, mask, shape, attentionDropout, ctx);
  const { batch, seq, numHeads } = shape;
  const hidden = q.shape[1] as number;
  const headDim = hidden / numHeads;
  // [B·S, H] -> [B, heads, S, headDim]
  const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, seq, numHeads, headDim]), [0, 2, 1, 3]);
  const probs = dropout(attentionProbs(heads(q), heads(k), mask, 1 / Math.sqrt(headDim)), attentionDropout, ctx);
  const context = matMulPlainGrads(probs, heads(v)); // [B, heads, S, headDim]
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * seq, hidden]);
}

/** selfAttention in plain tfjs ops with tfjs's own gradients (the fast path's reference). */
export function selfAttentionPlain(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask: tf.Tensor4D,
  shape: AttentionShape,
  attentionDropout: number,
  ctx: DropoutContext,
): tf.Tensor2D {
  const { batch, seq, numHeads } = shape;
  const hidden = q.shape[1] as number;
  const headDim = hidden / numHeads;
  // [B·S, H] -> [B, heads, S, headDim]
  const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, seq, numHeads, headDim]), [0, 2, 1, 3]);
  // Scaling q before the product equals scaling the scores ([B, heads, S, S]) and touches fewer values.
  const qh = heads(tf.mul(q, 1 / Math.sqrt(headDim)));
  const logits = tf.add(tf.matMul(qh, heads(k), false, true), mask); // [B, heads, S, S]
  const probs = dropout(tf.softmax(logits), attentionDropout, ctx);
  const context = tf.matMul(probs, heads(v)); // [B, heads, S, headDim]
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * seq, hidden]);
}
