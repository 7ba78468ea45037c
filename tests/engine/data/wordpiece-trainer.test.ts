// The WordPiece trainer against HF tokenizers' Rust WordPieceTrainer (wordpiece-reference.json, made by
// make_wordpiece_reference.mjs: alphabet, "##" set and every merge that is the same in 40 Rust runs), plus its
// options checked from the word counts themselves, and the written files read back by loadTokenizer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countWords } from '../../../src/engine/data/bert-words';
import { trainWordPiece, vocabCoverage, wordPieceFiles } from '../../../src/engine/data/wordpiece-trainer';
import { bytesFile } from '../../../src/formats/source-file';
import { loadTokenizer, tokenizerFromVocab } from '../../../src/formats/tokenizer';
import { LayerwiseError } from '../../../src/lib/errors';

const HERE = import.meta.dirname;
interface RustTraining {
  vocab_sizes: number[];
  alphabet: string[];
  continuing: string[];
  stable_merges: string[];
}
const reference = JSON.parse(readFileSync(path.join(HERE, 'wordpiece-reference.json'), 'utf8')) as {
  corpus: RustTraining;
  synthetic: RustTraining & { word_counts: Record<string, number> };
};
const corpusText = readFileSync(path.join(HERE, 'wordpiece-corpus.txt'), 'utf8');
const corpus = countWords([corpusText], { lowercase: true });
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
/** tokenizer.train's WordPieceTrainer defaults, which the Rust reference used. */
const RUST_DEFAULTS = { vocabSize: 30000, minFrequency: 0, limitAlphabet: null, specialTokens: [] };

/** Alphabet, "##" chars (sorted) and merged tokens of a vocabulary without special tokens. */
function sections(vocab: string[], alphabetSize: number) {
  const single = (t: string) => [...t].length === 1;
  let end = alphabetSize;
  while (end < vocab.length && vocab[end].startsWith('##') && single(vocab[end].slice(2))) end++;
  return { alphabet: vocab.slice(0, alphabetSize), continuing: vocab.slice(alphabetSize, end).sort(), merged: vocab.slice(end) };
}

/** Occurrences of a token in the counted words: "##x" anywhere but at the start, "x" at the start. */
function occurrences(token: string, counts: Map<string, number>): number {
  const inner = token.startsWith('##');
  const s = inner ? token.slice(2) : token;
  let n = 0;
  for (const [word, count] of counts) {
    if (!inner) n += word.startsWith(s) ? count : 0;
    else for (let i = word.indexOf(s, 1); i !== -1; i = word.indexOf(s, i + 1)) n += count;
  }
  return n;
}

describe('trainWordPiece against the Rust WordPieceTrainer', () => {
  it('learns the same alphabet, "##" chars and merges on the synthetic words (no ties)', () => {
    const ref = reference.synthetic;
    const result = trainWordPiece(new Map(Object.entries(ref.word_counts)), RUST_DEFAULTS);
    const ours = sections(result.vocab, result.alphabetSize);
    expect(ours.alphabet).toEqual(ref.alphabet);
    expect(ours.continuing).toEqual(ref.continuing);
    expect(ours.merged).toEqual(ref.stable_merges);
    expect(ref.vocab_sizes).toEqual([result.vocab.length]);
    expect(result.stoppedBy).toBe('no-pairs');
  });

  it('learns the same alphabet, "##" chars and order-free merges on natural text', () => {
    const ref = reference.corpus;
    const result = trainWordPiece(corpus, RUST_DEFAULTS);
    const ours = sections(result.vocab, result.alphabetSize);
    expect(ours.alphabet).toEqual(ref.alphabet);
    expect(ours.continuing).toEqual(ref.continuing);
    expect(ours.merged.slice(0, ref.stable_merges.length)).toEqual(ref.stable_merges);
    // Rust's runs end between these sizes, depending on how ties fell.
    expect(result.vocab.length).toBeGreaterThanOrEqual(Math.min(...ref.vocab_sizes) - 3);
    expect(result.vocab.length).toBeLessThanOrEqual(Math.max(...ref.vocab_sizes) + 3);
  });
});

describe('trainWordPiece options', () => {
  it('puts the special tokens first, in order, then the alphabet in code point order', () => {
    const { vocab, alphabetSize } = trainWordPiece(corpus, { vocabSize: 400 });
    expect(vocab.slice(0, 5)).toEqual(SPECIALS);
    const alphabet = vocab.slice(5, 5 + alphabetSize);
    expect(alphabet).toEqual([...new Set([...corpus.keys()].flatMap((w) => [...w]))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
    expect(new Set(vocab).size).toBe(vocab.length);
  });

  it('stops at vocabSize, and a smaller vocabulary is a prefix of a larger one', () => {
    const small = trainWordPiece(corpus, { vocabSize: 300, minFrequency: 0 });
    const large = trainWordPiece(corpus, { vocabSize: 500, minFrequency: 0 });
    expect(small.vocab).toHaveLength(300);
    expect(small.stoppedBy).toBe('vocab-size');
    expect(large.vocab).toHaveLength(500);
    expect(large.vocab.slice(0, 300)).toEqual(small.vocab);
  });

  it('stops at the first pair rarer than minFrequency: every merged token occurs that often', () => {
    const all = trainWordPiece(corpus, { vocabSize: 30000, minFrequency: 0 });
    for (const minFrequency of [2, 5]) {
      const result = trainWordPiece(corpus, { vocabSize: 30000, minFrequency });
      expect(result.stoppedBy).toBe('min-frequency');
      expect(all.vocab.slice(0, result.vocab.length)).toEqual(result.vocab);
      const merged = sections(result.vocab.slice(5), result.alphabetSize).merged;
      expect(merged.length).toBeGreaterThan(20);
      for (const token of merged) expect(occurrences(token, corpus)).toBeGreaterThanOrEqual(minFrequency);
    }
  });

  it('keeps the limitAlphabet most frequent chars and skips the others', () => {
    const freq = new Map<string, number>();
    for (const [word, count] of corpus) for (const ch of word) freq.set(ch, (freq.get(ch) ?? 0) + count);
    const byCount = [...freq].sort((a, b) => b[1] - a[1]);
    const limit = 20;
    expect(byCount[limit - 1][1]).toBeGreaterThan(byCount[limit][1]); // no tie at the cut
    const result = trainWordPiece(corpus, { vocabSize: 300, limitAlphabet: limit });
    expect(result.alphabetSeen).toBe(freq.size);
    expect(result.alphabetSize).toBe(limit);
    expect(new Set(result.vocab.slice(5, 5 + limit))).toEqual(new Set(byCount.slice(0, limit).map(([c]) => c)));
    const dropped = byCount.slice(limit).map(([c]) => c);
    for (const token of result.vocab.slice(5 + limit)) expect(dropped.some((c) => token.includes(c))).toBe(false);
  });

  it('is deterministic', () => {
    const a = trainWordPiece(corpus, { vocabSize: 600, minFrequency: 1 });
    const b = trainWordPiece(new Map(corpus), { vocabSize: 600, minFrequency: 1 });
    expect(b).toEqual(a);
  });

  it('refuses bad options and empty input with coded errors', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof LayerwiseError ? err.code : String(err);
      }
      return 'no error';
    };
    expect(code(() => trainWordPiece(corpus, { vocabSize: 0 }))).toBe('VOCAB_INVALID_OPTION');
    expect(code(() => trainWordPiece(corpus, { minFrequency: 1.5 }))).toBe('VOCAB_INVALID_OPTION');
    expect(code(() => trainWordPiece(corpus, { limitAlphabet: 0 }))).toBe('VOCAB_INVALID_OPTION');
    expect(code(() => trainWordPiece(corpus, { specialTokens: ['[A]', '[A]'] }))).toBe('VOCAB_INVALID_OPTION');
    expect(code(() => trainWordPiece(new Map(), {}))).toBe('VOCAB_NO_WORDS');
  });
});

describe('the written files', () => {
  const { vocab } = trainWordPiece(corpus, { vocabSize: 500 });
  const files = wordPieceFiles(vocab, { lowercase: true, modelMaxLength: 512 });
  const folder = new Map(Object.entries(files).map(([name, text]) => [name, bytesFile(name, new TextEncoder().encode(text))]));

  it('encode every word of the training text without [UNK] (the alphabet covers it)', () => {
    const { tokenizer } = tokenizerFromVocab(files['vocab.txt'], { lowercase: true });
    const coverage = vocabCoverage(corpus, tokenizer);
    expect(coverage.coverage).toBe(1);
    expect(coverage.words).toBe([...corpus.values()].reduce((a, b) => a + b, 0));
    expect(coverage.subwordsPerWord).toBeGreaterThanOrEqual(1);
    const unseen = countWords(['Bakers: ☃ bread'], { lowercase: true });
    expect(vocabCoverage(unseen, tokenizer).coverage).toBeCloseTo(3 / 4);
  });

  it('tokenizer.json gives the same ids as the tokenizer built from vocab.txt', async () => {
    const fromJson = (await loadTokenizer(folder)).tokenizer;
    const fromVocab = tokenizerFromVocab(files['vocab.txt'], { lowercase: true }).tokenizer;
    expect(fromJson.vocabSize).toBe(vocab.length);
    expect(fromJson.special).toEqual({ pad: 0, unk: 1, cls: 2, sep: 3, mask: 4, bos: null, eos: null });
    const lines = [...corpusText.split('\n').filter((l) => l !== ''), 'Unseen: Ζ☃ ÉCLAIRS, quiche & 北京!'];
    for (const line of lines) expect(fromJson.encode(line).ids).toEqual(fromVocab.encode(line).ids);
    expect(fromJson.encode('the baker').tokens).toEqual(['[CLS]', 'the', 'baker', '[SEP]']);
  });

  it('vocab.txt has one token per line and tokenizer_config.json names BertTokenizer', () => {
    expect(files['vocab.txt'].split('\n')).toEqual([...vocab, '']);
    const config = JSON.parse(files['tokenizer_config.json']);
    expect(config).toMatchObject({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 512,
      unk_token: '[UNK]',
      pad_token: '[PAD]',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      mask_token: '[MASK]',
    });
    const json = JSON.parse(files['tokenizer.json']);
    expect(json.normalizer).toEqual({ type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true });
    expect(json.model.vocab).toEqual(Object.fromEntries(vocab.map((t, i) => [t, i])));
  });
});
