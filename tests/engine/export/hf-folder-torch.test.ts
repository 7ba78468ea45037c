// The exported Hugging Face folder read by an independent reader (hf_reader.py beside this file: config.json and
// model.safetensors through plain PyTorch in float64, written from transformers' modeling_*.py, no engine code):
// for every family (BERT, RoBERTa, DistilBERT, ELECTRA) and task (sequence and token classification, masked LM) its
// logits equal the studio's (the in-memory model's eval-mode forward) within 1e-4, and the tensor names are what
// transformers' from_pretrained expects: every parameter once, tied copies (the MLM decoder) absent, all F32.
//
// The weights are the hf-tiny fixtures' (transformers-made) with seeded noise added, so that the export is not a
// copy of the fixture's bytes and the heads' logits span more than the tolerance; a task the fixtures lack is the
// same checkpoint loaded for that task (its head initialised by the loader). ELECTRA has no transformers-made
// fixture (this machine has no transformers): its checkpoint is the engine's own seeded initialisation of a small
// ELECTRA config (embedding_size 16 < hidden_size 32, so embeddings_project is exercised), which is an honest check
// of the export and the forward against an independent reader, not of the engine against transformers.
// Needs Debian's python3-torch (`apt-get install python3-torch`); skipped with that message where it is missing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../../src/cli/node-files';
import { writeModelFolder } from '../../../src/engine/export/model-folder';
import { loadModelFolder, type LoadedModel } from '../../../src/engine/load';
import { randomModel } from '../../../src/engine/train/init';
import { createRng } from '../../../src/lib/random';
import type { Task } from '../../../src/protocol/task';

const PYTHON = '/usr/bin/python3';
const READER = path.join(import.meta.dirname, 'hf_reader.py');
const GOLDEN = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');
const TOLERANCE = 1e-4;

function torchMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `python3-torch is not installed (apt-get install python3-torch): ${(probe.stderr || probe.error?.message || '').trim().split('\n').at(-1)}`;
}

interface Case {
  name: string;
  task: Task;
  /** The folder the model comes from (tokenizer files are copied from it). */
  source: string;
  /** ELECTRA: the engine's seeded initialisation of the folder's config; others: the fixture's weights. */
  init: 'fixture' | 'random';
}

const CASES: Case[] = [
  ...(['bert-seq-cls', 'roberta-seq-cls', 'distilbert-seq-cls'] as const).flatMap((fixture) =>
    (['seq-cls', 'token-cls', 'mlm'] as const).map((task): Case => {
      const own = `${fixture.split('-')[0]}-${task}`;
      // bert has fixtures of all three tasks: each task from its own checkpoint.
      const source = fixture === 'bert-seq-cls' && task !== 'seq-cls' ? own : fixture;
      return { name: `${fixture.split('-')[0]} ${task}`, task, source: path.join(GOLDEN, source), init: 'fixture' };
    }),
  ),
  ...(['seq-cls', 'token-cls', 'mlm'] as const).map((task): Case => ({ name: `electra ${task}`, task, source: 'electra', init: 'random' })),
];

const work = mkdtempSync(path.join(tmpdir(), 'layerwise-hf-reader-'));
const missing = torchMissing();

/** A small ELECTRA folder: its config.json and the BERT fixture's tokenizer (ELECTRA uses BERT's WordPiece). */
function electraFolder(): string {
  const dir = path.join(work, 'electra-source');
  mkdirSync(dir, { recursive: true });
  const config = {
    architectures: ['ElectraForMaskedLM'],
    model_type: 'electra',
    vocab_size: 328,
    embedding_size: 16,
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 64,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: 64,
    type_vocab_size: 2,
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) copyFileSync(path.join(GOLDEN, 'bert-seq-cls', f), path.join(dir, f));
  return dir;
}

/** Adds seeded N(0, 0.25²)-ish noise to every weight: the export must carry the trained values, not the fixture's. */
function perturb(model: LoadedModel, seed: number): void {
  const rng = createRng(seed, 7);
  for (const name of model.params.names()) {
    const shape = model.params.shape(name);
    const size = shape.reduce((a, b) => a * b, 1);
    const noise = Float32Array.from({ length: size }, () => (rng.next() + rng.next() + rng.next() - 1.5) * 0.5);
    tf.tidy(() => model.params.assign(name, tf.add(model.params.get(name), tf.tensor(noise, shape))));
  }
}

/** Six rows of 24: ids across the vocabulary, rows of different lengths padded with the pad id, a second segment. */
function variedInputs(model: LoadedModel, seed: number) {
  const rng = createRng(seed, 11);
  const { vocab_size: vocab, pad_token_id: pad } = model.config;
  const S = 24;
  // Any id but the padding id (RoBERTa's fixture has a vocabulary of 5).
  const nonPad = (k: number) => (k >= pad ? k + 1 : k);
  const lengths = [24, 19, 13, 8, 3, 21];
  const input_ids = lengths.map((n) => Array.from({ length: S }, (_, j) => (j < n ? nonPad(Math.floor(rng.next() * (vocab - 1))) : pad)));
  const attention_mask = lengths.map((n) => Array.from({ length: S }, (_, j) => (j < n ? 1 : 0)));
  const twoSegments = model.family.hasTokenTypes && model.config.type_vocab_size > 1;
  const token_type_ids = lengths.map((n) => Array.from({ length: S }, (_, j) => (twoSegments && j >= Math.floor(n / 2) && j < n ? 1 : 0)));
  return { input_ids, attention_mask, token_type_ids };
}

interface ReaderResult {
  architecture: string;
  missing: string[];
  unexpected: string[];
  tied_present: string[];
  bad: string[];
  logits?: unknown;
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

const results = new Map<string, { studio: number[]; shape: number[]; reader: ReaderResult; names: string[] }>();

beforeAll(async () => {
  if (missing !== null) return;
  await tf.setBackend('cpu');
  const jobs: { dir: string; inputs: ReturnType<typeof variedInputs> }[] = [];
  const pending: { name: string; studio: number[]; shape: number[]; names: string[] }[] = [];
  const electra = electraFolder();
  for (const [i, c] of CASES.entries()) {
    const source = c.init === 'random' ? electra : c.source;
    const labels = c.task === 'mlm' ? undefined : ['neg', 'neu', 'pos'];
    const model =
      c.init === 'random'
        ? await randomModel(nodeFolder(source), { task: c.task, labels, seed: 5 + i })
        : await loadModelFolder(nodeFolder(source), { task: c.task, labels, seed: 5 + i });
    try {
      perturb(model, 100 + i);
      const inputs = variedInputs(model, 200 + i);
      const tensors = {
        input_ids: tf.tensor2d(inputs.input_ids, undefined, 'int32'),
        attention_mask: tf.tensor2d(inputs.attention_mask, undefined, 'int32'),
        token_type_ids: tf.tensor2d(inputs.token_type_ids, undefined, 'int32'),
      };
      const logits = tf.tidy(() => model.family.forward(model.params.tensors(), tensors, model.config, model.task, { training: false }));
      tf.dispose(Object.values(tensors));
      pending.push({ name: c.name, studio: Array.from(await logits.data()), shape: logits.shape, names: model.params.names() });
      logits.dispose();
      const dir = path.join(work, c.name.replace(' ', '-'));
      mkdirSync(dir, { recursive: true });
      for (const file of await writeModelFolder({ model, source: nodeFolder(source) })) writeFileSync(path.join(dir, file.name), file.bytes);
      jobs.push({ dir, inputs });
    } finally {
      model.params.dispose();
    }
  }
  writeFileSync(path.join(work, 'jobs.json'), JSON.stringify(jobs));
  const run = spawnSync(PYTHON, [READER, path.join(work, 'jobs.json')], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.status !== 0) throw new Error(`hf_reader.py failed: ${run.stderr}`);
  const answers = JSON.parse(run.stdout) as ReaderResult[];
  pending.forEach((p, i) => results.set(p.name, { ...p, reader: answers[i] }));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(CASES.map((c) => c.name))('exported folder of %s, read by an independent PyTorch reader', (name) => {
  beforeEach((ctx) => ctx.skip(missing !== null, missing ?? ''));

  it('holds the tensors transformers expects: every parameter once, no tied copy, all F32 of the right shape', () => {
    const r = results.get(name)!;
    expect(r.reader.missing).toEqual([]);
    expect(r.reader.unexpected).toEqual([]);
    expect(r.reader.bad).toEqual([]);
    expect(r.reader.tied_present).toEqual([]);
  });

  it(`its logits equal the studio's within ${TOLERANCE}`, () => {
    const r = results.get(name)!;
    const theirs = flat(r.reader.logits);
    expect(theirs.length).toBe(r.studio.length);
    let worst = 0;
    for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(theirs[i] - r.studio[i]));
    expect(worst).toBeLessThan(TOLERANCE);
    // The logits span far more than the tolerance, so a wrong mask, position or head would not pass unseen.
    expect(Math.max(...r.studio) - Math.min(...r.studio)).toBeGreaterThan(1000 * TOLERANCE);
  });
});

describe('the reader', () => {
  beforeEach((ctx) => ctx.skip(missing !== null, missing ?? ''));

  it('refuses a folder whose MLM decoder is missing its bias, and notices a tied copy written twice', async () => {
    const dir = path.join(work, 'bert-mlm-broken');
    mkdirSync(dir, { recursive: true });
    const model = await loadModelFolder(nodeFolder(path.join(GOLDEN, 'bert-mlm')));
    const { writeSafetensors } = await import('../../../src/formats/safetensors');
    const values = await model.params.snapshot();
    const tensors = model.params
      .names()
      .filter((n) => n !== 'cls.predictions.bias')
      .map((n) => [n, { shape: model.params.shape(n), data: values.get(n)! }] as [string, { shape: number[]; data: Float32Array }]);
    const words = 'bert.embeddings.word_embeddings.weight';
    tensors.push(['cls.predictions.decoder.weight', { shape: model.params.shape(words), data: values.get(words)! }]);
    writeFileSync(path.join(dir, 'model.safetensors'), writeSafetensors(tensors, { format: 'pt' }));
    writeFileSync(path.join(dir, 'config.json'), readFileSync(path.join(GOLDEN, 'bert-mlm', 'config.json')));
    model.params.dispose();
    writeFileSync(path.join(work, 'broken.json'), JSON.stringify([{ dir, inputs: { input_ids: [[2, 5, 3]] } }]));
    const run = spawnSync(PYTHON, [READER, path.join(work, 'broken.json')], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const [r] = JSON.parse(run.stdout) as ReaderResult[];
    expect(r.missing).toEqual(['cls.predictions.bias']);
    expect(r.tied_present).toEqual(['cls.predictions.decoder.weight']);
  });
});
