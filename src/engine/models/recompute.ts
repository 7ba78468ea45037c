// Gradient checkpointing of one encoder layer (transformers' gradient_checkpointing, torch.utils.checkpoint; Chen et
// al. 2016): the layer runs once off the tape and keeps only its input; the backward pass runs it again on a tape of
// its own, with the dropout seeds of the first run (so the same masks), and back-propagates dy through it. A step
// then holds one layer's activations and gradients at a time instead of every layer's, for one more forward pass.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import type { DropoutContext } from '../layers/dropout';
import type { Forward } from './common';

/** One encoder layer: hidden [B·S, H] and the additive mask [B, 1, 1, S] -> hidden [B·S, H]. */
export type LayerBody = (f: Forward, x: tf.Tensor, mask: tf.Tensor) => tf.Tensor;

/** Forwards the seeds of `ctx` and writes them down, so that a second run can draw the same ones. */
function recording(ctx: DropoutContext, seeds: number[]): DropoutContext {
  return {
    training: ctx.training,
    nextSeed: () => {
      const seed = ctx.nextSeed();
      seeds.push(seed);
      return seed;
    },
  };
}

function replaying(training: boolean, seeds: readonly number[], prefix: string): DropoutContext {
  let i = 0;
  return {
    training,
    nextSeed: () => {
      if (i >= seeds.length) {
        throw new LayerwiseError('CHECKPOINT_REPLAY_MISMATCH', `the recomputation of ${prefix} drew more dropout masks than its first run`, { tensor: prefix });
      }
      return seeds[i++];
    },
  };
}

/**
 * The backward pass of one layer: its forward again on a fresh tape, then dy through it. tfjs keeps one tape per
 * engine and the outer gradient computation is in its backward phase (gradientDepth 0, its nodes already filtered),
 * so the inner computation runs as a top-level one and the outer tape is put back afterwards.
 */
function replayGradients(run: () => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const engine = tf.engine();
  if (engine.state.gradientDepth !== 0) {
    throw new LayerwiseError('CHECKPOINT_NESTED_GRADIENTS', 'gradient checkpointing cannot run inside a higher-order gradient');
  }
  const outer = engine.state.activeTape;
  try {
    const { value, grads } = engine.gradients(run, xs, dy, true);
    value.dispose();
    // A trainable input the layer does not use (none today) gets a zero gradient: customGrad wants one per input.
    return grads.map((g, i) => g ?? tf.zerosLike(xs[i]));
  } finally {
    engine.state.activeTape = outer;
  }
}

/**
 * body(f, x, mask) for the layer whose parameters are named `${prefix}.*`. With f.checkpoint and a gradient being
 * recorded, the layer is checkpointed: inputs of the recorded op are x and the layer's trainable variables (the
 * frozen ones are constants of the layer, so they cost no gradient), and it saves only x and the mask.
 */
export function encoderLayer(f: Forward, prefix: string, x: tf.Tensor, mask: tf.Tensor, body: LayerBody): tf.Tensor {
  if (!f.checkpoint || !tf.engine().isTapeOn()) return body(f, x, mask);
  const trainable = [...f.params]
    .filter(([name, t]) => name.startsWith(`${prefix}.`) && t instanceof tf.Variable && t.trainable)
    .map(([, t]) => t);
  const seeds: number[] = [];
  const layer = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const input = args[0] as tf.Tensor;
    save([input, mask]);
    return {
      // Off the tape (customGrad's forward runs as one kernel): the layer's intermediates are freed when it returns.
      value: body({ ...f, dropout: recording(f.dropout, seeds) }, input, mask),
      gradFunc: (dy: tf.Tensor, [savedInput, savedMask]: tf.Tensor[]) =>
        replayGradients(() => body({ ...f, dropout: replaying(f.dropout.training, seeds, prefix) }, savedInput, savedMask), [savedInput, ...trainable], dy),
    };
  });
  return layer(x, ...trainable);
}
