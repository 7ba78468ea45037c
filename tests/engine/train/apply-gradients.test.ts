// The training step's clip-then-update (step.ts applyGradients: the global norm, clip_grad_norm_'s coefficient, AdamW
// with the coefficient applied inside its update) against PyTorch: apply_gradients_reference.json, made by
// make_apply_gradients_reference.py with Debian's torch (clip_grad_norm_ then torch.optim.AdamW.step(), two
// parameter groups, two steps). After every step the returned norm, AdamW's state (step, exp_avg = (1 − β1)·the
// clipped gradient after one step, exp_avg_sq) and the weights must be torch's, on cpu and wasm (fused AdamW there).
// A step that forgets the coefficient, or one that skips it when the norm equals maxGradNorm, fails here.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { AdamW } from '../../../src/engine/optim/adamw';
import { ParamStore } from '../../../src/engine/params/store';
import { applyGradients } from '../../../src/engine/train/step';

type Values = Record<string, number[]>;
interface TorchStep {
  grads: Values;
  norm: number;
  after: Values;
  state: Record<string, { step: number; exp_avg: number[]; exp_avg_sq: number[] }>;
}
interface TorchCase {
  name: string;
  maxNorm: number | null;
  init: Values;
  steps: TorchStep[];
}
const reference = JSON.parse(readFileSync(new URL('./apply_gradients_reference.json', import.meta.url), 'utf8')) as {
  betas: [number, number];
  eps: number;
  groups: { names: string[]; lr: number; weight_decay: number }[];
  shapes: Record<string, number[]>;
  cases: TorchCase[];
};
const hyperOf = new Map(reference.groups.flatMap((g) => g.names.map((n) => [n, { lr: g.lr, weightDecay: g.weight_decay }] as const)));

/** |actual − torch| ≤ rel·|torch| + abs·(the largest |torch| of the tensor), element by element. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], rel: number, abs: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.abs(expected[i]) + abs * scale;
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) throw new Error(`${what}[${i}]: got ${actual[i]}, torch ${expected[i]} (tolerance ${tol})`);
  }
}

let store: ParamStore | null = null;
let optimizer: AdamW | null = null;
afterEach(() => {
  optimizer?.dispose();
  store?.dispose();
  optimizer = null;
  store = null;
});

describe.each(['cpu', 'wasm'] as const)('clip_grad_norm_ + AdamW through applyGradients on %s', (backend) => {
  beforeAll(() => useNodeBackend(backend));

  for (const c of reference.cases) {
    it(c.name, async () => {
      store = ParamStore.fromValues(Object.entries(c.init).map(([n, data]) => [n, { shape: reference.shapes[n], data: Float32Array.from(data) }]));
      optimizer = new AdamW(store, { betas: reference.betas, eps: reference.eps, hyper: (n) => hyperOf.get(n)! });
      for (const [t, torch] of c.steps.entries()) {
        const grads = new Map(Object.entries(torch.grads).map(([n, g]) => [n, tf.tensor(g, reference.shapes[n])]));
        const outcome = await applyGradients({ loss: tf.scalar(0.5), penalty: tf.scalar(0), grads }, optimizer, c.maxNorm, null);
        expect(outcome.skipped).toBe(false);
        expectClose([outcome.gradNorm], [torch.norm], 1e-6, 0, `step ${t + 1} norm`);
        const state = await optimizer.getState();
        expect([...state.params.keys()].sort()).toEqual(Object.keys(torch.state).sort());
        for (const [name, s] of Object.entries(torch.state)) {
          const ours = state.params.get(name)!;
          expect(ours.step, `${name} step`).toBe(s.step);
          // Clipping by a coefficient c changes exp_avg by c and exp_avg_sq by c²: a 0.13% effect at norm == maxNorm.
          expectClose(ours.exp_avg, s.exp_avg, 2e-6, 1e-7, `step ${t + 1} ${name} exp_avg`);
          expectClose(ours.exp_avg_sq, s.exp_avg_sq, 4e-6, 1e-7, `step ${t + 1} ${name} exp_avg_sq`);
        }
        const weights = await store.snapshot();
        for (const [name, w] of Object.entries(torch.after)) expectClose(weights.get(name)!, w, 0, 2e-7, `step ${t + 1} ${name}`);
      }
    });
  }
});

it('the reference exercises what it claims: coefficients far from 1, and a norm exactly equal to maxGradNorm', () => {
  const [strong, , , exact] = reference.cases;
  for (const s of strong.steps) expect(strong.maxNorm! / s.norm).toBeLessThan(0.05);
  expect(exact.steps.map((s) => s.norm)).toEqual([exact.maxNorm, exact.maxNorm]);
  // torch's exp_avg after one step is (1 − β1)·g·max/(norm + 1e-6), not (1 − β1)·g.
  const name = 'classifier.weight';
  const i = exact.steps[0].grads[name].findIndex((g) => g !== 0);
  const g = exact.steps[0].grads[name][i];
  const coefficient = exact.maxNorm! / (exact.maxNorm! + 1e-6);
  expect(exact.steps[0].state[name].exp_avg[i] / ((1 - reference.betas[0]) * g)).toBeCloseTo(coefficient, 6);
  expect(coefficient).toBeLessThan(0.999);
});
