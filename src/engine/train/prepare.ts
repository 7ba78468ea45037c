// Dataset files -> the encoded splits of a run, the same for the CLI and the worker: the task checked against what
// the file holds, the validation file or a stratified seeded split of the training file (data/split.ts), the class
// list of the training split (sorted as run_glue.py / run_ner.py sort it), and tokenisation with the model's
// tokenizer; maxLength is clamped to the model's position table with a note (RELIABILITY C6).
import { LayerwiseError } from '../../lib/errors';
import type { Dataset, ExampleDataset, TokenDataset } from '../../formats/datasets/index';
import { hasLabels } from '../../formats/datasets/multi-label';
import type { TextTokenizer } from '../../formats/tokenizer';
import type { Task } from '../../protocol/task';
import type { TrainConfig, WindowConfig } from '../../protocol/train-config';
import { buildLabelMap, encodeExamples, encodeTokens, type EncodedDataset } from '../data/encode';
import { makeSplits, type DatasetSplits } from '../data/split';
import type { DataWarning } from '../data/warnings';

export interface RunData {
  train: EncodedDataset;
  validation: EncodedDataset | null;
  /** 'file': the validation file as given; 'split': held out of the training file; 'none': no evaluation data. */
  validationSource: 'file' | 'split' | 'none';
  /** The token length examples were cut to (config.maxLength, or less where the model has fewer positions). */
  maxLength: number;
  warnings: DataWarning[];
}

const WANTS: Record<Task, string> = {
  'seq-cls': 'rows with a text column and a label column (CSV, TSV, JSONL)',
  'token-cls': 'sentences of tokens and tags (CoNLL, or JSONL with tokens and tags)',
  mlm: 'rows or lines of text',
};

/** The task a dataset asks for when none is given: token classification for tagged sentences, else sequence classification. */
export function taskForData(ds: Dataset): Task {
  if (ds.kind === 'tokens') return 'token-cls';
  if (!hasLabels(ds)) {
    throw new LayerwiseError('TRAIN_TASK_UNKNOWN', `${ds.file} has no label column: name the label column (--label-col NAME) for classification, or choose the masked-LM task (--task mlm)`, {
      file: ds.file,
      field: 'task',
    });
  }
  return 'seq-cls';
}

/** Refuses a dataset that cannot feed the task (a CoNLL file for seq-cls, a CSV without labels, ...). */
export function checkTaskData(task: Task, ds: Dataset): void {
  const fits = task === 'token-cls' ? ds.kind === 'tokens' : ds.kind === 'examples' && (task === 'mlm' || hasLabels(ds));
  if (fits) return;
  const holds = ds.kind === 'tokens' ? 'sentences of tagged tokens' : !hasLabels(ds) ? 'text without a label column' : 'labelled rows';
  throw new LayerwiseError('TRAIN_TASK_DATA_MISMATCH', `${ds.file} holds ${holds}; task ${task} needs ${WANTS[task]}.`, { file: ds.file, field: 'task' });
}

/** The validation file as it is, or a stratified split of the training file by config.validationSplit (seeded). */
export function splitRunData(task: Task, train: Dataset, validation: Dataset | null, config: TrainConfig): DatasetSplits {
  checkTaskData(task, train);
  if (validation !== null) checkTaskData(task, validation);
  if (validation !== null && validation.kind !== train.kind) {
    throw new LayerwiseError('TRAIN_TASK_DATA_MISMATCH', `${validation.file} and ${train.file} hold different kinds of data.`, { file: validation.file });
  }
  return makeSplits({ train, validation }, { validation: config.validationSplit, test: 0 }, config.seed);
}

/** The run's class names in id order: the training split's labels or tags; none for masked LM. */
export function runLabels(task: Task, train: Dataset): string[] {
  if (task === 'mlm') return [];
  return [...buildLabelMap(train.kind === 'tokens' ? train.tags.keys() : train.labels.keys()).keys()];
}

/**
 * A classifier of one class learns nothing (loss 0, accuracy 1.0 from the first step): refused before any work. A
 * multi-label head of one label is a yes/no classifier and trains; one of none is refused.
 */
export function checkClasses(task: Task, train: Dataset, labels: readonly string[], multiLabel = false): void {
  if (task === 'mlm' || labels.length >= 2 || (multiLabel && labels.length === 1)) return;
  const what = train.kind === 'tokens' ? ['token', 'tag'] : ['row', 'label'];
  const only = labels.length === 1 ? `has the ${what[1]} ${JSON.stringify(labels[0])}` : `has no ${what[1]}`;
  throw new LayerwiseError('DATA_ONE_CLASS', `Every ${what[0]} of ${train.file} for training ${only}: a classifier needs at least two classes to learn anything (is the ${what[1]} column right?).`, {
    file: train.file,
    field: 'labels',
  });
}

/** Notes of how a file was read (format, delimiter, header): what `layerwise data` shows, not a problem with the data. */
const HOW_READ = new Set(['DATASET_FORMAT', 'DATASET_DELIMITER', 'DATASET_HEADER']);

/**
 * The readers' warnings of a run's files (skipped lines, a Latin-1 decoding, one class, repairs ...), as
 * `layerwise data` reports them, so that every command and the studio's runs show them too; the validation file's
 * marked as such.
 */
export function readerWarnings(train: Dataset, validation: Dataset | null): DataWarning[] {
  const of = (ds: Dataset, prefix: string) =>
    ds.warnings.filter((w) => !HOW_READ.has(w.code)).map((w) => ({ code: w.code, level: w.level, message: `${prefix}${w.message}` }));
  return [...of(train, ''), ...(validation === null ? [] : of(validation, 'validation: '))];
}

/** How a run's examples are made beyond their length: several labels per row, windows over long texts. */
export interface EncodeChoices {
  multiLabel?: boolean;
  windows?: WindowConfig | null;
  signal?: AbortSignal;
}

async function encodeOne(ds: Dataset, tokenizer: TextTokenizer, task: Task, maxLength: number, label2id: Map<string, number>, choices: EncodeChoices): Promise<EncodedDataset> {
  const { signal, windows = null } = choices;
  if (task === 'token-cls') return encodeTokens(ds as TokenDataset, tokenizer, { maxLength, label2id, signal, windows });
  return encodeExamples(ds as ExampleDataset, tokenizer, task, { maxLength, label2id, mlmMode: 'line', signal, multiLabel: choices.multiLabel, windows });
}

/**
 * Tokenises the splits. labels are the class names in id order (the model's id2label); rows of the validation
 * split with other labels are left out and reported.
 */
export async function encodeRunData(
  splits: DatasetSplits,
  tokenizer: TextTokenizer,
  task: Task,
  opts: { maxLength: number; modelMaxLength: number; labels: readonly string[] } & EncodeChoices,
): Promise<RunData> {
  const warnings: DataWarning[] = [...splits.warnings];
  const maxLength = Math.min(opts.maxLength, opts.modelMaxLength);
  if (maxLength < opts.maxLength) {
    warnings.push({
      code: 'TRAIN_MAX_LENGTH_CLAMPED',
      level: 'warning',
      message: `maxLength ${opts.maxLength} is more than the model's ${opts.modelMaxLength} positions: examples are cut to ${maxLength} tokens.`,
    });
  }
  const label2id = new Map(opts.labels.map((l, i) => [l, i]));
  const train = await encodeOne(splits.train, tokenizer, task, maxLength, label2id, opts);
  const validation = splits.validation === null ? null : await encodeOne(splits.validation, tokenizer, task, maxLength, label2id, opts);
  warnings.push(...train.warnings, ...(validation?.warnings.map((w) => ({ ...w, message: `validation: ${w.message}` })) ?? []));
  const validationSource = splits.validation === null ? 'none' : splits.source === 'files' ? 'file' : 'split';
  return { train, validation, validationSource, maxLength, warnings };
}
