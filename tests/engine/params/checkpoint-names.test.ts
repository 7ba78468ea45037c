// The rename/drop table with each family's own facts: its tied decoder copies and its pre-training heads are
// dropped with a note, another family's are unexpected; renames only ever yield parameters of the model.
import { describe, expect, it } from 'vitest';
import { getModelFamily } from '../../../src/engine/models';
import { resolveCheckpointName, type NameContext } from '../../../src/engine/params/checkpoint-names';
import type { Task } from '../../../src/protocol/task';
import { tinyConfig } from '../models/golden-fixtures';

function context(name: 'bert' | 'roberta' | 'distilbert' | 'electra', task: Task, tieWordEmbeddings = true): NameContext {
  const config = tinyConfig(name, { tie_word_embeddings: tieWordEmbeddings });
  const family = getModelFamily(config);
  const expected = family.parameterShapes(config, task);
  const others = (['seq-cls', 'token-cls', 'mlm'] as const).filter((t) => t !== task);
  const otherHeads = new Set(others.flatMap((t) => [...family.parameterShapes(config, t).keys()]).filter((n) => !expected.has(n)));
  return { basePrefix: family.basePrefix, expected, otherHeads, tieWordEmbeddings, tiedDecoder: family.tiedDecoder, pretrainingHeads: family.pretrainingHeads };
}

const codeOf = (name: string, ctx: NameContext) => {
  const r = resolveCheckpointName(name, ctx);
  return r.kind === 'drop' ? r.rule.code : r.kind;
};

describe('resolveCheckpointName', () => {
  it("drops a family's tied decoder copies: the bias always, the weight while tie_word_embeddings", () => {
    expect(codeOf('cls.predictions.decoder.weight', context('bert', 'mlm'))).toBe('CHECKPOINT_DROPPED_TIED');
    expect(codeOf('cls.predictions.decoder.bias', context('bert', 'mlm'))).toBe('CHECKPOINT_DROPPED_TIED');
    expect(codeOf('lm_head.decoder.bias', context('roberta', 'mlm'))).toBe('CHECKPOINT_DROPPED_TIED');
    expect(codeOf('vocab_projector.weight', context('distilbert', 'mlm'))).toBe('CHECKPOINT_DROPPED_TIED');
    expect(codeOf('generator_lm_head.weight', context('electra', 'mlm'))).toBe('CHECKPOINT_DROPPED_TIED');
    // Untied, the decoder weight is a parameter of its own, and the other tasks drop it as another head.
    expect(resolveCheckpointName('lm_head.decoder.weight', context('roberta', 'mlm', false))).toMatchObject({ kind: 'param', target: 'lm_head.decoder.weight' });
    expect(codeOf('lm_head.decoder.weight', context('roberta', 'seq-cls', false))).toBe('CHECKPOINT_DROPPED_OTHER_HEAD');
  });

  it("drops a family's pre-training heads, and only its own", () => {
    expect(codeOf('cls.seq_relationship.weight', context('bert', 'seq-cls'))).toBe('CHECKPOINT_DROPPED_OTHER_HEAD');
    expect(codeOf('discriminator_predictions.dense.weight', context('electra', 'token-cls'))).toBe('CHECKPOINT_DROPPED_OTHER_HEAD');
    expect(codeOf('discriminator_predictions.dense.weight', context('bert', 'seq-cls'))).toBe('unexpected');
    expect(codeOf('cls.predictions.decoder.weight', context('distilbert', 'mlm'))).toBe('unexpected');
  });

  it('renames legacy LayerNorm names and adds a missing base prefix, only towards parameters of the model', () => {
    expect(resolveCheckpointName('embeddings.LayerNorm.gamma', context('electra', 'seq-cls'))).toMatchObject({
      kind: 'param',
      target: 'electra.embeddings.LayerNorm.weight',
    });
    expect(codeOf('embeddings.no_such.weight', context('electra', 'seq-cls'))).toBe('unexpected');
  });
});
