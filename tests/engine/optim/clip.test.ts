// Global-norm clipping against torch.nn.utils.clip_grad_norm_ (clip_reference.json, made by make_clip_reference.py
// with Debian's torch): random gradients, non-finite ones, and the reference grads of every hf-tiny fixture.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm } from '../../../src/engine/optim/clip';

type Num = number | 'inf' | 'nan';
interface RandomCase {
  name: string;
  maxNorm: number;
  norm: Num;
  grads: { shape: number[]; values: Num[] }[];
  clipped: Num[][];
}
interface FixtureCase {
  maxNorm: number;
  norm: number;
  probe: string;
  probeClipped: number[];
}
const reference = JSON.parse(readFileSync(new URL('./clip_reference.json', import.meta.url), 'utf8')) as {
  random: RandomCase[];
  emptyNorm: number;
  fixtures: Record<string, FixtureCase>;
};
const GOLDEN = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');

/** All-F32 safetensors file as tensors: u64 LE header length, JSON header, then raw little-endian data. */
function readF32Safetensors(file: string): Map<string, tf.Tensor> {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const out = new Map<string, tf.Tensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    expect(info.dtype).toBe('F32');
    const [begin, end] = info.data_offsets;
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 8 + n + begin, bytes.byteOffset + 8 + n + end));
    out.set(name, tf.tensor(data, info.shape));
  }
  return out;
}

const num = (v: Num): number => (v === 'inf' ? Infinity : v === 'nan' ? NaN : v);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.abs(expected[i]) + 1e-12;
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`${what}[${i}]: got ${actual[i]}, torch ${expected[i]}`);
    }
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('clipByGlobalNorm matches clip_grad_norm_', () => {
  for (const c of reference.random.filter((r) => typeof r.norm === 'number')) {
    it(c.name, () => {
      const grads = new Map(c.grads.map((g, i) => [`p${i}`, tf.tensor(g.values.map(num), g.shape)]));
      const before = tf.memory().numTensors;
      const out = clipByGlobalNorm(grads, c.maxNorm);
      // Exactly the returned tensors are new: norm, finite and one per gradient.
      expect(tf.memory().numTensors - before).toBe(2 + grads.size);
      expectClose([out.norm.dataSync()[0]], [num(c.norm)], 1e-6, 'norm');
      expect(out.finite.dataSync()[0]).toBe(1);
      c.clipped.forEach((expected, i) => expectClose(out.grads.get(`p${i}`)!.dataSync(), expected.map(num), 1e-6, `p${i}`));
      tf.dispose([...grads.values(), ...out.grads.values(), out.norm, out.finite]);
    });
  }

  for (const c of reference.random.filter((r) => typeof r.norm !== 'number')) {
    it(`${c.name}: same non-finite norm, finite = false, gradients left unscaled (never times NaN)`, () => {
      const grads = new Map(c.grads.map((g, i) => [`p${i}`, tf.tensor(g.values.map(num), g.shape)]));
      const out = clipByGlobalNorm(grads, c.maxNorm);
      expect(out.norm.dataSync()[0]).toBe(num(c.norm)); // Infinity, or NaN (toBe uses Object.is)
      expect(out.finite.dataSync()[0]).toBe(0);
      // torch multiplies by its NaN (or 0) coefficient here; the loop skips the step instead, so nothing is scaled.
      c.grads.forEach((g, i) => expect(Array.from(out.grads.get(`p${i}`)!.dataSync())).toEqual(g.values.map(num)));
      tf.dispose([...grads.values(), ...out.grads.values(), out.norm, out.finite]);
    });
  }

  it('measures without clipping when maxNorm is null or 0, returning the same tensors', () => {
    const c = reference.random[0];
    const grads = new Map(c.grads.map((g, i) => [`p${i}`, tf.tensor(g.values.map(num), g.shape)]));
    for (const maxNorm of [null, 0]) {
      const out = clipByGlobalNorm(grads, maxNorm);
      expectClose([out.norm.dataSync()[0]], [num(c.norm)], 1e-6, 'norm');
      for (const [name, g] of grads) expect(out.grads.get(name)).toBe(g);
      tf.dispose([out.norm, out.finite]);
    }
    tf.dispose([...grads.values()]);
  });

  it('gives norm 0 for no gradients, as torch', () => {
    const out = clipByGlobalNorm(new Map(), 1);
    expect(out.norm.dataSync()[0]).toBe(reference.emptyNorm);
    expect(out.grads.size).toBe(0);
    tf.dispose([out.norm, out.finite]);
  });
});

describe('clipByGlobalNorm on the fixtures’ reference gradients', () => {
  for (const [fixture, c] of Object.entries(reference.fixtures)) {
    it(`${fixture}: global norm ${c.norm.toPrecision(6)} and the clipped ${c.probe}`, () => {
      const grads = readF32Safetensors(path.join(GOLDEN, fixture, 'reference_grads.safetensors'));
      const out = clipByGlobalNorm(grads, c.maxNorm);
      expectClose([out.norm.dataSync()[0]], [c.norm], 1e-6, 'norm');
      expectClose(out.grads.get(c.probe)!.dataSync(), c.probeClipped, 1e-6, c.probe);
      tf.dispose([...grads.values(), ...out.grads.values(), out.norm, out.finite]);
    });
  }
});
