// Collects the rows of an example dataset (CSV, TSV, JSONL, JSON, plain text) one by one, skipping and counting the
// rows that cannot be used, and ends with the label counts and the warnings a careful reader would give.
import { LayerwiseError } from '../../lib/errors';
import type { DecodeReport } from '../text-decode';
import type { Roles } from './detect';
import { isNumeric } from './detect';
import { arrayLabels, binaryValue, splitLabels } from './multi-label';
import type { DatasetFormat, DatasetWarning, ExampleDataset, MultiLabelSource, SkippedRow } from './types';

/** Policy (D5, D12): unusable rows are skipped and listed; past this share of all rows the file is refused. */
export const MAX_BAD_ROW_FRACTION = 0.1;
/** ...unless there are at most this many bad rows (a short file with one broken line is still read). */
export const BAD_ROWS_ALWAYS_TOLERATED = 10;
/** D17: more labels than this is reported as very many classes. */
export const MANY_CLASSES = 1000;

/** Why a row was skipped. The structural kinds count towards refusing the file; the others only skip. */
export type SkipKind = 'ragged' | 'bad-line' | 'too-long' | 'empty-text' | 'empty-label' | 'non-finite-label' | 'bad-label';
const STRUCTURAL: readonly SkipKind[] = ['ragged', 'bad-line', 'too-long'];
const SKIP_NAMES: Record<SkipKind, string> = {
  ragged: 'with the wrong number of fields',
  'bad-line': 'not a usable JSON record',
  'too-long': 'over the length limit',
  'empty-text': 'with empty text',
  'empty-label': 'with an empty or missing label',
  'non-finite-label': 'with a NaN or infinite label',
  'bad-label': 'with a label value that cannot be read',
};

const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/**
 * A set of rows by a 64-bit hash of their cells (two 32-bit FNV-style lanes), in typed arrays: remembering a million
 * rows allocates nothing per row (a Set of numbers would box each one). A false match needs a 64-bit collision.
 */
export class RowHashSet {
  private keys = new Uint32Array(2 * 1024);
  private used = new Uint8Array(1024);
  private count = 0;

  private h1 = 0;
  private h2 = 0;

  private hash(cells: readonly string[]): void {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let k = 0; k < cells.length; k++) {
      const s = cells[k];
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      }
      h1 = Math.imul(h1 ^ 0x1f, 0x01000193);
      h2 = Math.imul(h2 ^ 0x1f, 0x5bd1e995);
    }
    this.h1 = Math.imul(h1 ^ (h1 >>> 15), 0x2c1b3c6d) >>> 0;
    this.h2 = Math.imul(h2 ^ (h2 >>> 13), 0x297a2d39) >>> 0;
  }

  /** The slot holding (h1, h2), or the empty slot where it would go. */
  private find(h1: number, h2: number): number {
    const mask = this.used.length - 1;
    let slot = (h1 ^ h2) & mask;
    while (this.used[slot] && (this.keys[2 * slot] !== h1 || this.keys[2 * slot + 1] !== h2)) slot = (slot + 1) & mask;
    return slot;
  }

  /** Adds the row; true if an equal row was added before. */
  add(cells: readonly string[]): boolean {
    this.hash(cells);
    if (2 * (this.count + 1) > this.used.length) this.grow();
    return this.insert(this.h1, this.h2);
  }

  has(cells: readonly string[]): boolean {
    this.hash(cells);
    return this.used[this.find(this.h1, this.h2)] === 1;
  }

  private insert(h1: number, h2: number): boolean {
    const slot = this.find(h1, h2);
    if (this.used[slot]) return true;
    this.used[slot] = 1;
    this.keys[2 * slot] = h1;
    this.keys[2 * slot + 1] = h2;
    this.count++;
    return false;
  }

  private grow(): void {
    const { keys, used } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.used = new Uint8Array(used.length * 2);
    this.count = 0;
    for (let slot = 0; slot < used.length; slot++) if (used[slot]) this.insert(keys[2 * slot], keys[2 * slot + 1]);
  }
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function listRows(rows: number[], max = 5): string {
  const shown = rows.slice(0, max).join(', ');
  return rows.length > max ? `${shown}, …` : shown;
}

export interface CollectorInit {
  file: string;
  format: DatasetFormat;
  columns: string[];
  roles: Roles;
  hasHeader: boolean;
  decode: DecodeReport;
  delimiter?: string;
  quoting?: boolean;
  renamedHeaders?: { column: number; from: string; to: string }[];
  warnings?: DatasetWarning[];
  /** Rows hold several labels (multi-label.ts); absent or null: one label per row. */
  multiLabel?: MultiLabelSource | null;
}

export class ExampleCollector {
  private readonly init: CollectorInit;
  private readonly rows: string[][] = [];
  private readonly rowLines: number[] = [];
  private readonly skipped: (SkippedRow & { kind: SkipKind })[] = [];
  private readonly labels = new Map<string, number>();
  private readonly seen = new RowHashSet();
  private duplicates = 0;
  private firstDuplicate = 0;
  private unlabelled = 0;
  private readonly textIdx: number[];
  private readonly labelIdx: number;
  /** Multi-label with 0/1 columns: their indices. */
  private readonly binaryIdx: number[];

  constructor(init: CollectorInit) {
    this.init = init;
    this.textIdx = init.roles.textColumns.map((c) => init.columns.indexOf(c));
    this.labelIdx = init.roles.labelColumn === null ? -1 : init.columns.indexOf(init.roles.labelColumn);
    const ml = init.multiLabel;
    this.binaryIdx = ml?.kind === 'binary-columns' ? ml.columns.map((c) => init.columns.indexOf(c)) : [];
  }

  /** A multi-label row's labels, or a reason it cannot be read; an empty list is a row with no label (kept). */
  private multiLabels(cells: string[], ml: MultiLabelSource): string[] | { reason: string } {
    if (ml.kind === 'binary-columns') {
      const out: string[] = [];
      for (const j of this.binaryIdx) {
        const v = binaryValue(cells[j]);
        if (v === null) return { reason: `column ${JSON.stringify(this.init.columns[j])} holds ${JSON.stringify(cells[j])}, not 0 or 1` };
        if (v) out.push(this.init.columns[j]);
      }
      return out;
    }
    const cell = cells[this.labelIdx];
    if (ml.kind === 'separated') return splitLabels(cell, ml.separator);
    return arrayLabels(cell) ?? { reason: `label ${JSON.stringify(cell.slice(0, 40))} is not a list of label names or ids` };
  }

  get count(): number {
    return this.rows.length;
  }

  skip(row: number, line: number | undefined, kind: SkipKind, reason: string): void {
    this.skipped.push({ row, line, reason, kind });
  }

  /** One record; kept when it has every column, its text and its label. */
  add(cells: string[], row: number, line: number): void {
    const cols = this.init.columns;
    if (cells.length !== cols.length) {
      this.skip(row, line, 'ragged', `${cells.length} fields where the ${this.init.hasHeader ? 'header has' : 'file has'} ${cols.length}`);
      return;
    }
    for (const j of this.textIdx) {
      if (cells[j].trim() === '') {
        this.skip(row, line, 'empty-text', `empty text in column ${JSON.stringify(cols[j])}`);
        return;
      }
    }
    const ml = this.init.multiLabel;
    if (ml) {
      const labels = this.multiLabels(cells, ml);
      if (!Array.isArray(labels)) {
        this.skip(row, line, 'bad-label', labels.reason);
        return;
      }
      if (labels.length === 0) this.unlabelled++;
      for (const label of labels) this.labels.set(label, (this.labels.get(label) ?? 0) + 1);
    } else if (this.labelIdx >= 0) {
      const label = cells[this.labelIdx];
      if (label.trim() === '') {
        this.skip(row, line, 'empty-label', 'empty label');
        return;
      }
      if (NON_FINITE.test(label.trim())) {
        this.skip(row, line, 'non-finite-label', `label ${JSON.stringify(label)} is not a finite value`);
        return;
      }
      this.labels.set(label, (this.labels.get(label) ?? 0) + 1);
    }
    if (this.seen.add(cells) && this.duplicates++ === 0) this.firstDuplicate = row;
    this.rows.push(cells);
    this.rowLines.push(line);
  }

  finish(): ExampleDataset {
    const { file, columns } = this.init;
    const total = this.rows.length + this.skipped.length;
    const structural = this.skipped.filter((s) => STRUCTURAL.includes(s.kind));
    if (structural.length > BAD_ROWS_ALWAYS_TOLERATED && structural.length > MAX_BAD_ROW_FRACTION * total) {
      const first = structural[0];
      throw new LayerwiseError(
        'DATASET_TOO_MANY_BAD_ROWS',
        `${file}: ${plural(structural.length, 'row')} of ${total.toLocaleString('en-US')} cannot be read (first: row ${first.row}, ${first.reason}). ` +
          'Check the format and delimiter.',
        { file, row: first.row, line: first.line },
      );
    }
    if (this.rows.length === 0) {
      const why = this.skipped.length ? `: all ${plural(this.skipped.length, 'row')} were skipped (row ${this.skipped[0].row}: ${this.skipped[0].reason})` : '';
      throw new LayerwiseError('DATASET_EMPTY', `No rows found in ${file}${why}.`, { file });
    }
    const warnings: DatasetWarning[] = [...(this.init.warnings ?? [])];
    if (this.init.renamedHeaders?.length) {
      const list = this.init.renamedHeaders.map((r) => `column ${r.column} ${JSON.stringify(r.from)} -> ${JSON.stringify(r.to)}`);
      warnings.push({
        code: 'DATASET_HEADERS_RENAMED',
        level: 'warning',
        message: `Empty or repeated column names were renamed (${list.join('; ')}). Check the chosen text and label columns.`,
      });
    }
    if (this.skipped.length > 0) {
      const byKind = new Map<SkipKind, number[]>();
      for (const s of this.skipped) {
        const rows = byKind.get(s.kind);
        if (rows) rows.push(s.row);
        else byKind.set(s.kind, [s.row]);
      }
      const parts = [...byKind].map(([k, rows]) => `${rows.length.toLocaleString('en-US')} ${SKIP_NAMES[k]} (rows ${listRows(rows)})`);
      warnings.push({
        code: 'DATASET_ROWS_SKIPPED',
        level: 'warning',
        message: `${plural(this.skipped.length, 'row')} of ${total.toLocaleString('en-US')} skipped: ${parts.join('; ')}. ${this.rows.length.toLocaleString('en-US')} rows read.`,
        row: this.skipped[0].row,
        line: this.skipped[0].line,
      });
    }
    if (this.duplicates > 0) {
      warnings.push({
        code: 'DATASET_DUPLICATE_ROWS',
        level: this.init.format === 'txt' ? 'info' : 'warning',
        message: `${plural(this.duplicates, 'row')} ${this.duplicates === 1 ? 'repeats' : 'repeat'} an earlier row exactly (first: row ${this.firstDuplicate}); kept as they are.`,
        row: this.firstDuplicate,
      });
    }
    if (this.labelIdx >= 0 || this.init.multiLabel) warnings.push(...labelWarnings(this.labels, this.rows.length));
    if (this.init.multiLabel) warnings.push(multiLabelNote(this.init.multiLabel, this.labels, this.rows.length, this.unlabelled));
    return {
      kind: 'examples',
      format: this.init.format,
      file,
      columns,
      rows: this.rows,
      rowLines: this.rowLines,
      textColumns: this.init.roles.textColumns,
      labelColumn: this.init.roles.labelColumn,
      otherLabelColumns: this.init.roles.otherLabelColumns,
      multiLabel: this.init.multiLabel ?? null,
      reasons: this.init.roles.reasons,
      delimiter: this.init.delimiter,
      quoting: this.init.quoting,
      hasHeader: this.init.hasHeader,
      renamedHeaders: this.init.renamedHeaders ?? [],
      labels: this.labels,
      unlabelledRows: this.unlabelled,
      warnings,
      skipped: this.skipped.map(({ row, line, reason }) => (line === undefined ? { row, reason } : { row, line, reason })),
      decode: this.init.decode,
    };
  }
}

/** What a multi-label set holds: how its labels were read, labels per row, rows without any. */
function multiLabelNote(ml: MultiLabelSource, labels: Map<string, number>, rows: number, unlabelled: number): DatasetWarning {
  const how = ml.kind === 'binary-columns' ? `${ml.columns.length} 0/1 columns` : ml.kind === 'separated' ? `labels separated by ${JSON.stringify(ml.separator)}` : 'JSON arrays of labels';
  let total = 0;
  for (const n of labels.values()) total += n;
  const mean = rows === 0 ? 0 : total / rows;
  return {
    code: 'DATASET_MULTI_LABEL',
    level: 'info',
    message: `Multi-label: ${plural(labels.size, 'label')} read from ${how}; ${mean.toFixed(2)} labels per row, ${plural(unlabelled, 'row')} with none.`,
  };
}

/** D17: one class only, very many classes, labels that differ only in case, spaces or number spelling. */
export function labelWarnings(labels: Map<string, number>, rows: number): DatasetWarning[] {
  const out: DatasetWarning[] = [];
  if (labels.size === 1) {
    const [only] = labels.keys();
    out.push({
      code: 'DATASET_ONE_CLASS',
      level: 'warning',
      message: `Every row has the label ${JSON.stringify(only)}; a classifier needs at least two classes.`,
    });
  }
  if (labels.size > MANY_CLASSES || (rows >= 20 && labels.size > rows / 2)) {
    out.push({
      code: 'DATASET_MANY_CLASSES',
      level: 'warning',
      message: `${plural(labels.size, 'distinct label')} in ${plural(rows, 'row')}: is this really the label column?`,
    });
  }
  const groups = new Map<string, string[]>();
  for (const l of labels.keys()) {
    const key = isNumeric(l) ? String(Number(l)) : l.trim().toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  const similar = [...groups.values()].filter((g) => g.length > 1);
  if (similar.length > 0) {
    out.push({
      code: 'DATASET_SIMILAR_LABELS',
      level: 'warning',
      message: `Some labels differ only in case, spaces or number spelling and count as different classes: ${similar
        .slice(0, 3)
        .map((g) => g.map((l) => JSON.stringify(l)).join(' / '))
        .join('; ')}.`,
    });
  }
  return out;
}
