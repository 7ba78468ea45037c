// A read dataset as the bounded plain data the page shows (protocol DatasetSummary), and a run's data plan: the
// split a run would make (engine/train/prepare, the CLI's code path), class counts per split, cross-split warnings
// and augmentation examples. No row leaves the worker beyond the preview.
import { previewAugmentation } from '../engine/data/augment';
import { splitRunData, runLabels } from '../engine/train/prepare';
import type { Dataset } from '../formats/datasets/index';
import { labelCooccurrence } from '../formats/datasets/multi-label';
import type { TextTokenizer } from '../formats/tokenizer';
import { classWeights } from '../engine/train/class-weights';
import type { Capped, DataNote, DataPlan, DatasetReadChoices, DatasetRole, DatasetSummary } from '../protocol/dataset-summary';
import type { Task } from '../protocol/task';
import { DEFAULT_TRAIN_CONFIG, type AugmentConfig } from '../protocol/train-config';

/** Rows or sentences in the preview table. */
export const PREVIEW_ROWS = 50;
/** Longest list of labels, warnings or skipped rows sent to the page; the total travels with it. */
export const LIST_CAP = 500;
/** Augmentation examples shown. */
const AUGMENT_EXAMPLES = 4;

function cap<T>(items: readonly T[], limit = LIST_CAP): Capped<T> {
  return { items: items.slice(0, limit), total: items.length };
}

/** Most frequent first, then by code point, so the order does not depend on the file's order. */
function sortedCounts(counts: ReadonlyMap<string, number>): { label: string; count: number }[] {
  return [...counts]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

export function summarizeDataset(ds: Dataset, role: DatasetRole, size: number, choices: DatasetReadChoices, readMs: number): DatasetSummary {
  const base = {
    role,
    file: ds.file,
    size,
    labels: cap(sortedCounts(ds.kind === 'tokens' ? ds.tags : ds.labels)),
    warnings: cap(ds.warnings.map((w): DataNote => ({ ...w }))),
    skipped: cap(ds.skipped.map((s) => ({ ...s }))),
    decode: { encoding: ds.decode.encoding, bom: ds.decode.bom, lineEndings: { ...ds.decode.lineEndings } },
    choices,
    readMs,
  };
  if (ds.kind === 'tokens') {
    return {
      ...base,
      kind: 'tokens',
      format: ds.format,
      sentenceCount: ds.sentences.length,
      tokenCount: ds.sentences.reduce((n, s) => n + s.tokens.length, 0),
      columnCount: ds.columnCount,
      tagColumn: ds.tagColumn,
      preview: ds.sentences.slice(0, PREVIEW_ROWS).map((s, i) => ({ line: ds.sentenceLines[i], tokens: [...s.tokens], tags: [...s.tags] })),
    };
  }
  return {
    ...base,
    kind: 'examples',
    format: ds.format,
    columns: [...ds.columns],
    textColumns: [...ds.textColumns],
    labelColumn: ds.labelColumn,
    otherLabelColumns: [...ds.otherLabelColumns],
    reasons: { ...ds.reasons },
    delimiter: ds.delimiter,
    quoting: ds.quoting,
    hasHeader: ds.hasHeader,
    renamedHeaders: ds.renamedHeaders.map((r) => ({ ...r })),
    rowCount: ds.rows.length,
    multiLabel: ds.multiLabel === null ? null : structuredClone(ds.multiLabel),
    unlabelledRows: ds.unlabelledRows,
    cooccurrence: ds.multiLabel === null ? [] : labelCooccurrence(ds, 10),
    preview: ds.rows.slice(0, PREVIEW_ROWS).map((cells, i) => ({ line: ds.rowLines[i], cells: [...cells] })),
  };
}

function classCounts(ds: Dataset | null): ReadonlyMap<string, number> {
  if (ds === null) return new Map();
  return ds.kind === 'tokens' ? ds.tags : ds.labels;
}

/** Rows (sentences) the length check tokenises at most: a larger file is measured on its first rows, the counts say how many. */
const LENGTH_SAMPLE = 20_000;

/** Texts over maxLength tokens (special tokens included) and the tokens cutting them would lose. */
function lengthStats(ds: Dataset, tokenizer: TextTokenizer, maxLength: number, windows: boolean): DataPlan['length'] {
  let texts = 0;
  let over = 0;
  let tokens = 0;
  let lost = 0;
  const count = (n: number) => {
    texts++;
    tokens += n;
    if (n > maxLength) {
      over++;
      lost += n - maxLength;
    }
  };
  if (ds.kind === 'tokens') {
    for (const s of ds.sentences.slice(0, LENGTH_SAMPLE)) count(tokenizer.encodeWords(s.tokens, Number.MAX_SAFE_INTEGER).ids.length);
  } else {
    const cols = ds.textColumns.map((c) => ds.columns.indexOf(c));
    if (cols.length === 0) return null;
    for (const row of ds.rows.slice(0, LENGTH_SAMPLE)) count(tokenizer.encode(row[cols[0]], cols.length === 2 ? row[cols[1]] : undefined).ids.length);
  }
  return { maxLength, texts, over, tokens, lost, windows };
}

/** The rarest and most frequent class of the training split, and the inverse-frequency weights that would balance them. */
function imbalanceOf(counts: ReadonlyMap<string, number>, labels: readonly string[], rows: number, multiLabel: boolean): DataPlan['imbalance'] {
  if (labels.length < 2 || rows === 0) return null;
  const n = labels.map((l) => counts.get(l) ?? 0);
  const total = multiLabel ? rows : n.reduce((a, b) => a + b, 0);
  const rare = n.indexOf(Math.min(...n));
  const top = n.indexOf(Math.max(...n));
  const weights = classWeights({ classWeights: 'inverse-frequency', classWeightBeta: DEFAULT_TRAIN_CONFIG.classWeightBeta }, n, rows, labels, multiLabel) as Float32Array;
  return {
    rarest: { label: labels[rare], share: n[rare] / total },
    majority: { label: labels[top], share: n[top] / total },
    suggested: labels.map((label, i) => ({ label, weight: Number(weights[i].toPrecision(3)) })),
  };
}

/** The split (and augmentation) a run with these settings would make, summarised. */
export function planRunData(
  task: Task,
  train: Dataset,
  validation: Dataset | null,
  settings: { validationSplit: number; seed: number; augment: AugmentConfig; maxLength?: number; windows?: boolean },
  tokenizer: TextTokenizer | null = null,
): DataPlan {
  const config = { ...DEFAULT_TRAIN_CONFIG, task, validationSplit: settings.validationSplit, seed: settings.seed };
  const splits = splitRunData(task, train, validation, config);
  const trainCounts = classCounts(splits.train);
  const validationCounts = classCounts(splits.validation);
  const labels = task === 'mlm' ? [] : runLabels(task, splits.train);
  // Classes seen only in validation come last: the model cannot predict them (splitWarnings says so too).
  const extra = [...validationCounts.keys()].filter((l) => !trainCounts.has(l)).sort();
  const classes = [...labels, ...extra].map((label) => ({ label, train: trainCounts.get(label) ?? 0, validation: validationCounts.get(label) ?? 0 }));
  const size = (ds: Dataset | null) => (ds === null ? 0 : ds.kind === 'tokens' ? ds.sentences.length : ds.rows.length);
  const { copies, alpha, operations } = settings.augment;
  const augmentation =
    copies > 0 ? previewAugmentation(splits.train, { seed: settings.seed, copies, alpha, operations }, AUGMENT_EXAMPLES) : [];
  return {
    validationSource: splits.validation === null ? 'none' : splits.source === 'files' ? 'file' : 'split',
    trainExamples: size(splits.train),
    augmentedExamples: size(splits.train) * (1 + copies),
    validationExamples: size(splits.validation),
    classes: cap(classes),
    imbalance: task === 'mlm' ? null : imbalanceOf(trainCounts, labels, size(splits.train), splits.train.kind === 'examples' && splits.train.multiLabel !== null),
    length: tokenizer !== null && settings.maxLength !== undefined && task !== 'mlm' ? lengthStats(splits.train, tokenizer, settings.maxLength, settings.windows === true) : null,
    warnings: splits.warnings.map((w) => ({ ...w })),
    augmentation: augmentation.map((a) => ({ ...a })),
  };
}
