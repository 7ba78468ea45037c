// Dropout as torch.nn.Dropout: active only when training, survivors scaled by 1/(1-p). Each call site draws its
// own seed from the step's seed, so a step is reproducible; tfjs treats a seed of 0 as "random", so none is 0.
import * as tf from '@tensorflow/tfjs-core';
import { hashSeed } from '../../lib/random';
import { fastKernel } from '../backend/fast-paths';
import { DROPOUT_MASK, dropoutMask } from '../backend/kernels/dropout-mask';

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

/**
 * The fast path multiplies by a mask drawn on the device (backend/kernels/dropout-mask.ts); tf.dropout (the plain
 * path, and any backend without that kernel) draws its random numbers in JavaScript.
 */
export function dropout(x: tf.Tensor, rate: number, ctx: DropoutContext): tf.Tensor {
  if (!ctx.training || rate === 0) return x;
  const seed = ctx.nextSeed();
  if (fastKernel(DROPOUT_MASK)) return tf.mul(x, dropoutMask(x.shape, rate, seed));
  return tf.dropout(x, rate, undefined, seed);
}
