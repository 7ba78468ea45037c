// `layerwise train --config tasks.json` end to end (#18) through bin/layerwise.mjs on the tiny BERT: entity tags from a
// CoNLL file of their own (named relative to the config) and two labels of one TSV (--data, a label column each).
// --out holds the primary head's standard folder, the other heads' complete folders in heads/<name>/, a card listing
// every head and each folder's metrics its own head's; a head folder evaluates as a plain model; a run stopped with
// Ctrl-C and resumed ends where an uninterrupted one does; a bad head is refused with its field named (tasks[i].field).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/random';
import { ROOT, layerwise, layerwiseInterrupted, readTensors, type CliResult } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-multitask-cli-'));
const model = path.join(work, 'bert');
const configDir = path.join(work, 'config');
const rows = path.join(work, 'rows.tsv');
const out = path.join(work, 'out');
const FILLER = ['the', 'movie', 'film', 'story', 'was', 'is', 'very', 'really', 'and', 'music'];

/** Seeded sentences: tags (CoNLL), and a TSV of text, sentiment (by the last word) and topic (by the first). */
function sentences(n: number): { conll: string; tsv: string } {
  const rng = createRng(4, 11);
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

const heads = [
  { name: 'ner', task: 'token-cls', data: 'ner.conll' },
  { name: 'sentiment', task: 'seq-cls', labelColumn: 'sentiment' },
  { name: 'topic', task: 'seq-cls', labelColumn: 'topic', weight: 2 },
];

function config(name: string, value: unknown): string {
  const file = path.join(configDir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
let trained: CliResult;

beforeAll(async () => {
  mkdirSync(model);
  for (const f of readdirSync(path.join(GOLDEN, 'bert-seq-cls'))) {
    if (!f.startsWith('reference') && f !== 'tokenizer.json') copyFileSync(path.join(GOLDEN, 'bert-seq-cls', f), path.join(model, f));
  }
  mkdirSync(configDir);
  const data = sentences(48);
  writeFileSync(path.join(configDir, 'ner.conll'), data.conll);
  writeFileSync(rows, data.tsv);
  const tasks = config('tasks.json', { tasks: heads, maxSteps: 12, batchSize: 4, maxLength: 16, evalEvery: 6, validationSplit: 0.25, learningRate: 1e-2, multiTask: { sampler: 'round-robin', watch: 'topic' } });
  trained = await layerwise('train', '--model', model, '--config', tasks, '--data', rows, '--out', out, '--json');
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('layerwise train --config tasks.json', () => {
  it('trains every head and prints each head\'s evaluation, the watched head\'s as the run\'s', () => {
    expect(trained.code, trained.stderr).toBe(0);
    const lines = trained.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([6, 12]);
    for (const l of lines) {
      expect(Object.keys(l.tasks)).toEqual(['ner', 'sentiment', 'topic']);
      expect(l.accuracy).toBe(l.tasks.topic.accuracy);
    }
    expect(trained.stderr).toMatch(/3 heads \(ner: token-cls, split evaluation data; sentiment: seq-cls, split evaluation data; topic: seq-cls, split evaluation data\)/);
  });

  it('writes the primary head as the folder, each other head as a complete folder in heads/<name>/', () => {
    expect(json(path.join(out, 'config.json')).architectures).toEqual(['BertForTokenClassification']);
    const sentiment = json(path.join(out, 'heads', 'sentiment', 'config.json'));
    const topic = json(path.join(out, 'heads', 'topic', 'config.json'));
    expect([sentiment.architectures, sentiment.id2label]).toEqual([['BertForSequenceClassification'], { 0: 'neg', 1: 'pos' }]);
    expect([topic.architectures, topic.id2label]).toEqual([['BertForSequenceClassification'], { 0: 'arts', 1: 'people', 2: 'place' }]);
    const primary = readdirSync(out).filter((f) => f !== 'heads').sort();
    for (const name of ['sentiment', 'topic']) expect(readdirSync(path.join(out, 'heads', name)).sort()).toEqual(primary);
    expect(readdirSync(path.join(out, 'heads')).sort()).toEqual(['sentiment', 'topic']);
  });

  it('describes every head in the card, and each folder\'s metrics are its own head\'s', () => {
    const card = readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(card).toContain('## Multi-task');
    expect(card).toMatch(/\| `ner` — this folder \| token classification \| `\.` \(the primary\) \| `ner\.conll`/);
    expect(card).toMatch(/\| `sentiment` \| sequence classification \| `heads\/sentiment\/` \| `rows\.tsv` .* \| 1 \| 2 \|/);
    expect(card).toMatch(/\| `topic` \| sequence classification \| `heads\/topic\/` \| `rows\.tsv` .* \| 2 \| 3 \|/);
    expect(card).toMatch(/One encoder trained with 3 heads, one head per optimizer step by round-robin sampling, .*the run watched eval_loss of head `topic`\./);
    expect(readFileSync(path.join(out, 'heads', 'topic', 'README.md'), 'utf8')).toMatch(/\| `topic` — this folder \|/);
    const all = json(path.join(out, 'metrics.json'));
    for (const name of ['ner', 'sentiment', 'topic']) {
      const own = name === 'ner' ? all : json(path.join(out, 'heads', name, 'metrics.json'));
      for (const k of ['eval_loss', 'accuracy', 'f1_macro']) expect(own[k], `${name} ${k}`).toBe(all.tasks[name][k]);
    }
  });

  it('a head\'s folder is a plain model that layerwise eval reads as it is', async () => {
    const r = await layerwise('eval', '--model', path.join(out, 'heads', 'topic'), '--data', rows, '--label-col', 'topic', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).labels).toEqual(['arts', 'people', 'place']);
  });

  it('resumed after Ctrl-C (the heads\' files named by the checkpoint\'s config), ends bit for bit where an uninterrupted run ends', async () => {
    // --resume has no config file: the heads' paths are read from the working directory, so these are absolute.
    const file = config('resume.json', { tasks: [{ ...heads[0], data: path.join(configDir, 'ner.conll') }, { ...heads[2], data: rows }], maxSteps: 12, batchSize: 4, maxLength: 16, evalEvery: 4, learningRate: 1e-2 });
    const args = ['train', '--model', model, '--config', file, '--overwrite'];
    const whole = await layerwise(...args, '--out', path.join(work, 'whole'));
    expect(whole.code, whole.stderr).toBe(0);
    const checkpoints = path.join(work, 'checkpoints');
    const first = await layerwiseInterrupted(/step \d+\/12/, ...args, '--checkpoint-dir', checkpoints, '--out', path.join(work, 'part'));
    const stoppedAt = Number(/stopped after (\d+) steps/.exec(first.stderr)?.[1]);
    expect([first.code, stoppedAt > 0 && stoppedAt < 12], first.stderr).toEqual([0, true]);
    const resumed = await layerwise('train', '--model', model, '--resume', checkpoints, '--out', path.join(work, 'resumed'));
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const weights of ['model.safetensors', 'heads/topic/model.safetensors']) {
      const a = await readTensors(path.join(work, 'whole', weights));
      const b = await readTensors(path.join(work, 'resumed', weights));
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [name, w] of a) expect(Buffer.from((b.get(name) as Float32Array).buffer).equals(Buffer.from(w.buffer)), `${weights} ${name}`).toBe(true);
    }
  }, 60_000);

  it.each([
    ['a bad value', { tasks: [heads[0], { ...heads[1], labelColumn: 5 }] }, 'TRAIN_CONFIG_INVALID', 'tasks[1].labelColumn'],
    ['a column the file lacks', { tasks: [heads[0], heads[1], { ...heads[2], labelColumn: 'topix' }] }, 'DATASET_UNKNOWN_COLUMN', 'tasks[2].labelColumn'],
    ['a task its file cannot feed', { tasks: [heads[0], { name: 'tags', task: 'token-cls' }] }, 'TRAIN_TASK_DATA_MISMATCH', 'tasks[1].task'],
    ['no data', { tasks: [{ ...heads[1], data: null }] }, 'CLI_MISSING_OPTION', 'tasks[0].data'],
  ])('refuses %s, naming the head\'s field', async (name, value, code, field) => {
    const file = config(`${name.replace(/ /g, '-')}.json`, value);
    const args = ['train', '--model', model, '--config', file, '--out', path.join(work, 'refused'), '--json'];
    const r = await layerwise(...args, ...(code === 'CLI_MISSING_OPTION' ? [] : ['--data', rows]));
    expect(r.code).not.toBe(0);
    const error = JSON.parse(r.stdout.trim().split('\n').at(-1) as string).error;
    expect([error.code, error.location.field]).toEqual([code, field]);
  });
});
