// Tokenisation into examples with real tokenizers built from the hf-tiny vocab files. Expected ids come from the
// fixture's vocab.txt line numbers (the, 92; movie, 130; ...), worked out by WordPiece's longest-match rule by hand.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignLabels, alignmentPreview, buildLabelMap, encodeExamples, encodeTokens, IGNORE_INDEX, MAX_CHARS_PER_TOKEN } from '../../../src/engine/data/encode';
import { readDataset, type ExampleDataset, type TokenDataset } from '../../../src/formats/datasets/index';
import type { TextTokenizer } from '../../../src/formats/tokenizer';
import { LayerwiseError } from '../../../src/lib/errors';
import { textFile } from '../../formats/datasets/helpers';
import { fixtureDir, vocabTokenizer } from './tokenizers';

let bert: TextTokenizer;
let roberta: TextTokenizer;
const vocab = readFileSync(resolve(fixtureDir('bert-token-cls'), 'vocab.txt'), 'utf8').split('\n');
const id = (t: string) => vocab.indexOf(t);

beforeAll(async () => {
  bert = await vocabTokenizer('bert-token-cls');
  roberta = await vocabTokenizer('roberta-seq-cls');
});

const examples = async (name: string, text: string) => (await readDataset(textFile(name, text))) as ExampleDataset;
const tokens = async (name: string, text: string) => (await readDataset(textFile(name, text))) as TokenDataset;

describe('sequence classification', () => {
  it('encodes text with [CLS]/[SEP], class ids in sorted order', async () => {
    const ds = await examples('d.csv', 'text,label\nthe movie was great,pos\nthe movie,neg\n');
    const enc = await encodeExamples(ds, bert, 'seq-cls', { maxLength: 16 });
    expect([...enc.examples[0].ids]).toEqual([id('[CLS]'), id('the'), id('movie'), id('was'), id('great'), id('[SEP]')]);
    expect(enc.id2label).toEqual(['neg', 'pos']);
    expect(enc.examples.map((e) => e.label)).toEqual([1, 0]);
    expect(enc.truncated).toBe(0);
  });

  it('encodes a sentence pair with token_type_ids 0 then 1', async () => {
    const ds = await examples('p.csv', 'sentence1,sentence2,label\nthe movie,was great,yes\n');
    const enc = await encodeExamples(ds, bert, 'seq-cls', { maxLength: 16 });
    expect([...enc.examples[0].ids]).toEqual([2, id('the'), id('movie'), 3, id('was'), id('great'), 3]);
    expect([...enc.examples[0].typeIds]).toEqual([0, 0, 0, 0, 1, 1, 1]);
  });

  it('truncates to maxLength and counts the truncated examples', async () => {
    const ds = await examples('t.csv', 'text,label\nthe movie was great,a\nthe movie,a\nthe movie was great and fine,b\n');
    const enc = await encodeExamples(ds, bert, 'seq-cls', { maxLength: 5 });
    expect(enc.examples.map((e) => e.ids.length)).toEqual([5, 4, 5]);
    expect([...enc.examples[0].ids]).toEqual([2, id('the'), id('movie'), id('was'), 3]);
    expect(enc.truncated).toBe(2);
    expect(enc.warnings.map((w) => w.code)).toEqual(['DATA_TRUNCATED']);
  });

  it('leaves out rows whose label the training labels do not have', async () => {
    const ds = await examples('v.csv', 'text,label\nthe movie,a\ngreat,z\n');
    const enc = await encodeExamples(ds, bert, 'seq-cls', { maxLength: 8, label2id: new Map([['a', 0], ['b', 1]]) });
    expect(enc.examples).toHaveLength(1);
    expect(enc.skipped).toEqual([{ index: 1, reason: 'label "z" is not one of the training labels' }]);
    expect(enc.warnings.map((w) => w.code)).toContain('DATA_UNKNOWN_LABELS');
  });

  it('D18: cuts a 1 MB cell before tokenising, truncates it and says so, in bounded time', async () => {
    const huge = 'great '.repeat(175_000);
    const ds = await examples('big.csv', `text,label\n${huge},a\nthe movie,b\n`);
    const t0 = performance.now();
    const enc = await encodeExamples(ds, bert, 'seq-cls', { maxLength: 32 });
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(enc.examples[0].ids.length).toBe(32);
    expect(enc.truncated).toBe(1);
    expect(enc.warnings.find((w) => w.code === 'DATA_LONG_CELL_CUT')?.message).toContain(`over ${(32 * MAX_CHARS_PER_TOKEN).toLocaleString('en-US')} characters`);
  });

  it('reports progress and stops on Cancel', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `the movie ${i},${i % 2}`).join('\n');
    const ds = await examples('many.csv', `text,label\n${rows}\n`);
    const seen: number[] = [];
    await encodeExamples(ds, bert, 'seq-cls', { maxLength: 16, onProgress: (done) => seen.push(done) });
    expect(seen).toEqual([512, 1024, 1200]);
    const ac = new AbortController();
    const run = encodeExamples(ds, bert, 'seq-cls', { maxLength: 16, signal: ac.signal, onProgress: () => ac.abort() });
    await expect(run).rejects.toMatchObject({ code: 'DATA_ENCODE_CANCELLED' });
  });
});

describe('label maps', () => {
  it('sorts integer labels numerically and others by code point', () => {
    expect([...buildLabelMap(['10', '2', '1'])]).toEqual([['1', 0], ['2', 1], ['10', 2]]);
    expect([...buildLabelMap(['b', 'B', 'a'])]).toEqual([['B', 0], ['a', 1], ['b', 2]]);
  });

  it('D17: refuses a head of 50,000 classes', () => {
    const labels = Array.from({ length: 50_000 }, (_, i) => `class ${i}`);
    expect(() => buildLabelMap(labels)).toThrow(LayerwiseError);
    expect(() => buildLabelMap(labels)).toThrow(/50,000 classes/);
  });

  it('D17: the reader warns about very many classes and a single class', async () => {
    const many = await examples('m.csv', 'text,label\n' + Array.from({ length: 100 }, (_, i) => `t${i},l${i}`).join('\n'));
    expect(many.warnings.map((w) => w.code)).toContain('DATASET_MANY_CLASSES');
    const one = await examples('o.csv', 'text,label\na,x\nb,x\n');
    expect(one.warnings.map((w) => w.code)).toContain('DATASET_ONE_CLASS');
  });
});

describe('token classification alignment', () => {
  it('labels the first subword of each word and ignores the rest, as run_ner.py does', () => {
    expect([...alignLabels([null, 0, 1, 1, 1, 2, null], [5, 6, 7])]).toEqual([-100, 5, 6, -100, -100, 7, -100]);
  });

  it('aligns WordPiece subwords', async () => {
    const ds = await tokens('n.conll', 'Paris B-LOC\nxyzzy O\nlovely O\n');
    const enc = await encodeTokens(ds, bert, { maxLength: 32 });
    const ids = enc.label2id;
    // [CLS] paris x ##y ##z ##z ##y lovely [SEP]
    expect([...enc.examples[0].ids]).toEqual([2, id('paris'), id('x'), id('##y'), id('##z'), id('##z'), id('##y'), id('lovely'), 3]);
    expect([...(enc.examples[0].tokenLabels ?? [])]).toEqual([IGNORE_INDEX, ids.get('B-LOC'), ids.get('O'), -100, -100, -100, -100, ids.get('O'), -100]);
  });

  it('shows the alignment for the preview, for WordPiece and byte-level BPE', async () => {
    const sentence = { tokens: ['Paris', 'xyz'], tags: ['B-LOC', 'O'] };
    expect(alignmentPreview(sentence, bert, 32)).toEqual([
      { token: '[CLS]', word: null, tag: null },
      { token: 'paris', word: 0, tag: 'B-LOC' },
      { token: 'x', word: 1, tag: 'O' },
      { token: '##y', word: 1, tag: null },
      { token: '##z', word: 1, tag: null },
      { token: '[SEP]', word: null, tag: null },
    ]);
    const bpe = alignmentPreview({ tokens: ['the', 'movies'], tags: ['O', 'B-X'] }, roberta, 32);
    expect(bpe[0]).toEqual({ token: '<s>', word: null, tag: null });
    expect(bpe[bpe.length - 1]).toEqual({ token: '</s>', word: null, tag: null });
    const firsts = bpe.filter((r) => r.tag !== null);
    expect(firsts.map((r) => [r.word, r.tag])).toEqual([[0, 'O'], [1, 'B-X']]);
    expect(firsts.every((r) => r.token.startsWith('Ġ'))).toBe(true);
  });

  it('counts sentences cut at maxLength', async () => {
    const ds = await tokens('n.conll', 'Paris B-LOC\nxyzzy O\nlovely O\n\nthe O\n');
    const enc = await encodeTokens(ds, bert, { maxLength: 5 });
    expect(enc.truncated).toBe(1);
    expect(enc.examples[0].ids.length).toBe(5);
  });
});

describe('masked-LM examples', () => {
  it('groups lines into blocks of maxLength and drops the remainder, as group_texts does', async () => {
    const ds = await examples('c.txt', 'the movie\nwas great\nthe movie was great\n');
    // [CLS] the movie [SEP] [CLS] was great [SEP] [CLS] the movie was great [SEP] = 14 tokens -> 3 blocks of 4.
    const enc = await encodeExamples(ds, bert, 'mlm', { maxLength: 4, mlmMode: 'group' });
    expect(enc.examples.map((e) => [...e.ids])).toEqual([
      [2, id('the'), id('movie'), 3],
      [2, id('was'), id('great'), 3],
      [2, id('the'), id('movie'), id('was')],
    ]);
    expect(enc.source).toEqual([0, 1, 2]);
  });

  it('keeps one line per example in line mode', async () => {
    const ds = await examples('c.txt', 'the movie\nwas great\n');
    const enc = await encodeExamples(ds, bert, 'mlm', { maxLength: 8, mlmMode: 'line' });
    expect(enc.examples.map((e) => e.ids.length)).toEqual([4, 4]);
    expect(enc.examples.every((e) => e.label === -1)).toBe(true);
  });

  it('cuts a long line into consecutive windows, each with [CLS] and [SEP], in window mode; no token is lost', async () => {
    const ds = await examples('c.txt', 'the movie was great the movie\n\nwas great\n');
    const enc = await encodeExamples(ds, bert, 'mlm', { maxLength: 4, mlmMode: 'window' });
    const [the, movie, was, great] = ['the', 'movie', 'was', 'great'].map(id);
    expect(enc.examples.map((e) => [...e.ids])).toEqual([
      [2, the, movie, 3],
      [2, was, great, 3],
      [2, the, movie, 3],
      [2, was, great, 3],
    ]);
    expect(enc.source).toEqual([0, 0, 0, 1]); // the reader leaves the blank line out
    expect(enc.truncated).toBe(0);
  });
});
