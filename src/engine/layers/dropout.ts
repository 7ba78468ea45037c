// Dropout as torch.nn.Dropout: active only when training, survivors scaled by 1/(1-p). Each call site draws its
// own seed from the step's seed, so a step is reproducible; tfjs treats a seed of 0 as "random", so none is 0.
import * as tf from '@tensorflow/tfjs-core';
import { hashSeed } from '../../lib/random';

export interface DropoutContext {
  readonly training: boolean;
  /** A fresh nonzero seed for the next dropout call of this forward pass. */
  nextSeed(): number;
}

const MAX_SEED = 2147483646;

/** Seeds for one forward pass: the k-th call gets hash(stepSeed, k), mapped into [1, 2^31 - 1). */
export function dropoutContext(training: boolean, stepSeed: number): DropoutContext {
  let calls = 0;
  return {
    training,
    nextSeed: () => (hashSeed(stepSeed, ++calls) % MAX_SEED) + 1,
  };
}

export function dropout(x: tf.Tensor, rate: number, ctx: DropoutContext): tf.Tensor {
  if (!ctx.training || rate === 0) return x;
  return tf.dropout(x, rate, undefined, ctx.nextSeed());
}
