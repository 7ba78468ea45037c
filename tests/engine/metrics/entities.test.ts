// Entity-level metrics with seqeval 1.2 semantics. seqeval is not installed here, so every expected value is
// derived by hand from seqeval's rules (scheme.py IOB2 Tokens.entities for strict; get_entities' start_of_chunk /
// end_of_chunk for default); each derivation is written next to its case. Spans are [start, end).
import { describe, expect, it } from 'vitest';
import { entityReport, extractEntities } from '../../../src/engine/metrics/entities';

const scores = (precision: number, recall: number, f1: number) => ({ precision, recall, f1 });
function expectScores(actual: { precision: number; recall: number; f1: number }, expected: ReturnType<typeof scores>) {
  expect(actual.precision).toBeCloseTo(expected.precision, 12);
  expect(actual.recall).toBeCloseTo(expected.recall, 12);
  expect(actual.f1).toBeCloseTo(expected.f1, 12);
}

describe('entityReport', () => {
  it("reproduces seqeval's documented example (f1 0.50 in both modes)", () => {
    // True MISC[3,6) and PER[0,2) of sentence 1; predicted MISC[2,6) (wrong span) and PER[0,2): 1 of 2 each way.
    const yTrue = [['O', 'O', 'O', 'B-MISC', 'I-MISC', 'I-MISC', 'O'], ['B-PER', 'I-PER', 'O']];
    const yPred = [['O', 'O', 'B-MISC', 'I-MISC', 'I-MISC', 'I-MISC', 'O'], ['B-PER', 'I-PER', 'O']];
    for (const mode of ['strict', 'default'] as const) {
      const r = entityReport(yTrue, yPred, mode);
      expectScores(r.micro, scores(0.5, 0.5, 0.5));
      expect(r.perType).toEqual([
        { type: 'MISC', precision: 0, recall: 0, f1: 0, support: 1 },
        { type: 'PER', precision: 1, recall: 1, f1: 1, support: 1 },
      ]);
    }
  });

  it('strict drops an entity that starts with I-; default counts it', () => {
    const yTrue = [['B-PER', 'I-PER', 'O', 'B-LOC']];
    const yPred = [['I-PER', 'I-PER', 'O', 'B-LOC']];
    // default: I-PER after O starts a chunk, so predicted {PER[0,2), LOC[3,4)} = truth: P = R = F1 = 1.
    expectScores(entityReport(yTrue, yPred, 'default').micro, scores(1, 1, 1));
    // strict: only B starts an entity, so predicted {LOC[3,4)}: P = 1/1, R = 1/2, F1 = 2·1·0.5/1.5 = 2/3.
    const strict = entityReport(yTrue, yPred, 'strict');
    expectScores(strict.micro, scores(1, 0.5, 2 / 3));
    expect(strict.perType[1]).toEqual({ type: 'PER', precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it('a type change inside an entity: default splits it in two, strict keeps only the B- part', () => {
    const yTrue = [['B-PER', 'I-PER', 'O'], ['B-ORG']];
    const yPred = [['B-PER', 'I-LOC', 'O'], ['B-ORG']];
    // default: I-LOC ends PER[0,1) (type change) and starts LOC[1,2); predicted {PER[0,1), LOC[1,2), ORG}; only ORG
    // is right: P = 1/3, R = 1/2, F1 = 2·(1/3)(1/2)/(5/6) = 0.4.
    expectScores(entityReport(yTrue, yPred, 'default').micro, scores(1 / 3, 1 / 2, 0.4));
    // strict: B-PER followed by I-LOC closes PER[0,1); I-LOC starts nothing; predicted {PER[0,1), ORG}:
    // P = 1/2, R = 1/2, F1 = 0.5.
    expectScores(entityReport(yTrue, yPred, 'strict').micro, scores(0.5, 0.5, 0.5));
  });

  it('averages per type: micro, macro and weighted by support', () => {
    const yTrue = [
      ['B-PER', 'I-PER', 'O', 'B-LOC', 'O', 'B-ORG', 'I-ORG'],
      ['B-LOC', 'O', 'B-PER'],
    ];
    const yPred = [
      ['B-PER', 'I-PER', 'O', 'B-LOC', 'O', 'B-ORG', 'O'],
      ['B-ORG', 'O', 'B-PER'],
    ];
    // Truth: PER ×2, LOC ×2, ORG[5,7) ×1. Predicted: PER ×2 (both right), LOC[3,4) (right), ORG[5,6) and ORG in
    // sentence 1 (both wrong). LOC: P 1/1, R 1/2, F1 2/3; ORG: 0, 0, 0; PER: 1, 1, 1.
    const r = entityReport(yTrue, yPred);
    expect(r.perType.map((t) => [t.type, t.support])).toEqual([
      ['LOC', 2],
      ['ORG', 1],
      ['PER', 2],
    ]);
    expectScores(r.perType[0], scores(1, 0.5, 2 / 3));
    expectScores(r.micro, scores(3 / 5, 3 / 5, 3 / 5)); // 3 right of 5 predicted, of 5 true
    expectScores(r.macro, scores(2 / 3, 0.5, 5 / 9)); // means of (1, 0, 1), (0.5, 0, 1), (2/3, 0, 1)
    expectScores(r.weighted, scores(0.8, 0.6, 2 / 3)); // weights 2, 1, 2 over 5: (2+0+2)/5, (1+0+2)/5, (4/3+0+2)/5
  });

  it('gives zeros, not NaN, when there are no entities at all', () => {
    const r = entityReport([['O', 'O']], [['O', 'O']]);
    expect(r.perType).toEqual([]);
    expect(r.micro).toEqual(scores(0, 0, 0));
    expect(r.macro).toEqual(scores(0, 0, 0));
  });

  it('refuses sequences of different lengths', () => {
    expect(() => entityReport([['O', 'B-PER']], [['O']])).toThrow(
      expect.objectContaining({ code: 'METRICS_LENGTH_MISMATCH' }),
    );
  });
});

describe('extractEntities', () => {
  it('never joins entities across sentences; default starts one at a leading I-', () => {
    const sentences = [['O', 'B-PER'], ['I-PER', 'O']];
    expect(extractEntities(sentences, 'strict')).toEqual([{ sentence: 0, type: 'PER', start: 1, end: 2 }]);
    expect(extractEntities(sentences, 'default')).toEqual([
      { sentence: 0, type: 'PER', start: 1, end: 2 },
      { sentence: 1, type: 'PER', start: 0, end: 1 },
    ]);
  });

  it('splits B-X B-X into two entities in both modes', () => {
    const expected = [
      { sentence: 0, type: 'PER', start: 0, end: 1 },
      { sentence: 0, type: 'PER', start: 1, end: 2 },
    ];
    expect(extractEntities([['B-PER', 'B-PER']], 'strict')).toEqual(expected);
    expect(extractEntities([['B-PER', 'B-PER']], 'default')).toEqual(expected);
  });

  it('reads IOBES in default mode: S- is a one-token entity, E- closes one', () => {
    // S-PER: start (S) then end at the next tag (prev S); B-LOC E-LOC: no end between B and E of one type, E ends it.
    expect(extractEntities([['S-PER', 'O', 'B-LOC', 'E-LOC']], 'default')).toEqual([
      { sentence: 0, type: 'PER', start: 0, end: 1 },
      { sentence: 0, type: 'LOC', start: 2, end: 4 },
    ]);
  });

  it('refuses tags outside the scheme, naming the tag and sentence', () => {
    expect(() => extractEntities([['O'], ['S-PER']], 'strict')).toThrow(
      expect.objectContaining({ code: 'ENTITY_TAG_INVALID', location: { row: 1 } }),
    );
    expect(() => extractEntities([['PER']], 'default')).toThrow(/"PER" in sentence 0/);
    expect(() => extractEntities([['B-']], 'strict')).toThrow(expect.objectContaining({ code: 'ENTITY_TAG_INVALID' }));
  });
});
