// EDA augmentation: each operation's effect on the words, seeding, the training split only, the preview matching
// what is applied, and for NER that entities are never split, dropped or relabelled.
import { describe, expect, it } from 'vitest';
import { augmentSentence, augmentSplits, augmentText, previewAugmentation } from '../../../src/engine/data/augment';
import { makeSplits } from '../../../src/engine/data/split';
import { readDataset, type ExampleDataset, type TokenDataset } from '../../../src/formats/datasets/index';
import { createRng } from '../../../src/lib/random';
import { textFile } from '../../formats/datasets/helpers';

const sorted = (xs: string[]) => [...xs].sort();
const sentence = 'the quick brown fox jumps over the lazy dog today';

describe('EDA operations', () => {
  it('swap keeps the words, delete keeps a subsequence, insert adds words of the sentence', () => {
    const words = sentence.split(' ');
    const rng = createRng(1);
    for (let k = 0; k < 50; k++) {
      const [swap] = augmentText(sentence, rng, 0.2, ['swap'], 1);
      expect(sorted(swap.text.split(' '))).toEqual(sorted(words));
      const [del] = augmentText(sentence, rng, 0.3, ['delete'], 1);
      const kept = del.text.split(' ');
      expect(kept.length).toBeGreaterThan(0);
      let j = 0;
      for (const w of words) if (j < kept.length && kept[j] === w) j++;
      expect(j).toBe(kept.length);
      const [ins] = augmentText(sentence, rng, 0.2, ['insert'], 1);
      const grown = ins.text.split(' ');
      expect(grown.length).toBe(words.length + 2);
      expect(grown.every((w) => words.includes(w))).toBe(true);
    }
  });

  it('never splits, drops or relabels an entity', () => {
    const s = { tokens: ['Angela', 'Merkel', 'met', 'the', 'press', 'in', 'New', 'York', 'City'], tags: ['B-PER', 'I-PER', 'O', 'O', 'O', 'O', 'B-LOC', 'I-LOC', 'I-LOC'] };
    const entities = (t: { tokens: string[]; tags: string[] }) => {
      const out: string[] = [];
      t.tags.forEach((tag, i) => {
        if (tag.startsWith('B-')) out.push(`${tag.slice(2)}:${t.tokens[i]}`);
        else if (tag.startsWith('I-')) {
          expect(t.tags[i - 1]?.slice(2)).toBe(tag.slice(2));
          out[out.length - 1] += ` ${t.tokens[i]}`;
        }
      });
      return sorted(out);
    };
    const rng = createRng(4);
    for (let k = 0; k < 20; k++) {
      for (const v of augmentSentence(s, rng, 0.4, ['swap', 'delete', 'insert'], 10)) {
        expect(entities(v)).toEqual(['LOC:New York City', 'PER:Angela Merkel']);
        expect(v.tokens.length).toBe(v.tags.length);
      }
    }
  });
});

describe('augmentSplits', () => {
  it('adds seeded variants to train only, and the preview shows the same variants', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `this is example number ${i} here,${i % 2 ? 'a' : 'b'}`);
    const train = (await readDataset(textFile('t.csv', 'text,label\n' + rows.join('\n')))) as ExampleDataset;
    const splits = makeSplits({ train }, { validation: 0.2, test: 0 }, 1);
    const out = augmentSplits(splits, { seed: 7, copies: 2 });
    expect(out.validation).toBe(splits.validation);
    const t = out.train as ExampleDataset;
    const base = splits.train as ExampleDataset;
    expect(t.rows.length).toBe(base.rows.length * 3);
    expect(t.rows.slice(0, base.rows.length)).toEqual(base.rows);
    expect(Object.fromEntries(t.labels)).toEqual({ a: 12, b: 12 });
    expect(augmentSplits(splits, { seed: 7, copies: 2 }).train).toEqual(t);
    expect((augmentSplits(splits, { seed: 8, copies: 2 }).train as ExampleDataset).rows).not.toEqual(t.rows);
    const preview = previewAugmentation(base, { seed: 7, copies: 2 }, 1);
    expect(preview.map((p) => p.after)).toEqual([t.rows[base.rows.length][0], t.rows[base.rows.length + 1][0]]);
    expect(preview[0].before).toBe(base.rows[0][0]);
  });

  it('augments token data entity-aware', async () => {
    const text = 'Angela B-PER\nMerkel I-PER\nspoke O\ntoday O\n\nParis B-LOC\nis O\nnice O\n';
    const train = (await readDataset(textFile('t.conll', text))) as TokenDataset;
    const out = augmentSplits({ train, validation: null, test: null, source: 'files', warnings: [] }, { seed: 1, copies: 3 });
    const t = out.train as TokenDataset;
    expect(t.sentences).toHaveLength(8);
    expect(t.tags.get('B-PER')).toBe(4);
    expect(t.tags.get('I-PER')).toBe(4);
    expect(t.tags.get('B-LOC')).toBe(4);
  });

  it('refuses bad options', () => {
    expect(() => augmentText('a b', createRng(1), 0.1, [], 1)).toThrow();
    expect(() => previewAugmentation({ kind: 'tokens', sentences: [] } as unknown as TokenDataset, { seed: 1, copies: 100 })).toThrow(/0–16 copies/);
  });
});
