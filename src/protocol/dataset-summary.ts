// What the studio shows about a dataset file and about the data of a run, as plain data the worker sends: a bounded
// preview (never every row), label counts, warnings and skipped rows (each list capped, with its full length), the
// split and the augmentation preview. Mirrors formats/datasets/types.ts, which the UI may not import.

/** The file formats readDataset understands (formats/datasets DatasetFormat). */
export type DatasetFileFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'conll' | 'txt';
export const DATASET_FILE_FORMATS: readonly DatasetFileFormat[] = ['csv', 'tsv', 'jsonl', 'json', 'conll', 'txt'];

/** The training file, or an optional separate validation file. */
export type DatasetRole = 'train' | 'validation';

/** How to read a file, as the user chose it (readDataset's options; absent fields are detected). */
export interface DatasetReadChoices {
  format?: DatasetFileFormat;
  /** One column, or two for a sentence pair. */
  textColumns?: string[];
  labelColumn?: string;
  delimiter?: string;
  hasHeader?: boolean;
  /** CoNLL: 0-based tag column. */
  tagColumn?: number;
  /** Multi-label: the label column's separator; null reads one label per row (detection off). */
  labelSeparator?: string | null;
  /** Multi-label: one 0/1 column per label. */
  labelColumns?: string[];
}

/** How a file's rows hold several labels (formats MultiLabelSource). */
export type MultiLabelSummary = { kind: 'separated'; separator: string } | { kind: 'json-array' } | { kind: 'binary-columns'; columns: string[] };

/** A coded note about the file or the data (formats DatasetWarning, engine DataWarning). */
export interface DataNote {
  code: string;
  message: string;
  level: 'info' | 'warning';
  row?: number;
  line?: number;
}

/** A list cut to a length the page can show, with the length it had. */
export interface Capped<T> {
  items: T[];
  total: number;
}

interface SummaryBase {
  role: DatasetRole;
  file: string;
  /** Bytes. */
  size: number;
  format: DatasetFileFormat;
  /** Class (or tag) -> count, most frequent first. */
  labels: Capped<{ label: string; count: number }>;
  warnings: Capped<DataNote>;
  skipped: Capped<{ row: number; line?: number; reason: string }>;
  decode: { encoding: string; bom: boolean; lineEndings: { lf: number; crlf: number; cr: number } };
  /** The choices the file was read with. */
  choices: DatasetReadChoices;
  readMs: number;
}

export interface ExampleDatasetSummary extends SummaryBase {
  kind: 'examples';
  columns: string[];
  textColumns: string[];
  labelColumn: string | null;
  otherLabelColumns: string[];
  reasons: { textColumns: string; labelColumn: string };
  delimiter?: string;
  quoting?: boolean;
  hasHeader: boolean;
  renamedHeaders: { column: number; from: string; to: string }[];
  rowCount: number;
  /** Rows of several labels (labels then counts rows per label), or null (absent: null). */
  multiLabel?: MultiLabelSummary | null;
  /** Multi-label: rows holding no label (absent: 0). */
  unlabelledRows?: number;
  /** Multi-label: the most frequent pairs of labels in one row, [a, b, rows] (absent: none). */
  cooccurrence?: [string, string, number][];
  /** The first rows, cells as the file holds them, with the line each starts on. */
  preview: { line: number; cells: string[] }[];
}

export interface TokenDatasetSummary extends SummaryBase {
  kind: 'tokens';
  sentenceCount: number;
  tokenCount: number;
  columnCount: number;
  tagColumn: number;
  preview: { line: number; tokens: string[]; tags: string[] }[];
}

export type DatasetSummary = ExampleDatasetSummary | TokenDatasetSummary;

/** The user's augmentation settings (engine/data/augment EDA options); copies 0 is off. */
/** What a run would train and evaluate on: split sizes per class, cross-split warnings, augmentation examples. */
export interface DataPlan {
  validationSource: 'file' | 'split' | 'none';
  trainExamples: number;
  /** Training examples after augmentation (trainExamples × (1 + copies)). */
  augmentedExamples: number;
  validationExamples: number;
  /** Per class: rows (sentences: tag occurrences) in each split, in class-id order. */
  classes: Capped<{ label: string; train: number; validation: number }>;
  warnings: DataNote[];
  augmentation: { before: string; after: string; op: string }[];
  /**
   * Imbalance of the training split's classes (labels for multi-label): the rarest and the most frequent class with
   * their shares, what always answering the most frequent one scores on accuracy, and inverse-frequency weights
   * (scikit-learn's "balanced"; multi-label: negatives over positives). Null for masked LM or one class.
   */
  imbalance: {
    rarest: { label: string; share: number };
    majority: { label: string; share: number };
    suggested: { label: string; weight: number }[];
  } | null;
  /** Texts over the run's maxLength with the model's tokenizer (null without a model or maxLength): how many, and the tokens cutting them loses. */
  length: { maxLength: number; texts: number; over: number; tokens: number; lost: number; windows: boolean } | null;
}

/** First rows of a file while it is still being read (RELIABILITY D9: the preview comes before the parse ends). */
export interface EarlyPreview {
  format: DatasetFileFormat;
  columns: string[];
  rows: string[][];
}
