// LoRA in the forward pass and the store (params/lora.ts, models/common.ts dense), on the cpu backend, against
// definitions: an untrained adapter (B = 0) changes no logit; with B ≠ 0 the logits are those of the merged model
// (W + scaling·B·A); the gradients are the merged model's, pulled back through the product — dB = s·G·Aᵀ and
// dA = s·Bᵀ·G for G the gradient of the merged W — with and without gradient checkpointing; the frozen base gets none.
// A is drawn as PEFT draws it (Kaiming-uniform, a = √5: U(−1/√in, 1/√in)), B is zeros, both seeded.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { getModelFamily, taskLoss } from '../../../src/engine/models/index';
import { addLoraAdapters, headOf, mergedWeights, type LoraAdapters } from '../../../src/engine/params/lora';
import { ParamStore } from '../../../src/engine/params/store';
import { isAdapterName, loraAName, loraBName } from '../../../src/protocol/lora';
import { DEFAULT_LORA } from '../../../src/protocol/train-config';
import { createRng } from '../../../src/lib/random';
import { inputTensors, loadFixture, maxAbsDiff, type Fixture } from '../models/golden-fixtures';

beforeAll(() => useNodeBackend('cpu'));

const LORA = { ...DEFAULT_LORA, r: 4, alpha: 12 };

interface Model {
  fx: Fixture;
  store: ParamStore;
  adapters: LoraAdapters;
}

/** The fixture with adapters whose B is random (so that every gradient is nonzero); the base frozen as a run freezes it. */
async function adapted(name: string): Promise<Model> {
  const fx = await loadFixture(name);
  const store = ParamStore.fromValues(fx.weights);
  const family = getModelFamily(fx.config);
  const adapters = addLoraAdapters(store, { family, config: fx.config, task: fx.task }, LORA, 5);
  const rng = createRng(11);
  for (const m of adapters.modules) store.setValues(loraBName(m.module), Float32Array.from({ length: m.outFeatures * m.r }, () => rng.next() - 0.5));
  const isHead = headOf(family, fx.config);
  for (const n of store.names()) store.setTrainable(n, isAdapterName(n) || isHead(n));
  return { fx, store, adapters };
}

async function run(fx: Fixture, store: ParamStore, opts: { lora?: LoraAdapters; checkpoint?: boolean } = {}) {
  const family = getModelFamily(fx.config);
  const inputs = inputTensors(fx.reference.inputs);
  const labels = tf.tensor1d(fx.reference.labels.flat(), 'int32');
  let logits: tf.Tensor | null = null;
  const { loss, grads } = store.gradients(() => {
    const out = family.forward(store.tensors(), inputs, fx.config, fx.task, { training: false, lora: opts.lora, checkpoint: opts.checkpoint });
    logits = tf.keep(out);
    return taskLoss(out, labels, fx.task);
  });
  const values = new Map<string, Float32Array>();
  for (const [n, g] of grads) values.set(n, (await g.data()) as Float32Array);
  const out = { logits: (await (logits as unknown as tf.Tensor).data()) as Float32Array, grads: values };
  tf.dispose([loss, ...grads.values(), logits as unknown as tf.Tensor, labels, ...Object.values(inputs).filter((t): t is tf.Tensor2D => t !== undefined)]);
  return out;
}

/** [rows, inner] · [inner, cols] in float64, row-major; transposes given as flags on the stored layouts. */
function product(a: Float32Array, b: Float32Array, rows: number, inner: number, cols: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < inner; k++) s += (ta ? a[k * rows + i] : a[i * inner + k]) * (tb ? b[j * inner + k] : b[k * cols + j]);
      out[i * cols + j] = s;
    }
  }
  return out;
}

const scaleOf = (xs: ArrayLike<number>) => Math.max(...Array.from(xs, Math.abs));

describe.each(['bert-seq-cls', 'distilbert-seq-cls', 'roberta-seq-cls'])('LoRA on %s', (name) => {
  it('draws A uniform in ±1/√in and B zeros, seeded, and an untrained adapter changes no logit', async () => {
    const fx = await loadFixture(name);
    const family = getModelFamily(fx.config);
    const store = ParamStore.fromValues(fx.weights);
    const again = ParamStore.fromValues(fx.weights);
    const adapters = addLoraAdapters(store, { family, config: fx.config, task: fx.task }, LORA, 5);
    addLoraAdapters(again, { family, config: fx.config, task: fx.task }, LORA, 5);
    expect(adapters.modules.length).toBe(2 * fx.config.num_hidden_layers);
    const values = await store.snapshot();
    const other = await again.snapshot();
    for (const m of adapters.modules) {
      const a = values.get(loraAName(m.module)) as Float32Array;
      const bound = 1 / Math.sqrt(m.inFeatures);
      expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(bound);
      // U(−b, b) has variance b²/3: 128 draws keep the sample within a third of it.
      const variance = a.reduce((s, x) => s + x * x, 0) / a.length;
      expect(variance / (bound * bound / 3)).toBeGreaterThan(0.6);
      expect(variance / (bound * bound / 3)).toBeLessThan(1.4);
      expect((values.get(loraBName(m.module)) as Float32Array).every((x) => x === 0)).toBe(true);
      expect(maxAbsDiff(a, other.get(loraAName(m.module)) as Float32Array)).toBe(0);
    }
    const first = values.get(loraAName(adapters.modules[0].module)) as Float32Array;
    const second = values.get(loraAName(adapters.modules[1].module)) as Float32Array;
    expect(maxAbsDiff(first.subarray(0, 16), second.subarray(0, 16))).toBeGreaterThan(0);
    const base = await run(fx, ParamStore.fromValues(fx.weights));
    const withAdapters = await run(fx, store, { lora: adapters });
    expect(maxAbsDiff(withAdapters.logits, base.logits)).toBeLessThanOrEqual(1e-6);
    store.dispose();
    again.dispose();
  });

  it.each([false, true])('gives the merged model\'s logits and its gradients through B·A (checkpointing %s)', async (checkpoint) => {
    const { fx, store, adapters } = await adapted(name);
    const values = await store.snapshot();
    const merged = ParamStore.fromValues([...mergedWeights(values, adapters)].map(([n, data]) => [n, { shape: store.shape(n), data }] as const));
    const lora = await run(fx, store, { lora: adapters, checkpoint });
    const full = await run(fx, merged);
    expect(maxAbsDiff(lora.logits, full.logits)).toBeLessThanOrEqual(1e-5 * scaleOf(full.logits) + 1e-6);
    const isHead = headOf(getModelFamily(fx.config), fx.config);
    const trained = [...lora.grads.keys()];
    expect(trained.filter((n) => !isAdapterName(n) && !isHead(n))).toEqual([]);
    for (const n of trained.filter(isHead)) expect(maxAbsDiff(lora.grads.get(n) as Float32Array, full.grads.get(n) as Float32Array), n).toBeLessThanOrEqual(1e-5);
    for (const m of adapters.modules) {
      const g = full.grads.get(`${m.module}.weight`) as Float32Array; // [out, in]
      const a = values.get(loraAName(m.module)) as Float32Array; // [r, in]
      const b = values.get(loraBName(m.module)) as Float32Array; // [out, r]
      const dB = product(g, a, m.outFeatures, m.inFeatures, m.r, false, true).map((x) => x * m.scaling); // s·G·Aᵀ
      const dA = product(b, g, m.r, m.outFeatures, m.inFeatures, true, false).map((x) => x * m.scaling); // s·Bᵀ·G
      const tol = (x: Float64Array) => 1e-4 * scaleOf(x) + 1e-7;
      expect(maxAbsDiff(lora.grads.get(loraBName(m.module)) as Float32Array, dB), `${m.module} dB`).toBeLessThanOrEqual(tol(dB));
      expect(maxAbsDiff(lora.grads.get(loraAName(m.module)) as Float32Array, dA), `${m.module} dA`).toBeLessThanOrEqual(tol(dA));
      expect(scaleOf(dA)).toBeGreaterThan(0);
    }
    store.dispose();
    merged.dispose();
  });
});
