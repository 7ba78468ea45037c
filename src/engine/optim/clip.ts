// Global-norm gradient clipping with torch.nn.utils.clip_grad_norm_ semantics (norm of the per-tensor L2 norms, in
// float32; coefficient max_norm / (norm + 1e-6) capped at 1). A non-finite norm leaves the gradients unscaled and
// reports finite = false so that the loop skips the step (torch would multiply by NaN). No readback happens here.
import * as tf from '@tensorflow/tfjs-core';

/** torch's clip_grad_norm_ adds this to the norm before dividing. */
const CLIP_EPS = 1e-6;

export interface ClipResult {
  /** The gradients to apply, same keys; new tensors when clipping is on, the inputs themselves when it is off. */
  grads: Map<string, tf.Tensor>;
  /** The global L2 norm before clipping (float32), for the step's telemetry and the non-finite check. */
  norm: tf.Scalar;
  /** bool scalar: the norm is finite. When false the gradients were left unscaled and the step must be skipped. */
  finite: tf.Scalar;
}

/**
 * Clips gradients to a global L2 norm of maxNorm; maxNorm null or 0 only measures the norm. The caller owns every
 * returned tensor (and should dispose its inputs when new ones were returned).
 */
export function clipByGlobalNorm(grads: ReadonlyMap<string, tf.Tensor>, maxNorm: number | null): ClipResult {
  const names = [...grads.keys()];
  const clipping = maxNorm !== null && maxNorm > 0;
  const { norm, finite, clipped } = tf.tidy(() => {
    const tensors = names.map((n) => grads.get(n)!);
    // Per-tensor norms, then the norm of those, as torch 1.13+ does ([num tensors] -> scalar).
    const perTensor = tensors.map((g) => tf.sqrt(tf.sum(tf.square(g))));
    const total: tf.Scalar = perTensor.length === 0 ? tf.scalar(0) : tf.sqrt(tf.sum(tf.square(tf.stack(perTensor))));
    const isFinite = tf.isFinite(total) as tf.Scalar;
    if (!clipping) return { norm: total, finite: isFinite, clipped: [] as tf.Tensor[] };
    const coefficient = tf.minimum(tf.div(tf.scalar(maxNorm), tf.add(total, CLIP_EPS)), 1);
    const safe = tf.where(isFinite, coefficient, tf.onesLike(coefficient));
    return { norm: total, finite: isFinite, clipped: tensors.map((g) => tf.mul(g, safe)) };
  });
  const out = new Map<string, tf.Tensor>();
  names.forEach((n, i) => out.set(n, clipping ? clipped[i] : grads.get(n)!));
  return { grads: out, norm, finite };
}
