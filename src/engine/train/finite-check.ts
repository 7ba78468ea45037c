// Divergence that the step's loss does not show (issue #15 item 5): an update can overflow while the loss it
// followed was finite (lr 1e308 turns every weight into ±Inf in one step), and a run can end on skipped steps whose
// weights are finite but so large that the forward pass gives NaN (lr 1e4). The trainer therefore also watches the
// weights: the global L2 norm of the trainable weights rides along in the next step's one readback (no extra sync),
// and the run's end and every checkpoint check the weights themselves.
import * as tf from '@tensorflow/tfjs-core';
import { countNonFinite } from '../../formats/safetensors';
import { globalGradNorm } from '../optim/clip';
import type { ParamStore } from '../params/store';

/**
 * ‖W‖ over the named parameters as a [1] tensor, on the device, without a readback: NaN or Infinity when any
 * weight is (or when a square overflows float32, |w| > 1.8e19, which no trained encoder comes near).
 */
export function weightsNorm(params: ParamStore, names: readonly string[]): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(globalGradNorm(new Map(names.map((n) => [n, params.get(n)]))), [1]) as tf.Tensor1D);
}

/** `extra` of a step's readback with ‖W‖ in front: [‖W‖, ...extra]. Disposes extra. */
export function withWeightsNorm(params: ParamStore, extra: tf.Tensor1D | null): tf.Tensor1D {
  const norm = weightsNorm(params, params.trainableNames());
  if (extra === null) return norm;
  const out = tf.concat([norm, extra]);
  tf.dispose([norm, extra]);
  return out;
}

/** Whether every weight of the store is finite: one small readback. */
export async function weightsAreFinite(params: ParamStore): Promise<boolean> {
  const norm = weightsNorm(params, params.names());
  try {
    return Number.isFinite((await norm.data())[0]);
  } finally {
    norm.dispose();
  }
}

/** Names of the tensors that hold NaN or ±Inf, with their counts. */
export function nonFiniteTensors(values: ReadonlyMap<string, Float32Array>): [string, number][] {
  return [...values].map(([name, data]) => [name, countNonFinite(data)] as [string, number]).filter(([, n]) => n > 0);
}
