// The shared layers against PyTorch (layers-reference.json, made by make_layers_reference.py) and hand-computed
// values, on the cpu and wasm backends in turn.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { activation } from '../../../src/engine/layers/activations';
import { extendedAttentionMask, FLOAT32_MIN } from '../../../src/engine/layers/attention';
import { dropout, dropoutContext } from '../../../src/engine/layers/dropout';
import { embedding } from '../../../src/engine/layers/embedding';
import { layerNorm } from '../../../src/engine/layers/layer-norm';
import { linear } from '../../../src/engine/layers/linear';
import { crossEntropy } from '../../../src/engine/layers/loss';
import { maxAbsDiff } from '../models/golden-fixtures';

interface LayerNormCase {
  eps: number;
  x: number[][];
  weight: number[];
  bias: number[];
  upstream: number[][];
  y: number[][];
  grad_x: number[][];
  grad_weight: number[];
  grad_bias: number[];
}
interface CrossEntropyCase {
  logits: number[][];
  labels: number[];
  label_smoothing: number;
  loss: number;
  grad: number[][];
}
const REF = JSON.parse(readFileSync(join(import.meta.dirname, 'layers-reference.json'), 'utf8')) as {
  activations: { x: number[] } & Record<string, { y: number[]; grad: number[] }>;
  layer_norm: LayerNormCase[];
  cross_entropy: CrossEntropyCase[];
};

/** The values of t, with -0 read as 0. */
const read = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.data(), (v) => v + 0);

describe.each(['cpu', 'wasm'] as const)('layers on %s', (backend) => {
  beforeAll(() => useNodeBackend(backend));

  test.each(['gelu', 'gelu_new', 'silu', 'relu'])('%s and its gradient match torch', async (name) => {
    const fn = activation(name);
    const x = tf.tensor1d(REF.activations.x);
    const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => tf.sum(fn(t)))([x]);
    expect(maxAbsDiff(await read(fn(x)), REF.activations[name].y)).toBeLessThan(1e-6);
    expect(maxAbsDiff(await read(grads[0]), REF.activations[name].grad)).toBeLessThan(1e-5);
    tf.dispose([x, value, ...grads]);
  });

  test('the tanh forms of GELU share one formula', () => {
    expect(activation('gelu_pytorch_tanh')).toBe(activation('gelu_new'));
    expect(activation('gelu_fast')).toBe(activation('gelu_new'));
    expect(() => activation('mish')).toThrow(expect.objectContaining({ code: 'CONFIG_UNSUPPORTED_ACTIVATION' }));
  });

  test.each([0, 1])('layerNorm case %i (value and gradients) matches torch', async (i) => {
    const c = REF.layer_norm[i];
    const [x, w, b, up] = [tf.tensor2d(c.x), tf.tensor1d(c.weight), tf.tensor1d(c.bias), tf.tensor2d(c.upstream)];
    const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(layerNorm(xi, wi, bi, c.eps), up));
    const { grads } = tf.valueAndGrads(f)([x, w, b]);
    expect(maxAbsDiff(await read(layerNorm(x, w, b, c.eps)), c.y.flat())).toBeLessThan(1e-5);
    expect(maxAbsDiff(await read(grads[0]), c.grad_x.flat())).toBeLessThan(1e-5);
    expect(maxAbsDiff(await read(grads[1]), c.grad_weight)).toBeLessThan(1e-5);
    expect(maxAbsDiff(await read(grads[2]), c.grad_bias)).toBeLessThan(1e-5);
  });

  test.each([0, 1, 2])('crossEntropy case %i (ignore_index, label smoothing) matches torch', async (i) => {
    const c = REF.cross_entropy[i];
    const logits = tf.tensor2d(c.logits);
    const labels = tf.tensor1d(c.labels, 'int32');
    const { value, grads } = tf.valueAndGrads((l: tf.Tensor) => crossEntropy(l, labels, c.label_smoothing))([logits]);
    expect(Math.abs((await read(value))[0] - c.loss) / c.loss).toBeLessThan(1e-6);
    expect(maxAbsDiff(await read(grads[0]), c.grad.flat())).toBeLessThan(1e-6);
  });

  test('crossEntropy over labels that are all -100 is 0 with a zero gradient (torch gives NaN)', async () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    const { value, grads } = tf.valueAndGrads((l: tf.Tensor) => crossEntropy(l, tf.tensor1d([-100], 'int32')))([logits]);
    expect(await read(value)).toEqual([0]);
    expect(await read(grads[0])).toEqual([0, 0, 0]);
  });

  test('linear computes x·Wᵀ + b with W in [out, in] layout, for 2-D and 3-D x', async () => {
    const w = tf.tensor2d([[1, 2], [3, 4], [5, 6]]); // out 3, in 2
    const b = tf.tensor1d([0.5, -1, 2]);
    expect(await read(linear(tf.tensor2d([[1, -1]]), w, b))).toEqual([-0.5, -2, 1]);
    const y3 = linear(tf.tensor3d([[[1, -1], [2, 0]]]), w, b);
    expect(y3.shape).toEqual([1, 2, 3]);
    expect(await read(y3)).toEqual([-0.5, -2, 1, 2.5, 5, 12]);
  });

  test('embedding gathers rows and its gradient sums the rows of repeated ids', async () => {
    const w = tf.tensor2d([[1, 1], [2, 2], [3, 3], [4, 4]]);
    const ids = tf.tensor2d([[3, 1], [1, 0]], undefined, 'int32');
    const up = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    const y = embedding(w, ids);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(await read(y)).toEqual([4, 4, 2, 2, 2, 2, 1, 1]);
    const { grads } = tf.valueAndGrads((t: tf.Tensor) => tf.sum(tf.mul(embedding(t, ids), up)))([w]);
    // row 0 <- (7, 8); row 1 <- (3, 4) + (5, 6); row 2 untouched; row 3 <- (1, 2)
    expect(await read(grads[0])).toEqual([7, 8, 8, 10, 0, 0, 1, 2]);
  });

  test('the attention mask adds finfo(float32).min where attention_mask is 0', async () => {
    const mask = extendedAttentionMask(tf.tensor2d([[1, 1, 0]], undefined, 'int32'));
    expect(mask.shape).toEqual([1, 1, 1, 3]);
    expect(await read(mask)).toEqual([0, 0, Math.fround(FLOAT32_MIN)]);
  });

  test('dropout: identity in eval mode; in training, seeded, scaled by 1/(1-p), different per call', async () => {
    const x = tf.ones([4000]);
    expect(dropout(x, 0.5, dropoutContext(false, 7))).toBe(x);
    const [a, b] = [dropout(x, 0.25, dropoutContext(true, 7)), dropout(x, 0.25, dropoutContext(true, 7))];
    const va = await read(a);
    expect(va).toEqual(await read(b));
    expect(new Set(va)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    expect(va.filter((v) => v === 0).length / va.length).toBeCloseTo(0.25, 1);
    const ctx = dropoutContext(true, 7);
    expect(await read(dropout(x, 0.25, ctx))).not.toEqual(await read(dropout(x, 0.25, ctx)));
    expect(await read(dropout(x, 0.25, dropoutContext(true, 8)))).not.toEqual(va);
  });

  test('dropout seeds are never 0, whatever the step seed (tfjs reads 0 as "random")', () => {
    for (const stepSeed of [0, 1, -1, 2 ** 31, 123456789]) {
      const ctx = dropoutContext(true, stepSeed);
      for (let i = 0; i < 100; i++) {
        const s = ctx.nextSeed();
        expect(Number.isInteger(s) && s >= 1 && s < 2 ** 31).toBe(true);
      }
    }
  });
});
