// validateInputIds: bad batches are refused with coded errors before they reach the model (webgpu's gather would
// read zeros for an id past the table). Limits come from the fixture configs and transformers' position rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseModelConfig } from '../../../src/engine/models/index';
import { maxSequenceLength, validateInputIds } from '../../../src/engine/models/validate-inputs';
import { FIXTURE_ROOT } from './golden-fixtures';

const configOf = (name: string) => parseModelConfig(readFileSync(join(FIXTURE_ROOT, name, 'config.json'), 'utf8')).config;
const bert = configOf('bert-seq-cls'); // vocab 328, 64 positions, 2 token types
const roberta = configOf('roberta-seq-cls'); // vocab 5, 66 positions, pad_token_id 0
const distilbert = configOf('distilbert-seq-cls');

const coded = (code: string, location?: object) => expect.objectContaining({ code, ...(location ? { location: expect.objectContaining(location) } : {}) });

describe('validateInputIds', () => {
  test('accepts a rectangular batch inside every table', () => {
    expect(() => validateInputIds([[2, 327, 0], [2, 3, 0]], bert, [[0, 1, 1], [0, 0, 0]])).not.toThrow();
  });

  test('refuses an id outside [0, vocab_size), naming row, column and the id', () => {
    expect(() => validateInputIds([[2, 5], [2, 328]], bert)).toThrow(coded('INPUT_ID_OUT_OF_RANGE', { row: 1, column: 1 }));
    expect(() => validateInputIds([[2, 328]], bert)).toThrow(/input_ids\[0\]\[1\] is 328, outside the vocabulary \[0, 328\)/);
    expect(() => validateInputIds([[-1]], bert)).toThrow(coded('INPUT_ID_OUT_OF_RANGE', { row: 0, column: 0 }));
    expect(() => validateInputIds([[1.5]], bert)).toThrow(coded('INPUT_ID_OUT_OF_RANGE'));
    expect(() => validateInputIds([[5]], roberta)).toThrow(coded('INPUT_ID_OUT_OF_RANGE'));
  });

  test('refuses a token type outside [0, type_vocab_size); DistilBERT, which has none, ignores them', () => {
    expect(() => validateInputIds([[2, 3]], bert, [[0, 2]])).toThrow(coded('INPUT_TOKEN_TYPE_OUT_OF_RANGE', { row: 0, column: 1 }));
    expect(() => validateInputIds([[2, 3]], roberta, [[0, 1]])).toThrow(coded('INPUT_TOKEN_TYPE_OUT_OF_RANGE', { row: 0, column: 1 }));
    expect(() => validateInputIds([[2, 3]], distilbert, [[0, 7]])).not.toThrow();
    expect(() => validateInputIds([[2, 3]], bert, [[0, 1, 0]])).toThrow(coded('INPUT_RAGGED'));
    expect(() => validateInputIds([[2, 3]], bert, [[0, 1], [0, 1]])).toThrow(coded('INPUT_RAGGED'));
  });

  test('refuses sequences longer than the position table; RoBERTa loses pad_token_id + 1 positions', () => {
    expect(maxSequenceLength(bert)).toBe(64);
    expect(maxSequenceLength(roberta)).toBe(66 - 0 - 1);
    expect(maxSequenceLength({ ...roberta, max_position_embeddings: 514, pad_token_id: 1 })).toBe(512);
    expect(() => validateInputIds([new Array(64).fill(1)], bert)).not.toThrow();
    expect(() => validateInputIds([new Array(65).fill(1)], bert)).toThrow(coded('INPUT_TOO_LONG'));
    expect(() => validateInputIds([new Array(65).fill(1)], roberta)).not.toThrow();
    expect(() => validateInputIds([new Array(66).fill(1)], roberta)).toThrow(coded('INPUT_TOO_LONG'));
    expect(() => validateInputIds([new Array(66).fill(1)], roberta)).toThrow(
      'sequences of 66 tokens are longer than the 65 positions this model has (max_position_embeddings 66, minus pad_token_id + 1 for RoBERTa): truncate them',
    );
    expect(() => validateInputIds([new Array(65).fill(1)], bert)).toThrow('(max_position_embeddings 64): truncate them');
  });

  test('refuses ragged and empty batches', () => {
    expect(() => validateInputIds([[2, 3, 4], [2, 3]], bert)).toThrow(coded('INPUT_RAGGED', { row: 1 }));
    expect(() => validateInputIds([], bert)).toThrow(coded('INPUT_EMPTY'));
    expect(() => validateInputIds([[]], bert)).toThrow(coded('INPUT_EMPTY'));
  });
});
