// Train / validation / test splits. Files the user gives for validation or test are used as they are; otherwise a
// seeded split by ratio, stratified by label (every class split in the same proportions, as scikit-learn's
// train_test_split(stratify=y) does), with cross-split warnings (labels seen only in evaluation, shared texts).
import type { ExampleDataset, TokenDataset } from '../../formats/datasets/index';
import { LayerwiseError } from '../../lib/errors';
import { createRng, shuffleInPlace, streamId, type Rng } from '../../lib/random';
import { splitWarnings, type DataWarning } from './warnings';

export type AnyDataset = ExampleDataset | TokenDataset;

export interface SplitRatios {
  /** Fraction of all rows for validation, e.g. 0.1. */
  validation: number;
  /** Fraction of all rows for test (0 for none). */
  test: number;
}

export interface SplitIndices {
  train: number[];
  validation: number[];
  test: number[];
}

export interface DatasetSplits<D extends AnyDataset = AnyDataset> {
  train: D;
  validation: D | null;
  test: D | null;
  /** 'files': validation/test came as files; 'ratio': they were split off the training file. */
  source: 'files' | 'ratio';
  warnings: DataWarning[];
}

/**
 * Largest-remainder allocation of `total` items over groups in proportion to their sizes, each group at most its cap.
 * Ties in the remainders are broken by the seeded order, so the result is reproducible.
 */
function allocate(sizes: number[], total: number, caps: number[], rng: Rng): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const quota = sizes.map((s) => (n === 0 ? 0 : (s * total) / n));
  const take = quota.map((q, i) => Math.min(Math.floor(q), caps[i]));
  const order = shuffleInPlace(sizes.map((_, i) => i), rng).sort((a, b) => (quota[b] - Math.floor(quota[b])) - (quota[a] - Math.floor(quota[a])));
  let left = total - take.reduce((a, b) => a + b, 0);
  while (left > 0) {
    let gave = false;
    for (const i of order) {
      if (left === 0) break;
      if (take[i] < caps[i]) {
        take[i]++;
        left--;
        gave = true;
      }
    }
    if (!gave) break;
  }
  return take;
}

/**
 * Indices for train / validation / test. `keys[i]` is row i's stratum (its label), or null for a plain seeded
 * shuffle. A class with a single row stays in train; every class with two or more rows keeps at least one in train.
 */
export function stratifiedSplit(keys: readonly (string | null)[], ratios: SplitRatios, seed: number): SplitIndices {
  const { validation, test } = ratios;
  if (!(validation >= 0 && test >= 0 && validation + test < 1)) {
    throw new LayerwiseError('DATA_BAD_SPLIT', `Split ratios must be at least 0 and leave rows for training (validation ${validation}, test ${test}).`, { field: 'split' });
  }
  const rng = createRng(seed, streamId('split'));
  const groups = new Map<string | null, number[]>();
  keys.forEach((k, i) => {
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  const members = [...groups.values()].map((g) => shuffleInPlace(g, rng));
  const sizes = members.map((g) => g.length);
  const stratified = !(groups.size === 1 && groups.has(null));
  const caps = sizes.map((s) => (stratified ? (s >= 2 ? s - 1 : 0) : s - 1));
  const nVal = Math.round(keys.length * validation);
  const nTest = Math.round(keys.length * test);
  const val = allocate(sizes, nVal, caps, rng);
  const testTake = allocate(sizes, nTest, caps.map((c, i) => c - val[i]), rng);
  const out: SplitIndices = { train: [], validation: [], test: [] };
  members.forEach((g, i) => {
    out.validation.push(...g.slice(0, val[i]));
    out.test.push(...g.slice(val[i], val[i] + testTake[i]));
    out.train.push(...g.slice(val[i] + testTake[i]));
  });
  for (const part of [out.train, out.validation, out.test]) part.sort((a, b) => a - b);
  return out;
}

/** The rows (or sentences) of a dataset at the given indices, with its label counts recomputed. */
export function subsetDataset<D extends AnyDataset>(ds: D, indices: readonly number[]): D {
  if (ds.kind === 'tokens') {
    const sentences = indices.map((i) => ds.sentences[i]);
    const tags = new Map<string, number>();
    for (const s of sentences) for (const t of s.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
    return { ...ds, sentences, sentenceLines: indices.map((i) => ds.sentenceLines[i]), tags };
  }
  const rows = indices.map((i) => ds.rows[i]);
  const labels = new Map<string, number>();
  const j = ds.labelColumn === null ? -1 : ds.columns.indexOf(ds.labelColumn);
  if (j >= 0) for (const r of rows) labels.set(r[j], (labels.get(r[j]) ?? 0) + 1);
  return { ...ds, rows, rowLines: indices.map((i) => ds.rowLines[i]), labels };
}

function labelKeys(ds: AnyDataset): (string | null)[] {
  if (ds.kind === 'tokens' || ds.labelColumn === null) return ds.kind === 'tokens' ? ds.sentences.map(() => null) : ds.rows.map(() => null);
  const j = ds.columns.indexOf(ds.labelColumn);
  return ds.rows.map((r) => r[j]);
}

/**
 * The splits for a run: given validation/test files as they are, or else a stratified, seeded split of `train`
 * by ratio (a test share only when no test file was given).
 */
export function makeSplits<D extends AnyDataset>(
  files: { train: D; validation?: D | null; test?: D | null },
  ratios: SplitRatios,
  seed: number,
): DatasetSplits<D> {
  let { train } = files;
  let validation = files.validation ?? null;
  let test = files.test ?? null;
  const source = validation ? 'files' : 'ratio';
  if (!validation) {
    const idx = stratifiedSplit(labelKeys(train), { validation: ratios.validation, test: test ? 0 : ratios.test }, seed);
    validation = idx.validation.length ? subsetDataset(train, idx.validation) : null;
    if (!test && idx.test.length) test = subsetDataset(train, idx.test);
    train = subsetDataset(train, idx.train);
  }
  return { train, validation, test, source, warnings: splitWarnings(train, validation, test) };
}
