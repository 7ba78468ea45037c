// AdamW with the semantics of torch.optim.AdamW (torch/optim/adamw.py, _single_tensor_adamw): decoupled weight
// decay p *= 1 - lr*wd first, then the bias-corrected Adam update p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps).
// Like torch, each parameter keeps its own step count and its moments appear on its first gradient.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { fastKernel } from '../backend/fast-paths';
import { ADAMW_UPDATE, adamwUpdate } from '../backend/kernels/adamw-update';
import type { ParamStore } from '../params/store';

/** Learning rate and weight decay of one parameter (its group's values at this step). */
export interface ParamHyper {
  lr: number;
  weightDecay: number;
}

export interface AdamWOptions {
  /** torch's betas: (beta1, beta2). */
  betas: readonly [number, number];
  eps: number;
  /** Per-parameter learning rate and weight decay, by checkpoint name; called at every step. */
  hyper: (name: string) => ParamHyper;
}

/** torch's per-parameter optimizer state, for checkpoint and resume. */
export interface AdamWParamState {
  step: number;
  exp_avg: Float32Array;
  exp_avg_sq: Float32Array;
}

export interface AdamWState {
  /** Number of step() calls. */
  steps: number;
  /** By checkpoint name; only parameters that have had a gradient. */
  params: Map<string, AdamWParamState>;
}

interface Moments {
  step: number;
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
}

export class AdamW {
  private readonly store: ParamStore;
  private readonly options: AdamWOptions;
  private readonly moments = new Map<string, Moments>();
  private steps = 0;

  constructor(store: ParamStore, options: AdamWOptions) {
    const [beta1, beta2] = options.betas;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new LayerwiseError('OPTIM_BAD_BETAS', `AdamW betas must be in [0, 1), got (${beta1}, ${beta2})`, { field: 'betas' });
    }
    if (!(options.eps >= 0)) {
      throw new LayerwiseError('OPTIM_BAD_EPS', `AdamW eps must be >= 0, got ${options.eps}`, { field: 'eps' });
    }
    this.store = store;
    this.options = options;
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * One update of every trainable parameter that has a gradient in grads (by checkpoint name), each gradient taken
   * times gradScale (gradient clipping's coefficient: optim/clip.ts). A frozen parameter is left alone even when a
   * gradient for it is passed. The gradients are not disposed here.
   */
  step(grads: ReadonlyMap<string, tf.Tensor>, gradScale = 1): void {
    const [beta1, beta2] = this.options.betas;
    const eps = this.options.eps;
    // One fused kernel per parameter where the backend has it (backend/kernels/adamw-update.ts), else ~14 ops.
    const fused = fastKernel(ADAMW_UPDATE);
    for (const name of this.store.trainableNames()) {
      const grad = grads.get(name);
      if (!grad) continue;
      const param = this.store.get(name);
      if (!tf.util.arraysEqual(grad.shape, param.shape)) {
        throw new LayerwiseError(
          'OPTIM_GRAD_SHAPE',
          `gradient of ${name} has shape [${grad.shape.join(', ')}], the parameter [${param.shape.join(', ')}]`,
          { tensor: name },
        );
      }
      const { lr, weightDecay } = this.options.hyper(name);
      const m = this.momentsOf(name, param);
      m.step += 1;
      tf.tidy(() => {
        const [newParam, expAvg, expAvgSq] = fused
          ? adamwUpdate(param, grad, m.expAvg, m.expAvgSq, { beta1, beta2, eps, lr, weightDecay, step: m.step, gradScale })
          : this.updateOps(param, gradScale === 1 ? grad : tf.mul(grad, gradScale), m, lr, weightDecay);
        m.expAvg.assign(expAvg);
        m.expAvgSq.assign(expAvgSq);
        param.assign(newParam);
      });
    }
    this.steps += 1;
  }

  /** The update in plain tfjs ops: [param, expAvg, expAvgSq] after this step (m.step already counts it). */
  private updateOps(param: tf.Tensor, grad: tf.Tensor, m: Moments, lr: number, weightDecay: number): tf.Tensor[] {
    const [beta1, beta2] = this.options.betas;
    const biasCorrection1 = 1 - beta1 ** m.step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** m.step);
    const stepSize = lr / biasCorrection1;
    const decayed = weightDecay !== 0 ? tf.mul(param, 1 - lr * weightDecay) : param;
    const expAvg = tf.add(tf.mul(m.expAvg, beta1), tf.mul(grad, 1 - beta1));
    const expAvgSq = tf.add(tf.mul(m.expAvgSq, beta2), tf.mul(tf.mul(grad, grad), 1 - beta2));
    const denom = tf.add(tf.div(tf.sqrt(expAvgSq), biasCorrection2Sqrt), this.options.eps);
    return [tf.add(decayed, tf.mul(tf.div(expAvg, denom), -stepSize)), expAvg, expAvgSq];
  }

  /** Step counts and copies of the moments, by checkpoint name. */
  async getState(): Promise<AdamWState> {
    const params = new Map<string, AdamWParamState>();
    for (const [name, m] of this.moments) {
      params.set(name, {
        step: m.step,
        exp_avg: Float32Array.from((await m.expAvg.data()) as Float32Array),
        exp_avg_sq: Float32Array.from((await m.expAvgSq.data()) as Float32Array),
      });
    }
    return { steps: this.steps, params };
  }

  /** Restores a state from getState(); every name must be a parameter of the store with matching sizes. */
  setState(state: AdamWState): void {
    for (const [name, s] of state.params) {
      if (!this.store.has(name)) {
        throw new LayerwiseError('OPTIM_STATE_UNKNOWN_PARAM', `optimizer state names ${name}, which the model does not have`, {
          tensor: name,
        });
      }
      const size = this.store.get(name).size;
      if (s.exp_avg.length !== size || s.exp_avg_sq.length !== size || !(Number.isSafeInteger(s.step) && s.step >= 0)) {
        throw new LayerwiseError('OPTIM_STATE_MISMATCH', `optimizer state of ${name} does not fit the parameter (${size} values)`, {
          tensor: name,
        });
      }
    }
    this.disposeMoments();
    for (const [name, s] of state.params) {
      const shape = this.store.get(name).shape;
      const m = this.momentsOf(name, this.store.get(name));
      m.step = s.step;
      tf.tidy(() => {
        m.expAvg.assign(tf.tensor(s.exp_avg, shape, 'float32'));
        m.expAvgSq.assign(tf.tensor(s.exp_avg_sq, shape, 'float32'));
      });
    }
    this.steps = state.steps;
  }

  dispose(): void {
    this.disposeMoments();
  }

  private momentsOf(name: string, param: tf.Variable): Moments {
    let m = this.moments.get(name);
    if (!m) {
      m = {
        step: 0,
        expAvg: tf.tidy(() => tf.variable(tf.zerosLike(param), false)),
        expAvgSq: tf.tidy(() => tf.variable(tf.zerosLike(param), false)),
      };
      this.moments.set(name, m);
    }
    return m;
  }

  private disposeMoments(): void {
    for (const m of this.moments.values()) {
      m.expAvg.dispose();
      m.expAvgSq.dispose();
    }
    this.moments.clear();
  }
}
