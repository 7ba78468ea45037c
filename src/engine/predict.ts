// Texts through a classifier in eval mode as the model's config.json says to read them (decision.ts): a long text as
// sliding windows whose logits are aggregated (sequence classification) or stitched from each token's owning window
// (token classification), a multi-label head through a sigmoid and its thresholds. Used by `layerwise predict` and the
// studio's playground, so that both answer as the run evaluated.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../lib/errors';
import type { WindowConfig } from '../protocol/train-config';
import { textWindows } from './data/encode';
import { aggregateWindows, decidingWindows, windowOwners, windowSpans } from './data/long-text';
import { decisionOf, DEFAULT_THRESHOLD } from './decision';
import type { LoadedModel } from './load';
import { maxSequenceLength, validateInputIds } from './models/validate-inputs';
import { modelTensors } from './train/heads';

/** Windows (sequences of ids) per forward pass. */
const PREDICT_BATCH = 16;

export interface TextClassification {
  /** The text's logits per label (id order): its windows' aggregate, or its one sequence's. */
  logits: number[];
  /** Softmax probabilities, or for a multi-label head each label's sigmoid. */
  probabilities: number[];
  /** The predicted labels: the most likely one, or every label at or above its threshold (multi-label). */
  predicted: string[];
  /** Windows the text was read in (1 when it fits). */
  windows: number;
  /** With several windows: for each label, the window with its highest logit (0-based), the one that decided a max. */
  deciding: number[] | null;
  /** Text was cut: no windows, or more than the windows allowed. */
  truncated: boolean;
}

/** Logits [rows, C] of id sequences (padded per pass), in eval mode. */
async function forwardRows(model: LoadedModel, rows: readonly Int32Array[]): Promise<Float32Array[]> {
  const { tokenizer, config, task, family } = model;
  const pad = tokenizer?.special.pad ?? 0;
  const out: Float32Array[] = [];
  for (let start = 0; start < rows.length; start += PREDICT_BATCH) {
    const part = rows.slice(start, start + PREDICT_BATCH);
    const seq = Math.max(...part.map((r) => r.length));
    const ids = part.map((r) => [...r, ...new Array<number>(seq - r.length).fill(pad)]);
    const mask = part.map((r) => Array.from({ length: seq }, (_, j) => (j < r.length ? 1 : 0)));
    const types = part.map(() => new Array<number>(seq).fill(0));
    validateInputIds(ids, config, types);
    const logits = tf.tidy(() =>
      family.forward(
        modelTensors(model),
        { input_ids: tf.tensor2d(ids, undefined, 'int32'), attention_mask: tf.tensor2d(mask, undefined, 'int32'), token_type_ids: tf.tensor2d(types, undefined, 'int32') },
        config,
        task,
        { training: false, lora: model.lora, adapters: model.adapters },
      ),
    );
    try {
      const values = (await logits.data()) as Float32Array;
      const width = values.length / part.length;
      for (let k = 0; k < part.length; k++) out.push(values.slice(k * width, (k + 1) * width));
    } finally {
      logits.dispose();
    }
  }
  return out;
}

/** Tokens per window: the run's maxLength the windows were trained with, at most the model's positions. */
function windowLength(model: LoadedModel, windows: (WindowConfig & { maxLength?: number }) | null): number {
  const positions = maxSequenceLength(model.config);
  return Math.min(positions, windows?.maxLength ?? positions);
}

function softmax(logits: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(logits));
  const e = Array.from(logits, (l) => Math.exp(l - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Sequence classification of whole texts: windows as config.json says (or `windows` given), aggregated per text. */
export async function classifyTexts(model: LoadedModel, texts: readonly string[], opts: { windows?: (WindowConfig & { maxLength?: number }) | null } = {}): Promise<TextClassification[]> {
  const { tokenizer, config, task } = model;
  if (task !== 'seq-cls') throw new LayerwiseError('PREDICT_TASK', `classifyTexts reads sequence classifiers; this model is ${task}.`, { field: 'task' });
  if (!tokenizer) throw new LayerwiseError('PREDICT_NO_TOKENIZER', 'This checkpoint has no tokenizer, so it cannot read text.');
  const decision = decisionOf(model.rawConfig, task, config.id2label);
  const windows = opts.windows === undefined ? decision.windows : opts.windows;
  const maxLength = windowLength(model, windows);
  const rows: Int32Array[] = [];
  const spans: { first: number; count: number; truncated: boolean }[] = [];
  for (const text of texts) {
    const ids = tokenizer.encode(text).ids;
    const parts = windows === null ? [Int32Array.from(ids.length <= maxLength ? ids : [...ids.slice(0, maxLength - 1), ids[ids.length - 1]])] : textWindows(ids, maxLength, windows.stride);
    const covered = windows === null ? Math.min(ids.length, maxLength) : (windowSpans(Math.max(0, ids.length - 2), maxLength - 2, windows.stride).at(-1)?.end ?? 0) + 2;
    spans.push({ first: rows.length, count: parts.length, truncated: covered < ids.length });
    rows.push(...parts);
  }
  const logits = await forwardRows(model, rows);
  const classes = config.id2label.length;
  const multiLabel = decision.problemType === 'multi_label_classification';
  const thresholds = decision.thresholds ?? config.id2label.map(() => DEFAULT_THRESHOLD);
  return spans.map((s) => {
    const own = logits.slice(s.first, s.first + s.count);
    const text = Array.from(aggregateWindows(own, classes, windows?.aggregate ?? 'mean'));
    const probabilities = multiLabel ? text.map((l) => 1 / (1 + Math.exp(-l))) : softmax(text);
    const best = probabilities.reduce((b, p, j) => (p > probabilities[b] ? j : b), 0);
    const predicted = multiLabel ? config.id2label.filter((_, j) => probabilities[j] >= thresholds[j]) : [config.id2label[best]];
    return { logits: text, probabilities, predicted, windows: s.count, deciding: s.count > 1 ? decidingWindows(own, classes) : null, truncated: s.truncated };
  });
}

/** Words and single punctuation marks, as CoNLL files split them ("Paris, France." -> Paris , France .). */
export function splitWords(text: string): string[] {
  return text.match(/[\p{L}\p{M}\p{N}]+(?:['’\-][\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]/gu) ?? [];
}

export interface TaggedWords {
  /** Each word with its label, probability and raw logits (of its first subword, in the window that owns it). */
  words: { text: string; label: string; probability: number; window: number; logits: number[] }[];
  windows: number;
  truncated: boolean;
}

/**
 * Token classification of pre-split words: each word labelled by its first subword, from the window where that subword
 * has the most context when the words need several windows.
 */
export async function tagWords(model: LoadedModel, words: readonly string[], opts: { windows?: (WindowConfig & { maxLength?: number }) | null } = {}): Promise<TaggedWords> {
  const { tokenizer, config, task } = model;
  if (task !== 'token-cls') throw new LayerwiseError('PREDICT_TASK', `tagWords reads token classifiers; this model is ${task}.`, { field: 'task' });
  if (!tokenizer) throw new LayerwiseError('PREDICT_NO_TOKENIZER', 'This checkpoint has no tokenizer, so it cannot read text.');
  const decision = decisionOf(model.rawConfig, task, config.id2label);
  const windows = opts.windows === undefined ? decision.windows : opts.windows;
  const maxLength = windowLength(model, windows);
  const enc = tokenizer.encodeWords(words, windows === null ? maxLength : Number.MAX_SAFE_INTEGER);
  const inner = enc.ids.length - 2;
  const spans = windows === null || enc.ids.length <= maxLength ? [{ start: 0, end: inner }] : windowSpans(inner, maxLength - 2, windows.stride);
  const owner = windowOwners(inner, spans);
  const rows = spans.map((s) => Int32Array.from([enc.ids[0], ...enc.ids.slice(1 + s.start, 1 + s.end), enc.ids[enc.ids.length - 1]]));
  const logits = await forwardRows(model, rows);
  const classes = config.id2label.length;
  const firstToken = new Map<number, number>();
  enc.wordIds.forEach((w, i) => {
    if (w !== null && !firstToken.has(w)) firstToken.set(w, i);
  });
  const out: TaggedWords['words'] = [];
  words.forEach((text, w) => {
    const position = firstToken.get(w);
    if (position === undefined || position < 1 || position > inner || owner[position - 1] < 0) return;
    const win = owner[position - 1];
    const row = logits[win];
    const at = 1 + (position - 1 - spans[win].start);
    const wordLogits = Array.from(row.subarray(at * classes, (at + 1) * classes));
    const probs = softmax(wordLogits);
    const best = probs.reduce((b, p, j) => (p > probs[b] ? j : b), 0);
    out.push({ text, label: config.id2label[best], probability: probs[best], window: win, logits: wordLogits });
  });
  return { words: out, windows: spans.length, truncated: enc.truncated || out.length < words.length };
}
