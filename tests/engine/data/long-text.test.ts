// Sliding windows over long texts (engine/data/long-text.ts) and their use by the encoders and the evaluation: the
// hand-worked windows and owners of 10 tokens, the examples a long sentence and a long text become, and stitching.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeExamples, encodeTokens, IGNORE_INDEX, textWindows } from '../../../src/engine/data/encode';
import { aggregateWindows, decidingWindows, MAX_WINDOWS, windowOwners, windowSpans } from '../../../src/engine/data/long-text';
import { readDataset, type ExampleDataset, type TokenDataset } from '../../../src/formats/datasets/index';
import type { TextTokenizer } from '../../../src/formats/tokenizer';
import { textFile } from '../../formats/datasets/helpers';
import { fixtureDir, vocabTokenizer } from './tokenizers';

const vocab = readFileSync(resolve(fixtureDir('bert-token-cls'), 'vocab.txt'), 'utf8').split('\n');
const id = (t: string) => vocab.indexOf(t);
let bert: TextTokenizer;
beforeAll(async () => {
  bert = await vocabTokenizer('bert-token-cls');
});

describe('windows and their owners, worked by hand', () => {
  // 10 inner tokens, windows of 4 repeating 2: [0,4) [2,6) [4,8) [6,10). Context of token i in a window is
  // min(i − start, end − 1 − i): token 2 has 1 in the first window and 0 in the second, token 3 has 0 and 1, ...
  it('stride 2: four windows; each token from the window where it sits deepest, the earlier on a tie', () => {
    const spans = windowSpans(10, 4, 2);
    expect(spans).toEqual([{ start: 0, end: 4 }, { start: 2, end: 6 }, { start: 4, end: 8 }, { start: 6, end: 10 }]);
    expect(Array.from(windowOwners(10, spans))).toEqual([0, 0, 0, 1, 1, 2, 2, 3, 3, 3]);
  });

  it('stride 1: three windows, ties at the seams go to the earlier window', () => {
    const spans = windowSpans(10, 4, 1);
    expect(spans).toEqual([{ start: 0, end: 4 }, { start: 3, end: 7 }, { start: 6, end: 10 }]);
    // token 3: context 0 in [0,4) and 0 in [3,7): the earlier; token 6 likewise.
    expect(Array.from(windowOwners(10, spans))).toEqual([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it('a text that fits is one window; a stride of the window length is refused; at most MAX_WINDOWS', () => {
    expect(windowSpans(3, 4, 2)).toEqual([{ start: 0, end: 3 }]);
    expect(() => windowSpans(10, 4, 4)).toThrow(expect.objectContaining({ code: 'DATA_BAD_WINDOWS' }));
    expect(windowSpans(10_000, 4, 0)).toHaveLength(MAX_WINDOWS);
  });

  it('aggregates window logits by mean or max, and names the window with each label\'s highest logit', () => {
    const w = [Float32Array.from([1, -2]), Float32Array.from([3, -4]), Float32Array.from([2, 0])];
    expect(Array.from(aggregateWindows(w, 2, 'mean'))).toEqual([2, -2]);
    expect(Array.from(aggregateWindows(w, 2, 'max'))).toEqual([3, 0]);
    expect(decidingWindows(w, 2)).toEqual([1, 2]);
  });

  it('textWindows keeps the first and last special token around every window', () => {
    // [CLS] a b c d e [SEP], maxLength 5: inner windows of 3 repeating 1: [a b c] [c d e].
    expect(textWindows([2, 10, 11, 12, 13, 14, 3], 5, 1).map((w) => Array.from(w))).toEqual([[2, 10, 11, 12, 3], [2, 12, 13, 14, 3]]);
  });
});

describe('encoding long texts', () => {
  it('token classification: a sentence over maxLength becomes windows; every word labelled in exactly one', async () => {
    const words = 'the movie was great and the movie was good and it is fine'.split(' ');
    const tags = words.map((_, i) => (i % 3 === 0 ? 'B-X' : 'O'));
    const ds = (await readDataset(textFile('s.conll', words.map((w, i) => `${w} ${tags[i]}`).join('\n') + '\n'))) as TokenDataset;
    const enc = await encodeTokens(ds, bert, { maxLength: 6, windows: { stride: 2, aggregate: 'mean' } });
    // 13 words, one subword each: inner windows of 4 repeating 2 over 13 tokens: [0,4) [2,6) [4,8) [6,10) [8,12) [10,13).
    expect(enc.examples).toHaveLength(6);
    expect(enc.source).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(enc.examples[1].ids)).toEqual([id('[CLS]'), id('was'), id('great'), id('and'), id('the'), id('[SEP]')]);
    const owned = enc.examples.flatMap((e) => Array.from(e.wordOf ?? []).filter((w) => w >= 0));
    expect(owned.sort((a, b) => a - b)).toEqual(words.map((_, i) => i));
    // Labels only where the window owns the word; the truth of the whole sentence kept for scoring.
    enc.examples.forEach((e) => e.tokenLabels?.forEach((l, j) => expect(l === IGNORE_INDEX).toBe((e.wordOf as Int32Array)[j] < 0)));
    expect(Array.from(enc.sentenceTags?.[0] ?? [])).toEqual(tags.map((t) => enc.label2id.get(t)));
  });

  it('sequence classification: a long text as windows sharing its label; truncation says how many tokens are lost', async () => {
    const ds = (await readDataset(textFile('l.csv', 'text,label\nthe movie was great and the movie was good and it is fine,pos\nthe movie,neg\n'))) as ExampleDataset;
    const windows = await encodeExamples(ds, bert, 'seq-cls', { maxLength: 8, windows: { stride: 2, aggregate: 'max' } });
    // 13 inner tokens, windows of 6 repeating 2: [0,6) [4,10) [8,13).
    expect(windows.source).toEqual([0, 0, 0, 1]);
    expect(windows.examples.map((e) => e.label)).toEqual([1, 1, 1, 0]);
    expect(windows.tokenStats).toEqual({ tokens: 19, lost: 0 });
    const cut = await encodeExamples(ds, bert, 'seq-cls', { maxLength: 8 });
    expect(cut.tokenStats).toEqual({ tokens: 19, lost: 7 });
    expect(cut.warnings[0].message).toContain('7 of 19 tokens (36.8%) are lost');
  });
});
