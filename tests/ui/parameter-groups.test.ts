// Parameter blocks from checkpoint names (src/ui/features/model/parameter-groups.ts). Shapes follow
// transformers' BertForSequenceClassification with hidden 4, intermediate 8, 2 labels; counts are hand-computed.
import { describe, expect, it } from 'vitest';
import type { ParameterInfo } from '../../src/protocol/messages';
import { groupParameters } from '../../src/ui/features/model/parameter-groups';

// depth plays no part in the grouping.
const p = (name: string, shape: number[]): ParameterInfo => ({ name, shape, depth: 0, nonFinite: 0 });

function layer(prefix: string, i: number): ParameterInfo[] {
  return [
    p(`${prefix}.${i}.attention.self.query.weight`, [4, 4]),
    p(`${prefix}.${i}.attention.self.query.bias`, [4]),
    p(`${prefix}.${i}.intermediate.dense.weight`, [8, 4]),
  ];
}

describe('groupParameters', () => {
  it('groups by block, folds numbered layers into one row, and keeps the head separate', () => {
    const params = [
      p('bert.embeddings.word_embeddings.weight', [10, 4]),
      p('bert.embeddings.LayerNorm.weight', [4]),
      ...layer('bert.encoder.layer', 0),
      ...layer('bert.encoder.layer', 1),
      ...layer('bert.encoder.layer', 2),
      p('bert.pooler.dense.weight', [4, 4]),
      p('classifier.weight', [2, 4]),
      p('classifier.bias', [2]),
    ];
    expect(groupParameters(params)).toEqual([
      { label: 'bert.embeddings', count: 44, repeats: 1 },
      { label: 'bert.encoder.layer.0–2', count: 3 * 52, repeats: 3 },
      { label: 'bert.pooler', count: 16, repeats: 1 },
      { label: 'classifier', count: 10, repeats: 1 },
    ]);
  });

  it('handles DistilBERT and RoBERTa head names and a single layer', () => {
    const params = [
      p('distilbert.embeddings.word_embeddings.weight', [10, 4]),
      ...layer('distilbert.transformer.layer', 0),
      p('pre_classifier.weight', [4, 4]),
      p('classifier.dense.weight', [4, 4]),
      p('classifier.out_proj.weight', [2, 4]),
    ];
    expect(groupParameters(params).map((g) => [g.label, g.count])).toEqual([
      ['distilbert.embeddings', 40],
      ['distilbert.transformer.layer.0', 52],
      ['pre_classifier', 16],
      ['classifier', 24],
    ]);
  });
});
