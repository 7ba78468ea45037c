// BERT normalisation and pre-tokenisation against HF tokenizers' Rust BertNormalizer and BertPreTokenizer
// (wordpiece-reference.json, made by make_wordpiece_reference.mjs), and chunked word counting.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WordCounter, bertNormalize, bertPreTokenize, countWords, countWordsInTexts } from '../../../src/engine/data/bert-words';

const HERE = import.meta.dirname;
const reference = JSON.parse(readFileSync(path.join(HERE, 'wordpiece-reference.json'), 'utf8')) as {
  normalization: { text: string; lowercase: boolean; normalized: string; words: string[] }[];
};
const corpus = readFileSync(path.join(HERE, 'wordpiece-corpus.txt'), 'utf8');

describe('bertNormalize and bertPreTokenize', () => {
  it.each(reference.normalization.map((c) => [JSON.stringify(c.text).slice(0, 40), c.lowercase, c] as const))(
    'match tokenizers on %s (lowercase %s)',
    (_name, _lowercase, c) => {
      const normalized = bertNormalize(c.text, { lowercase: c.lowercase });
      expect(normalized).toBe(c.normalized);
      expect(bertPreTokenize(normalized)).toEqual(c.words);
    },
  );

  it('strips accents only when asked or when lowercasing, and spaces CJK only when asked', () => {
    expect(bertNormalize('Crème', { lowercase: false, stripAccents: true })).toBe('Creme');
    expect(bertNormalize('Crème', { lowercase: true, stripAccents: false })).toBe('crème');
    expect(bertNormalize('北京', { lowercase: true, handleChineseChars: false })).toBe('北京');
  });
});

describe('WordCounter', () => {
  it('counts the same words whatever the chunk sizes', () => {
    const whole = countWords([corpus], { lowercase: true });
    for (const size of [1, 2, 7, 64]) {
      const counter = new WordCounter({ lowercase: true });
      for (let i = 0; i < corpus.length; i += size) counter.add(corpus.slice(i, i + size));
      const counts = counter.finish();
      expect([...counts].sort()).toEqual([...whole].sort());
      expect(counter.total).toBe([...whole.values()].reduce((a, b) => a + b, 0));
    }
  });

  it('counts by hand on a small text, and ends a word at the end of each text', async () => {
    async function* chunks(...parts: string[]) {
      yield* parts;
    }
    const { counts, total } = await countWordsInTexts([chunks('The cat', "'s hat. The"), chunks('end')], { lowercase: true });
    expect(Object.fromEntries(counts)).toEqual({ the: 2, cat: 1, "'": 1, s: 1, hat: 1, '.': 1, end: 1 });
    expect(total).toBe(8);
  });
});
