// Checks a batch of token ids against the model before it becomes a tensor: tfjs-webgpu's gather reads zeros for
// an id outside the table where cpu and wasm throw, so a bad id must never reach the model (RELIABILITY C3, C6).
import { LayerwiseError } from '../../lib/errors';
import type { ModelConfig } from '../../formats/hf-config';
import { getModelFamily } from './index';

/** The longest sequence the position table covers (ModelFamily.positionLimit: RoBERTa loses pad_token_id + 1 rows). */
export function maxSequenceLength(config: ModelConfig): number {
  return getModelFamily(config).positionLimit(config).length;
}

function checkRectangle(rows: number[][], what: string, width: number): void {
  rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== width) {
      const found = Array.isArray(row) ? `${row.length} tokens` : JSON.stringify(row);
      throw new LayerwiseError('INPUT_RAGGED', `${what} row ${r} has ${found}, row 0 has ${width}: every row must have the same length (pad them)`, {
        field: what,
        row: r,
      });
    }
  });
}

function checkRange(rows: number[][], what: string, limit: number, code: string, table: string): void {
  rows.forEach((row, r) => {
    row.forEach((id, c) => {
      if (!Number.isInteger(id) || id < 0 || id >= limit) {
        throw new LayerwiseError(code, `${what}[${r}][${c}] is ${JSON.stringify(id)}, outside the ${table} [0, ${limit})`, {
          field: what,
          row: r,
          column: c,
        });
      }
    });
  });
}

/**
 * Refuses, with a coded error naming row and column (0-based), a batch that is empty or ragged, an id outside
 * [0, vocab_size), a token type outside [0, type_vocab_size), or sequences longer than the position table.
 * Token types are not checked for families without them (DistilBERT ignores them, as transformers does).
 */
export function validateInputIds(input_ids: number[][], config: ModelConfig, tokenTypeIds?: number[][]): void {
  if (!Array.isArray(input_ids) || input_ids.length === 0 || !Array.isArray(input_ids[0]) || input_ids[0].length === 0) {
    throw new LayerwiseError('INPUT_EMPTY', 'input_ids must hold at least one non-empty row of token ids', { field: 'input_ids' });
  }
  const width = input_ids[0].length;
  checkRectangle(input_ids, 'input_ids', width);
  const family = getModelFamily(config);
  const limit = family.positionLimit(config);
  if (width > limit.length) {
    throw new LayerwiseError(
      'INPUT_TOO_LONG',
      `sequences of ${width} tokens are longer than the ${limit.length} positions this model has (max_position_embeddings ${config.max_position_embeddings}${limit.lost === null ? '' : `, ${limit.lost}`}): truncate them`,
      { field: 'input_ids', column: limit.length },
    );
  }
  checkRange(input_ids, 'input_ids', config.vocab_size, 'INPUT_ID_OUT_OF_RANGE', 'vocabulary');
  if (tokenTypeIds === undefined || !family.hasTokenTypes) return;
  if (tokenTypeIds.length !== input_ids.length) {
    throw new LayerwiseError('INPUT_RAGGED', `token_type_ids has ${tokenTypeIds.length} rows, input_ids has ${input_ids.length}`, { field: 'token_type_ids' });
  }
  checkRectangle(tokenTypeIds, 'token_type_ids', width);
  checkRange(tokenTypeIds, 'token_type_ids', config.type_vocab_size, 'INPUT_TOKEN_TYPE_OUT_OF_RANGE', 'token type table');
}
