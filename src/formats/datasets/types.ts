// What a dataset file was understood to hold: examples (rows with text and label columns) or token sequences
// (CoNLL, NER spans). Shared by the readers, the CLI `data` command, the worker and the UI.
import type { DecodeReport } from '../text-decode';

export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'conll' | 'txt';

/** A coded note about the file. `info` states a fact the user should see (BOM removed); `warning` a problem. */
export interface DatasetWarning {
  code: string;
  message: string;
  level: 'info' | 'warning';
  /** 1-based data row (the header is not counted), JSONL line, or JSON array element. */
  row?: number;
  /** 1-based line in the file (after line-ending normalisation). */
  line?: number;
}

/** A row or line that was not read, and why (ragged row, bad JSON line, empty label...). */
export interface SkippedRow {
  row: number;
  line?: number;
  reason: string;
}

export interface ExampleDataset {
  kind: 'examples';
  format: DatasetFormat;
  file: string;
  /** Column names as in the header (renamed where empty or duplicated); column_1, column_2... without one. */
  columns: string[];
  /** One array of cells per row, aligned with `columns`. Cells are the file's strings: no type guessing. */
  rows: string[][];
  /** 1-based line where each row starts, aligned with `rows` (0 for JSON arrays, which have elements, not lines). */
  rowLines: number[];
  /** One column, or two for a sentence pair. Empty when no column holds text: the user must choose. */
  textColumns: string[];
  labelColumn: string | null;
  /** Further label-like columns (a multi-task set); only `labelColumn` is used for the task. */
  otherLabelColumns: string[];
  /** How a row holds several labels (multi-label classification); null: one label per row (multi-label.ts reads them). */
  multiLabel: MultiLabelSource | null;
  reasons: { textColumns: string; labelColumn: string };
  /** CSV/TSV only: the delimiter and whether quotes were honoured. */
  delimiter?: string;
  quoting?: boolean;
  hasHeader: boolean;
  /** D8: header names that were empty or duplicated, and what they became. */
  renamedHeaders: { column: number; from: string; to: string }[];
  /** Label -> number of rows (multi-label: rows holding it); a Map, so that any label string (`__proto__`, HTML) is stored as it is (D15). */
  labels: Map<string, number>;
  /** Multi-label: rows that hold no label at all (a legitimate answer there); 0 otherwise. */
  unlabelledRows: number;
  warnings: DatasetWarning[];
  skipped: SkippedRow[];
  decode: DecodeReport;
}

/**
 * Where a row's several labels are: the label column's names split at `separator` ("joy;love"), a JSON array under the
 * label key (the cell holds the array's JSON text), or one 0/1 column per label (labelColumn is then null).
 */
export type MultiLabelSource =
  | { kind: 'separated'; separator: string }
  | { kind: 'json-array' }
  | { kind: 'binary-columns'; columns: string[] };

export interface TokenSentence {
  tokens: string[];
  tags: string[];
}

export interface TokenDataset {
  kind: 'tokens';
  format: 'conll' | 'jsonl' | 'json';
  file: string;
  sentences: TokenSentence[];
  /** 1-based line where each sentence starts (CoNLL, JSONL) or the JSON element number, aligned with `sentences`. */
  sentenceLines: number[];
  /** CoNLL: number of columns per token line; 2 (token, tag) for JSON sources. */
  columnCount: number;
  /** 0-based column of the tags (CoNLL: the last one unless chosen). */
  tagColumn: number;
  tags: Map<string, number>;
  warnings: DatasetWarning[];
  skipped: SkippedRow[];
  decode: DecodeReport;
}

export type Dataset = ExampleDataset | TokenDataset;

/** What the reader understood from the first part of the file, before the whole file is read (D9). */
export interface DatasetPreview {
  format: DatasetFormat;
  columns: string[];
  rows: string[][];
  delimiter?: string;
  quoting?: boolean;
  hasHeader: boolean;
}

export interface ReadOptions {
  format?: DatasetFormat;
  /** Column names, or 1-based column numbers as strings ("2"). */
  textColumns?: string[];
  labelColumn?: string;
  /** Multi-label: the label column's separator (";", "|", ","); null reads one label per row (no detection). */
  labelSeparator?: string | null;
  /** Multi-label: the 0/1 columns, one per label (names or 1-based numbers); replaces labelColumn. */
  labelColumns?: string[];
  delimiter?: string;
  /** Override the quoting detection of CSV/TSV. */
  quoting?: boolean;
  hasHeader?: boolean;
  /** CoNLL: 0-based tag column (default: the last). */
  tagColumn?: number;
  /** JSONL/txt lines and CSV records longer than this many characters are rejected (D10). */
  maxLineChars?: number;
  chunkBytes?: number;
  onProgress?: (bytesRead: number, total: number) => void;
  onPreview?: (preview: DatasetPreview) => void;
  signal?: AbortSignal;
}
