// The masked-LM collator against DataCollatorForLanguageModeling's rules: on ~120k maskable tokens with a fixed seed,
// 15% chosen, of those 80% [MASK], 10% a random id, 10% unchanged (tolerances ≈ 4.5 binomial standard deviations);
// special tokens and padding never chosen; whole-word masking chooses whole words only.
import { beforeAll, describe, expect, it } from 'vitest';
import { collate } from '../../../src/engine/data/batches';
import { encodeExamples, type EncodedDataset, type EncodedExample } from '../../../src/engine/data/encode';
import { maskBatch, mlmTokenizerInfo, type MlmTokenizerInfo } from '../../../src/engine/data/mlm-collator';
import { readDataset, type ExampleDataset } from '../../../src/formats/datasets/index';
import type { TextTokenizer } from '../../../src/formats/tokenizer';
import { createRng } from '../../../src/lib/random';
import { textFile } from '../../formats/datasets/helpers';
import { vocabTokenizer } from './tokenizers';

let bert: TextTokenizer;
let info: MlmTokenizerInfo;
beforeAll(async () => {
  bert = await vocabTokenizer('bert-mlm');
  info = mlmTokenizerInfo(bert);
});

function randomData(rows: number, seed: number): EncodedDataset {
  const rng = createRng(seed);
  const examples: EncodedExample[] = [];
  for (let r = 0; r < rows; r++) {
    const n = 40 + rng.int(25);
    const ids = [2, ...Array.from({ length: n }, () => 5 + rng.int(info.vocabSize - 5)), 3];
    examples.push({ ids: Int32Array.from(ids), typeIds: new Uint8Array(ids.length), label: -1 });
  }
  return { task: 'mlm', examples, source: [], label2id: new Map(), id2label: [], maxLength: 128, truncated: 0, skipped: [], warnings: [] };
}

describe('maskBatch', () => {
  it('chooses 15% of ordinary tokens, then 80/10/10, and never specials or padding', () => {
    const data = randomData(2400, 1);
    const rng = createRng(123);
    let maskable = 0;
    let chosen = 0;
    let masked = 0;
    let random = 0;
    let kept = 0;
    let violations = 0;
    for (let start = 0; start < data.examples.length; start += 32) {
      const idx = Array.from({ length: 32 }, (_, k) => start + k);
      const batch = collate(data, idx, { padId: 0, maxLength: 128 });
      const out = maskBatch(batch, info, rng);
      for (let i = 0; i < batch.input_ids.length; i++) {
        const orig = batch.input_ids[i];
        const special = batch.attention_mask[i] === 0 || info.specialIds.has(orig);
        if (special) {
          if (out.labels[i] !== -100 || out.input_ids[i] !== orig) violations++;
          continue;
        }
        maskable++;
        if (out.labels[i] === -100) {
          if (out.input_ids[i] !== orig) violations++;
          continue;
        }
        if (out.labels[i] !== orig) violations++;
        chosen++;
        if (out.input_ids[i] === info.maskId) masked++;
        else if (out.input_ids[i] === orig) kept++;
        else random++;
      }
    }
    expect(violations).toBe(0);
    expect(maskable).toBeGreaterThan(110_000);
    expect(Math.abs(chosen / maskable - 0.15)).toBeLessThan(0.005);
    expect(Math.abs(masked / chosen - 0.8)).toBeLessThan(0.015);
    // A random id equal to the original counts as kept: 10% × (1 - 1/V) and 10% + 10%/V.
    expect(Math.abs(random / chosen - 0.1 * (1 - 1 / info.vocabSize))).toBeLessThan(0.01);
    expect(Math.abs(kept / chosen - (0.1 + 0.1 / info.vocabSize))).toBeLessThan(0.01);
  });

  it('is reproducible with a seed and leaves the batch unchanged', () => {
    const data = randomData(8, 2);
    const batch = collate(data, [0, 1, 2, 3, 4, 5, 6, 7], { padId: 0, maxLength: 128 });
    const before = batch.input_ids.slice();
    const a = maskBatch(batch, info, createRng(9));
    expect(maskBatch(batch, info, createRng(9))).toEqual(a);
    expect(batch.input_ids).toEqual(before);
    expect(maskBatch(batch, info, createRng(10)).labels).not.toEqual(a.labels);
  });

  it('treats [UNK] as special, as get_special_tokens_mask does', () => {
    expect([...info.specialIds].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('whole-word masking', () => {
  it('chooses all subwords of a word together, about 15% of the tokens', async () => {
    const words = ['xyzzy', 'movie', 'unbelievably', 'qwerty', 'great', 'zzz', 'the', 'plugh'];
    const rng = createRng(5);
    const lines = Array.from({ length: 300 }, () => Array.from({ length: 12 }, () => words[rng.int(words.length)]).join(' '));
    const ds = (await readDataset(textFile('c.txt', lines.join('\n')))) as ExampleDataset;
    const data = await encodeExamples(ds, bert, 'mlm', { maxLength: 128, mlmMode: 'line' });
    let chosen = 0;
    let total = 0;
    for (let start = 0; start < data.examples.length; start += 30) {
      const idx = Array.from({ length: 30 }, (_, k) => start + k);
      const batch = collate(data, idx, { padId: 0, maxLength: 128 });
      const out = maskBatch(batch, info, createRng(start), { wholeWord: true });
      for (let b = 0; b < batch.size; b++) {
        const row = b * batch.seqLength;
        const len = data.examples[idx[b]].ids.length;
        const tokens = Array.from(batch.input_ids.subarray(row, row + len), (id) => bert.idToToken(id) ?? '');
        const picked = Array.from(out.labels.subarray(row, row + len), (l) => l !== -100);
        for (let i = 1; i < len; i++) {
          if (tokens[i].startsWith('##')) expect(picked[i], `row ${idx[b]} token ${i}`).toBe(picked[i - 1]);
        }
        const n = picked.filter(Boolean).length;
        expect(n).toBeLessThanOrEqual(Math.round(len * 0.15) + 1);
        chosen += n;
        total += len;
      }
    }
    expect(chosen / total).toBeGreaterThan(0.1);
    expect(chosen / total).toBeLessThan(0.16);
  });
});
