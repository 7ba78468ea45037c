// CJK ideographs outside the BMP (issue #15 item 8): BERT's normalizer spaces every CJK ideograph out as a word of
// its own, but @huggingface/tokenizers 0.2.0 tests UTF-16 code units, so "x𠀀y" stayed one word and became [UNK]
// whole. The wrapper spaces them out first. Expected tokens are those of the independent BERT basic tokenizer
// ../shared/reference/ref_wordpiece.py on the same vocabulary (run again here when it and python3 are present).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenizerFromVocab } from '../../src/formats/tokenizer';

const [B, C, D, E, COMPAT] = [0x20000, 0x2a700, 0x2b740, 0x2b920, 0x2f800].map((cp) => String.fromCodePoint(cp));
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'x', 'y', '##x', '##y', 'a', '\u4e3d', B, C];
const CASES: [string, string[]][] = [
  [`x${B}y`, ['[CLS]', 'x', B, 'y', '[SEP]']],
  [`a${C}x`, ['[CLS]', 'a', C, 'x', '[SEP]']],
  // Not in the vocabulary: [UNK], but only that char.
  [D, ['[CLS]', '[UNK]', '[SEP]']],
  // U+2F800 is a compatibility ideograph: spaced out, then NFD (accent stripping) makes it U+4E3D.
  [`x${COMPAT}y`, ['[CLS]', 'x', '\u4e3d', 'y', '[SEP]']],
  [`xy${E}`, ['[CLS]', 'x', '##y', '[UNK]', '[SEP]']],
  ['x\u4e3dy', ['[CLS]', 'x', '\u4e3d', 'y', '[SEP]']],
];

const work = mkdtempSync(path.join(tmpdir(), 'layerwise-cjk-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('CJK ideographs outside the BMP', () => {
  const { tokenizer } = tokenizerFromVocab(`${VOCAB.join('\n')}\n`, { lowercase: true });

  it.each(CASES)('%s is split as the Rust and Python BERT tokenizers split it', (text, tokens) => {
    expect(tokenizer.encode(text).tokens).toEqual(tokens);
  });

  it('pre-split words (CoNLL) keep their word ids', () => {
    const { ids, wordIds } = tokenizer.encodeWords([`x${B}y`, 'a'], 16);
    expect(ids.map((id) => tokenizer.idToToken(id))).toEqual(['[CLS]', 'x', B, 'y', 'a', '[SEP]']);
    expect(wordIds).toEqual([null, 0, 0, 0, 1, null]);
  });

  it('tokenize_chinese_chars false leaves them in their word, as the Rust tokenizer does', () => {
    const { tokenizer: off } = tokenizerFromVocab(`${VOCAB.join('\n')}\n`, { lowercase: true, handleChineseChars: false });
    expect(off.encode(`x${B}y`).tokens).toEqual(['[CLS]', '[UNK]', '[SEP]']);
  });

  const reference = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'ref_wordpiece.py');
  it.skipIf(!existsSync(reference))('the expected tokens are the reference tokenizer\'s', () => {
    writeFileSync(path.join(work, 'vocab.txt'), `${VOCAB.join('\n')}\n`);
    writeFileSync(path.join(work, 'texts.json'), JSON.stringify({ texts: CASES.map(([t]) => t) }));
    const out = JSON.parse(execFileSync('python3', [reference, path.join(work, 'vocab.txt'), path.join(work, 'texts.json')], { encoding: 'utf8' })) as { tokens: string[] }[];
    expect(out.map((o) => o.tokens)).toEqual(CASES.map(([, tokens]) => tokens));
  });
});
