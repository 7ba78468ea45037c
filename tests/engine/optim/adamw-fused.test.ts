// The fused AdamW kernel (src/engine/backend/kernels/adamw-update.ts) that AdamW uses on the fast path, against
// torch.optim.AdamW (adamw-reference.json from make_adamw_reference.py: two parameter groups, a skipped gradient,
// gradients near eps) on cpu, wasm (the parameters' 12, 3, 6 and 2 values leave every SIMD tail) and webgpu
// (SwiftShader here; skipped with the reason where no adapter exists).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { ADAMW_UPDATE } from '../../../src/engine/backend/kernels/adamw-update';
import { AdamW } from '../../../src/engine/optim/adamw';
import { ParamStore } from '../../../src/engine/params/store';
import { toErrorData } from '../../../src/lib/errors';

interface Reference {
  betas: [number, number];
  eps: number;
  groups: { names: string[]; lr: number; weight_decay: number }[];
  shapes: Record<string, number[]>;
  init: Record<string, number[]>;
  steps: { grads: Record<string, number[]>; after: Record<string, number[]> }[];
  state: Record<string, { step: number; exp_avg: number[]; exp_avg_sq: number[] }>;
}
const ref = JSON.parse(readFileSync(path.join(import.meta.dirname, 'adamw-reference.json'), 'utf8')) as Reference;
const hyperOf = new Map(ref.groups.flatMap((g) => g.names.map((n) => [n, { lr: g.lr, weightDecay: g.weight_decay }])));

function expectClose(got: ArrayLike<number>, want: number[], label: string): void {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst, label).toBeLessThanOrEqual(2e-6);
}

const webgpu = await useNodeBackend('webgpu').then(
  () => null,
  (err: unknown) => toErrorData(err).message,
);

describe.each(['cpu', 'wasm', 'webgpu'] as const)('fused AdamW on %s', (backend) => {
  beforeEach((ctx) => ctx.skip(backend === 'webgpu' && webgpu !== null, `webgpu unavailable: ${webgpu}`));
  beforeAll(async () => {
    if (backend !== 'webgpu' || webgpu === null) await useNodeBackend(backend);
  });

  it('reproduces torch over five steps, moments included, through the one kernel', async () => {
    const store = ParamStore.fromValues(Object.entries(ref.init).map(([n, v]) => [n, { shape: ref.shapes[n], data: Float32Array.from(v) }] as const));
    const opt = new AdamW(store, { betas: ref.betas, eps: ref.eps, hyper: (n) => hyperOf.get(n)! });
    for (const [t, s] of ref.steps.entries()) {
      const grads = new Map(Object.entries(s.grads).map(([n, v]) => [n, tf.tensor(v, ref.shapes[n])]));
      const profile = await tf.profile(() => opt.step(grads));
      // The first step also makes the zero moments.
      expect(profile.kernelNames, `step ${t + 1}`).toEqual(t === 0 ? ['ZerosLike', ADAMW_UPDATE] : [ADAMW_UPDATE]);
      grads.forEach((g) => g.dispose());
      const after = await store.snapshot();
      for (const [n, want] of Object.entries(s.after)) expectClose(after.get(n)!, want, `step ${t + 1} ${n}`);
    }
    const state = await opt.getState();
    for (const [n, s] of Object.entries(ref.state)) {
      expect(state.params.get(n)!.step, n).toBe(s.step);
      expectClose(state.params.get(n)!.exp_avg, s.exp_avg, `${n} exp_avg`);
      expectClose(state.params.get(n)!.exp_avg_sq, s.exp_avg_sq, `${n} exp_avg_sq`);
    }
    opt.dispose();
    store.dispose();
  });

  it('with a gradient scale (clipping inside the update) equals the update of the scaled gradient', async () => {
    const scale = 0.37;
    const run = async (scaleInside: boolean) => {
      const store = ParamStore.fromValues(Object.entries(ref.init).map(([n, v]) => [n, { shape: ref.shapes[n], data: Float32Array.from(v) }] as const));
      const opt = new AdamW(store, { betas: ref.betas, eps: ref.eps, hyper: (n) => hyperOf.get(n)! });
      for (const s of ref.steps) {
        const grads = new Map(
          Object.entries(s.grads).map(([n, v]) => [n, tf.tensor(scaleInside ? v : v.map((g) => Math.fround(g * scale)), ref.shapes[n])]),
        );
        opt.step(grads, scaleInside ? scale : 1);
        grads.forEach((g) => g.dispose());
      }
      const after = await store.snapshot();
      opt.dispose();
      store.dispose();
      return after;
    };
    const [inside, before] = [await run(true), await run(false)];
    for (const [n, want] of before) expectClose(inside.get(n)!, Array.from(want), n);
  });
});
