// ULMFiT gradual unfreezing as PyTorch sees it: a layer frozen at a step has requires_grad False, so it has no
// gradient, takes no part in clip_grad_norm_, and torch.optim.AdamW skips it (its state is created lazily on the
// first step where p.grad is not None; its own step count, and with it the bias correction, starts there). Checked on
// the real loop (Trainer, tiny BERT, wasm, two steps per epoch, layers joining at epochs 1 and 2): after every step,
// which parameters have AdamW state and their step counts; and every step's moments and weights against torch's
// clip_grad_norm_ + AdamW written out here in float64, from the gradient of the same window computed here with only
// the parameters that train at that step (the gradients themselves are checked against PyTorch in step.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import type { AdamWState } from '../../../src/engine/optim/adamw';
import { accumulateGradients, type StepModel } from '../../../src/engine/train/step';
import { Trainer } from '../../../src/engine/train/trainer';
import { EpochWindows } from '../../../src/engine/train/windows';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { fixtureModel, syntheticDataset } from './helpers';

const LR = 1e-3;
const WD = 0.1;
const MAX_NORM = 0.05;
const BETAS = [0.9, 0.999] as const;
const EPS = 1e-8;
const SEED = 42;
const NO_DROPOUT = { hidden: 0, attention: 0, classifier: 0 };
const CONFIG = {
  learningRate: LR,
  weightDecay: WD,
  maxGradNorm: MAX_NORM,
  betas: BETAS,
  eps: EPS,
  seed: SEED,
  batchSize: 8,
  epochs: 3,
  gradualUnfreeze: 1,
  dropout: NO_DROPOUT,
  schedule: { type: 'constant', warmupSteps: 0 },
};
const TRAIN = syntheticDataset('seq-cls', 16, 4);
const STEPS_PER_EPOCH = 2;

/** The ULMFiT plan of a 2-layer BERT written out: the head from epoch 0, layer 1 from epoch 1, layer 0 from 2. */
function trainsInEpoch(name: string, epoch: number): boolean {
  if (name.startsWith('bert.pooler.') || name.startsWith('classifier.')) return true;
  if (name.startsWith('bert.encoder.layer.1.')) return epoch >= 1;
  if (name.startsWith('bert.encoder.layer.0.')) return epoch >= 2;
  if (name.startsWith('bert.embeddings.')) return epoch >= 3;
  throw new Error(`unexpected parameter ${name}`);
}

/** transformers' default no-decay names: biases and LayerNorms. */
const decayOf = (name: string) => (/bias|LayerNorm/.test(name) ? 0 : WD);

interface TorchState {
  step: number;
  expAvg: Float64Array;
  expAvgSq: Float64Array;
}

/**
 * torch: clip_grad_norm_ over the parameters that have a gradient, then AdamW's _single_tensor_adamw for each of
 * them, from the state before the step (a parameter without state starts at step 0 with zero moments).
 */
function torchStep(weights: Map<string, Float32Array>, state: Map<string, TorchState>, grads: Map<string, Float32Array>) {
  let sq = 0;
  for (const g of grads.values()) for (const v of g) sq += v * v;
  const norm = Math.sqrt(sq);
  const coef = Math.min(MAX_NORM / (norm + 1e-6), 1);
  const [beta1, beta2] = BETAS;
  const after = new Map<string, Float64Array>();
  const next = new Map<string, TorchState>(state);
  for (const [name, g] of grads) {
    const prev = state.get(name);
    const s: TorchState = { step: (prev?.step ?? 0) + 1, expAvg: new Float64Array(g.length), expAvgSq: new Float64Array(g.length) };
    const w = weights.get(name)!;
    const out = new Float64Array(w.length);
    const bc1 = 1 - beta1 ** s.step;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** s.step);
    for (let i = 0; i < g.length; i++) {
      const gc = g[i] * coef;
      s.expAvg[i] = beta1 * (prev?.expAvg[i] ?? 0) + (1 - beta1) * gc;
      s.expAvgSq[i] = beta2 * (prev?.expAvgSq[i] ?? 0) + (1 - beta2) * gc * gc;
      const decayed = w[i] * (1 - LR * decayOf(name));
      out[i] = decayed - (LR / bc1) * (s.expAvg[i] / (Math.sqrt(s.expAvgSq[i]) / bc2Sqrt + EPS));
    }
    next.set(name, s);
    after.set(name, out);
  }
  return { norm, after, state: next };
}

/** |a − b| ≤ rel·|b| + abs, element by element, with the first offender named. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.abs(expected[i]) + abs;
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) throw new Error(`${what}[${i}]: got ${actual[i]}, torch ${expected[i]} (tolerance ${tol})`);
  }
}

let model: StepModel | null = null;
let twin: StepModel | null = null;
let trainer: Trainer | null = null;

beforeAll(() => useNodeBackend('wasm'));
afterEach(() => {
  trainer?.dispose();
  model?.params.dispose();
  twin?.params.dispose();
  trainer = twin = model = null;
});

/** The gradients of step `step` (0-based) at these weights, with exactly the parameters torch would have train. */
async function gradientsOfStep(step: number, weights: Map<string, Float32Array>): Promise<Map<string, Float32Array>> {
  const m = twin!;
  const epoch = Math.floor(step / STEPS_PER_EPOCH);
  for (const name of m.params.names()) {
    tf.tidy(() => m.params.assign(name, tf.tensor(weights.get(name)!, m.params.shape(name))));
    m.params.setTrainable(name, trainsInEpoch(name, epoch));
  }
  const windows = new EpochWindows({ data: TRAIN, batchSize: 8, seed: SEED, padding: { padId: 0, maxLength: 64 }, masking: null }, 1);
  const micro = windows.window(epoch, step % STEPS_PER_EPOCH);
  const acc = accumulateGradients(m, micro, { dropout: NO_DROPOUT, labelSmoothing: 0, seeds: micro.map((_, i) => i + 1), l2sp: null });
  const out = new Map<string, Float32Array>();
  for (const [name, g] of acc.grads) if (trainsInEpoch(name, epoch)) out.set(name, Float32Array.from((await g.data()) as Float32Array));
  tf.dispose([acc.loss, acc.penalty, ...acc.grads.values()]);
  return out;
}

const stateSummary = (state: AdamWState) => Object.fromEntries([...state.params].map(([n, s]) => [n, s.step]).sort());

describe('gradual unfreezing: optimizer state as torch.optim.AdamW keeps it', () => {
  it('frozen layers get no moments and no step count; each layer\'s first update after unfreezing is torch\'s', async () => {
    model = await fixtureModel('bert-seq-cls', 'seq-cls');
    twin = await fixtureModel('bert-seq-cls', 'seq-cls');
    const names = model.params.names();
    trainer = new Trainer({ model, train: TRAIN, validation: null, config: parseTrainConfig(CONFIG), padId: 0 });
    let torch = new Map<string, TorchState>();
    let expected: ReturnType<typeof torchStep> | null = null;
    let before = new Map<string, Float32Array>();
    let done = 0;
    const checked: number[] = [];
    for await (const e of trainer.run()) {
      if (e.type === 'failed') throw new Error(`${e.error.code}: ${e.error.message}`);
      if (e.type === 'stepCompleted') {
        done = e.telemetry.step;
        expect(e.telemetry.skipped).toBe(false);
        const epoch = Math.floor((done - 1) / STEPS_PER_EPOCH);
        const state = await trainer.checkpoint().then((c) => c.optimizer);
        // Which parameters have state, with which step count: the steps in which each one trained.
        const counts = Object.fromEntries(
          names
            .map((n) => [n, Array.from({ length: done }, (_, k) => trainsInEpoch(n, Math.floor(k / STEPS_PER_EPOCH))).filter(Boolean).length] as const)
            .filter(([, c]) => c > 0)
            .sort(),
        );
        expect(stateSummary(state), `after step ${done}`).toEqual(counts);
        expect(state.params.size, `after step ${done} (epoch ${epoch})`).toBe([4, 20, 36][epoch]);
        // This step's moments and weights against torch's clip + AdamW from the state before it.
        expect(expected, `no expectation for step ${done}`).not.toBeNull();
        const exp = expected!;
        expect(e.telemetry.gradNorm / exp.norm, `step ${done} gradient norm`).toBeCloseTo(1, 5);
        expect(exp.norm, 'clipping is active').toBeGreaterThan(MAX_NORM);
        for (const [name, s] of exp.state) {
          const ours = state.params.get(name)!;
          expect(ours.step, `${name} step`).toBe(s.step);
          const scale = s.expAvg.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          expectClose(ours.exp_avg, s.expAvg, 1e-4, 1e-6 * scale, `step ${done} ${name} exp_avg`);
          const scaleSq = s.expAvgSq.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          expectClose(ours.exp_avg_sq, s.expAvgSq, 1e-4, 1e-6 * scaleSq, `step ${done} ${name} exp_avg_sq`);
        }
        const weights = await model.params.snapshot();
        for (const [name, w] of exp.after) expectClose(weights.get(name)!, w, 3e-7, 1e-4 * LR, `step ${done} ${name}`);
        // A frozen parameter is not touched at all.
        for (const name of names) {
          if (!exp.after.has(name)) expect(weights.get(name)!.every((v, i) => v === before.get(name)![i]), name).toBe(true);
        }
        torch = exp.state;
        checked.push(done);
      }
      if (e.type === 'epochStarted' || e.type === 'stepCompleted') {
        // The next step, as torch would take it from here.
        if (done >= 6) continue;
        before = await model.params.snapshot();
        expected = torchStep(before, torch, await gradientsOfStep(done, before));
      }
    }
    expect(checked).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
