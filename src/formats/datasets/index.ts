// The one entry point for dataset files, used alike by the CLI, the worker and the page: readDataset(file) finds the
// format (or takes the user's), reads the file streamed, and returns what it understood with reasons and warnings.
// A file that cannot be read throws a coded LayerwiseError and changes nothing (the previous dataset stays loaded).
import { LayerwiseError } from '../../lib/errors';
import type { SourceFile } from '../source-file';
import { decodeText, NotUtf8Error, type TextEncoding } from '../text-decode';
import { MAX_SAMPLE_BYTES, SAMPLE_BYTES, SAMPLE_MIN_LINES, type ReadContext } from './context';
import { readConllDataset } from './conll';
import { readDelimitedDataset } from './csv';
import { delimitedTextConvinces, delimiterName, detectDelimited, formatFromName, looksLikeConll, tsvLooksLikeConll } from './detect';
import { readJsonArrayDataset, readJsonlDataset } from './jsonl';
import { readTextDataset } from './text';
import type { Dataset, DatasetFormat, DatasetWarning, ReadOptions } from './types';

export type {
  Dataset,
  DatasetFormat,
  DatasetPreview,
  DatasetWarning,
  ExampleDataset,
  ReadOptions,
  SkippedRow,
  TokenDataset,
  TokenSentence,
} from './types';
export { DEFAULT_MAX_LINE_CHARS } from './context';
export { MANY_CLASSES, MAX_BAD_ROW_FRACTION, BAD_ROWS_ALWAYS_TOLERATED } from './examples';

export const DATASET_FORMATS: readonly DatasetFormat[] = ['csv', 'tsv', 'jsonl', 'json', 'conll', 'txt'];

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && n < SAMPLE_MIN_LINES; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function firstLineIsObject(text: string): boolean {
  const line = text.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return false;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** The format from the name, or for .txt and unknown names from the first part of the content; with the reason. */
export function detectFormat(name: string, sample: string, complete: boolean): { format: DatasetFormat; reason: string } {
  const byName = formatFromName(name);
  const start = sample.trimStart()[0];
  if (byName === 'json' && start !== '[' && firstLineIsObject(sample)) {
    return { format: 'jsonl', reason: 'the .json file holds one JSON object per line' };
  }
  if (byName === 'tsv' && tsvLooksLikeConll(sample)) {
    return { format: 'conll', reason: 'the .tsv file holds tokens and IOB tags in sentences separated by blank lines (CoNLL)' };
  }
  if (byName) return { format: byName, reason: `the file name ends in .${name.slice(name.lastIndexOf('.') + 1)}` };
  if (start === '[') return { format: 'json', reason: 'the text starts with a JSON array' };
  if (start === '{' && firstLineIsObject(sample)) return { format: 'jsonl', reason: 'each line holds a JSON object' };
  if (looksLikeConll(sample)) return { format: 'conll', reason: 'lines of tokens and tags with blank lines between sentences' };
  const guess = detectDelimited(sample, complete, {});
  if (guess && !('undetectable' in guess) && delimitedTextConvinces(guess)) {
    return {
      format: guess.delimiter === '\t' ? 'tsv' : 'csv',
      reason: `every line splits on a ${delimiterName(guess.delimiter)} into ${guess.fields} fields, the last a label`,
    };
  }
  return { format: 'txt', reason: 'plain text: one example per line' };
}

async function readAs(file: SourceFile, opts: ReadOptions, encoding: TextEncoding): Promise<Dataset> {
  if (file.size === 0) throw new LayerwiseError('DATASET_EMPTY', `No rows found in ${file.name}: the file is empty.`, { file: file.name });
  // Detection needs a few whole lines: a sample of very long lines grows until it has them (or reaches the cap).
  let sampleBytes = SAMPLE_BYTES;
  let head = await decodeText(file, { encoding, maxBytes: sampleBytes, signal: opts.signal });
  while (sampleBytes < file.size && sampleBytes < MAX_SAMPLE_BYTES && countLines(head.text) < SAMPLE_MIN_LINES) {
    sampleBytes *= 4;
    head = await decodeText(file, { encoding, maxBytes: sampleBytes, signal: opts.signal });
  }
  const complete = file.size <= sampleBytes;
  const cut = head.text.lastIndexOf('\n');
  const text = complete || cut < 0 ? head.text : head.text.slice(0, cut + 1);
  if (complete && text.trim() === '') {
    throw new LayerwiseError('DATASET_EMPTY', `No rows found in ${file.name}: it holds only whitespace.`, { file: file.name });
  }
  const detected = opts.format ? { format: opts.format, reason: 'as chosen' } : detectFormat(file.name, text, complete);
  const ctx: ReadContext = { file, opts, encoding, sample: { text, complete } };
  const read = {
    csv: () => readDelimitedDataset(ctx, false),
    tsv: () => readDelimitedDataset(ctx, opts.format === 'tsv' && opts.delimiter === undefined),
    jsonl: () => readJsonlDataset(ctx),
    json: () => readJsonArrayDataset(ctx),
    conll: () => readConllDataset(ctx),
    txt: () => readTextDataset(ctx),
  }[detected.format];
  if (!read) {
    throw new LayerwiseError('DATASET_BAD_OPTION', `Unknown format ${JSON.stringify(detected.format)}; use one of ${DATASET_FORMATS.join(', ')}.`, { field: 'format' });
  }
  const dataset = await read();
  const note: DatasetWarning = { code: 'DATASET_FORMAT', level: 'info', message: `Read as ${dataset.format}: ${detected.reason}.` };
  dataset.warnings.unshift(note);
  return dataset;
}

/**
 * Reads a dataset file. Text that is not UTF-8 is an error (DATASET_NOT_UTF8) unless it reads unambiguously as
 * Latin-1, which is then used and reported (DATASET_DECODED_LATIN1).
 */
export async function readDataset(file: SourceFile, opts: ReadOptions = {}): Promise<Dataset> {
  try {
    return await readAs(file, opts, 'utf-8');
  } catch (err) {
    if (err instanceof NotUtf8Error && err.latin1) return readAs(file, opts, 'latin-1');
    throw err;
  }
}

/** `{label: count}` as a plain object for JSON output, most frequent first; own keys even for `__proto__`. */
export function countsToObject(counts: Map<string, number>): Record<string, number> {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(sorted);
}
