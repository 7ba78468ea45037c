// Evaluation of a model on a split in eval mode (no dropout), with the metrics of transformers' examples:
// run_glue.py-style accuracy and F1 (scikit-learn semantics, engine/metrics/classification.ts), run_ner.py's seqeval
// entity scores (strict IOB2) over every word of each sentence, and run_mlm.py's loss (+ masked-token accuracy) with a
// fixed-seed masking. Multi-label heads are scored at thresholds (0.5, or the model's) and at thresholds tuned here
// per label; long texts in windows are scored per text: window logits aggregated (sequence classification) or
// stitched from each token's owning window (token classification). eval_loss is the mean loss over every counted item.
import * as tf from '@tensorflow/tfjs-core';
import type { ClassMetrics, EvalMetrics, MultiLabelScores } from '../../protocol/train-events';
import { planBatches, type PaddingOptions } from '../data/batches';
import { IGNORE_INDEX, type EncodedDataset } from '../data/encode';
import { aggregateWindows } from '../data/long-text';
import { applyThresholds, classificationReport, multiLabelReport, tuneThresholds, type ClassScores } from '../metrics/classification';
import { entityReport } from '../metrics/entities';
import { taskLoss } from '../models/index';
import { DEFAULT_THRESHOLD } from '../decision';
import { batchTensors, type StepModel } from './step';
import { microBatch, type BatchSource, type MlmMasking } from './windows';

export interface EvalOptions {
  batchSize: number;
  /** Seeds the MLM masking of evaluation batches (the same masks at every evaluation of a run). */
  seed: number;
  padding: PaddingOptions;
  masking: MlmMasking | null;
  /** Multi-label: the thresholds the headline scores are at (label order); 0.5 for every label by default. */
  thresholds?: readonly number[] | null;
}

/** What the batches of one evaluation collect. */
interface Collected {
  lossSum: number;
  count: number;
  /** mlm: masked positions; token-cls without word maps: labelled positions. */
  yTrue: number[];
  yPred: number[];
  /** seq-cls: each example's logits, in example order. */
  logits: Float32Array[];
  /** token-cls: per source sentence, the predicted tag id of each word (-1: no window predicted it). */
  wordPreds: Map<number, Int32Array>;
  /** token-cls without word maps: the tags of each example at its labelled positions. */
  tagsTrue: string[][];
  tagsPred: string[][];
}

/** Whether every tag is O, B-TYPE or I-TYPE, so that strict IOB2 entity scores are defined. */
export function isIob2(tags: readonly string[]): boolean {
  return tags.every((t) => t === 'O' || /^[BI]-./.test(t));
}

function collectTokens(into: Collected, data: EncodedDataset, indices: readonly number[], labels: Int32Array, predicted: Int32Array, size: number): void {
  const seq = labels.length / size;
  for (let k = 0; k < size; k++) {
    const example = data.examples[indices[k]];
    if (data.sentenceTags !== undefined && example.wordOf !== undefined) {
      const source = data.source[indices[k]];
      let words = into.wordPreds.get(source);
      if (words === undefined) {
        words = new Int32Array(data.sentenceTags[source].length).fill(-1);
        into.wordPreds.set(source, words);
      }
      for (let j = 0; j < Math.min(seq, example.wordOf.length); j++) if (example.wordOf[j] >= 0) words[example.wordOf[j]] = predicted[k * seq + j];
      continue;
    }
    const truth: string[] = [];
    const guess: string[] = [];
    for (let j = k * seq; j < (k + 1) * seq; j++) {
      if (labels[j] === IGNORE_INDEX) continue;
      into.yTrue.push(labels[j]);
      into.yPred.push(predicted[j]);
      truth.push(data.id2label[labels[j]]);
      guess.push(data.id2label[predicted[j]] ?? String(predicted[j]));
    }
    into.tagsTrue.push(truth);
    into.tagsPred.push(guess);
  }
}

function collectMlm(into: Collected, labels: Int32Array, predicted: Int32Array): void {
  // predicted holds the masked positions only, in order (batchTensors' positions).
  let k = 0;
  for (const l of labels) {
    if (l === IGNORE_INDEX) continue;
    into.yTrue.push(l);
    into.yPred.push(predicted[k++]);
  }
}

const classMetrics = (perClass: ClassScores[], id2label: readonly string[]): ClassMetrics[] =>
  perClass.map((s) => ({ label: id2label[s.label], precision: s.precision, recall: s.recall, f1: s.f1, support: s.support }));

function singleLabelMetrics(yTrue: number[], yPred: number[], id2label: readonly string[]): Partial<EvalMetrics> {
  const report = classificationReport(yTrue, yPred, id2label.map((_, i) => i));
  return {
    accuracy: report.accuracy,
    f1_macro: report.macro.f1,
    f1_micro: report.micro.f1,
    f1_weighted: report.weighted.f1,
    per_class: classMetrics(report.perClass, id2label),
    confusion_matrix: report.confusion,
    labels: [...id2label],
  };
}

function multiLabelScores(probs: Float32Array, truth: Uint8Array, thresholds: number[], id2label: readonly string[]): MultiLabelScores {
  const report = multiLabelReport(truth, applyThresholds(probs, thresholds), id2label.length);
  return {
    thresholds,
    accuracy: report.subsetAccuracy,
    f1_macro: report.macro.f1,
    f1_micro: report.micro.f1,
    f1_weighted: report.weighted.f1,
    hamming_loss: report.hammingLoss,
    per_class: classMetrics(report.perLabel, id2label),
  };
}

/** One row of logits per source text: each text's windows aggregated, or the example's own logits without windows. */
function textLogits(c: Collected, data: EncodedDataset): { sources: number[]; logits: Float32Array[] } {
  if (!data.windows) return { sources: [...data.source], logits: c.logits };
  const bySource = new Map<number, Float32Array[]>();
  c.logits.forEach((l, i) => {
    const list = bySource.get(data.source[i]);
    if (list) list.push(l);
    else bySource.set(data.source[i], [l]);
  });
  const classes = data.id2label.length;
  const sources = [...bySource.keys()];
  return { sources, logits: sources.map((s) => aggregateWindows(bySource.get(s) as Float32Array[], classes, data.windows?.aggregate ?? 'mean')) };
}

function sequenceMetrics(c: Collected, data: EncodedDataset, thresholds: readonly number[] | null | undefined): Partial<EvalMetrics> {
  const { sources, logits } = textLogits(c, data);
  const first = new Map<number, number>();
  data.source.forEach((s, i) => {
    if (!first.has(s)) first.set(s, i);
  });
  const example = (s: number) => data.examples[first.get(s) as number];
  const windows = !data.windows ? {} : { eval_samples: sources.length, eval_windows: data.examples.length };
  if (!data.multiLabel) {
    const yPred = logits.map((l) => l.reduce((best, v, j) => (v > l[best] ? j : best), 0));
    return { ...singleLabelMetrics(sources.map((s) => example(s).label), yPred, data.id2label), ...windows };
  }
  const classes = data.id2label.length;
  const probs = new Float32Array(sources.length * classes);
  const truth = new Uint8Array(sources.length * classes);
  sources.forEach((s, i) => {
    for (let j = 0; j < classes; j++) probs[i * classes + j] = 1 / (1 + Math.exp(-logits[i][j]));
    for (const id of example(s).labelSet ?? []) truth[i * classes + id] = 1;
  });
  const at = thresholds ? [...thresholds] : data.id2label.map(() => DEFAULT_THRESHOLD);
  const headline = multiLabelScores(probs, truth, at, data.id2label);
  const tuned = multiLabelScores(probs, truth, tuneThresholds(probs, truth, classes), data.id2label);
  return {
    accuracy: headline.accuracy,
    f1_macro: headline.f1_macro,
    f1_micro: headline.f1_micro,
    f1_weighted: headline.f1_weighted,
    hamming_loss: headline.hamming_loss,
    per_class: headline.per_class,
    labels: [...data.id2label],
    thresholds: at,
    tuned,
    ...windows,
  };
}

function tokenMetrics(c: Collected, data: EncodedDataset): Partial<EvalMetrics> {
  const { id2label } = data;
  let yTrue = c.yTrue;
  let yPred = c.yPred;
  let tagsTrue = c.tagsTrue;
  let tagsPred = c.tagsPred;
  if (data.sentenceTags !== undefined && c.wordPreds.size > 0) {
    // Every word of each evaluated sentence counts; a word no window predicted (cut off) is scored as 'O' where the
    // tags have one (no entity found), else as wrong.
    const none = id2label.indexOf('O');
    yTrue = [];
    yPred = [];
    tagsTrue = [];
    tagsPred = [];
    for (const source of [...c.wordPreds.keys()].sort((a, b) => a - b)) {
      const truth = (data.sentenceTags as Int32Array[])[source];
      const words = c.wordPreds.get(source) as Int32Array;
      const pred = Array.from(words, (p) => (p >= 0 ? p : none));
      yTrue.push(...truth);
      yPred.push(...pred);
      tagsTrue.push(Array.from(truth, (t) => id2label[t]));
      tagsPred.push(pred.map((p) => id2label[p] ?? 'O'));
    }
  }
  const out: Partial<EvalMetrics> = { ...singleLabelMetrics(yTrue, yPred, id2label) };
  if (isIob2(id2label)) {
    const entities = entityReport(tagsTrue, tagsPred, 'strict');
    out.entity_precision = entities.micro.precision;
    out.entity_recall = entities.micro.recall;
    out.entity_f1 = entities.micro.f1;
    out.per_entity = entities.perType.map((e) => ({ type: e.type, precision: e.precision, recall: e.recall, f1: e.f1, support: e.support }));
  }
  if (data.windows) {
    out.eval_samples = c.wordPreds.size;
    out.eval_windows = data.examples.length;
  }
  return out;
}

/** Evaluates the model on every example of `data`, in file order, batchSize at a time. */
export async function evaluate(model: StepModel, data: EncodedDataset, opts: EvalOptions): Promise<EvalMetrics> {
  const { family, config, task, params } = model;
  const source: BatchSource = { data, batchSize: opts.batchSize, seed: opts.seed, padding: opts.padding, masking: opts.masking };
  const lengths = data.examples.map((e) => e.ids.length);
  const batches = planBatches(lengths, { batchSize: opts.batchSize, seed: opts.seed, epoch: 0, shuffle: false });
  const c: Collected = { lossSum: 0, count: 0, yTrue: [], yPred: [], logits: [], wordPreds: new Map(), tagsTrue: [], tagsPred: [] };
  const loss = { ...model.loss, labelSmoothing: 0 };
  for (const [b, indices] of batches.entries()) {
    const m = microBatch(source, indices, false, b);
    if (m.count === 0 && task !== 'seq-cls') continue;
    const out = tf.tidy(() => {
      const { inputs, labels, positions } = batchTensors(m.batch, task);
      const logits = family.forward(params.tensors(), inputs, config, task, { training: false, positions, lora: model.lora, adapters: model.adapters });
      // seq-cls keeps every example's logits (windows are aggregated per text, multi-label thresholded afterwards).
      return { loss: m.count === 0 ? tf.scalar(0) : taskLoss(logits, labels, task, loss), predicted: task === 'seq-cls' ? logits : tf.argMax(logits, -1) };
    });
    try {
      const [lossValue, values] = await Promise.all([out.loss.data(), out.predicted.data()]);
      c.lossSum += lossValue[0] * m.count;
      c.count += m.count;
      if (task === 'seq-cls') {
        const classes = values.length / m.batch.size;
        for (let k = 0; k < m.batch.size; k++) c.logits[indices[k]] = Float32Array.from(values.subarray(k * classes, (k + 1) * classes));
      } else if (task === 'mlm') collectMlm(c, m.batch.labels, values as Int32Array);
      else collectTokens(c, data, indices, m.batch.labels, values as Int32Array, m.batch.size);
    } finally {
      tf.dispose([out.loss, out.predicted]);
    }
  }
  const evalLoss = c.count === 0 ? Number.NaN : c.lossSum / c.count;
  if (task === 'mlm') {
    let correct = 0;
    for (let i = 0; i < c.yTrue.length; i++) if (c.yTrue[i] === c.yPred[i]) correct++;
    return { eval_loss: evalLoss, accuracy: correct / c.yTrue.length, eval_samples: data.examples.length, perplexity: Math.exp(evalLoss) };
  }
  const metrics = task === 'seq-cls' ? sequenceMetrics(c, data, opts.thresholds) : tokenMetrics(c, data);
  return { eval_loss: evalLoss, accuracy: Number.NaN, eval_samples: data.examples.length, ...metrics } as EvalMetrics;
}
