// The JSON files of `predict --inputs` and `step --batch` (DESIGN.md "The command line"): token ids, texts for
// the checkpoint's tokenizer, or a fixture reference.json (whose `inputs` key holds the ids); labels for `step`.
import { basename } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../lib/errors';
import type { ModelConfig } from '../formats/hf-config';
import { parseJsonText } from '../formats/json-text';
import { readAll } from '../formats/source-file';
import type { TextTokenizer } from '../formats/tokenizer';
import type { Task } from '../protocol/task';
import { nodeFile } from './node-files';

/** One batch of token ids, [batch, seq] each; token_type_ids only where the file has them. */
export interface IdsBatch {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
}

/** -100: the label that transformers' cross-entropy ignores (padding, unmasked MLM positions). */
export const IGNORE_INDEX = -100;

function bad(file: string, field: string, message: string, row?: number): never {
  throw new LayerwiseError('INPUTS_INVALID', `${file}: ${message}`, row === undefined ? { file, field } : { file, field, row });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON file, with BOM and syntax errors reported by line and column. */
export async function readJsonFile(path: string): Promise<{ value: unknown; file: string }> {
  const file = basename(path);
  let bytes: Uint8Array;
  try {
    bytes = await readAll(nodeFile(path));
  } catch (err) {
    throw new LayerwiseError('INPUTS_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, { file });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    bad(file, '', 'not UTF-8 text');
  }
  return { value: parseJsonText(text, file, 'INPUTS_INVALID_JSON').value, file };
}

/** A rectangular [rows, cols] matrix of integers; rows and cols are checked when given. */
function intMatrix(value: unknown, file: string, field: string, rows?: number, cols?: number): number[][] {
  if (!Array.isArray(value) || value.length === 0) bad(file, field, `"${field}" must be a non-empty array of rows`);
  if (rows !== undefined && value.length !== rows) bad(file, field, `"${field}" has ${value.length} rows, expected ${rows}`);
  const width = cols ?? (Array.isArray(value[0]) ? value[0].length : 0);
  if (width === 0) bad(file, field, `"${field}" rows must be non-empty arrays of integers`, 0);
  value.forEach((row: unknown, r) => {
    if (!Array.isArray(row) || row.length !== width) bad(file, field, `"${field}" row ${r} must hold ${width} integers`, r);
    if (!row.every((x) => Number.isSafeInteger(x))) bad(file, field, `"${field}" row ${r} holds a value that is not an integer`, r);
  });
  return value as number[][];
}

/** The first form: {input_ids, attention_mask?, token_type_ids?}; a missing mask means every position is real. */
export function idsBatch(value: unknown, file: string): IdsBatch {
  if (!isObject(value)) bad(file, '', 'expected an object with "input_ids"');
  const input_ids = intMatrix(value.input_ids, file, 'input_ids');
  const rows = input_ids.length;
  const cols = input_ids[0].length;
  const attention_mask =
    value.attention_mask === undefined
      ? input_ids.map((row) => row.map(() => 1))
      : intMatrix(value.attention_mask, file, 'attention_mask', rows, cols);
  attention_mask.forEach((row, r) => {
    if (!row.every((x) => x === 0 || x === 1)) bad(file, 'attention_mask', `"attention_mask" row ${r} must hold only 0 and 1`, r);
  });
  const batch: IdsBatch = { input_ids, attention_mask };
  if (value.token_type_ids !== undefined) batch.token_type_ids = intMatrix(value.token_type_ids, file, 'token_type_ids', rows, cols);
  return batch;
}

/**
 * `predict --inputs`: ids, `{texts: [...]}` (tokenised with the checkpoint's tokenizer, padded to the longest and
 * truncated to maxLength), or a reference.json whose `inputs` key holds ids. Truncation is reported, not silent.
 */
export function inputsBatch(
  value: unknown,
  file: string,
  tokenizer: TextTokenizer | null,
  maxLength: number,
  notes: string[],
): IdsBatch {
  if (!isObject(value)) bad(file, '', 'expected an object with "input_ids", "texts" or "inputs"');
  if (value.input_ids !== undefined) return idsBatch(value, file);
  if (value.inputs !== undefined) return idsBatch(value.inputs, file);
  if (value.texts === undefined) bad(file, '', 'expected "input_ids", "texts" or "inputs"');
  const texts = value.texts;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string')) {
    bad(file, 'texts', '"texts" must be a non-empty array of strings');
  }
  if (!tokenizer) {
    throw new LayerwiseError('INPUTS_NO_TOKENIZER', `${file} holds texts but the checkpoint has no tokenizer: give token ids`, { file });
  }
  const enc = tokenizer.encodeBatch(texts as string[], { maxLength });
  if (enc.truncated > 0) notes.push(`${enc.truncated} of ${texts.length} texts truncated to ${maxLength} tokens`);
  return { input_ids: enc.input_ids, attention_mask: enc.attention_mask, token_type_ids: enc.token_type_ids };
}

/**
 * `step --batch` labels: [batch] class ids for seq-cls; [batch, seq] for token-cls (class ids) and mlm (token
 * ids), with -100 where the position does not count.
 */
export function labelsFor(value: unknown, file: string, task: Task, batch: IdsBatch, config: ModelConfig): number[] | number[][] {
  const rows = batch.input_ids.length;
  const cols = batch.input_ids[0].length;
  if (task === 'seq-cls') {
    if (!Array.isArray(value) || value.length !== rows) bad(file, 'labels', `"labels" must hold one class id per row (${rows})`);
    value.forEach((l: unknown, r) => {
      if (!Number.isSafeInteger(l) || (l as number) < 0 || (l as number) >= config.num_labels) {
        bad(file, 'labels', `label ${JSON.stringify(l)} of row ${r} is not a class id in [0, ${config.num_labels})`, r);
      }
    });
    return value as number[];
  }
  const labels = intMatrix(value, file, 'labels', rows, cols);
  const limit = task === 'mlm' ? config.vocab_size : config.num_labels;
  labels.forEach((row, r) => {
    const wrong = row.find((l) => l !== IGNORE_INDEX && (l < 0 || l >= limit));
    if (wrong !== undefined) bad(file, 'labels', `label ${wrong} in row ${r} is neither ${IGNORE_INDEX} nor in [0, ${limit})`, r);
  });
  return labels;
}

/** The batch as int32 tensors [batch, seq]; the caller disposes them. */
export function batchTensors(batch: IdsBatch): { input_ids: tf.Tensor2D; attention_mask: tf.Tensor2D; token_type_ids?: tf.Tensor2D } {
  return {
    input_ids: tf.tensor2d(batch.input_ids, undefined, 'int32'),
    attention_mask: tf.tensor2d(batch.attention_mask, undefined, 'int32'),
    ...(batch.token_type_ids ? { token_type_ids: tf.tensor2d(batch.token_type_ids, undefined, 'int32') } : {}),
  };
}
