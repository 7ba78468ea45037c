// Shared by `layerwise train` and `layerwise eval`: the model folder (`default` is the built-in model under
// public/models/default), dataset files with --text-col / --label-col (the conventions of `layerwise data`), and
// JSON output in which a non-finite number stays visible as "NaN" / "Infinity" rather than becoming null.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { readDataset, type Dataset, type ReadOptions } from '../formats/datasets/index';
import { LayerwiseError } from '../lib/errors';
import { TASKS, type Task } from '../protocol/task';
import { nodeFile } from './node-files';

export const DEFAULT_MODEL_DIR = path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'default');

/** --model: a checkpoint folder, or `default` for the built-in model. */
export function resolveModelDir(value: string): string {
  if (value === 'default') {
    if (!existsSync(path.join(DEFAULT_MODEL_DIR, 'config.json'))) {
      throw new LayerwiseError('MODEL_DEFAULT_MISSING', `the built-in model is not installed (no ${path.join(DEFAULT_MODEL_DIR, 'config.json')}): pass --model DIR`, {
        field: 'model',
      });
    }
    return DEFAULT_MODEL_DIR;
  }
  if (!existsSync(value) || !statSync(value).isDirectory()) {
    throw new LayerwiseError('CLI_FILE_NOT_FOUND', `${value} is not a folder (--model takes a Hugging Face checkpoint folder, or "default")`, { field: 'model' });
  }
  return value;
}

/** --task, when given. */
export function taskOption(value: string | undefined): Task | undefined {
  if (value === undefined) return undefined;
  if (!(TASKS as readonly string[]).includes(value)) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--task must be one of ${TASKS.join(', ')}, got "${value}"`, { field: 'task' });
  }
  return value as Task;
}

/** The dataset options of train and eval (as `layerwise data`): text columns, and the label or CoNLL tag column. */
export const DATASET_FLAGS = {
  'text-col': { type: 'string', multiple: true },
  'label-col': { type: 'string' },
  'label-sep': { type: 'string' },
  'label-cols': { type: 'string' },
} as const;

/**
 * The read options of --text-col / --label-col; --label-col given as a number is also the CoNLL tag column (1-based).
 * Multi-label: --label-sep SEP (the label column holds labels separated by SEP; "none" reads one label per row) and
 * --label-cols A,B,C (one 0/1 column per label).
 */
export function columnOptions(textCol: string[] | undefined, labelCol: string | undefined, multi: { labelSep?: string; labelCols?: string } = {}): ReadOptions {
  const opts: ReadOptions = { textColumns: textCol };
  if (labelCol !== undefined) {
    opts.labelColumn = labelCol;
    if (/^\d+$/.test(labelCol)) opts.tagColumn = Number(labelCol) - 1;
  }
  if (multi.labelSep !== undefined) opts.labelSeparator = multi.labelSep === 'none' ? null : multi.labelSep;
  if (multi.labelCols !== undefined) {
    if (labelCol !== undefined) throw new LayerwiseError('CLI_BAD_ARGUMENT', 'give --label-col or --label-cols, not both', { field: 'label-cols' });
    opts.labelColumns = multi.labelCols.split(',').map((c) => c.trim()).filter((c) => c !== '');
  }
  return opts;
}

/** Reads a dataset file with the given read options (columnOptions, or a recipe's choices). */
export async function readDatasetFile(file: string, flag: string, opts: ReadOptions): Promise<Dataset> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new LayerwiseError('CLI_FILE_NOT_FOUND', `${file} is not a file`, { file, field: flag });
  }
  return readDataset(nodeFile(file), opts);
}

/** JSON.stringify with NaN and ±Infinity as strings, so that a diverged loss never reads as null or 0. */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), indent);
}
