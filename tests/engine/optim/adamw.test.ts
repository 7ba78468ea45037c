// AdamW against torch.optim.AdamW: one step on each fixture's weights with its reference gradients
// (reference_after_adamw_step.safetensors, transformers 5.17 / torch 2.11), and several steps with two parameter
// groups and a skipped gradient (adamw-reference.json, made by make_adamw_reference.py with Debian's torch).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFile } from '../../../src/cli/node-files';
import { readSafetensorsHeader, readTensorFloat32 } from '../../../src/formats/safetensors';
import type { SourceFile } from '../../../src/formats/source-file';
import { AdamW } from '../../../src/engine/optim/adamw';
import { ParamStore } from '../../../src/engine/params/store';

const GOLDEN = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');
const FIXTURES = ['bert-seq-cls', 'bert-token-cls', 'bert-mlm', 'distilbert-seq-cls', 'roberta-seq-cls'];

async function readAllTensors(file: SourceFile): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const header = await readSafetensorsHeader(file);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, info] of header.tensors) {
    out.set(name, { shape: info.shape.map(Number), data: await readTensorFloat32(file, header, name) });
  }
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('AdamW one step on the fixtures (torch reference)', () => {
  for (const fixture of FIXTURES) {
    it(`${fixture}: lr 1e-3, betas (0.9, 0.999), eps 1e-8, wd 0.01 reproduces reference_after_adamw_step`, async () => {
      const dir = path.join(GOLDEN, fixture);
      const weights = await readAllTensors(nodeFile(path.join(dir, 'model.safetensors')));
      const grads = await readAllTensors(nodeFile(path.join(dir, 'reference_grads.safetensors')));
      const expected = await readAllTensors(nodeFile(path.join(dir, 'reference_after_adamw_step.safetensors')));
      const store = ParamStore.fromValues(weights);
      const opt = new AdamW(store, { betas: [0.9, 0.999], eps: 1e-8, hyper: () => ({ lr: 1e-3, weightDecay: 0.01 }) });
      const gradTensors = new Map([...grads].map(([n, g]) => [n, tf.tensor(g.data, g.shape)]));
      opt.step(gradTensors);
      gradTensors.forEach((g) => g.dispose());
      const after = await store.snapshot();
      opt.dispose();
      store.dispose();

      expect([...after.keys()].sort()).toEqual([...expected.keys()].sort());
      const diffs: number[] = [];
      let worst = { name: '', diff: -1 };
      for (const [name, ref] of expected) {
        const got = after.get(name)!;
        for (let i = 0; i < ref.data.length; i++) {
          const d = Math.abs(got[i] - ref.data[i]);
          diffs.push(d);
          if (d > worst.diff) worst = { name, diff: d };
        }
      }
      diffs.sort((a, b) => a - b);
      const median = diffs[Math.floor(diffs.length / 2)];
      expect(worst.diff, `worst tensor ${worst.name}`).toBeLessThanOrEqual(3e-4);
      expect(median).toBeLessThanOrEqual(1e-6);
    });
  }
});

interface Reference {
  betas: [number, number];
  eps: number;
  groups: { names: string[]; lr: number; weight_decay: number }[];
  shapes: Record<string, number[]>;
  init: Record<string, number[]>;
  steps: { grads: Record<string, number[]>; after: Record<string, number[]> }[];
  state: Record<string, { step: number; exp_avg: number[]; exp_avg_sq: number[] }>;
}

describe('AdamW over several steps (torch reference)', () => {
  const ref = JSON.parse(readFileSync(path.join(import.meta.dirname, 'adamw-reference.json'), 'utf8')) as Reference;
  const hyperOf = new Map(ref.groups.flatMap((g) => g.names.map((n) => [n, { lr: g.lr, weightDecay: g.weight_decay }])));

  function freshStore(): ParamStore {
    return ParamStore.fromValues(
      Object.entries(ref.init).map(([n, v]) => [n, { shape: ref.shapes[n], data: Float32Array.from(v) }] as const),
    );
  }
  function newOptimizer(store: ParamStore): AdamW {
    return new AdamW(store, { betas: ref.betas, eps: ref.eps, hyper: (n) => hyperOf.get(n)! });
  }
  function runStep(opt: AdamW, grads: Record<string, number[]>): void {
    const g = new Map(Object.entries(grads).map(([n, v]) => [n, tf.tensor(v, ref.shapes[n])]));
    opt.step(g);
    g.forEach((t) => t.dispose());
  }
  function expectClose(got: ArrayLike<number>, want: number[], label: string): void {
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
    expect(worst, label).toBeLessThanOrEqual(2e-6);
  }

  it('per-group lr and weight decay, per-parameter step counts, tensor count flat', async () => {
    const store = freshStore();
    const opt = newOptimizer(store);
    runStep(opt, ref.steps[0].grads);
    const tensorsAfterFirst = tf.memory().numTensors;
    for (let t = 0; t < ref.steps.length; t++) {
      if (t > 0) runStep(opt, ref.steps[t].grads);
      const after = await store.snapshot();
      for (const [n, want] of Object.entries(ref.steps[t].after)) expectClose(after.get(n)!, want, `step ${t + 1} ${n}`);
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    const state = await opt.getState();
    expect(state.steps).toBe(ref.steps.length);
    for (const [n, s] of Object.entries(ref.state)) {
      expect(state.params.get(n)!.step, n).toBe(s.step);
      expectClose(state.params.get(n)!.exp_avg, s.exp_avg, `${n} exp_avg`);
      expectClose(state.params.get(n)!.exp_avg_sq, s.exp_avg_sq, `${n} exp_avg_sq`);
    }
    opt.dispose();
    store.dispose();
  });

  it('resumes from getState()/setState() with the same result as an uninterrupted run', async () => {
    const first = freshStore();
    const opt1 = newOptimizer(first);
    for (const s of ref.steps.slice(0, 3)) runStep(opt1, s.grads);
    const state = await opt1.getState();
    const weights = await first.snapshot();
    opt1.dispose();
    first.dispose();

    const second = ParamStore.fromValues([...weights].map(([n, data]) => [n, { shape: ref.shapes[n], data }] as const));
    const opt2 = newOptimizer(second);
    opt2.setState(state);
    for (const s of ref.steps.slice(3)) runStep(opt2, s.grads);
    const after = await second.snapshot();
    for (const [n, want] of Object.entries(ref.steps[ref.steps.length - 1].after)) expectClose(after.get(n)!, want, n);
    expect(opt2.stepCount).toBe(ref.steps.length);
    opt2.dispose();
    second.dispose();
  });

  it('leaves frozen parameters alone even when given their gradient', async () => {
    const store = freshStore();
    store.setTrainable('classifier.weight', false);
    const opt = newOptimizer(store);
    runStep(opt, ref.steps[0].grads);
    const after = await store.snapshot();
    expect(Array.from(after.get('classifier.weight')!)).toEqual(Array.from(Float32Array.from(ref.init['classifier.weight'])));
    expectClose(after.get('encoder.dense.weight')!, ref.steps[0].after['encoder.dense.weight'], 'trainable param');
    expect((await opt.getState()).params.has('classifier.weight')).toBe(false);
    opt.dispose();
    store.dispose();
  });

  it('rejects a state that does not fit the model', () => {
    const store = freshStore();
    const opt = newOptimizer(store);
    const bad = { steps: 1, params: new Map([['encoder.dense.bias', { step: 1, exp_avg: new Float32Array(2), exp_avg_sq: new Float32Array(2) }]]) };
    expect(() => opt.setState(bad)).toThrowError(expect.objectContaining({ code: 'OPTIM_STATE_MISMATCH' }));
    const unknown = { steps: 1, params: new Map([['pooler.dense.bias', { step: 1, exp_avg: new Float32Array(3), exp_avg_sq: new Float32Array(3) }]]) };
    expect(() => opt.setState(unknown)).toThrowError(expect.objectContaining({ code: 'OPTIM_STATE_UNKNOWN_PARAM' }));
    opt.dispose();
    store.dispose();
  });
});
