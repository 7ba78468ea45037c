// The on-device dropout mask (src/engine/backend/kernels/dropout-mask.ts) against masks computed from its definition
// in Python (make_dropout_mask_reference.py), on cpu, wasm and webgpu (SwiftShader here; skipped with the reason
// where no adapter exists): the same seed gives the same mask everywhere; its statistics; the dropout layer on it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { setFastPaths } from '../../../src/engine/backend/fast-paths';
import { dropoutMask } from '../../../src/engine/backend/kernels/dropout-mask';
import { dropout, dropoutContext } from '../../../src/engine/layers/dropout';
import { toErrorData } from '../../../src/lib/errors';

const REF = JSON.parse(readFileSync(join(import.meta.dirname, 'dropout-mask-reference.json'), 'utf8')) as {
  cases: { seed: number; rate: number; mask: number[] }[];
};

const webgpu = await useNodeBackend('webgpu').then(
  () => null,
  (err: unknown) => toErrorData(err).message,
);

describe.each(['cpu', 'wasm', 'webgpu'] as const)('dropout mask on %s', (backend) => {
  beforeEach((ctx) => ctx.skip(backend === 'webgpu' && webgpu !== null, `webgpu unavailable: ${webgpu}`));
  beforeAll(async () => {
    if (backend !== 'webgpu' || webgpu === null) await useNodeBackend(backend);
  });
  afterEach(() => setFastPaths(true));

  test.each(REF.cases.map((c) => [c.seed, c.rate, c] as const))('seed %i, rate %f equals the definition', async (_seed, _rate, c) => {
    const mask = dropoutMask([c.mask.length], c.rate, c.seed);
    expect(Array.from(await mask.data())).toEqual(c.mask);
    mask.dispose();
  });

  test('a large mask drops about rate of the elements, in any shape', async () => {
    const mask = dropoutMask([4, 250, 100], 0.1, 42);
    const v = await mask.data();
    const dropped = v.filter((x) => x === 0).length / v.length;
    expect(dropped).toBeGreaterThan(0.095);
    expect(dropped).toBeLessThan(0.105);
    expect(new Set(v)).toEqual(new Set([0, Math.fround(1 / 0.9)]));
    mask.dispose();
  });

  test('the dropout layer scales survivors and passes the gradient through the same mask', async () => {
    const x = tf.fill([3000], 2);
    const seedOf = () => dropoutContext(true, 5);
    const y = dropout(x, 0.2, seedOf());
    const [g] = tf.grads((t: tf.Tensor) => tf.sum(dropout(t, 0.2, seedOf())))([x]);
    const yv = await y.data();
    expect(new Set(yv)).toEqual(new Set([0, Math.fround(2 * Math.fround(1 / 0.8))]));
    expect(Array.from(await g.data())).toEqual(Array.from(yv, (v) => (v === 0 ? 0 : Math.fround(1 / 0.8))));
    tf.dispose([x, y, g]);
  });
});
