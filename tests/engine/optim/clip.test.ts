// Global-norm clipping against torch.nn.utils.clip_grad_norm_ (clip_reference.json, made by make_clip_reference.py
// with Debian's torch): random gradients, non-finite ones, and the reference grads of every hf-tiny fixture, on cpu
// and wasm.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { clipCoefficient, globalGradNorm } from '../../../src/engine/optim/clip';

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

/** clip_grad_norm_ in our two halves: the norm on the device, the coefficient from its value, then g·coefficient. */
function clip(grads: Map<string, tf.Tensor>, maxNorm: number | null) {
  const before = tf.memory().numTensors;
  const normTensor = globalGradNorm(grads);
  // Exactly one new tensor: the norm.
  expect(tf.memory().numTensors - before).toBe(1);
  const norm = normTensor.dataSync()[0];
  normTensor.dispose();
  const coefficient = clipCoefficient(norm, maxNorm);
  // AdamW's float32 multiply (adamw-update.ts), here on the CPU.
  const scaled = (name: string) => Float32Array.from(grads.get(name)!.dataSync(), (g) => Math.fround(g * coefficient));
  return { norm, coefficient, scaled };
}

// On cpu the per-tensor norms are Square, Sum and Sqrt; on wasm one pass of the engine's module (l2-norm.ts).
describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  beforeAll(() => useNodeBackend(backend));

  describe('global-norm clipping matches clip_grad_norm_', () => {
    for (const c of reference.random.filter((r) => typeof r.norm === 'number')) {
      it(c.name, () => {
        const grads = new Map(c.grads.map((g, i) => [`p${i}`, tf.tensor(g.values.map(num), g.shape)]));
        const out = clip(grads, c.maxNorm);
        expectClose([out.norm], [num(c.norm)], 1e-6, 'norm');
        c.clipped.forEach((expected, i) => expectClose(out.scaled(`p${i}`), expected.map(num), 1e-6, `p${i}`));
        tf.dispose([...grads.values()]);
      });
    }

    for (const c of reference.random.filter((r) => typeof r.norm !== 'number')) {
      it(`${c.name}: same non-finite norm, coefficient 1 (never times NaN)`, () => {
        const grads = new Map(c.grads.map((g, i) => [`p${i}`, tf.tensor(g.values.map(num), g.shape)]));
        const out = clip(grads, c.maxNorm);
        expect(out.norm).toBe(num(c.norm)); // Infinity, or NaN (toBe uses Object.is)
        // torch multiplies by its NaN (or 0) coefficient here; the loop skips the step instead.
        expect(out.coefficient).toBe(1);
        tf.dispose([...grads.values()]);
      });
    }

    it('coefficient 1 when maxNorm is null or 0 (the norm is still measured), and when the norm is under maxNorm', () => {
      const c = reference.random[0];
      const grads = new Map(c.grads.map((g, i) => [`p${i}`, tf.tensor(g.values.map(num), g.shape)]));
      for (const maxNorm of [null, 0]) {
        const out = clip(grads, maxNorm);
        expectClose([out.norm], [num(c.norm)], 1e-6, 'norm');
        expect(out.coefficient).toBe(1);
      }
      expect(clipCoefficient(0.5, 1)).toBe(1);
      tf.dispose([...grads.values()]);
    });

    it('gives norm 0 for no gradients, as torch', () => {
      expect(clip(new Map(), 1).norm).toBe(reference.emptyNorm);
    });
  });

  describe('global-norm clipping on the fixtures’ reference gradients', () => {
    for (const [fixture, c] of Object.entries(reference.fixtures)) {
      it(`${fixture}: global norm ${c.norm.toPrecision(6)} and the clipped ${c.probe}`, () => {
        const grads = readF32Safetensors(path.join(GOLDEN, fixture, 'reference_grads.safetensors'));
        const out = clip(grads, c.maxNorm);
        expectClose([out.norm], [c.norm], 1e-6, 'norm');
        expectClose(out.scaled(c.probe), c.probeClipped, 1e-6, c.probe);
        tf.dispose([...grads.values()]);
      });
    }
  });
});
