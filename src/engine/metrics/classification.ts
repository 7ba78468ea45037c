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

/** Multi-label scores over indicator matrices, as scikit-learn computes them for a multilabel y (zero_division=0). */
export interface MultiLabelReport {
  /** Examples whose every label is right (accuracy_score: subset accuracy). */
  subsetAccuracy: number;
  /** Wrong (example, label) cells over all of them (hamming_loss). */
  hammingLoss: number;
  /** precision_recall_fscore_support(average=None), one row per label; support: examples holding it. */
  perLabel: ClassScores[];
  macro: Scores;
  micro: Scores;
  weighted: Scores;
}

/** n × classes indicator matrices, row-major (truth and predictions 0/1) -> the report. */
export function multiLabelReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number): MultiLabelReport {
  checkLengths(yTrue, yPred);
  if (classes < 1 || yTrue.length % classes !== 0) {
    throw new LayerwiseError('METRICS_LENGTH_MISMATCH', `${yTrue.length} indicator cells are not rows of ${classes} labels`);
  }
  const n = yTrue.length / classes;
  const tp = new Array<number>(classes).fill(0);
  const predicted = new Array<number>(classes).fill(0);
  const actual = new Array<number>(classes).fill(0);
  let exact = 0;
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    let rowRight = true;
    for (let c = 0; c < classes; c++) {
      const t = yTrue[i * classes + c] === 1;
      const p = yPred[i * classes + c] === 1;
      if (t) actual[c]++;
      if (p) predicted[c]++;
      if (t && p) tp[c]++;
      if (t !== p) {
        wrong++;
        rowRight = false;
      }
    }
    if (rowRight) exact++;
  }
  const perLabel = tp.map((hits, c): ClassScores => {
    const precision = divide(hits, predicted[c]);
    const recall = divide(hits, actual[c]);
    return { label: c, precision, recall, f1: f1Of(precision, recall), support: actual[c] };
  });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const mean = (key: keyof Scores) => divide(perLabel.reduce((s, c) => s + c[key], 0), classes);
  const microP = divide(sum(tp), sum(predicted));
  const microR = divide(sum(tp), sum(actual));
  const total = sum(actual);
  const weightedMean = (key: keyof Scores) => divide(perLabel.reduce((s, c) => s + c[key] * c.support, 0), total);
  return {
    subsetAccuracy: n === 0 ? Number.NaN : exact / n,
    hammingLoss: n === 0 ? Number.NaN : wrong / (n * classes),
    perLabel,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    micro: { precision: microP, recall: microR, f1: f1Of(microP, microR) },
    weighted: { precision: weightedMean('precision'), recall: weightedMean('recall'), f1: weightedMean('f1') },
  };
}

/** Predictions at per-label thresholds: cell (i, c) is 1 when scores[i·C + c] ≥ thresholds[c]. */
export function applyThresholds(scores: ArrayLike<number>, thresholds: readonly number[]): Uint8Array {
  const classes = thresholds.length;
  const out = new Uint8Array(scores.length);
  for (let k = 0; k < scores.length; k++) out[k] = scores[k] >= thresholds[k % classes] ? 1 : 0;
  return out;
}

/**
 * Per label, the threshold on its scores (probabilities) with the best F1 on this data: every cut between two
 * consecutive distinct scores is tried (the midpoint between them; below the lowest, half of it; above the highest,
 * halfway to 1), and of equally good cuts the one closest to `fallback` wins. A label no example holds keeps `fallback`.
 */
export function tuneThresholds(scores: ArrayLike<number>, yTrue: ArrayLike<number>, classes: number, fallback = 0.5): number[] {
  checkLengths(scores, yTrue);
  const n = scores.length / classes;
  const out: number[] = [];
  for (let c = 0; c < classes; c++) {
    const items: [number, boolean][] = [];
    let positives = 0;
    for (let i = 0; i < n; i++) {
      const t = yTrue[i * classes + c] === 1;
      if (t) positives++;
      items.push([scores[i * classes + c], t]);
    }
    if (positives === 0) {
      out.push(fallback);
      continue;
    }
    items.sort((a, b) => b[0] - a[0]);
    // Predicting the top k (k = 0 … n) positive: F1 = 2·TP / (k + positives); only at k where the score changes.
    let best = { f1: 0, threshold: (1 + items[0][0]) / 2 };
    let hits = 0;
    for (let k = 1; k <= n; k++) {
      if (items[k - 1][1]) hits++;
      if (k < n && items[k][0] === items[k - 1][0]) continue;
      const threshold = k < n ? (items[k - 1][0] + items[k][0]) / 2 : items[n - 1][0] / 2;
      const f1 = (2 * hits) / (k + positives);
      const better = f1 > best.f1 + 1e-12 || (Math.abs(f1 - best.f1) <= 1e-12 && Math.abs(threshold - fallback) < Math.abs(best.threshold - fallback));
      if (better) best = { f1, threshold };
    }
    out.push(best.threshold);
  }
  return out;
}

/**
 * The majority baseline of a multi-label split: each label predicted where most examples hold it (scikit-learn's
 * DummyClassifier(strategy="most_frequent") on a multilabel y), usually no label at all.
 */
export function multiLabelMajorityBaseline(yTrue: ArrayLike<number>, names: readonly string[]): MajorityBaseline | null {
  const classes = names.length;
  const n = yTrue.length / classes;
  if (n === 0 || classes === 0) return null;
  const counts = new Array<number>(classes).fill(0);
  for (let k = 0; k < yTrue.length; k++) if (yTrue[k] === 1) counts[k % classes]++;
  const majority = counts.map((count) => (count > n - count ? 1 : 0));
  const pred = new Uint8Array(yTrue.length);
  for (let k = 0; k < pred.length; k++) pred[k] = majority[k % classes];
  const report = multiLabelReport(yTrue, pred, classes);
  const label = names.filter((_, c) => majority[c] === 1).join(', ') || '(no label)';
  return { label, accuracy: report.subsetAccuracy, f1_macro: report.macro.f1 };
}
