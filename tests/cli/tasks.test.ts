// The tasks of #20 through bin/layerwise.mjs on the hf-tiny BERT fixtures: a multi-label run on rows of ";"-separated
// labels (problem_type and tuned thresholds in config.json, predict answers at them, eval at them or at 0.5), class
// weights on an imbalanced file (reported, in the config), and sliding windows over long texts for sequence and token
// classification (windows in config.json, predict's deciding windows, eval per text and per word).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/random';
import { ROOT, layerwise, type CliResult } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-tasks-'));

/** A fixture folder with the full vocab.txt tokenizer (its tokenizer.json holds only the special tokens). */
function modelFolder(fixture: string): string {
  const dir = path.join(work, `model-${fixture}`);
  mkdirSync(dir);
  for (const f of readdirSync(path.join(GOLDEN, fixture))) {
    if (!f.startsWith('reference') && f !== 'tokenizer.json') copyFileSync(path.join(GOLDEN, fixture, f), path.join(dir, f));
  }
  return dir;
}

const FILLER = ['the', 'movie', 'film', 'story', 'was', 'is', 'very', 'really', 'and', 'music'];
const WORDS: Record<string, string[]> = { happy: ['great', 'good', 'wonderful', 'happy'], sad: ['bad', 'sad', 'awful', 'boring'], love: ['love', 'lovely', 'charming'] };

/** Seeded rows of filler with words of 0–2 of the labels; the labels ";"-separated (none: an empty cell). */
function multiLabelTsv(rows: number, seed: number): string {
  const rng = createRng(seed, 7);
  const lines = ['text\tlabels'];
  for (let i = 0; i < rows; i++) {
    const labels = Object.keys(WORDS).filter(() => rng.next() < 0.35);
    const words = Array.from({ length: 3 + rng.int(3) }, () => FILLER[rng.int(FILLER.length)]);
    for (const l of labels) words.splice(rng.int(words.length + 1), 0, WORDS[l][rng.int(WORDS[l].length)]);
    lines.push(`${words.join(' ')}\t${labels.join(';')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Seeded rows, one in eight 'rare'. */
function imbalancedCsv(rows: number): string {
  const rng = createRng(3, 8);
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++) {
    const rare = i % 8 === 0;
    lines.push(`${FILLER[rng.int(FILLER.length)]} ${rare ? 'awful' : 'good'} ${FILLER[rng.int(FILLER.length)]},${rare ? 'rare' : 'common'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Long sequences of words: a text of 30–40 words, its label from the words at its end. */
function longCsv(rows: number): string {
  const rng = createRng(4, 9);
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++) {
    const pos = i % 2 === 0;
    const words = Array.from({ length: 30 + rng.int(10) }, () => FILLER[rng.int(FILLER.length)]);
    words.push(pos ? 'great' : 'awful');
    lines.push(`${words.join(' ')},${pos ? 'pos' : 'neg'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Long CoNLL "documents": 30–40 tokens each with PER and LOC entities anywhere. */
function longConll(docs: number): string {
  const rng = createRng(5, 10);
  const out: string[] = [];
  for (let d = 0; d < docs; d++) {
    for (let k = 0; k < 30 + rng.int(10); k++) {
      const r = rng.next();
      out.push(r < 0.15 ? `${['paris', 'london'][rng.int(2)]} B-LOC` : r < 0.3 ? `${['man', 'woman'][rng.int(2)]} B-PER` : `${FILLER[rng.int(FILLER.length)]} O`);
    }
    out.push('');
  }
  return out.join('\n');
}

const runs: Record<string, CliResult> = {};
let seqModel = '';

beforeAll(async () => {
  seqModel = modelFolder('bert-seq-cls');
  const tokModel = modelFolder('bert-token-cls');
  writeFileSync(path.join(work, 'ml-train.tsv'), multiLabelTsv(160, 1));
  writeFileSync(path.join(work, 'ml-valid.tsv'), multiLabelTsv(40, 2));
  writeFileSync(path.join(work, 'imb.csv'), imbalancedCsv(64));
  writeFileSync(path.join(work, 'long.csv'), longCsv(32));
  writeFileSync(path.join(work, 'long.conll'), longConll(24));
  writeFileSync(path.join(work, 'ml.json'), JSON.stringify({ epochs: 6, batchSize: 8, learningRate: 5e-3, evalEvery: 'epoch' }));
  writeFileSync(path.join(work, 'short.json'), JSON.stringify({ epochs: 2, batchSize: 8, learningRate: 5e-3, maxLength: 16, validationSplit: 0.25, evalEvery: 'epoch' }));
  const [ml, weighted, longSeq, longTok] = await Promise.all([
    layerwise('train', '--model', seqModel, '--data', path.join(work, 'ml-train.tsv'), '--validation', path.join(work, 'ml-valid.tsv'), '--config', path.join(work, 'ml.json'), '--out', path.join(work, 'out-ml'), '--json'),
    layerwise('train', '--model', seqModel, '--data', path.join(work, 'imb.csv'), '--class-weights', 'inverse-frequency', '--max-steps', '2', '--out', path.join(work, 'out-imb'), '--json'),
    layerwise('train', '--model', seqModel, '--data', path.join(work, 'long.csv'), '--config', path.join(work, 'short.json'), '--windows', '4,max', '--out', path.join(work, 'out-long'), '--json'),
    layerwise('train', '--model', tokModel, '--data', path.join(work, 'long.conll'), '--config', path.join(work, 'short.json'), '--windows', '4', '--out', path.join(work, 'out-long-tok'), '--json'),
  ]);
  Object.assign(runs, { ml, weighted, longSeq, longTok });
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const json = (file: string) => JSON.parse(readFileSync(path.join(work, file), 'utf8')) as Record<string, unknown>;

describe('multi-label', () => {
  it('trains a sigmoid head: problem_type, the tuned thresholds by label in config.json, scores at 0.5 and tuned', () => {
    expect(runs.ml.code, runs.ml.stderr).toBe(0);
    expect(runs.ml.stderr).toContain('multi-label head');
    const config = json('out-ml/config.json');
    expect(config.problem_type).toBe('multi_label_classification');
    expect(config.id2label).toEqual({ 0: 'happy', 1: 'love', 2: 'sad' });
    const metrics = json('out-ml/metrics.json') as { thresholds: number[]; tuned: { thresholds: number[]; f1_micro: number }; f1_micro: number; hamming_loss: number; majority_baseline: { label: string } };
    expect(metrics.thresholds).toEqual([0.5, 0.5, 0.5]);
    const saved = (config.layerwise as { thresholds: Record<string, number> }).thresholds;
    expect(Object.keys(saved)).toEqual(['happy', 'love', 'sad']);
    expect(Object.values(saved)).toEqual(metrics.tuned.thresholds);
    // Tuned on the same rows, the thresholds can only do as well as 0.5 or better.
    expect(metrics.tuned.f1_micro).toBeGreaterThanOrEqual(metrics.f1_micro);
    expect(metrics.tuned.f1_micro).toBeGreaterThan(0.6);
    expect(metrics.majority_baseline.label).toBe('(no label)');
    expect(readFileSync(path.join(work, 'out-ml', 'README.md'), 'utf8')).toContain('## Multi-label outputs');
  });

  it('layerwise data shows how the rows hold their labels', async () => {
    const r = await layerwise('data', '--data', path.join(work, 'ml-valid.tsv'), '--json');
    const d = JSON.parse(r.stdout) as { labelColumn: string; multiLabel: unknown; unlabelledRows: number; labels: Record<string, number> };
    expect(d.labelColumn).toBe('labels');
    expect(d.multiLabel).toEqual({ kind: 'separated', separator: ';' });
    expect(d.unlabelledRows).toBeGreaterThan(0);
    expect(Object.keys(d.labels).sort()).toEqual(['happy', 'love', 'sad']);
  });

  it('predict answers with the labels at or above their thresholds; eval scores at the model\'s thresholds or at 0.5', async () => {
    writeFileSync(path.join(work, 'texts.json'), JSON.stringify({ texts: ['the movie was great and lovely', 'the story was awful'] }));
    const p = await layerwise('predict', '--model', path.join(work, 'out-ml'), '--inputs', path.join(work, 'texts.json'), '--json');
    expect(p.code, p.stderr).toBe(0);
    const out = JSON.parse(p.stdout) as { logits: number[][]; probabilities: number[][]; predicted: string[][]; thresholds: number[]; labels: string[] };
    expect(out.logits).toHaveLength(2);
    out.probabilities.forEach((probs, i) => {
      probs.forEach((q, j) => expect(q).toBeCloseTo(1 / (1 + Math.exp(-out.logits[i][j])), 6));
      expect(out.predicted[i]).toEqual(out.labels.filter((_, j) => probs[j] >= out.thresholds[j]));
    });
    const [atModel, atHalf] = await Promise.all([
      layerwise('eval', '--model', path.join(work, 'out-ml'), '--data', path.join(work, 'ml-valid.tsv'), '--json'),
      layerwise('eval', '--model', path.join(work, 'out-ml'), '--data', path.join(work, 'ml-valid.tsv'), '--thresholds', '0.5', '--json'),
    ]);
    const m = JSON.parse(atModel.stdout) as { thresholds: number[]; f1_micro: number };
    const h = JSON.parse(atHalf.stdout) as { thresholds: number[]; f1_micro: number };
    expect(m.thresholds).toEqual(out.thresholds);
    expect(h.thresholds).toEqual([0.5, 0.5, 0.5]);
    const metrics = json('out-ml/metrics.json') as { tuned: { f1_micro: number }; f1_micro: number };
    expect(m.f1_micro).toBeCloseTo(metrics.tuned.f1_micro, 5);
    expect(h.f1_micro).toBeCloseTo(metrics.f1_micro, 5);
  });
});

describe('imbalanced classes', () => {
  it('class weights from the training split are reported and kept in the config', () => {
    expect(runs.weighted.code, runs.weighted.stderr).toBe(0);
    // 64 rows, 8 rare; 0.9 held out for training is stratified: 51 common, 7 rare -> 58 / (2 · n).
    expect(runs.weighted.stderr).toMatch(/TRAIN_CLASS_WEIGHTS: Class weights \(inverse-frequency\): "common" 0\.569, "rare" 4\.14/);
    expect((json('out-imb/metrics.json').config as { classWeights: string }).classWeights).toBe('inverse-frequency');
  });
});

describe('long texts in windows', () => {
  it('sequence classification: windows in config.json, evaluation per text, predict names the deciding windows', async () => {
    expect(runs.longSeq.code, runs.longSeq.stderr).toBe(0);
    expect((json('out-long/config.json').layerwise as { windows: unknown }).windows).toEqual({ stride: 4, aggregate: 'max', maxLength: 16 });
    const metrics = json('out-long/metrics.json') as { eval_samples: number; eval_windows: number };
    expect(metrics.eval_samples).toBe(8);
    expect(metrics.eval_windows).toBeGreaterThan(8);
    writeFileSync(path.join(work, 'long.json'), JSON.stringify({ texts: [longCsv(1).split('\n')[1].split(',')[0], 'the movie'] }));
    const p = await layerwise('predict', '--model', path.join(work, 'out-long'), '--inputs', path.join(work, 'long.json'), '--json');
    expect(p.code, p.stderr).toBe(0);
    const out = JSON.parse(p.stdout) as { logits: number[][]; windows: number[]; deciding_windows: (number[] | null)[] };
    expect(out.windows[0]).toBeGreaterThan(1);
    expect(out.windows[1]).toBe(1);
    expect(out.deciding_windows[0]).toHaveLength(2);
    expect(out.deciding_windows[1]).toBeNull();
    const cut = await layerwise('predict', '--model', path.join(work, 'out-long'), '--inputs', path.join(work, 'long.json'), '--no-windows', '--json');
    // Without windows a text is read whole up to the model's positions (here all of it), as transformers reads it.
    expect((JSON.parse(cut.stdout) as { windows: number[] }).windows).toEqual([1, 1]);
  });

  it('token classification: every word of each document scored once, from its owning window; predict labels every word', async () => {
    expect(runs.longTok.code, runs.longTok.stderr).toBe(0);
    const docWords = longConll(1).split('\n').filter((l) => l !== '').map((l) => l.split(' ')[0]);
    writeFileSync(path.join(work, 'doc.json'), JSON.stringify({ texts: [docWords.join(' ')] }));
    const p = await layerwise('predict', '--model', path.join(work, 'out-long-tok'), '--inputs', path.join(work, 'doc.json'), '--json');
    expect(p.code, p.stderr).toBe(0);
    const out = JSON.parse(p.stdout) as { logits: number[][][]; words: { text: string; window: number }[][]; windows: number[]; labels: string[] };
    expect(out.words[0].map((w) => w.text)).toEqual(docWords);
    expect(out.windows[0]).toBeGreaterThan(1);
    expect(new Set(out.words[0].map((w) => w.window)).size).toBe(out.windows[0]);
    expect(out.logits[0]).toHaveLength(docWords.length);
    expect(out.logits[0][0]).toHaveLength(out.labels.length);
    expect((json('out-long-tok/config.json').layerwise as { windows: unknown }).windows).toEqual({ stride: 4, aggregate: 'mean', maxLength: 16 });
    const metrics = json('out-long-tok/metrics.json') as { eval_samples: number; eval_windows: number; per_class: { support: number }[] };
    expect(metrics.eval_samples).toBe(6);
    expect(metrics.eval_windows).toBeGreaterThan(6 * 2);
    const words = metrics.per_class.reduce((n, c) => n + c.support, 0);
    // 6 held-out documents of 30–39 words each.
    expect(words).toBeGreaterThanOrEqual(180);
    expect(words).toBeLessThan(240);
  });
});
