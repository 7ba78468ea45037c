// Per-module telemetry of a step, computed on the device so that it rides in the step's one readback: each group's
// gradient norm (before clipping) and ‖W − W₀‖ since the start of the run. A group with no gradient (frozen) or no
// starting copy (never trained) reports exactly 0.
import * as tf from '@tensorflow/tfjs-core';
import type { GroupPlan } from '../../protocol/param-groups';
import type { GroupStep } from '../../protocol/train-events';
import type { ParamStore } from '../params/store';

/** Sum of squares of the named tensors that `pick` finds, or an exact 0 scalar. */
function sumOfSquares(names: readonly string[], pick: (name: string) => tf.Tensor | null): tf.Scalar {
  const terms: tf.Tensor[] = [];
  for (const n of names) {
    const t = pick(n);
    if (t !== null) terms.push(tf.sum(tf.square(t)));
  }
  // stack, not addN: WebGPU's addN binds every input at once (one storage buffer each, 8 per shader stage by default,
  // and an encoder layer has 16 tensors), while stack splits by the device's limit.
  return (terms.length === 0 ? tf.scalar(0) : tf.sum(tf.stack(terms))) as tf.Scalar;
}

/**
 * [2·G] float32: the G groups' gradient L2 norms, then their weight-change L2 norms ‖W − W₀‖, in plan order.
 * grads are the accumulated (pre-clip) gradients; initial holds W₀ of the parameters that can train.
 */
export function groupNorms(
  groups: readonly GroupPlan[],
  grads: ReadonlyMap<string, tf.Tensor>,
  params: ParamStore,
  initial: ReadonlyMap<string, tf.Tensor>,
): tf.Tensor1D {
  return tf.tidy(() => {
    const gradSq = groups.map((g) => sumOfSquares(g.params, (n) => grads.get(n) ?? null));
    const deltaSq = groups.map((g) =>
      sumOfSquares(g.params, (n) => {
        const w0 = initial.get(n);
        return w0 === undefined ? null : tf.sub(params.get(n), w0);
      }),
    );
    return tf.sqrt(tf.stack([...gradSq, ...deltaSq])) as tf.Tensor1D;
  });
}

/** Each group's rate, with its norms when this step measured them (values: groupNorms' readback). */
export function groupSteps(rates: readonly { name: string; lr: number }[], values: Float32Array | null): GroupStep[] {
  const g = rates.length;
  return rates.map((r, i) => ({
    name: r.name,
    lr: r.lr,
    gradNorm: values === null ? null : values[i],
    weightDelta: values === null ? null : values[g + i],
  }));
}
