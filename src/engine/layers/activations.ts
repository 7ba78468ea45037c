// Activation functions by their transformers name (ACT2FN in transformers/activations.py).
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { fastKernel, fastPathsEnabled } from '../backend/fast-paths';
import { GELU, GELU_GRAD } from '../backend/kernels/gelu';

export type Activation = (x: tf.Tensor) => tf.Tensor;

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** The plain composite of torch's exact GELU, differentiated by tfjs (the fast path's reference). */
export function geluPlain(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, SQRT_HALF)), 1));
}

/** GELU with its derivative written out: d/dx x·Φ(x) = Φ(x) + x·φ(x), φ the standard normal density. */
const geluFused = tf.customGrad((x, save) => {
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(x as tf.Tensor, SQRT_HALF)), 1), 0.5); // Φ(x)
  (save as tf.GradSaveFunc)([x as tf.Tensor, cdf]);
  return {
    value: tf.mul(x as tf.Tensor, cdf),
    gradFunc: (dy: tf.Tensor, [savedX, savedCdf]: tf.Tensor[]) => {
      const xPdf = tf.mul(tf.mul(savedX, tf.exp(tf.mul(tf.square(savedX), -0.5))), INV_SQRT_2PI); // x·φ(x)
      return tf.mul(dy, tf.add(savedCdf, xPdf));
    },
  };
});

/** The same on WebGPU, forward and derivative one kernel each (backend/kernels/gelu.ts). */
const geluKernels = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor]);
  return {
    value: tf.engine().runKernel(GELU, { x } as tf.NamedTensorMap) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, [savedX]: tf.Tensor[]) => tf.engine().runKernel(GELU_GRAD, { x: savedX, dy }) as tf.Tensor,
  };
});

/** torch's exact GELU: x·Φ(x) = 0.5·x·(1 + erf(x/√2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fastKernel(GELU)) return geluKernels(x);
  return fastPathsEnabled() ? geluFused(x) : geluPlain(x);
}

/** The tanh approximation (gelu_new, gelu_pytorch_tanh, gelu_fast): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** SiLU (swish): x·sigmoid(x). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

const ACTIVATIONS: Readonly<Record<string, Activation>> = {
  gelu,
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_fast: geluTanh,
  relu: (x) => tf.relu(x),
  silu,
  swish: silu,
  tanh: (x) => tf.tanh(x),
};

/** The activation named `name` in a config (hidden_act / DistilBERT's activation). */
export function activation(name: string): Activation {
  const fn = Object.hasOwn(ACTIVATIONS, name) ? ACTIVATIONS[name] : undefined;
  if (fn === undefined) {
    throw new LayerwiseError('CONFIG_UNSUPPORTED_ACTIVATION', `activation "${name}" is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`, {
      field: 'hidden_act',
    });
  }
  return fn;
}
