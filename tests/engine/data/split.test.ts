// Splits: stratified per-class counts worked out by hand (largest remainder), given files used as they are, and
// the cross-split warnings (labels only in validation, the same text in train and validation).
import { describe, expect, it } from 'vitest';
import { makeSplits, stratifiedSplit } from '../../../src/engine/data/split';
import { readDataset, type ExampleDataset, type TokenDataset } from '../../../src/formats/datasets/index';
import { textFile } from '../../formats/datasets/helpers';

const keys = (counts: Record<string, number>) => Object.entries(counts).flatMap(([k, n]) => new Array<string>(n).fill(k));
const perClass = (ks: string[], idx: number[]) => idx.reduce<Record<string, number>>((m, i) => ((m[ks[i]] = (m[ks[i]] ?? 0) + 1), m), {});

describe('stratifiedSplit', () => {
  it('splits every class in the same proportions', () => {
    const ks = keys({ a: 50, b: 30, c: 20 });
    const s = stratifiedSplit(ks, { validation: 0.2, test: 0.1 }, 1);
    expect(perClass(ks, s.validation)).toEqual({ a: 10, b: 6, c: 4 });
    expect(perClass(ks, s.test)).toEqual({ a: 5, b: 3, c: 2 });
    expect(perClass(ks, s.train)).toEqual({ a: 35, b: 21, c: 14 });
    expect([...s.train, ...s.validation, ...s.test].sort((x, y) => x - y)).toEqual(ks.map((_, i) => i));
  });

  it('gives leftover rows to the largest remainders and keeps a singleton class in train', () => {
    // 13 rows, 30% -> round(3.9) = 4 for validation; quotas a 2.15, b 1.54, c 0.31 (c has one row: stays in train).
    const ks = keys({ a: 7, b: 5, c: 1 });
    const s = stratifiedSplit(ks, { validation: 0.3, test: 0 }, 5);
    expect(perClass(ks, s.validation)).toEqual({ a: 2, b: 2 });
    expect(perClass(ks, s.train)).toEqual({ a: 5, b: 3, c: 1 });
  });

  it('is reproducible with a seed and differs with another', () => {
    const ks = keys({ a: 40, b: 40 });
    const one = stratifiedSplit(ks, { validation: 0.25, test: 0 }, 11);
    expect(stratifiedSplit(ks, { validation: 0.25, test: 0 }, 11)).toEqual(one);
    expect(stratifiedSplit(ks, { validation: 0.25, test: 0 }, 12).validation).not.toEqual(one.validation);
  });

  it('refuses ratios that leave nothing to train on', () => {
    expect(() => stratifiedSplit(['a', 'b'], { validation: 0.6, test: 0.4 }, 1)).toThrow(/leave rows for training/);
  });
});

describe('makeSplits', () => {
  const train = async (text: string) => (await readDataset(textFile('train.csv', text))) as ExampleDataset;

  it('uses given validation and test files as they are, with cross-split warnings', async () => {
    const t = await train('text,label\nsame text,a\nother,b\nthird,a\n');
    const v = await train('text,label\nsame text,a\nnew,c\n');
    const splits = makeSplits({ train: t, validation: v }, { validation: 0.5, test: 0 }, 1);
    expect(splits.source).toBe('files');
    expect(splits.train).toBe(t);
    expect(splits.validation).toBe(v);
    expect(splits.test).toBeNull();
    expect(splits.warnings.map((w) => w.code)).toEqual(['DATA_LABEL_ONLY_IN_EVAL', 'DATA_TEXT_IN_TRAIN_AND_EVAL']);
    expect(splits.warnings[0].message).toContain('"c"');
    expect(splits.warnings[1].message).toMatch(/^1 of 2 validation texts/);
  });

  it('splits off validation by ratio with recounted labels', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `text ${i},${i % 4 === 0 ? 'rare' : 'common'}`);
    const t = await train('text,label\n' + rows.join('\n'));
    const splits = makeSplits({ train: t }, { validation: 0.2, test: 0 }, 3);
    expect(splits.source).toBe('ratio');
    expect(splits.validation?.kind === 'examples' && Object.fromEntries(splits.validation.labels)).toEqual({ common: 6, rare: 2 });
    expect(splits.train.kind === 'examples' && Object.fromEntries(splits.train.labels)).toEqual({ common: 24, rare: 8 });
    expect(splits.warnings).toEqual([]);
  });

  it('splits token data at random, sentence by sentence', async () => {
    const text = Array.from({ length: 10 }, (_, i) => `w${i} O\nx${i} B-X\n`).join('\n');
    const t = (await readDataset(textFile('t.conll', text))) as TokenDataset;
    const splits = makeSplits({ train: t }, { validation: 0.2, test: 0.1 }, 9);
    expect([splits.train, splits.validation, splits.test].map((d) => (d as TokenDataset).sentences.length)).toEqual([7, 2, 1]);
    expect((splits.validation as TokenDataset).tags).toEqual(new Map([['O', 2], ['B-X', 2]]));
  });
});
