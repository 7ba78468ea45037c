// ParamStore: variables by checkpoint name, trainable flags that decide what reaches the gradient computation,
// snapshots that are copies, and dispose returning every tensor; views under other names (a multi-task head's model)
// that share the variables and dispose none, and renames that keep the order.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/engine/backend/backend';
import { ParamStore } from '../../../src/engine/params/store';

beforeAll(async () => {
  await useBackend('cpu');
});

function smallStore(): ParamStore {
  return ParamStore.fromValues([
    ['encoder.weight', { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }],
    ['classifier.bias', { shape: [2], data: Float32Array.from([0.5, -0.5]) }],
  ]);
}

describe('ParamStore', () => {
  it('keeps names in order, shapes in checkpoint layout, and disposes every tensor it made', () => {
    const before = tf.memory().numTensors;
    const store = smallStore();
    expect(store.names()).toEqual(['encoder.weight', 'classifier.bias']);
    expect(store.shape('encoder.weight')).toEqual([2, 2]);
    expect(store.parameterCount()).toBe(6);
    expect([...store.tensors().keys()]).toEqual(store.names());
    store.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gradients reach trainable parameters only; frozen ones are not passed at all', () => {
    const store = smallStore();
    store.setTrainable('encoder.weight', false);
    const loss = () => tf.sum(tf.add(tf.mul(store.get('encoder.weight'), 2), tf.sum(tf.square(store.get('classifier.bias'))))) as tf.Scalar;
    const { loss: value, grads } = store.gradients(loss);
    expect([...grads.keys()]).toEqual(['classifier.bias']);
    // d/db sum_ij (2W_ij + sum_k b_k^2) = 4 entries x 2b
    expect(Array.from(grads.get('classifier.bias')!.dataSync())).toEqual([4, -4]);
    expect(value.dataSync()[0]).toBeCloseTo(2 * 10 + 4 * 0.5, 5);
    value.dispose();
    grads.forEach((g) => g.dispose());
    store.setTrainable('classifier.bias', false);
    expect(() => store.gradients(loss)).toThrowError(expect.objectContaining({ code: 'PARAM_NONE_TRAINABLE' }));
    store.dispose();
  });

  it('snapshot() hands out copies that never alias the live weights', async () => {
    const store = smallStore();
    const snap = await store.snapshot();
    snap.get('encoder.weight')![0] = 99;
    expect(Array.from(await store.get('encoder.weight').data())).toEqual([1, 2, 3, 4]);
    const next = tf.tensor([5, 6, 7, 8], [2, 2]);
    store.assign('encoder.weight', next);
    next.dispose();
    expect(Array.from(snap.get('classifier.bias')!)).toEqual([0.5, -0.5]);
    expect(Array.from((await store.snapshot()).get('encoder.weight')!)).toEqual([5, 6, 7, 8]);
    store.dispose();
  });

  it('a view shares the variables under its own names, adds and disposes none', () => {
    const store = smallStore();
    const before = tf.memory().numTensors;
    const view = ParamStore.view(store, [['bert.weight', 'encoder.weight'], ['classifier.bias', 'classifier.bias']]);
    expect(view.names()).toEqual(['bert.weight', 'classifier.bias']);
    expect(view.get('bert.weight')).toBe(store.get('encoder.weight'));
    expect(() => view.add('x', { shape: [1], data: Float32Array.from([1]) })).toThrow(expect.objectContaining({ code: 'PARAM_STORE_VIEW' }));
    view.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(store.get('encoder.weight').isDisposed).toBe(false);
    store.dispose();
  });

  it('rename keeps the variables and their order, and refuses a name twice', () => {
    const store = smallStore();
    const weight = store.get('encoder.weight');
    store.rename((n) => (n.startsWith('classifier.') ? `heads.a.${n}` : n));
    expect(store.names()).toEqual(['encoder.weight', 'heads.a.classifier.bias']);
    expect(store.get('encoder.weight')).toBe(weight);
    expect(() => store.rename(() => 'same')).toThrow(expect.objectContaining({ code: 'PARAM_DUPLICATE' }));
    expect(store.names()).toEqual(['encoder.weight', 'heads.a.classifier.bias']);
    store.dispose();
  });

  it('a bad entry disposes what was made so far', () => {
    const before = tf.memory().numTensors;
    expect(() =>
      ParamStore.fromValues([
        ['a', { shape: [2], data: new Float32Array(2) }],
        ['b', { shape: [3], data: new Float32Array(2) }],
      ]),
    ).toThrowError(expect.objectContaining({ code: 'PARAM_SIZE_MISMATCH' }));
    expect(tf.memory().numTensors).toBe(before);
  });
});
