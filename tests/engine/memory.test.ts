// Memory discipline (DESIGN.md, RELIABILITY F7): a training step's forward, loss, backward and update run inside
// tf.tidy, and the tensor count stays flat over 50 steps (with dropout, so the custom gradients' saved tensors and
// the dropout masks are covered too).
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../src/cli/node-backend';
import { getModelFamily, taskLoss } from '../../src/engine/models';
import { inputTensors, loadFixture, toVariables } from './models/golden-fixtures';

// One fixture per backend keeps the file quick (the cpu backend is slow); both use every custom gradient.
describe.each([
  ['cpu', 'distilbert-seq-cls'],
  ['wasm', 'bert-mlm'],
] as const)('on %s', (backend, name) => {
  test(`${name}: tf.memory() is flat over 50 forward+backward+SGD steps`, async () => {
    await useNodeBackend(backend);
    const fx = await loadFixture(name);
    const family = getModelFamily(fx.config);
    const params = toVariables(fx.weights);
    const inputs = inputTensors(fx.reference.inputs);
    const labels = tf.tensor1d(fx.reference.labels.flat(), 'int32');
    const step = (seed: number): number =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => taskLoss(family.forward(params, inputs, fx.config, fx.task, { training: true, seed }), labels, fx.task),
          [...params.values()],
        );
        for (const v of params.values()) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.05)));
        return value.dataSync()[0];
      });
    const first = step(1);
    const before = tf.memory();
    let last = first;
    for (let s = 2; s <= 50; s++) last = step(s);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(last).toBeLessThan(first); // the steps did train
    tf.dispose([...params.values(), labels, inputs.input_ids, inputs.attention_mask, ...(inputs.token_type_ids ? [inputs.token_type_ids] : [])]);
  });
});
