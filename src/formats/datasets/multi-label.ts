// Rows that carry several labels (multi-label classification): a label column of separated names ("joy;love"),
// a JSON array under the label key of a JSONL/JSON record, or one 0/1 column per label (Jigsaw's toxic,
// obscene, ...). Detected from the sampled rows with a reason, or chosen (ReadOptions.labelSeparator / labelColumns);
// rowLabels is the one reading of a row's labels for every later step (counts, splits, encoding).
import { LayerwiseError } from '../../lib/errors';
import { resolveColumn } from './context';
import type { Roles } from './detect';
import type { ExampleDataset, MultiLabelSource, ReadOptions } from './types';

/** Separators tried in a label column, most specific first; a comma only where it is not the file's delimiter. */
export const LABEL_SEPARATORS = [';', '|', ','] as const;
/** A label column is read as separated labels when at least this share of sampled rows (and 2 rows) hold a separator. */
const MIN_SEPARATED_SHARE = 0.02;
/** Parts of a separated label are label names: short. */
const MAX_LABEL_CHARS = 40;
const LABEL_NAME = /^(label|labels|class|category|target|sentiment|emotion|intent|tag|y|gold_label|polarity|rating|stars|topic)$/i;
const ID_NAME = /^(id|idx|index|guid|uid|uuid|key|row|row_id|unnamed: ?0)$/i;
const TRUE = new Set(['1', 'true', 'True', 'TRUE', '1.0']);
const FALSE = new Set(['0', 'false', 'False', 'FALSE', '0.0']);

/** The value of a 0/1 label column: true, false, or null for anything else. */
export function binaryValue(cell: string): boolean | null {
  const v = cell.trim();
  return TRUE.has(v) ? true : FALSE.has(v) ? false : null;
}

/** Labels of a separated cell: split, trimmed, empty parts and repeats left out (an empty cell holds none). */
export function splitLabels(cell: string, separator: string): string[] {
  const out: string[] = [];
  for (const part of cell.split(separator)) {
    const p = part.trim();
    if (p !== '' && !out.includes(p)) out.push(p);
  }
  return out;
}

/** Labels of a JSON-array cell (as the JSONL reader stores it), or null when it is not an array of names or ids. */
export function arrayLabels(cell: string): string[] | null {
  let value: unknown;
  try {
    value = JSON.parse(cell);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || !value.every((v) => (typeof v === 'string' && v.trim() !== '') || Number.isInteger(v))) return null;
  return [...new Set(value.map((v) => String(v).trim()))];
}

/**
 * Which label column reading fits the sampled rows: a separator that splits at least MIN_SEPARATED_SHARE of them into
 * short names that recur (fewer distinct names than distinct cells), or null.
 */
function separatorOf(values: string[], delimiter: string | undefined): { separator: string; share: number; names: number } | null {
  let best: { separator: string; share: number; names: number } | null = null;
  for (const sep of LABEL_SEPARATORS) {
    if (sep === delimiter) continue;
    const holding = values.filter((v) => v.includes(sep));
    const share = holding.length / Math.max(1, values.length);
    if (holding.length < 2 || share < MIN_SEPARATED_SHARE) continue;
    const parts = values.flatMap((v) => splitLabels(v, sep));
    if (parts.some((p) => p.length > MAX_LABEL_CHARS || /\s{2,}|[.!?]\s/.test(p))) continue;
    const names = new Set(parts).size;
    if (names >= new Set(values).size) continue;
    if (!best || share > best.share) best = { separator: sep, share, names };
  }
  return best;
}

/**
 * Columns whose sampled values are 0/1 (or true/false), other than the text columns and ids; one bad cell in a hundred
 * is tolerated (its row is skipped and reported by the reader), so that a typo does not turn a label into text.
 */
function binaryColumns(columns: string[], rows: string[][], roles: Roles): string[] {
  const tolerated = Math.max(1, Math.floor(rows.length / 100));
  return columns.filter((c, j) => {
    if (roles.textColumns.includes(c) || ID_NAME.test(c) || rows.length < 2) return false;
    const bad = rows.filter((r) => binaryValue(r[j] ?? '') === null).length;
    return bad <= tolerated && rows.length - bad >= 2;
  });
}

export interface MultiLabelChoice {
  roles: Roles;
  multiLabel: MultiLabelSource | null;
}

/**
 * Multi-label reading of the sampled rows, or the user's choice: labelColumns (0/1 columns) or labelSeparator (null
 * turns detection off). `arrays` tells whether the label key of JSON records holds arrays in most sampled records.
 */
export function chooseMultiLabel(
  columns: string[],
  rows: string[][],
  roles: Roles,
  opts: ReadOptions,
  context: { file: string; delimiter?: string; arrays?: boolean },
): MultiLabelChoice {
  const { file } = context;
  if (opts.labelColumns !== undefined) {
    if (opts.labelColumns.length < 1) throw new LayerwiseError('DATASET_BAD_OPTION', 'Name at least one 0/1 label column.', { file, field: 'labelColumns' });
    const chosen = [...new Set(opts.labelColumns.map((c) => resolveColumn(columns, c, 'labelColumns', file)))];
    const clash = chosen.find((c) => roles.textColumns.includes(c));
    if (clash !== undefined) throw new LayerwiseError('DATASET_BAD_OPTION', `Column ${JSON.stringify(clash)} cannot be both the text and a label.`, { file, field: 'labelColumns' });
    return {
      roles: { ...roles, labelColumn: null, otherLabelColumns: [], reasons: { ...roles.reasons, labelColumn: `${chosen.length} 0/1 label columns, as chosen` } },
      multiLabel: { kind: 'binary-columns', columns: chosen },
    };
  }
  if (opts.labelSeparator === null) return { roles, multiLabel: null };
  const labelJ = roles.labelColumn === null ? -1 : columns.indexOf(roles.labelColumn);
  if (opts.labelSeparator !== undefined) {
    if (labelJ < 0) throw new LayerwiseError('DATASET_BAD_OPTION', 'A label separator needs a label column; choose one.', { file, field: 'labelSeparator' });
    if (opts.labelSeparator.trim() === '' || opts.labelSeparator === context.delimiter) {
      throw new LayerwiseError('DATASET_BAD_OPTION', `The label separator must be a visible character other than the file's delimiter, got ${JSON.stringify(opts.labelSeparator)}.`, { file, field: 'labelSeparator' });
    }
    return {
      roles: { ...roles, reasons: { ...roles.reasons, labelColumn: `${roles.reasons.labelColumn}; several labels separated by ${JSON.stringify(opts.labelSeparator)}, as chosen` } },
      multiLabel: { kind: 'separated', separator: opts.labelSeparator },
    };
  }
  if (labelJ >= 0 && context.arrays) {
    return { roles: { ...roles, reasons: { ...roles.reasons, labelColumn: `${roles.reasons.labelColumn}; it holds lists of labels (JSON arrays)` } }, multiLabel: { kind: 'json-array' } };
  }
  if (labelJ >= 0) {
    const sep = separatorOf(rows.map((r) => r[labelJ] ?? ''), context.delimiter);
    if (sep !== null) {
      const pct = Math.round(sep.share * 1000) / 10;
      return {
        roles: { ...roles, reasons: { ...roles.reasons, labelColumn: `${roles.reasons.labelColumn}; ${pct}% of sampled rows hold several of ${sep.names} labels separated by ${JSON.stringify(sep.separator)}` } },
        multiLabel: { kind: 'separated', separator: sep.separator },
      };
    }
  }
  // 0/1 columns, one per label, when no column is named as the label (a named label column with a 0/1 flag beside it
  // stays single-label).
  const named = roles.labelColumn !== null && (opts.labelColumn !== undefined || LABEL_NAME.test(roles.labelColumn));
  const binary = named ? [] : binaryColumns(columns, rows, roles);
  if (binary.length >= 2) {
    return {
      roles: { ...roles, labelColumn: null, otherLabelColumns: [], reasons: { ...roles.reasons, labelColumn: `${binary.length} columns hold only 0 and 1 (${binary.slice(0, 4).map((c) => JSON.stringify(c)).join(', ')}${binary.length > 4 ? ', …' : ''}): one label each` } },
      multiLabel: { kind: 'binary-columns', columns: binary },
    };
  }
  return { roles, multiLabel: null };
}

/** Whether the dataset has labels to train a classifier on: a label column, or 0/1 label columns. */
export function hasLabels(ds: ExampleDataset): boolean {
  return ds.labelColumn !== null || ds.multiLabel?.kind === 'binary-columns';
}

/**
 * The labels of row `i` (as strings, in the row's order): one for a single-label set, any number (none included) for
 * a multi-label one. Rows the reader kept always read; a cell edited afterwards that no longer does is an error.
 */
export function rowLabels(ds: ExampleDataset, i: number): string[] {
  const row = ds.rows[i];
  const ml = ds.multiLabel;
  if (ml?.kind === 'binary-columns') return ml.columns.filter((c) => binaryValue(row[ds.columns.indexOf(c)]) === true);
  if (ds.labelColumn === null) return [];
  const cell = row[ds.columns.indexOf(ds.labelColumn)];
  if (ml === null || ml === undefined) return [cell];
  if (ml.kind === 'separated') return splitLabels(cell, ml.separator);
  const labels = arrayLabels(cell);
  if (labels === null) throw new LayerwiseError('DATASET_BAD_LABEL', `${ds.file}: row ${i + 1}'s label is not a list of labels.`, { file: ds.file, row: i + 1 });
  return labels;
}

/** How often each pair of labels occurs in one row, for the preview: [a, b, rows] with a < b in `labels` order, most frequent first. */
export function labelCooccurrence(ds: ExampleDataset, limit = 20): [string, string, number][] {
  const order = new Map([...ds.labels.keys()].map((l, i) => [l, i]));
  const pairs = new Map<string, [string, string, number]>();
  for (let i = 0; i < ds.rows.length; i++) {
    const labels = rowLabels(ds, i).sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    for (let x = 0; x < labels.length; x++) {
      for (let y = x + 1; y < labels.length; y++) {
        const key = JSON.stringify([labels[x], labels[y]]);
        const entry = pairs.get(key);
        if (entry) entry[2]++;
        else pairs.set(key, [labels[x], labels[y], 1]);
      }
    }
  }
  return [...pairs.values()].sort((a, b) => b[2] - a[2]).slice(0, limit);
}
