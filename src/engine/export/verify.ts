// Every export is checked before it is handed over (the Export panel, `layerwise export`): a few rows go through the
// engine's eval-mode forward and through the exported files read back by another reader — the Hugging Face folder by
// the engine's own strict loader from the written bytes, the ONNX files by ONNX Runtime — and the logits are compared.
// A difference past the tolerance is EXPORT_VERIFY_MISMATCH, and the files are not handed over.
import * as tf from '@tensorflow/tfjs-core';
import { bytesFile } from '../../formats/source-file';
import type { ModelConfig } from '../../formats/hf-config';
import type { TextTokenizer } from '../../formats/tokenizer';
import { LayerwiseError } from '../../lib/errors';
import { createRng, streamId } from '../../lib/random';
import type { ExportCheck, ExportVerification } from '../../protocol/export';
import type { Task } from '../../protocol/task';
import { loadModelFolder, type LoadedModel } from '../load';
import { maxSequenceLength, validateInputIds } from '../models/validate-inputs';
import type { ModelFile } from './model-folder';
import { modelTensors } from '../train/heads';

/**
 * fp32 files, and the folder re-read by the engine: 1e-4 (the figure `layerwise predict` is held to against
 * transformers.js), relative to the logits' scale where that exceeds 1 (MLM logits reach tens).
 */
export const VERIFY_FP32_TOLERANCE = 1e-4;
/**
 * int8 files differ by design (weights rounded to 1/127 of their largest value); a wrong scale or a dropped weight
 * moves logits by their own size. Accepted: 15% of the largest |logit|.
 */
export const VERIFY_INT8_RELATIVE_TOLERANCE = 0.15;

/** A batch of token ids, padded; token_type_ids zeros where the family has none. */
export interface VerifyRows {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  source: ExportVerification['source'];
}

/** Logits in row-major order with their shape: [B, C], [B, S, C] or [B, S, V]. */
export interface Logits {
  data: Float32Array;
  dims: number[];
}

/** Runs an ONNX model (bytes) on int64 feeds and returns the `logits` output. The host supplies ONNX Runtime. */
export interface OnnxRunner {
  /** 'onnxruntime-web 1.31.1' */
  readonly name: string;
  run(model: Uint8Array, feeds: Record<string, { data: BigInt64Array; dims: number[] }>): Promise<Logits>;
}

const GENERATED_ROWS = 4;
const GENERATED_LENGTH = 16;

/**
 * Four seeded rows of ids across the vocabulary (never the pad id), of lengths S, 3S/4, S/2 and 2 padded to S,
 * with a second segment where the model has token types: used where no data is open (the CLI, an empty studio).
 */
export function generatedRows(config: ModelConfig, seed = 0): VerifyRows {
  const length = Math.min(GENERATED_LENGTH, maxSequenceLength(config));
  const rng = createRng(seed, streamId('export-verify'));
  const lengths = [length, Math.ceil((3 * length) / 4), Math.ceil(length / 2), Math.min(2, length)].slice(0, GENERATED_ROWS);
  const rows: VerifyRows = { input_ids: [], attention_mask: [], token_type_ids: [], source: 'generated' };
  for (const n of lengths) {
    const id = () => {
      const x = rng.int(config.vocab_size - 1);
      return x >= config.pad_token_id ? x + 1 : x;
    };
    rows.input_ids.push(Array.from({ length }, (_, i) => (i < n ? id() : config.pad_token_id)));
    rows.attention_mask.push(Array.from({ length }, (_, i) => (i < n ? 1 : 0)));
    rows.token_type_ids.push(Array.from({ length }, (_, i) => (config.type_vocab_size > 1 && i < n && i >= n / 2 ? 1 : 0)));
  }
  return rows;
}

/** Texts (or text pairs) encoded by the model's tokenizer as `layerwise predict` encodes them, padded to the longest. */
export function textRows(tokenizer: TextTokenizer, config: ModelConfig, texts: readonly string[] | readonly (readonly [string, string])[], source: VerifyRows['source']): VerifyRows {
  const batch = tokenizer.encodeBatch(texts, { maxLength: maxSequenceLength(config) });
  return { input_ids: batch.input_ids, attention_mask: batch.attention_mask, token_type_ids: batch.token_type_ids, source };
}

/** The engine's eval-mode logits for the rows (the `layerwise predict` path). */
export async function engineLogits(model: LoadedModel, rows: VerifyRows): Promise<Logits> {
  validateInputIds(rows.input_ids, model.config, rows.token_type_ids);
  const logits = tf.tidy(() => {
    const inputs = {
      input_ids: tf.tensor2d(rows.input_ids, undefined, 'int32'),
      attention_mask: tf.tensor2d(rows.attention_mask, undefined, 'int32'),
      token_type_ids: tf.tensor2d(rows.token_type_ids, undefined, 'int32'),
    };
    return model.family.forward(modelTensors(model), inputs, model.config, model.task, { training: false, lora: model.lora, adapters: model.adapters });
  });
  const data = (await logits.data()) as Float32Array;
  const dims = logits.shape.slice();
  logits.dispose();
  return { data: Float32Array.from(data), dims };
}

/** max |a − b| over attended positions, and how many predictions (argmax) agree. */
export function compareLogits(expected: Logits, actual: Logits, rows: VerifyRows, task: Task): { maxAbsDiff: number; agree: number; compared: number } {
  if (expected.dims.join() !== actual.dims.join()) {
    throw new LayerwiseError('EXPORT_VERIFY_SHAPE', `the exported model's logits have shape [${actual.dims.join(', ')}], the engine's [${expected.dims.join(', ')}]`, { field: 'logits' });
  }
  const classes = expected.dims[expected.dims.length - 1];
  let maxAbsDiff = 0;
  let agree = 0;
  let compared = 0;
  const argmax = (x: Float32Array, at: number) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (x[at + c] > x[at + best]) best = c;
    return best;
  };
  const vectors = task === 'seq-cls' ? rows.input_ids.map((_, b) => b * classes) : rows.attention_mask.flatMap((mask, b) => mask.flatMap((m, s) => (m === 1 ? [(b * mask.length + s) * classes] : [])));
  for (const at of vectors) {
    for (let c = 0; c < classes; c++) {
      const d = Math.abs(expected.data[at + c] - actual.data[at + c]);
      if (!(d <= maxAbsDiff)) maxAbsDiff = d; // NaN counts as the worst
    }
    compared++;
    if (argmax(expected.data, at) === argmax(actual.data, at)) agree++;
  }
  return { maxAbsDiff, agree, compared };
}

function largestMagnitude(x: Float32Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

function check(file: string, reader: string, expected: Logits, actual: Logits, rows: VerifyRows, task: Task, tolerance: number): ExportCheck {
  const { maxAbsDiff, agree, compared } = compareLogits(expected, actual, rows, task);
  return { file, reader, maxAbsDiff, tolerance, agree, compared, passed: maxAbsDiff <= tolerance };
}

/** The fp32 tolerance at the scale of these logits. */
export function fp32Tolerance(expected: Logits): number {
  return VERIFY_FP32_TOLERANCE * Math.max(1, largestMagnitude(expected.data));
}

/** The Hugging Face folder's bytes loaded by the engine's strict loader, run on the rows, against `expected`. */
export async function checkModelFolder(files: readonly ModelFile[], task: Task, rows: VerifyRows, expected: Logits): Promise<ExportCheck> {
  const reread = await loadModelFolder(new Map(files.map((f) => [f.name, bytesFile(f.name, f.bytes)])), { task });
  try {
    return check('model.safetensors', 'Layerwise loader', expected, await engineLogits(reread, rows), rows, task, fp32Tolerance(expected));
  } finally {
    reread.params.dispose();
  }
}

/** An ONNX file run by `runner` on the rows, against `expected`; int8 files get the int8 tolerance. */
export async function checkOnnxFile(
  file: ModelFile,
  int8: boolean,
  runner: OnnxRunner,
  model: { task: Task; hasTokenTypes: boolean },
  rows: VerifyRows,
  expected: Logits,
): Promise<ExportCheck> {
  const dims = [rows.input_ids.length, rows.input_ids[0].length];
  const feed = (values: number[][]) => ({ data: BigInt64Array.from(values.flat().map(BigInt)), dims });
  const feeds: Record<string, { data: BigInt64Array; dims: number[] }> = { input_ids: feed(rows.input_ids), attention_mask: feed(rows.attention_mask) };
  if (model.hasTokenTypes) feeds.token_type_ids = feed(rows.token_type_ids);
  const actual = await runner.run(file.bytes, feeds);
  const tolerance = int8 ? VERIFY_INT8_RELATIVE_TOLERANCE * largestMagnitude(expected.data) : fp32Tolerance(expected);
  return check(file.name, runner.name, expected, actual, rows, model.task, tolerance);
}

/** Throws EXPORT_VERIFY_MISMATCH naming the first file that failed, with its figures. */
export function assertVerified(verification: ExportVerification): void {
  const bad = verification.checks.find((c) => !c.passed);
  if (bad === undefined) return;
  throw new LayerwiseError(
    'EXPORT_VERIFY_MISMATCH',
    `${bad.file} read by ${bad.reader} gives logits up to ${bad.maxAbsDiff.toExponential(2)} away from the engine's on ${verification.examples} ${verification.source} examples ` +
      `(accepted: ${bad.tolerance.toExponential(2)}; same prediction on ${bad.agree} of ${bad.compared}): the file does not compute this model, so it is not handed over.`,
    { file: bad.file },
  );
}
