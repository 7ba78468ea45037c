// LayerNorm over the last dimension with torch.nn.LayerNorm semantics: biased variance, eps inside the sqrt.
// The fast path has torch's hand-derived backward (aten layer_norm_backward) instead of autodiff through moments;
// on WebGPU and wasm it runs as row kernels (backend/kernels/layer-norm.ts).
import * as tf from '@tensorflow/tfjs-core';
import { fastKernel, fastPathsEnabled } from '../backend/fast-paths';
import { LAYER_NORM, LAYER_NORM_GRAD } from '../backend/kernels/layer-norm';
import { columnSums } from './column-sums';

/** The plain composite, differentiated by tfjs (the fast path's reference). x [..., H], weight and bias [H]. */
export function layerNormPlain(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, weight), bias);
}

/**
 * Backward with x̂ = (x - mean)·rstd and g = dy·weight: dx = rstd·(g - mean(g) - x̂·mean(g·x̂)) over the last
 * axis, dweight = Σ dy·x̂ and dbias = Σ dy over every leading position (as products, column-sums.ts).
 */
function layerNormFused(eps: number) {
  return tf.customGrad((x, weight, bias, save) => {
    const mean = tf.mean(x as tf.Tensor, -1, true);
    const centered = tf.sub(x as tf.Tensor, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps)); // [..., 1]
    const normed = tf.mul(centered, rstd);
    (save as tf.GradSaveFunc)([normed, rstd, weight as tf.Tensor]);
    return {
      value: tf.add(tf.mul(normed, weight as tf.Tensor), bias as tf.Tensor),
      gradFunc: (dy: tf.Tensor, [xHat, savedRstd, w]: tf.Tensor[]) => {
        const g = tf.mul(dy, w);
        const projection = tf.mul(xHat, tf.mean(tf.mul(g, xHat), -1, true));
        const dx = tf.mul(tf.sub(tf.sub(g, tf.mean(g, -1, true)), projection), savedRstd);
        return [dx, columnSums(tf.mul(dy, xHat)), columnSums(dy)];
      },
    };
  });
}

/** The same backward as layerNormFused, each part one kernel: x2d [N, H]. */
function layerNormKernels(eps: number) {
  return tf.customGrad((x, weight, bias, save) => {
    (save as tf.GradSaveFunc)([x as tf.Tensor, weight as tf.Tensor]);
    return {
      value: tf.engine().runKernel(LAYER_NORM, { x, weight, bias } as tf.NamedTensorMap, { eps }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, [savedX, w]: tf.Tensor[]) => {
        const grad = (output: 'dx' | 'dyXHat') =>
          tf.engine().runKernel(LAYER_NORM_GRAD, { x: savedX, weight: w, dy }, { eps, output }) as tf.Tensor;
        return [grad('dx'), columnSums(grad('dyXHat')), columnSums(dy)];
      },
    };
  });
}

/** x [..., H], weight and bias [H]. */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  if (!fastPathsEnabled()) return layerNormPlain(x, weight, bias, eps);
  if (!fastKernel(LAYER_NORM)) return layerNormFused(eps)(x, weight, bias);
  const width = x.shape[x.rank - 1];
  const y = layerNormKernels(eps)(x.rank === 2 ? x : tf.reshape(x, [-1, width]), weight, bias);
  return x.rank === 2 ? y : tf.reshape(y, x.shape);
}
