// Class weights for an imbalanced training split (TrainConfig.classWeights), resolved once per run from its counts:
// 'inverse-frequency' as scikit-learn's compute_class_weight("balanced"), N / (C · n_c); 'effective-number' as Cui
// et al. 2019, (1 − β) / (1 − β^n_c) scaled to sum to C; or the user's weight per class name (1 for the others).
// For a multi-label head they are BCEWithLogitsLoss's pos_weight per label: negatives over positives, the ratio of
// their effective numbers, or the user's.
import { LayerwiseError } from '../../lib/errors';
import type { TrainConfig } from '../../protocol/train-config';
import type { EncodedDataset } from '../data/encode';
import { IGNORE_INDEX } from '../data/encode';
import type { LossOptions } from '../layers/loss';

/** Per class (id order): the training items of it; multi-label: the source rows holding it, with the number of rows. */
export function classCounts(data: EncodedDataset): { counts: number[]; rows: number } {
  const counts = data.id2label.map(() => 0);
  if (data.task === 'token-cls') {
    for (const e of data.examples) for (const l of e.tokenLabels ?? []) if (l !== IGNORE_INDEX) counts[l]++;
    return { counts, rows: counts.reduce((a, b) => a + b, 0) };
  }
  // Windows of one text count once: the weights are about texts, whatever their length.
  const seen = new Set<number>();
  data.examples.forEach((e, i) => {
    const source = data.source[i];
    if (seen.has(source)) return;
    seen.add(source);
    if (data.multiLabel) for (const id of e.labelSet ?? []) counts[id]++;
    else if (e.label >= 0) counts[e.label]++;
  });
  return { counts, rows: seen.size };
}

/** (1 − β^n) / (1 − β): Cui et al.'s effective number of n samples. */
export const effectiveNumber = (n: number, beta: number): number => (1 - beta ** n) / (1 - beta);

/** The weights of config.classWeights for these counts (id order), or null when it is 'none'. */
export function classWeights(config: Pick<TrainConfig, 'classWeights' | 'classWeightBeta'>, counts: readonly number[], rows: number, labels: readonly string[], multiLabel: boolean): Float32Array | null {
  const spec = config.classWeights;
  if (spec === 'none') return null;
  const classes = counts.length;
  if (typeof spec === 'object') {
    const unknown = Object.keys(spec).filter((name) => !labels.includes(name));
    if (unknown.length > 0) {
      throw new LayerwiseError('TRAIN_CLASS_WEIGHT_UNKNOWN', `classWeights names ${unknown.map((u) => JSON.stringify(u)).join(', ')}, which the training data does not have (its classes: ${labels.slice(0, 10).map((l) => JSON.stringify(l)).join(', ')}${labels.length > 10 ? ', …' : ''}).`, { field: 'classWeights' });
    }
    return Float32Array.from(labels, (l) => (Object.hasOwn(spec, l) ? spec[l] : 1));
  }
  const beta = config.classWeightBeta;
  if (multiLabel) {
    return Float32Array.from(counts, (pos) => {
      const neg = rows - pos;
      if (pos === 0 || neg === 0) return 1;
      return spec === 'inverse-frequency' ? neg / pos : effectiveNumber(neg, beta) / effectiveNumber(pos, beta);
    });
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (spec === 'inverse-frequency') return Float32Array.from(counts, (n) => (n === 0 ? 1 : total / (classes * n)));
  const raw = counts.map((n) => (n === 0 ? 0 : 1 / effectiveNumber(n, beta)));
  const sum = raw.reduce((a, b) => a + b, 0);
  return Float32Array.from(raw, (w) => (w === 0 ? 1 : (w * classes) / sum));
}

/** The loss of a run's head: multi-label or not, class weights from the training split, focal γ. */
export function runLossOptions(config: TrainConfig, train: EncodedDataset): LossOptions & { weights: Float32Array | null } {
  if (config.task === 'mlm') return { weights: null };
  const { counts, rows } = classCounts(train);
  const multiLabel = config.problemType === 'multi_label_classification';
  return { multiLabel, weights: classWeights(config, counts, rows, train.id2label, multiLabel), focalGamma: config.focalGamma };
}
