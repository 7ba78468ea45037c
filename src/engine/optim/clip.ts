// Global-norm gradient clipping with torch.nn.utils.clip_grad_norm_ semantics, in two halves around the step's one
// readback: the norm is measured on the device (norm of the per-tensor L2 norms, float32), and the coefficient
// max_norm / (norm + 1e-6), capped at 1, is computed from the value read back, in float32 as torch does. AdamW then
// scales each gradient by it inside its update (optim/adamw.ts), so clipping costs no pass over the gradients.
// A non-finite norm means the loop skips the step (torch would multiply by NaN).
import * as tf from '@tensorflow/tfjs-core';
import { fastKernel } from '../backend/fast-paths';
import { L2_NORM } from '../backend/kernels/l2-norm';

/** torch's clip_grad_norm_ adds this to the norm before dividing. */
const CLIP_EPS = 1e-6;

/** The L2 norm of one tensor: one kernel where the backend has it (webgpu, wasm), else three ops. */
function l2Norm(g: tf.Tensor): tf.Tensor {
  if (fastKernel(L2_NORM)) return tf.reshape(tf.engine().runKernel(L2_NORM, { x: g }) as tf.Tensor, []);
  return tf.sqrt(tf.sum(tf.square(g)));
}

/** The global L2 norm of the gradients, as torch 1.13+ computes it: per-tensor norms, then their norm. No readback. */
export function globalGradNorm(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    const perTensor = [...grads.values()].map(l2Norm);
    return perTensor.length === 0 ? tf.scalar(0) : tf.sqrt(tf.sum(tf.square(tf.stack(perTensor))));
  });
}

/**
 * The factor clip_grad_norm_ multiplies every gradient by, for a norm read back: min(maxNorm / (norm + 1e-6), 1),
 * each operation rounded to float32 as torch's tensor ops round it. 1 when maxNorm is null or 0 (no clipping) and
 * for a non-finite norm (the step is skipped then, never scaled by NaN).
 */
export function clipCoefficient(norm: number, maxNorm: number | null): number {
  if (maxNorm === null || maxNorm <= 0 || !Number.isFinite(norm)) return 1;
  const f = Math.fround;
  return Math.min(f(f(maxNorm) / f(f(norm) + f(CLIP_EPS))), 1);
}
