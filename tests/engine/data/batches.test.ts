// Batch order (a pure function of seed and epoch), length grouping as LengthGroupedSampler, dynamic padding to a
// multiple of padMultiple, and the collated arrays checked element by element on hand-made examples.
import { describe, expect, it } from 'vitest';
import { collate, paddedLength, planBatches } from '../../../src/engine/data/batches';
import type { EncodedDataset, EncodedExample } from '../../../src/engine/data/encode';

const lengths = Array.from({ length: 103 }, (_, i) => 5 + ((i * 37) % 60));

describe('planBatches', () => {
  it('visits every example once per epoch, the same way for the same seed and epoch', () => {
    const a = planBatches(lengths, { batchSize: 8, seed: 1, epoch: 0, shuffle: true });
    expect(a.flat().sort((x, y) => x - y)).toEqual(lengths.map((_, i) => i));
    expect(a.map((b) => b.length)).toEqual([...new Array(12).fill(8), 7]);
    expect(planBatches(lengths, { batchSize: 8, seed: 1, epoch: 0, shuffle: true })).toEqual(a);
    expect(planBatches(lengths, { batchSize: 8, seed: 1, epoch: 1, shuffle: true })).not.toEqual(a);
  });

  it('keeps file order without shuffling, and can drop the last batch', () => {
    const b = planBatches(lengths, { batchSize: 10, seed: 1, epoch: 0, shuffle: false, dropLast: true });
    expect(b).toHaveLength(10);
    expect(b[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('groups by length inside mega-batches, longest first', () => {
    const b = planBatches(lengths, { batchSize: 4, seed: 2, epoch: 0, shuffle: true, groupByLength: true });
    // 103 // (4 * 4) = 6 batches per mega-batch of 24 examples; each mega-batch sorted longest first.
    const order = b.flat();
    for (let m = 0; m < order.length; m += 24) {
      const ls = order.slice(m, m + 24).map((i) => lengths[i]);
      expect(ls).toEqual([...ls].sort((x, y) => y - x));
    }
    expect(lengths[b[0][0]]).toBe(Math.max(...lengths));
  });
});

describe('collate', () => {
  const ex = (ids: number[], label: number, tokenLabels?: number[]): EncodedExample => ({
    ids: Int32Array.from(ids),
    typeIds: Uint8Array.from(ids.map((_, i) => (i >= 3 ? 1 : 0))),
    label,
    tokenLabels: tokenLabels ? Int32Array.from(tokenLabels) : undefined,
  });
  const data = (task: EncodedDataset['task'], examples: EncodedExample[]): EncodedDataset => ({
    task, examples, source: [], label2id: new Map(), id2label: [], maxLength: 12, truncated: 0, skipped: [], warnings: [],
  });

  it('pads to the longest example rounded up to the multiple, never past maxLength', () => {
    expect(paddedLength(5, { padId: 0, maxLength: 512 })).toBe(16);
    expect(paddedLength(17, { padId: 0, maxLength: 512, padMultiple: 8 })).toBe(24);
    expect(paddedLength(500, { padId: 0, maxLength: 500 })).toBe(500);
  });

  it('builds flat right-padded arrays for sequence classification', () => {
    const d = data('seq-cls', [ex([2, 10, 11, 3], 1), ex([2, 12, 3], 0)]);
    const b = collate(d, [0, 1], { padId: 9, maxLength: 12, padMultiple: 8 });
    expect([b.size, b.seqLength]).toEqual([2, 8]);
    expect([...b.input_ids]).toEqual([2, 10, 11, 3, 9, 9, 9, 9, 2, 12, 3, 9, 9, 9, 9, 9]);
    expect([...b.attention_mask]).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect([...b.token_type_ids]).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...b.labels]).toEqual([1, 0]);
  });

  it('pads token labels with -100', () => {
    const d = data('token-cls', [ex([2, 10, 3], 0, [-100, 4, -100])]);
    const b = collate(d, [0], { padId: 0, maxLength: 12, padMultiple: 4 });
    expect([...b.labels]).toEqual([-100, 4, -100, -100]);
  });

  it('uses only a few shapes over a whole epoch', () => {
    const examples = lengths.map((n) => ex(Array.from({ length: n }, (_, i) => i + 5), 0));
    const d = { ...data('seq-cls', examples), maxLength: 64 };
    const shapes = new Set(planBatches(lengths, { batchSize: 4, seed: 3, epoch: 0, shuffle: true }).map((idx) => collate(d, idx, { padId: 0, maxLength: 64 }).seqLength));
    expect([...shapes].every((s) => s % 16 === 0 && s <= 64)).toBe(true);
  });
});
