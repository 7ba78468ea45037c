// Evaluation of a model on a split in eval mode (no dropout), with the metrics of transformers' examples:
// run_glue.py-style accuracy and F1 (scikit-learn semantics, engine/metrics/classification.ts), run_ner.py's seqeval
// entity scores (strict IOB2) on first-subword positions (labels != -100), and run_mlm.py's loss (+ masked-token
// accuracy) with a fixed-seed masking. eval_loss is the mean cross-entropy over every counted item.
import * as tf from '@tensorflow/tfjs-core';
import type { ClassMetrics, EvalMetrics } from '../../protocol/train-events';
import { planBatches, type PaddingOptions } from '../data/batches';
import { IGNORE_INDEX, type EncodedDataset } from '../data/encode';
import { classificationReport } from '../metrics/classification';
import { entityReport } from '../metrics/entities';
import { taskLoss } from '../models/index';
import { batchTensors, type StepModel } from './step';
import { microBatch, type BatchSource, type MlmMasking } from './windows';

export interface EvalOptions {
  batchSize: number;
  /** Seeds the MLM masking of evaluation batches (the same masks at every evaluation of a run). */
  seed: number;
  padding: PaddingOptions;
  masking: MlmMasking | null;
}

/** What the batches of one evaluation collect. */
interface Collected {
  lossSum: number;
  count: number;
  yTrue: number[];
  yPred: number[];
  /** token-cls: the tags of each example at its labelled positions. */
  tagsTrue: string[][];
  tagsPred: string[][];
}

/** Whether every tag is O, B-TYPE or I-TYPE, so that strict IOB2 entity scores are defined. */
export function isIob2(tags: readonly string[]): boolean {
  return tags.every((t) => t === 'O' || /^[BI]-./.test(t));
}

function collect(into: Collected, task: StepModel['task'], id2label: readonly string[], labels: Int32Array, predicted: Int32Array, size: number): void {
  if (task === 'seq-cls') {
    for (let k = 0; k < size; k++) {
      into.yTrue.push(labels[k]);
      into.yPred.push(predicted[k]);
    }
    return;
  }
  if (task === 'mlm') {
    // predicted holds the masked positions only, in order (batchTensors' positions).
    let k = 0;
    for (const l of labels) {
      if (l === IGNORE_INDEX) continue;
      into.yTrue.push(l);
      into.yPred.push(predicted[k++]);
    }
    return;
  }
  const seq = labels.length / size;
  for (let k = 0; k < size; k++) {
    const truth: string[] = [];
    const guess: string[] = [];
    for (let j = k * seq; j < (k + 1) * seq; j++) {
      if (labels[j] === IGNORE_INDEX) continue;
      into.yTrue.push(labels[j]);
      into.yPred.push(predicted[j]);
      if (task === 'token-cls') {
        truth.push(id2label[labels[j]]);
        guess.push(id2label[predicted[j]] ?? String(predicted[j]));
      }
    }
    if (task === 'token-cls') {
      into.tagsTrue.push(truth);
      into.tagsPred.push(guess);
    }
  }
}

function classificationMetrics(c: Collected, id2label: readonly string[], task: StepModel['task']): Partial<EvalMetrics> {
  const report = classificationReport(c.yTrue, c.yPred, id2label.map((_, i) => i));
  const perClass: ClassMetrics[] = report.perClass.map((s) => ({
    label: id2label[s.label],
    precision: s.precision,
    recall: s.recall,
    f1: s.f1,
    support: s.support,
  }));
  const out: Partial<EvalMetrics> = {
    accuracy: report.accuracy,
    f1_macro: report.macro.f1,
    f1_micro: report.micro.f1,
    f1_weighted: report.weighted.f1,
    per_class: perClass,
    confusion_matrix: report.confusion,
    labels: [...id2label],
  };
  if (task === 'token-cls' && isIob2(id2label)) {
    const entities = entityReport(c.tagsTrue, c.tagsPred, 'strict');
    out.entity_precision = entities.micro.precision;
    out.entity_recall = entities.micro.recall;
    out.entity_f1 = entities.micro.f1;
    out.per_entity = entities.perType.map((e) => ({ type: e.type, precision: e.precision, recall: e.recall, f1: e.f1, support: e.support }));
  }
  return out;
}

/** Evaluates the model on every example of `data`, in file order, batchSize at a time. */
export async function evaluate(model: StepModel, data: EncodedDataset, opts: EvalOptions): Promise<EvalMetrics> {
  const { family, config, task, params } = model;
  const source: BatchSource = { data, batchSize: opts.batchSize, seed: opts.seed, padding: opts.padding, masking: opts.masking };
  const lengths = data.examples.map((e) => e.ids.length);
  const batches = planBatches(lengths, { batchSize: opts.batchSize, seed: opts.seed, epoch: 0, shuffle: false });
  const c: Collected = { lossSum: 0, count: 0, yTrue: [], yPred: [], tagsTrue: [], tagsPred: [] };
  for (const [b, indices] of batches.entries()) {
    const m = microBatch(source, indices, false, b);
    if (m.count === 0) continue;
    const { loss, predicted } = tf.tidy(() => {
      const { inputs, labels, positions } = batchTensors(m.batch, task);
      const logits = family.forward(params.tensors(), inputs, config, task, { training: false, positions, lora: model.lora });
      return { loss: taskLoss(logits, labels, task), predicted: tf.argMax(logits, -1) };
    });
    try {
      const [lossValue, ids] = await Promise.all([loss.data(), predicted.data()]);
      c.lossSum += lossValue[0] * m.count;
      c.count += m.count;
      collect(c, task, data.id2label, m.batch.labels, ids as Int32Array, m.batch.size);
    } finally {
      tf.dispose([loss, predicted]);
    }
  }
  const evalLoss = c.count === 0 ? Number.NaN : c.lossSum / c.count;
  let correct = 0;
  for (let i = 0; i < c.yTrue.length; i++) if (c.yTrue[i] === c.yPred[i]) correct++;
  const base: EvalMetrics = { eval_loss: evalLoss, accuracy: correct / c.yTrue.length, eval_samples: data.examples.length };
  if (task === 'mlm') return { ...base, perplexity: Math.exp(evalLoss) };
  return { ...base, ...classificationMetrics(c, data.id2label, task) };
}
