// A multi-task model written by the one model-folder writer (#18), on the tiny BERT (wasm) with three heads: entity
// tags, and two labels of one file (sentiment, topic), so that two heads share BERT's head names (pooler, classifier).
// The primary head is the folder itself and each other head a complete folder in heads/<name>/; each folder loads with
// our loader as a plain single-task model whose logits are the engine's head view's (the encoder and that head, in the
// trained store) bit for bit, and — where python3-torch is installed — the independent PyTorch reader (hf_reader.py)
// finds exactly the tensors transformers expects and the same logits within 1e-4.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../../src/cli/node-files';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { readDataset } from '../../../src/formats/datasets/index';
import { bytesFile, type SourceFolder } from '../../../src/formats/source-file';
import { headFolder, writeModelFolder, type ModelFile } from '../../../src/engine/export/model-folder';
import { loadModelFolder } from '../../../src/engine/load';
import { headTensors } from '../../../src/engine/train/heads';
import { prepareRun, type PreparedRun } from '../../../src/engine/train/recipe';
import { createRng } from '../../../src/lib/random';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { GOLDEN } from '../train/helpers';

const PYTHON = '/usr/bin/python3';
const READER = path.join(import.meta.dirname, 'hf_reader.py');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-multitask-folder-'));

function torchMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `python3-torch is not installed (apt-get install python3-torch): ${(probe.stderr || probe.error?.message || '').trim().split('\n').at(-1)}`;
}

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

/** Seeded sentences: tags (CoNLL), and a TSV of text, sentiment (by the last word) and topic (by the first). */
function sentences(n: number): { conll: string; tsv: string } {
  const rng = createRng(2, 11);
  const conll: string[] = [];
  const tsv = ['text\tsentiment\ttopic'];
  for (let i = 0; i < n; i++) {
    const topic = ['paris', 'man', 'music'][rng.int(3)];
    const words: [string, string][] = [[topic, topic === 'paris' ? 'B-LOC' : topic === 'man' ? 'B-PER' : 'O']];
    for (let k = 0; k < 3 + rng.int(4); k++) words.push(rng.next() < 0.2 ? ['london', 'B-LOC'] : [FILLER[rng.int(FILLER.length)], 'O']);
    const pos = rng.next() < 0.5;
    words.push([pos ? 'great' : 'awful', 'O']);
    conll.push(...words.map(([w, t]) => `${w} ${t}`), '');
    tsv.push(`${words.map(([w]) => w).join(' ')}\t${pos ? 'pos' : 'neg'}\t${topic === 'paris' ? 'place' : topic === 'man' ? 'people' : 'arts'}`);
  }
  return { conll: conll.join('\n'), tsv: `${tsv.join('\n')}\n` };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const ids = [
  [2, 297, 20, 30, 40, 298, 50, 3, 0, 0],
  [2, 269, 60, 70, 80, 90, 100, 110, 120, 3],
  [2, 130, 140, 3, 0, 0, 0, 0, 0, 0],
];

let run: PreparedRun;
let files: ModelFile[];
const missing = torchMissing();

beforeAll(async () => {
  await useNodeBackend('wasm');
  const data = sentences(40);
  const tsv = bytes(data.tsv);
  const heads = [
    { train: await readDataset(bytesFile('ner.conll', bytes(data.conll))), validation: null },
    { train: await readDataset(bytesFile('rows.tsv', tsv), { labelColumn: 'sentiment' }), validation: null },
    { train: await readDataset(bytesFile('rows.tsv', tsv), { labelColumn: 'topic' }), validation: null },
  ];
  const tasks = [
    { name: 'ner', task: 'token-cls' },
    { name: 'sentiment', task: 'seq-cls', labelColumn: 'sentiment' },
    { name: 'topic', task: 'seq-cls', labelColumn: 'topic', weight: 2 },
  ];
  const config = parseTrainConfig({ task: 'token-cls', tasks, maxSteps: 12, batchSize: 4, maxLength: 16, learningRate: 5e-2, validationSplit: 0, multiTask: { sampler: 'round-robin' } });
  run = await prepareRun({ folder: modelFolder(), ...heads[0], heads }, config);
  for await (const e of run.trainer.run()) if (e.type === 'failed') throw new Error(e.error.message);
  files = await writeModelFolder({ model: run.model, source: modelFolder() });
}, 60_000);

afterAll(() => {
  run.trainer.dispose();
  run.model.params.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** The files of head i's folder, by their names within it. */
function folderOf(i: number): ModelFile[] {
  const prefix = i === 0 ? null : `${headFolder(run.model.heads![i].name)}/`;
  return files.filter((f) => (prefix === null ? !f.name.startsWith('heads/') : f.name.startsWith(prefix))).map((f) => ({ ...f, name: prefix === null ? f.name : f.name.slice(prefix.length) }));
}

/** The engine's logits of head i: the family's forward over the trained store's encoder and that head. */
async function engineLogits(i: number): Promise<Float32Array> {
  const h = run.model.heads![i];
  const input_ids = tf.tensor2d(ids, undefined, 'int32');
  const attention_mask = tf.tensor2d(ids.map((r) => r.map((x) => (x === 0 ? 0 : 1))), undefined, 'int32');
  const logits = run.model.family.forward(headTensors(run.model.params, h), { input_ids, attention_mask }, h.config, h.task, { training: false });
  const out = (await logits.data()) as Float32Array;
  tf.dispose([logits, input_ids, attention_mask]);
  return out;
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe('a multi-task model folder', () => {
  it('is the primary head\'s folder, with each other head\'s complete folder in heads/<name>/', () => {
    const own = ['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt'];
    expect(folderOf(0).map((f) => f.name)).toEqual(expect.arrayContaining(own));
    for (const name of ['sentiment', 'topic']) expect(files.filter((f) => f.name.startsWith(`heads/${name}/`)).map((f) => f.name.slice(name.length + 7))).toEqual(folderOf(0).map((f) => f.name));
    expect(files.filter((f) => f.name.startsWith('heads/ner/'))).toEqual([]);
  });

  it.each([0, 1, 2])('head %i loads with our loader as a plain model, its logits the engine\'s head view\'s bit for bit', async (i) => {
    const h = run.model.heads![i];
    const loaded = await loadModelFolder(new Map(folderOf(i).map((f) => [f.name, bytesFile(f.name, f.bytes)])));
    try {
      expect(loaded.task).toBe(h.task);
      expect(loaded.config.id2label).toEqual(h.config.id2label);
      expect(loaded.rawConfig.architectures).toEqual([h.task === 'token-cls' ? 'BertForTokenClassification' : 'BertForSequenceClassification']);
      expect(loaded.messages.filter((m) => m.level !== 'info')).toEqual([]);
      expect(loaded.params.names().filter((n) => n.startsWith('heads.'))).toEqual([]);
      const input_ids = tf.tensor2d(ids, undefined, 'int32');
      const attention_mask = tf.tensor2d(ids.map((r) => r.map((x) => (x === 0 ? 0 : 1))), undefined, 'int32');
      const logits = loaded.family.forward(loaded.params.tensors(), { input_ids, attention_mask }, loaded.config, loaded.task, { training: false });
      const got = (await logits.data()) as Float32Array;
      tf.dispose([logits, input_ids, attention_mask]);
      expect(bits(got)).toBe(bits(await engineLogits(i)));
    } finally {
      loaded.params.dispose();
    }
  });

  it('has heads whose classes and weights are their own (two heads of one family share no tensor)', async () => {
    const [, sentiment, topic] = run.model.heads!;
    expect(sentiment.config.id2label).toEqual(['neg', 'pos']);
    expect(topic.config.id2label).toEqual(['arts', 'people', 'place']);
    const a = await run.model.params.snapshot();
    expect(bits(a.get('heads.sentiment.bert.pooler.dense.weight')!)).not.toBe(bits(a.get('heads.topic.bert.pooler.dense.weight')!));
  });
});

describe('the folders read by the independent PyTorch reader', () => {
  it.skipIf(missing !== null)(`hold the tensors transformers expects and give the engine's logits within 1e-4 ${missing ?? ''}`, async () => {
    const jobs = [];
    for (let i = 0; i < 3; i++) {
      const dir = path.join(work, `head-${i}`);
      mkdirSync(dir, { recursive: true });
      for (const f of folderOf(i)) writeFileSync(path.join(dir, f.name), f.bytes);
      jobs.push({ dir, inputs: { input_ids: ids, attention_mask: ids.map((r) => r.map((x) => (x === 0 ? 0 : 1))) } });
    }
    writeFileSync(path.join(work, 'jobs.json'), JSON.stringify(jobs));
    const reader = spawnSync(PYTHON, [READER, path.join(work, 'jobs.json')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(reader.status, reader.stderr).toBe(0);
    const answers = JSON.parse(reader.stdout) as { logits: unknown; missing: string[]; unexpected: string[]; bad: string[] }[];
    const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
    for (const [i, a] of answers.entries()) {
      expect([a.missing, a.unexpected, a.bad]).toEqual([[], [], []]);
      const want = await engineLogits(i);
      const got = flat(a.logits);
      expect(got).toHaveLength(want.length);
      for (let k = 0; k < got.length; k++) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-4);
    }
  });
});
