// Classification metrics over label ids: accuracy, precision / recall / F1 per class and macro, micro and weighted
// averages, and the confusion matrix, with scikit-learn's semantics (precision_recall_fscore_support with an explicit
// labels list and zero_division=0; confusion_matrix rows = true label, columns = predicted label).
import { LayerwiseError } from '../../lib/errors';

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassScores extends Scores {
  label: number;
  /** Number of true examples of this label. */
  support: number;
}

export interface ClassificationReport {
  /** Correct / all examples (all of them, including labels outside `labels`), NaN when there are none. */
  accuracy: number;
  /** One row per entry of `labels`, in that order. */
  perClass: ClassScores[];
  macro: Scores;
  micro: Scores;
  weighted: Scores;
  /** [labels.length][labels.length]: rows true label, columns predicted; examples outside `labels` are left out. */
  confusion: number[][];
  labels: number[];
}

/** a / b, or 0 when b is 0 (sklearn's zero_division=0). */
const divide = (a: number, b: number): number => (b === 0 ? 0 : a / b);
/** F1 from precision and recall; 0 when both are 0 (sklearn's guarded denominator). */
const f1Of = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

function checkLengths(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
  if (yTrue.length !== yPred.length) {
    throw new LayerwiseError(
      'METRICS_LENGTH_MISMATCH',
      `Cannot score ${yPred.length} predictions against ${yTrue.length} labels`,
    );
  }
}

/** Fraction of exact matches; NaN for no examples (as sklearn's accuracy_score). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkLengths(yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** confusion[i][j]: examples with true label labels[i] predicted as labels[j]. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, labels: readonly number[]): number[][] {
  checkLengths(yTrue, yPred);
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  for (let k = 0; k < yTrue.length; k++) {
    const i = index.get(yTrue[k]);
    const j = index.get(yPred[k]);
    if (i !== undefined && j !== undefined) matrix[i][j]++;
  }
  return matrix;
}

/** All scores for the given label order (usually 0..num_labels-1); the caller drops ignored positions (-100) first. */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  labels: readonly number[],
): ClassificationReport {
  checkLengths(yTrue, yPred);
  const index = new Map(labels.map((l, i) => [l, i]));
  const tp = labels.map(() => 0);
  const predicted = labels.map(() => 0);
  const actual = labels.map(() => 0);
  for (let k = 0; k < yTrue.length; k++) {
    const i = index.get(yTrue[k]);
    const j = index.get(yPred[k]);
    if (i !== undefined) actual[i]++;
    if (j !== undefined) predicted[j]++;
    if (i !== undefined && yTrue[k] === yPred[k]) tp[i]++;
  }
  const perClass = labels.map((label, i): ClassScores => {
    const precision = divide(tp[i], predicted[i]);
    const recall = divide(tp[i], actual[i]);
    return { label, precision, recall, f1: f1Of(precision, recall), support: actual[i] };
  });

  const mean = (key: keyof Scores) => divide(perClass.reduce((s, c) => s + c[key], 0), perClass.length);
  const macro = { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') };

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const microP = divide(sum(tp), sum(predicted));
  const microR = divide(sum(tp), sum(actual));
  const micro = { precision: microP, recall: microR, f1: f1Of(microP, microR) };

  // Weighted by support; all 0 when no example carries one of the labels (sklearn's zero_division=0).
  const total = sum(actual);
  const weightedMean = (key: keyof Scores) => divide(perClass.reduce((s, c) => s + c[key] * c.support, 0), total);
  const weighted = { precision: weightedMean('precision'), recall: weightedMean('recall'), f1: weightedMean('f1') };

  return {
    accuracy: accuracy(yTrue, yPred),
    perClass,
    macro,
    micro,
    weighted,
    confusion: confusionMatrix(yTrue, yPred, labels),
    labels: [...labels],
  };
}

/** Always predicting the most frequent class (scikit-learn's DummyClassifier(strategy="most_frequent")). */
export interface MajorityBaseline {
  /** The class it predicts (the lowest id among equally frequent ones). */
  label: string;
  accuracy: number;
  f1_macro: number;
}

/** The majority-class baseline over the true labels (ids into `names`; others, e.g. -100, left out); null for none. */
export function majorityBaseline(yTrue: ArrayLike<number>, names: readonly string[]): MajorityBaseline | null {
  const counts = names.map(() => 0);
  const kept: number[] = [];
  for (let k = 0; k < yTrue.length; k++) {
    if (yTrue[k] >= 0 && yTrue[k] < names.length) {
      counts[yTrue[k]]++;
      kept.push(yTrue[k]);
    }
  }
  if (kept.length === 0) return null;
  const top = counts.indexOf(Math.max(...counts));
  const report = classificationReport(kept, kept.map(() => top), names.map((_, i) => i));
  return { label: names[top], accuracy: report.accuracy, f1_macro: report.macro.f1 };
}
