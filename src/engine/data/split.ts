// Train / validation / test splits. Files the user gives for validation or test are used as they are; otherwise a
// seeded split by ratio, stratified by label (every class split in the same proportions, as scikit-learn's
// train_test_split(stratify=y) does; for multi-label rows iterative stratification, Sechidis et al. 2011, as
// scikit-multilearn's IterativeStratification), with cross-split warnings (labels seen only in evaluation, shared texts).
import type { ExampleDataset, TokenDataset } from '../../formats/datasets/index';
import { rowLabels } from '../../formats/datasets/multi-label';
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

/**
 * Iterative stratification (Sechidis, Tsoumakas and Vlahavas 2011, Algorithm 1) of rows holding label sets into
 * train / validation / test by ratio: the label with the fewest rows left is placed first, each of its rows into the
 * split that wants most of that label (then most rows, then a seeded draw); rows without labels go where most rows
 * are still wanted. Every label ends up in each split in about the ratio.
 */
export function iterativeSplit(labelSets: readonly (readonly string[])[], ratios: SplitRatios, seed: number): SplitIndices {
  const { validation, test } = ratios;
  if (!(validation >= 0 && test >= 0 && validation + test < 1)) {
    throw new LayerwiseError('DATA_BAD_SPLIT', `Split ratios must be at least 0 and leave rows for training (validation ${validation}, test ${test}).`, { field: 'split' });
  }
  const rng = createRng(seed, streamId('split'));
  const shares = [1 - validation - test, validation, test];
  const n = labelSets.length;
  const wantRows = shares.map((r) => r * n);
  const byLabel = new Map<string, number[]>();
  labelSets.forEach((set, i) => {
    for (const l of set) {
      const rows = byLabel.get(l);
      if (rows) rows.push(i);
      else byLabel.set(l, [i]);
    }
  });
  const wantLabel = new Map([...byLabel].map(([l, rows]) => [l, shares.map((r) => r * rows.length)]));
  const placed = new Int8Array(n).fill(-1);
  const remaining = new Map([...byLabel].map(([l, rows]) => [l, rows.length]));
  const place = (i: number, part: number) => {
    placed[i] = part;
    wantRows[part]--;
    for (const l of labelSets[i]) {
      (wantLabel.get(l) as number[])[part]--;
      remaining.set(l, (remaining.get(l) as number) - 1);
    }
  };
  const pick = (scores: (part: number) => number[]) => {
    const open = [0, 1, 2].filter((p) => shares[p] > 0);
    let best: number[] = [];
    let bestKey: number[] | null = null;
    for (const p of open) {
      const key = scores(p);
      const cmp = bestKey === null ? 1 : key[0] - bestKey[0] || key[1] - bestKey[1];
      if (cmp > 0) {
        best = [p];
        bestKey = key;
      } else if (cmp === 0) best.push(p);
    }
    return best[rng.int(best.length)];
  };
  // Labels in a seeded order, so that ties between equally rare labels are drawn, not alphabetical.
  const labels = shuffleInPlace([...byLabel.keys()].sort(), rng);
  for (;;) {
    let rarest: string | null = null;
    for (const l of labels) {
      const left = remaining.get(l) as number;
      if (left > 0 && (rarest === null || left < (remaining.get(rarest) as number))) rarest = l;
    }
    if (rarest === null) break;
    const label = rarest;
    for (const i of shuffleInPlace((byLabel.get(label) as number[]).filter((i) => placed[i] < 0), rng)) {
      place(i, pick((p) => [(wantLabel.get(label) as number[])[p], wantRows[p]]));
    }
  }
  for (const i of shuffleInPlace(labelSets.map((_, i) => i).filter((i) => placed[i] < 0), rng)) place(i, pick((p) => [wantRows[p], 0]));
  const out: SplitIndices = { train: [], validation: [], test: [] };
  placed.forEach((part, i) => [out.train, out.validation, out.test][part].push(i));
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
  let unlabelledRows = 0;
  for (const i of indices) {
    const list = rowLabels(ds, i);
    if (list.length === 0 && ds.multiLabel !== null) unlabelledRows++;
    for (const l of list) labels.set(l, (labels.get(l) ?? 0) + 1);
  }
  return { ...ds, rows, rowLines: indices.map((i) => ds.rowLines[i]), labels, unlabelledRows };
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
    const share = { validation: ratios.validation, test: test ? 0 : ratios.test };
    const idx =
      train.kind === 'examples' && train.multiLabel !== null
        ? iterativeSplit(train.rows.map((_, i) => rowLabels(train as ExampleDataset, i)), share, seed)
        : stratifiedSplit(labelKeys(train), share, seed);
    validation = idx.validation.length ? subsetDataset(train, idx.validation) : null;
    if (!test && idx.test.length) test = subsetDataset(train, idx.test);
    train = subsetDataset(train, idx.train);
  }
  return { train, validation, test, source, warnings: splitWarnings(train, validation, test) };
}
