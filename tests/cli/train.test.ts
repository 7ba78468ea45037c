// `layerwise train` and `layerwise eval` as outside checks call them: bin/layerwise.mjs in a child process on a tiny
// CSV and a tiny CoNLL file (written here) with the hf-tiny BERT fixtures, with freezing, layerDecay, warmup + cosine,
// clipping and early stopping. The written folder must reload with our loader and serve `predict`; frozen tensors
// must be bit-identical in its model.safetensors; a diverging run must end with TRAIN_DIVERGED and show NaN, not 0.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/random';
import { ROOT, layerwise, readTensors as tensors, type CliResult } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-train-'));

/**
 * A fixture folder without its tokenizer.json (which holds only the special tokens, see tests/golden/hf-tiny/README.md),
 * so that the tokenizer is built from the full vocab.txt and words are real tokens.
 */
function modelFolder(fixture: string): string {
  const dir = path.join(work, `model-${fixture}`);
  mkdirSync(dir);
  for (const f of readdirSync(path.join(GOLDEN, fixture))) {
    if (!f.startsWith('reference') && f !== 'tokenizer.json') copyFileSync(path.join(GOLDEN, fixture, f), path.join(dir, f));
  }
  return dir;
}

const POSITIVE = ['great', 'good', 'wonderful', 'excellent', 'lovely', 'charming', 'nice', 'fine', 'best'];
const NEGATIVE = ['bad', 'worst', 'boring', 'terrible', 'awful', 'hate', 'slow', 'sad', 'angry'];
const FILLER = ['the', 'movie', 'film', 'story', 'acting', 'plot', 'was', 'is', 'very', 'really', 'and', 'music'];

/** Seeded sentiment rows: filler words around one to three words of the label's side. */
function sentimentCsv(rows: number, seed: number): string {
  const rng = createRng(seed, 1);
  const pick = (xs: string[]) => xs[rng.int(xs.length)];
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++) {
    const positive = rng.next() < 0.5;
    const words = Array.from({ length: 3 + rng.int(4) }, () => pick(FILLER));
    for (let k = 0; k <= rng.int(3); k++) words.splice(rng.int(words.length + 1), 0, pick(positive ? POSITIVE : NEGATIVE));
    lines.push(`${words.join(' ')},${positive ? 'pos' : 'neg'}`);
  }
  return `${lines.join('\n')}\n`;
}

const PLACES = ['paris', 'london'];
const PEOPLE = [['man'], ['woman'], ['child', 'man']];

/** Seeded CoNLL sentences (token, POS placeholder, tag) with LOC and PER entities in IOB2. */
function conll(sentences: number, seed: number): string {
  const rng = createRng(seed, 2);
  const out: string[] = ['-DOCSTART- -X- O', ''];
  for (let s = 0; s < sentences; s++) {
    const tokens: [string, string][] = [];
    for (let k = 0; k < 4 + rng.int(5); k++) {
      const r = rng.next();
      if (r < 0.15) tokens.push([PLACES[rng.int(PLACES.length)], 'B-LOC']);
      else if (r < 0.3) PEOPLE[rng.int(PEOPLE.length)].forEach((w, i) => tokens.push([w, i === 0 ? 'B-PER' : 'I-PER']));
      else tokens.push([FILLER[rng.int(FILLER.length)], 'O']);
    }
    out.push(...tokens.map(([w, t]) => `${w} NN ${t}`), '');
  }
  return out.join('\n');
}

const METRIC_KEYS = ['eval_loss', 'accuracy', 'f1_macro', 'f1_micro', 'f1_weighted', 'per_class', 'confusion_matrix'];
const ENTITY_KEYS = ['entity_precision', 'entity_recall', 'entity_f1', 'per_entity'];

let seqModel = '';
let tokModel = '';
const runs: Record<string, CliResult> = {};

beforeAll(async () => {
  seqModel = modelFolder('bert-seq-cls');
  tokModel = modelFolder('bert-token-cls');
  writeFileSync(path.join(work, 'train.csv'), sentimentCsv(96, 1));
  writeFileSync(path.join(work, 'valid.csv'), sentimentCsv(24, 2));
  writeFileSync(path.join(work, 'train.conll'), conll(60, 3));
  writeFileSync(
    path.join(work, 'seq.json'),
    JSON.stringify({
      epochs: 8,
      batchSize: 8,
      learningRate: 5e-3,
      freeze: ['bert.embeddings.position_embeddings', 'bert.embeddings.token_type_embeddings'],
      layerDecay: 0.8,
      schedule: { type: 'cosine', warmupRatio: 0.2 },
      maxGradNorm: 1,
      evalEvery: 'epoch',
      earlyStopping: { metric: 'eval_loss', patience: 2, minDelta: 0.05, restoreBest: true },
    }),
  );
  writeFileSync(
    path.join(work, 'tok.json'),
    JSON.stringify({ epochs: 3, batchSize: 8, learningRate: 5e-3, freeze: ['bert.encoder.layer.0'], layerDecay: 0.9, schedule: { type: 'linear', warmupSteps: 2 }, maxGradNorm: 0.5, validationSplit: 0.2, evalEvery: 5 }),
  );
  // The trainings are independent: run them side by side.
  const [seq, tok, diverged, random] = await Promise.all([
    layerwise('train', '--model', seqModel, '--data', path.join(work, 'train.csv'), '--validation', path.join(work, 'valid.csv'), '--config', path.join(work, 'seq.json'), '--out', path.join(work, 'out-seq'), '--json'),
    layerwise('train', '--model', tokModel, '--data', path.join(work, 'train.conll'), '--config', path.join(work, 'tok.json'), '--out', path.join(work, 'out-tok'), '--json'),
    layerwise('train', '--model', seqModel, '--data', path.join(work, 'train.csv'), '--lr', '1e4', '--epochs', '10', '--batch-size', '16', '--out', path.join(work, 'out-nan'), '--json'),
    layerwise('train', '--model', seqModel, '--data', path.join(work, 'train.csv'), '--init', 'random', '--max-steps', '3', '--seed', '0', '--out', path.join(work, 'out-random'), '--json'),
  ]);
  Object.assign(runs, { seq, tok, diverged, random });
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('train seq-cls on a CSV (freeze, layerDecay, warmup + cosine, clipping, early stopping)', () => {
  it('prints one JSON line per evaluation and writes metrics.json with the contract keys', () => {
    const r = runs.seq;
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) for (const k of ['step', 'epoch', 'learning_rate', ...METRIC_KEYS]) expect(line, k).toHaveProperty(k);
    const metrics = JSON.parse(readFileSync(path.join(work, 'out-seq', 'metrics.json'), 'utf8')) as Record<string, unknown>;
    for (const k of [...METRIC_KEYS, 'history']) expect(metrics, k).toHaveProperty(k);
    expect(metrics.history).toEqual(lines);
    expect((metrics.per_class as { label: string }[]).map((c) => c.label)).toEqual(['neg', 'pos']);
    expect(metrics.confusion_matrix).toHaveLength(2);
    // The words decide the label: a few epochs of the tiny model must beat chance on the validation file.
    expect(metrics.accuracy as number).toBeGreaterThan(0.75);
    // Improvements under minDelta 0.05 twice in a row stop the run before its 8 epochs.
    const train = metrics.train as { finish_reason: string; steps: number; restored_best_step: number };
    expect(train.finish_reason).toBe('early-stopped');
    expect(train.steps).toBeLessThan(96);
    expect(train.restored_best_step).toBe(Math.min(...(metrics.history as { step: number; eval_loss: number }[]).filter((h) => h.eval_loss === metrics.eval_loss).map((h) => h.step)));
  });

  it('writes a Hugging Face folder with the dataset labels, and frozen tensors bit-identical', async () => {
    const config = JSON.parse(readFileSync(path.join(work, 'out-seq', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.id2label).toEqual({ 0: 'neg', 1: 'pos' });
    expect(config.label2id).toEqual({ neg: 0, pos: 1 });
    expect(config.num_labels).toBe(2);
    const before = await tensors(path.join(seqModel, 'model.safetensors'));
    const after = await tensors(path.join(work, 'out-seq', 'model.safetensors'));
    const same = (name: string) => Buffer.from(after.get(name)!.buffer).equals(Buffer.from(before.get(name)!.buffer));
    expect(same('bert.embeddings.position_embeddings.weight')).toBe(true);
    expect(same('bert.embeddings.token_type_embeddings.weight')).toBe(true);
    expect(same('bert.embeddings.word_embeddings.weight')).toBe(false);
    expect(same('bert.encoder.layer.1.output.dense.weight')).toBe(false);
  });

  it('the folder reloads: predict gives 2 logits per text, eval prints the same metric keys', async () => {
    const out = path.join(work, 'out-seq');
    writeFileSync(path.join(work, 'texts.json'), JSON.stringify({ texts: ['the movie was great', 'the plot was awful and boring'] }));
    const [predicted, evaluated] = await Promise.all([
      layerwise('predict', '--model', out, '--inputs', path.join(work, 'texts.json'), '--json'),
      layerwise('eval', '--model', out, '--data', path.join(work, 'valid.csv'), '--json'),
    ]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const logits = JSON.parse(predicted.stdout).logits as number[][];
    expect(logits.map((l) => l.length)).toEqual([2, 2]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const metrics = JSON.parse(evaluated.stdout) as Record<string, unknown>;
    for (const k of METRIC_KEYS) expect(metrics, k).toHaveProperty(k);
    // The written weights are the final (best-restored) model: eval on the validation file reproduces its metrics.
    const final = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')) as Record<string, number>;
    expect(metrics.accuracy).toBe(final.accuracy);
    expect(metrics.eval_loss as number).toBeCloseTo(final.eval_loss, 5);
  });
});

describe('train token-cls on CoNLL (freeze a layer, layerDecay, warmup + linear, clipping)', () => {
  it('reports entity scores, writes BertForTokenClassification with the tags, keeps layer 0 bit-identical', async () => {
    const r = runs.tok;
    expect(r.code, r.stderr).toBe(0);
    const metrics = JSON.parse(readFileSync(path.join(work, 'out-tok', 'metrics.json'), 'utf8')) as Record<string, unknown>;
    for (const k of [...METRIC_KEYS, ...ENTITY_KEYS, 'history']) expect(metrics, k).toHaveProperty(k);
    expect((metrics.per_entity as { type: string }[]).map((e) => e.type).sort()).toEqual(expect.arrayContaining(['LOC', 'PER']));
    expect((metrics.history as { step: number }[]).map((h) => h.step).slice(0, 2)).toEqual([5, 10]);
    const config = JSON.parse(readFileSync(path.join(work, 'out-tok', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.architectures).toEqual(['BertForTokenClassification']);
    expect(Object.values(config.id2label as Record<string, string>)).toEqual(['B-LOC', 'B-PER', 'I-PER', 'O']);
    const before = await tensors(path.join(tokModel, 'model.safetensors'));
    const after = await tensors(path.join(work, 'out-tok', 'model.safetensors'));
    for (const [name, w] of before) {
      if (name.startsWith('bert.encoder.layer.0.')) expect(Buffer.from(after.get(name)!.buffer).equals(Buffer.from(w.buffer)), name).toBe(true);
    }
    const evaluated = await layerwise('eval', '--model', path.join(work, 'out-tok'), '--data', path.join(work, 'train.conll'), '--json');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    for (const k of [...METRIC_KEYS, ...ENTITY_KEYS]) expect(JSON.parse(evaluated.stdout), k).toHaveProperty(k);
  });
});

describe('failures and fresh initialisation', () => {
  it('a learning rate of 1e4 ends with TRAIN_DIVERGED, NaN shown as "NaN", and no output folder', () => {
    const r = runs.diverged;
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^layerwise train: TRAIN_DIVERGED: Diverged at step \d+; try a learning rate <= 1000/);
    expect(r.stderr).toMatch(/loss NaN/);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ error: { code: 'TRAIN_DIVERGED' } });
    expect(existsSync(path.join(work, 'out-nan'))).toBe(false);
  });

  it('--init random trains the architecture from scratch (seed 0) and writes a loadable folder', async () => {
    const r = runs.random;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/MODEL_INITIALISED/);
    const written = await tensors(path.join(work, 'out-random', 'model.safetensors'));
    const pretrained = await tensors(path.join(seqModel, 'model.safetensors'));
    const word = written.get('bert.embeddings.word_embeddings.weight')!;
    // transformers' _init_weights: the padding row (pad_token_id 0) is zero; nothing equals the pretrained tensor.
    expect(word.subarray(0, 32).every((v) => v === 0)).toBe(true);
    expect(Buffer.from(word.buffer).equals(Buffer.from(pretrained.get('bert.embeddings.word_embeddings.weight')!.buffer))).toBe(false);
    // normal(0, initializer_range 0.02) elsewhere, LayerNorm at ones / zeros: two small steps move them by ~lr only.
    const rest = word.subarray(32);
    const std = Math.sqrt(rest.reduce((s, v) => s + v * v, 0) / rest.length);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    expect(written.get('bert.embeddings.LayerNorm.weight')!.every((v) => Math.abs(v - 1) < 1e-3)).toBe(true);
    expect(written.get('bert.embeddings.LayerNorm.bias')!.every((v) => Math.abs(v) < 1e-3)).toBe(true);
  });

  it('data that does not fit the task is a coded error', async () => {
    const mismatch = await layerwise('train', '--model', seqModel, '--data', path.join(work, 'train.conll'), '--task', 'seq-cls', '--out', path.join(work, 'y'));
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr.trim().split('\n').at(-1)).toMatch(/^layerwise train: TRAIN_TASK_DATA_MISMATCH: /);
  });
});
