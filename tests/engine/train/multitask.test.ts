// Multi-task runs through the one run recipe (#18), on the tiny BERT (wasm) with entity tags and a sentiment label
// over the same sentences. Each step's micro-batches are one head's, in the sampler's order (protocol/multitask.ts),
// each head going through its examples in whole passes (once an epoch when proportional); a run of one head is the single-task run bit for bit (weights, losses, evaluations); a
// head's loss weight scales its gradients by exactly that factor, and its gradients are those of its own model (the
// encoder with that head alone); early stopping watches the chosen head's metric (a frozen head never improves and
// stops the run; a learning head does not), or the mean over the heads.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../../src/cli/node-files';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { readDataset, type Dataset } from '../../../src/formats/datasets/index';
import { bytesFile, type SourceFolder } from '../../../src/formats/source-file';
import { loadHead } from '../../../src/engine/load';
import { headStore } from '../../../src/engine/train/heads';
import { prepareRun, type PreparedRun } from '../../../src/engine/train/recipe';
import { TaskWindows, taskSources } from '../../../src/engine/train/multitask';
import { accumulateGradients, type StepModel } from '../../../src/engine/train/step';
import { microBatch } from '../../../src/engine/train/windows';
import { taskOrder } from '../../../src/protocol/multitask';
import { createRng } from '../../../src/lib/random';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import type { EvalRecord } from '../../../src/protocol/train-events';
import { GOLDEN, readTensors, syntheticDataset } from './helpers';

beforeAll(() => useNodeBackend('wasm'));

const work = mkdtempSync(path.join(tmpdir(), 'layerwise-multitask-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The tiny BERT with its full vocab.txt (the fixture's tokenizer.json holds only the special tokens). */
function modelFolder(): SourceFolder {
  const dir = path.join(work, 'bert');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(path.join(GOLDEN, 'bert-seq-cls'))) {
    if (!f.startsWith('reference') && f !== 'tokenizer.json') copyFileSync(path.join(GOLDEN, 'bert-seq-cls', f), path.join(dir, f));
  }
  return nodeFolder(dir);
}

const FILLER = ['the', 'movie', 'film', 'story', 'was', 'is', 'very', 'really', 'and', 'music'];

/** Seeded sentences with PER and LOC words, tagged (CoNLL) and labelled pos/neg by their last word (TSV). */
function sentences(n: number, seed: number): { conll: string; tsv: string } {
  const rng = createRng(seed, 11);
  const conll: string[] = [];
  const tsv = ['text\tlabel'];
  for (let i = 0; i < n; i++) {
    const words: [string, string][] = [];
    for (let k = 0; k < 4 + rng.int(4); k++) {
      const r = rng.next();
      words.push(r < 0.2 ? [['paris', 'london'][rng.int(2)], 'B-LOC'] : r < 0.4 ? [['man', 'woman'][rng.int(2)], 'B-PER'] : [FILLER[rng.int(FILLER.length)], 'O']);
    }
    const pos = rng.next() < 0.5;
    words.push([pos ? 'great' : 'awful', 'O']);
    conll.push(...words.map(([w, t]) => `${w} ${t}`), '');
    tsv.push(`${words.map(([w]) => w).join(' ')}\t${pos ? 'pos' : 'neg'}`);
  }
  return { conll: conll.join('\n'), tsv: `${tsv.join('\n')}\n` };
}

const read = (name: string, text: string): Promise<Dataset> => readDataset(bytesFile(name, new TextEncoder().encode(text)));
const data = sentences(48, 1);
const ner = { name: 'ner', task: 'token-cls' } as const;
const sst = { name: 'sst', task: 'seq-cls' } as const;

async function twoHeads(config: Record<string, unknown>): Promise<PreparedRun> {
  const heads = [
    { train: await read('ner.conll', data.conll), validation: null },
    { train: await read('sst.tsv', data.tsv), validation: null },
  ];
  return prepareRun({ folder: modelFolder(), ...heads[0], heads }, parseTrainConfig({ task: 'token-cls', tasks: [ner, { ...sst, weight: 0.5 }], maxLength: 16, batchSize: 4, ...config }));
}

async function runToEnd(run: PreparedRun): Promise<{ losses: number[]; evaluations: EvalRecord[]; reason: string }> {
  const losses: number[] = [];
  const evaluations: EvalRecord[] = [];
  let reason = '';
  for await (const e of run.trainer.run()) {
    if (e.type === 'stepCompleted') losses.push(e.telemetry.loss);
    if (e.type === 'evaluated') evaluations.push(e.record);
    if (e.type === 'finished') reason = e.reason;
    if (e.type === 'failed') throw new Error(e.error.message);
  }
  return { losses, evaluations, reason };
}

function dispose(run: PreparedRun): void {
  run.trainer.dispose();
  run.model.params.dispose();
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe('the steps\' batches (TaskWindows)', () => {
  // Heads of 40, 12 and 5 examples at batch 4, accumulation 2: 5, 2 and 1 steps to go through each once.
  const data = { train: [syntheticDataset('seq-cls', 40, 1), syntheticDataset('token-cls', 12, 2), syntheticDataset('seq-cls', 5, 3)], validation: [null, null, null] };
  const windows = (sampler: 'proportional' | 'round-robin' | 'temperature') => new TaskWindows(taskSources(data, 4, 9, 0), 2, null, { sampler, temperature: 2 }, 9);

  it.each(['proportional', 'round-robin', 'temperature'] as const)('%s: each step one head\'s batches, in the sampler\'s order', (sampler) => {
    const w = windows(sampler);
    expect(w.batchesPerEpoch).toBe((5 + 2 + 1) * 2);
    const order = taskOrder({ examples: [40, 12, 5], windows: [5, 2, 1], sampler, temperature: 2, seed: 9 }, 1);
    const seen: number[][] = [[], [], []];
    order.forEach((h, k) => {
      const micro = w.window(1, k);
      expect(new Set(micro.map((m) => m.head))).toEqual(new Set([h]));
      for (const m of micro) seen[h].push(...m.batch.indices);
    });
    // Every head goes through its examples in passes: each pass holds each example once.
    seen.forEach((indices, h) => {
      const n = data.train[h].examples.length;
      for (let start = 0; start < indices.length; start += n) {
        const pass = indices.slice(start, start + n).sort((a, b) => a - b);
        // A whole pass is every example once; the last may be cut short, without repeats.
        expect(pass).toEqual(pass.length === n ? Array.from({ length: n }, (_, i) => i) : [...new Set(pass)]);
      }
    });
    // Proportional: each head's data exactly once an epoch.
    if (sampler === 'proportional') seen.forEach((indices, h) => expect(indices.length).toBe(data.train[h].examples.length));
  });
});

describe('loadHead (a multi-task run\'s other heads)', () => {
  it('takes the checkpoint\'s head where it fits the classes, else initialises one, under the family\'s names', async () => {
    const fixture = await readTensors(path.join(GOLDEN, 'bert-seq-cls', 'model.safetensors'));
    const kept = await loadHead(nodeFolder(path.join(GOLDEN, 'bert-seq-cls')), { task: 'seq-cls', labels: ['LABEL_0', 'LABEL_1', 'LABEL_2'] });
    expect([...kept.values.keys()].sort()).toEqual(['bert.pooler.dense.bias', 'bert.pooler.dense.weight', 'classifier.bias', 'classifier.weight']);
    for (const [name, v] of kept.values) expect(bits(v.data), name).toBe(bits(fixture.get(name)!.data));
    const fresh = await loadHead(nodeFolder(path.join(GOLDEN, 'bert-seq-cls')), { task: 'token-cls', labels: ['B-LOC', 'B-PER', 'O'], seed: 3 });
    expect([...fresh.values.keys()].sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(fresh.values.get('classifier.weight')!.shape).toEqual([3, 32]);
    expect(fresh.config.id2label).toEqual(['B-LOC', 'B-PER', 'O']);
    // transformers' _init_weights for a new Linear: bias zeros, weight N(0, initializer_range²) (here 0.02).
    expect([...fresh.values.get('classifier.bias')!.data]).toEqual([0, 0, 0]);
    const w = fresh.values.get('classifier.weight')!.data;
    const sd = Math.sqrt(w.reduce((a, x) => a + x * x, 0) / w.length);
    expect(sd).toBeGreaterThan(0.01);
    expect(sd).toBeLessThan(0.03);
  });
});

describe('a multi-task run', () => {
  it('of one head trains bit for bit as the single-task run', async () => {
    const config = { task: 'seq-cls', maxSteps: 8, batchSize: 4, maxLength: 16, validationSplit: 0.25, evalEvery: 4, learningRate: 1e-3, seed: 3 };
    const train = await read('sst.tsv', data.tsv);
    const single = await prepareRun({ folder: modelFolder(), train, validation: null }, parseTrainConfig(config));
    const multi = await prepareRun({ folder: modelFolder(), train, validation: null, heads: [{ train, validation: null }] }, parseTrainConfig({ ...config, tasks: [sst] }));
    try {
      const [a, b] = [await runToEnd(single), await runToEnd(multi)];
      expect(b.losses).toEqual(a.losses);
      expect(a.losses).toHaveLength(8);
      expect(b.evaluations.map((r) => r.tasks?.sst)).toEqual(a.evaluations.map(({ step: _s, epoch: _e, learning_rate: _l, ...m }) => m));
      expect(b.evaluations.map((r) => [r.step, r.eval_loss, r.accuracy, r.f1_macro])).toEqual(a.evaluations.map((r) => [r.step, r.eval_loss, r.accuracy, r.f1_macro]));
      const want = await single.model.params.snapshot();
      const got = await multi.model.params.snapshot();
      // The head's parameters (BERT's pooler and classifier) are stored under heads.sst.
      expect([...got.keys()].map((n) => n.replace(/^heads\.sst\./, ''))).toEqual([...want.keys()]);
      for (const [name, values] of got) expect(bits(values), name).toBe(bits(want.get(name.replace(/^heads\.sst\./, '')) as Float32Array));
    } finally {
      dispose(single);
      dispose(multi);
    }
  });

  it('scales a head\'s gradients by its loss weight, and they are its own model\'s', async () => {
    const run = await twoHeads({ maxSteps: 1 });
    try {
      const heads = run.model.heads!;
      const source = { data: run.heads![1].data.train, batchSize: 4, seed: 1, padding: { padId: 0, maxLength: 16 }, masking: null };
      const m = { ...microBatch(source, [0, 1, 2, 3], true), head: 1 };
      const opts = { labelSmoothing: 0, seeds: [7], l2sp: null };
      const model: StepModel = { family: run.model.family, config: run.model.config, task: run.model.task, params: run.model.params, heads };
      const gradsAt = async (weight: number) => {
        heads[1].weight = weight;
        const acc = accumulateGradients(model, [m], opts);
        const out = new Map<string, Float32Array>();
        for (const [name, g] of acc.grads) out.set(name, (await g.data()) as Float32Array);
        tf.dispose([acc.loss, acc.penalty, ...acc.grads.values()]);
        return out;
      };
      const one = await gradsAt(1);
      // The head's own model: the encoder with the sentiment head under BERT's names, one task, no heads.
      const view = headStore(run.model.params, heads[1]);
      const own = accumulateGradients({ family: model.family, config: heads[1].config, task: 'seq-cls', params: view, loss: heads[1].loss }, [{ ...m, head: undefined }], opts);
      const ownGrads = new Map<string, string>();
      for (const [name, g] of own.grads) ownGrads.set(name, bits((await g.data()) as Float32Array));
      tf.dispose([own.loss, own.penalty, ...own.grads.values()]);
      view.dispose();
      // No gradient reaches the other head; the encoder's and this head's are its own model's, bit for bit.
      expect([...one.keys()].filter((n) => n.startsWith('heads.ner.'))).toEqual([]);
      expect([...one.keys()].map((n) => n.replace(/^heads\.sst\./, '')).sort()).toEqual([...ownGrads.keys()].sort());
      for (const [name, g] of one) expect(bits(g), name).toBe(ownGrads.get(name.replace(/^heads\.sst\./, '')));
      // Powers of two: w·g is exact in float32, so the weighted gradients are w times the unweighted, bit for bit.
      for (const w of [0.5, 4]) {
        const weighted = await gradsAt(w);
        for (const [name, g] of one) expect(bits(weighted.get(name) as Float32Array), name).toBe(bits(g.map((x) => x * w)));
      }
    } finally {
      dispose(run);
    }
  });

  it('evaluates every head and stops early on the watched head\'s metric', async () => {
    const early = { metric: 'eval_loss', patience: 2, minDelta: 0 };
    // Only the tagging head trains (the encoder and the sentiment head frozen): the sentiment head's loss never improves.
    const frozen = { learningRate: 1e-2, epochs: 6, validationSplit: 0.25, evalEvery: 3, freeze: ['bert', 'heads.sst'], earlyStopping: early };
    const watchSst = await twoHeads({ ...frozen, multiTask: { watch: 'sst' } });
    const watchNer = await twoHeads({ ...frozen, multiTask: { watch: 'ner' } });
    try {
      const stopped = await runToEnd(watchSst);
      const ran = await runToEnd(watchNer);
      for (const r of [...stopped.evaluations, ...ran.evaluations]) expect(Object.keys(r.tasks ?? {})).toEqual(['ner', 'sst']);
      // What the run watches is the watched head's evaluation.
      for (const r of stopped.evaluations) expect(r.eval_loss).toBe(r.tasks?.sst.eval_loss);
      for (const r of ran.evaluations) expect(r.eval_loss).toBe(r.tasks?.ner.eval_loss);
      // transformers' EarlyStoppingCallback: stop once `patience` evaluations in a row have not improved on the best.
      const stopAt = (values: number[]) => {
        let best = values[0];
        let waited = 0;
        for (let i = 1; i < values.length; i++) {
          if (values[i] < best - early.minDelta) [best, waited] = [values[i], 0];
          else if (++waited >= early.patience) return i;
        }
        return null;
      };
      expect(stopped.reason).toBe('early-stopped');
      expect(stopAt(stopped.evaluations.map((r) => r.eval_loss))).toBe(stopped.evaluations.length - 1);
      expect(stopped.evaluations).toHaveLength(early.patience + 1);
      expect(ran.reason).toBe('completed');
      expect(stopAt(ran.evaluations.map((r) => r.eval_loss))).toBeNull();
      expect(ran.evaluations.length).toBeGreaterThan(stopped.evaluations.length);
    } finally {
      dispose(watchSst);
      dispose(watchNer);
    }
  });

  it('watching the mean, reports each metric\'s mean over the heads', async () => {
    const run = await twoHeads({ maxSteps: 2, validationSplit: 0.25, evalEvery: 1 });
    try {
      const { evaluations } = await runToEnd(run);
      expect(evaluations.length).toBeGreaterThan(0);
      for (const r of evaluations) {
        const { ner: a, sst: b } = r.tasks!;
        for (const k of ['eval_loss', 'accuracy', 'f1_macro', 'f1_micro', 'f1_weighted'] as const) expect(r[k]).toBe(((a[k] as number) + (b[k] as number)) / 2);
        expect(r.entity_f1).toBeUndefined();
        expect(r.eval_samples).toBe(a.eval_samples + b.eval_samples);
      }
    } finally {
      dispose(run);
    }
  });
});
