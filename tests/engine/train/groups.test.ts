// Which parameters train and how fast, checked on the weights themselves (tiny BERT, wasm): the per-parameter rate
// of AdamW's first step (|Δw| = lr where |g| ≫ eps) against hand-computed pyramid × multiplier values; decoupled weight
// decay exactly w·(1 − lr·wd) on embedding rows without gradient, and none where noDecay says; freezing leaves
// tensors bit-identical with telemetry of exactly 0; group telemetry against norms computed here; ULMFiT unfreezing.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import type { StepModel } from '../../../src/engine/train/step';
import { Trainer, type TrainEvent } from '../../../src/engine/train/trainer';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import type { StepTelemetry } from '../../../src/protocol/train-events';
import { bitEqual, fixtureModel, syntheticDataset } from './helpers';

let model: StepModel | null = null;
let trainer: Trainer | null = null;

beforeAll(() => useNodeBackend('wasm'));
afterEach(() => {
  trainer?.dispose();
  model?.params.dispose();
  trainer = null;
  model = null;
});

async function run(config: unknown, onEvent?: (e: TrainEvent) => Promise<void> | void, vocab = 328): Promise<TrainEvent[]> {
  model = await fixtureModel('bert-seq-cls', 'seq-cls');
  trainer = new Trainer({ model, train: syntheticDataset('seq-cls', 16, 4, vocab), validation: null, config: parseTrainConfig(config), padId: 0, groupTelemetryEvery: 1 });
  const events: TrainEvent[] = [];
  for await (const e of trainer.run()) {
    events.push(e);
    await onEvent?.(e);
  }
  const last = events.at(-1)!;
  if (last.type === 'failed') throw new Error(`${last.error.code}: ${last.error.message}`);
  return events;
}

const telemetryOf = (events: TrainEvent[]): StepTelemetry[] => events.flatMap((e) => (e.type === 'stepCompleted' ? [e.telemetry] : []));

/** Hand-computed scale of each checkpoint name for L = 2 layers, ξ = 0.5, classifier ×2: ξ^(L − depth). */
function expectedScale(name: string): number {
  if (name.startsWith('bert.embeddings.')) return 0.25;
  if (name.startsWith('bert.encoder.layer.0.')) return 0.5;
  if (name.startsWith('bert.encoder.layer.1.') || name.startsWith('bert.pooler.')) return 1;
  if (name.startsWith('classifier.')) return 2;
  throw new Error(name);
}

describe('per-parameter learning rate and weight decay', () => {
  const lr = 1e-3;
  const wd = 0.3;
  const base = { learningRate: lr, weightDecay: wd, batchSize: 16, maxSteps: 1, layerDecay: 0.5, lrMultipliers: { classifier: 2 }, maxGradNorm: null, eps: 1e-12, schedule: { type: 'constant', warmupSteps: 0 } };

  it('first AdamW step moves each parameter by its pyramid × multiplier rate', async () => {
    let before = new Map<string, Float32Array>();
    const events = await run(base, async (e) => {
      if (e.type === 'epochStarted') before = await model!.params.snapshot();
    });
    const after = await model!.params.snapshot();
    for (const [name, w0] of before) {
      // The key bias adds the same amount to every score of a softmax row: its true gradient is 0, Adam sees noise.
      if (name.endsWith('attention.self.key.bias')) continue;
      const decay = /bias|LayerNorm/.test(name) ? 0 : wd;
      const rate = lr * expectedScale(name);
      let largest = 0;
      for (let i = 0; i < w0.length; i++) largest = Math.max(largest, Math.abs(after.get(name)![i] - w0[i] * (1 - rate * decay)));
      expect(largest / rate, name).toBeGreaterThan(0.999);
      expect(largest / rate, name).toBeLessThan(1.001);
    }
    const groups = telemetryOf(events)[0].groups;
    expect(groups.map((g) => [g.name, g.lr])).toEqual([
      ['bert.embeddings', lr * 0.25],
      ['bert.encoder.layer.0', lr * 0.5],
      ['bert.encoder.layer.1', lr],
      ['bert.pooler', lr],
      ['classifier', lr * 2],
    ]);
  });

  for (const noDecayEmbeddings of [false, true]) {
    it(`rows without gradient: ${noDecayEmbeddings ? 'untouched under noDecay' : 'exactly w·(1 − lr·ξ²·wd)'}`, async () => {
      let before = new Map<string, Float32Array>();
      const noDecay = ['bias', 'layernorm', 'layer_norm', ...(noDecayEmbeddings ? ['word_embeddings'] : [])];
      // Words only from ids 5..20: rows 21.. of the word embedding get a zero gradient and a zero Adam update.
      await run({ ...base, noDecay }, async (e) => {
        if (e.type === 'epochStarted') before = await model!.params.snapshot();
      }, 21);
      const name = 'bert.embeddings.word_embeddings.weight';
      const width = 32;
      const w0 = before.get(name)!.subarray(21 * width);
      const w1 = (await model!.params.snapshot()).get(name)!.subarray(21 * width);
      const factor = Math.fround(1 - lr * 0.25 * wd);
      const expected = noDecayEmbeddings ? w0 : Float32Array.from(w0, (v) => Math.fround(v * factor));
      expect(bitEqual(w1, expected)).toBe(true);
    });
  }
});

describe('freezing and group telemetry', () => {
  it('frozen tensors stay bit-identical and report exactly 0; trained groups report their own norms', async () => {
    const frozenPrefixes = ['bert.embeddings', 'bert.encoder.layer.0'];
    let start = new Map<string, Float32Array>();
    const previous = new Map<number, Map<string, Float32Array>>();
    const events = await run({ learningRate: 1e-3, batchSize: 4, maxSteps: 5, freeze: frozenPrefixes, maxGradNorm: 0.5 }, async (e) => {
      if (e.type === 'epochStarted' && e.epoch === 0) start = await model!.params.snapshot();
      if (e.type === 'stepCompleted') previous.set(e.telemetry.step, await model!.params.snapshot());
    });
    const end = await model!.params.snapshot();
    const frozen = [...start.keys()].filter((n) => frozenPrefixes.some((p) => n.startsWith(`${p}.`)));
    expect(frozen.length).toBeGreaterThan(0);
    for (const name of frozen) expect(bitEqual(end.get(name)!, start.get(name)!), name).toBe(true);
    const telemetry = telemetryOf(events);
    for (const t of telemetry) {
      const byName = new Map(t.groups.map((g) => [g.name, g]));
      for (const g of frozenPrefixes) {
        expect(byName.get(g)).toMatchObject({ lr: 0, gradNorm: 0, weightDelta: 0 });
      }
      // The groups' gradient norms make up the global pre-clip norm that clipByGlobalNorm measured.
      const sumSq = t.groups.reduce((s, g) => s + (g.gradNorm ?? 0) ** 2, 0);
      expect(Math.sqrt(sumSq)).toBeCloseTo(t.gradNorm, 5);
      // ‖W − W₀‖ when the step began, computed here from snapshots.
      const began = t.step === 1 ? start : previous.get(t.step - 1)!;
      for (const g of ['bert.encoder.layer.1', 'classifier']) {
        let sq = 0;
        for (const [name, w] of began) {
          if (!name.startsWith(`${g}.`)) continue;
          const w0 = start.get(name)!;
          for (let i = 0; i < w.length; i++) sq += (w[i] - w0[i]) ** 2;
        }
        expect(byName.get(g)!.weightDelta!).toBeCloseTo(Math.sqrt(sq), 6);
      }
    }
    expect(telemetry.at(-1)!.groups.find((g) => g.name === 'classifier')!.weightDelta).toBeGreaterThan(0);
  });
});

describe('gradual unfreezing (ULMFiT)', () => {
  it('trains the head first, then one more encoder layer from the top per epoch', async () => {
    const atEpoch: Map<string, Float32Array>[] = [];
    const trainableAtEpoch: string[][] = [];
    await run({ learningRate: 1e-3, batchSize: 8, epochs: 3, gradualUnfreeze: 1 }, async (e) => {
      if (e.type === 'epochStarted') {
        atEpoch.push(await model!.params.snapshot());
        trainableAtEpoch.push(e.groups.filter((g) => g.trainable).map((g) => g.name));
      }
    });
    atEpoch.push(await model!.params.snapshot());
    expect(trainableAtEpoch).toEqual([
      ['bert.pooler', 'classifier'],
      ['bert.encoder.layer.1', 'bert.pooler', 'classifier'],
      ['bert.encoder.layer.0', 'bert.encoder.layer.1', 'bert.pooler', 'classifier'],
    ]);
    const changed = (epoch: number, prefix: string) =>
      [...atEpoch[epoch]].some(([name, w]) => name.startsWith(prefix) && !bitEqual(w, atEpoch[epoch + 1].get(name)!));
    expect([0, 1, 2].map((e) => changed(e, 'classifier.'))).toEqual([true, true, true]);
    expect([0, 1, 2].map((e) => changed(e, 'bert.encoder.layer.1.'))).toEqual([false, true, true]);
    expect([0, 1, 2].map((e) => changed(e, 'bert.encoder.layer.0.'))).toEqual([false, false, true]);
    expect([0, 1, 2].map((e) => changed(e, 'bert.embeddings.'))).toEqual([false, false, false]);
  });
});

it('no tensors outlive a trainer (dispose frees moments and starting copies)', async () => {
  const before = tf.memory().numTensors;
  await run({ learningRate: 1e-3, batchSize: 8, maxSteps: 2, l2sp: 0.1 });
  trainer!.dispose();
  model!.params.dispose();
  trainer = null;
  model = null;
  expect(tf.memory().numTensors).toBe(before);
});
