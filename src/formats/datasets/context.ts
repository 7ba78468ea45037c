// What every format reader gets: the file, the user's options, the encoding, and the decoded first part of the
// file (the sample that detection looks at). Plus the helpers they share: chunked text, decode notes, column choice.
import { LayerwiseError } from '../../lib/errors';
import type { SourceFile } from '../source-file';
import { readTextChunks, type DecodeReport, type TextEncoding } from '../text-decode';
import type { Roles } from './detect';
import type { DatasetWarning, ReadOptions } from './types';

/** D10: a line (or CSV record) longer than this many characters is rejected with its line number. */
export const DEFAULT_MAX_LINE_CHARS = 8 * 1024 * 1024;
/** Detection looks at the first 64 KiB: a thousand rows or so, parsed eight ways (4 delimiters × quoting) in ~10 ms. */
export const SAMPLE_BYTES = 64 * 1024;
/** ...grown (×4 at a time, up to MAX_SAMPLE_BYTES) while it holds fewer lines than this, as files of huge cells do. */
export const SAMPLE_MIN_LINES = 10;
export const MAX_SAMPLE_BYTES = 16 * 1024 * 1024;
/** Rows shown in the preview before the whole file is read (D9). */
export const PREVIEW_ROWS = 20;

export interface ReadContext {
  file: SourceFile;
  opts: ReadOptions;
  encoding: TextEncoding;
  /** The first SAMPLE_BYTES as text, cut after the last complete line unless `complete` (the whole file). */
  sample: { text: string; complete: boolean };
}

export function maxLineChars(ctx: ReadContext): number {
  return ctx.opts.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
}

/** The whole file as LF-normalised text chunks, reporting progress and honouring Cancel. */
export function fileChunks(ctx: ReadContext, report: DecodeReport): AsyncGenerator<string> {
  return readTextChunks(ctx.file, report, {
    encoding: ctx.encoding,
    chunkBytes: ctx.opts.chunkBytes,
    onProgress: ctx.opts.onProgress,
    signal: ctx.opts.signal,
  });
}

/** D2, D3, D11: what decoding changed, told to the user. */
export function decodeNotes(report: DecodeReport): DatasetWarning[] {
  const out: DatasetWarning[] = [];
  if (report.bom) {
    out.push({ code: 'DATASET_BOM_REMOVED', level: 'info', message: 'A UTF-8 byte-order mark (as Excel writes) was removed from the start.' });
  }
  const { lf, crlf, cr } = report.lineEndings;
  const kinds = [lf && 'LF', crlf && 'CRLF', cr && 'CR'].filter(Boolean);
  if (crlf + cr > 0) {
    out.push({
      code: 'DATASET_LINE_ENDINGS',
      level: 'info',
      message:
        kinds.length > 1
          ? `Mixed line endings (${lf} LF, ${crlf} CRLF, ${cr} lone CR) were all read as line breaks.`
          : `${crlf ? 'Windows (CRLF)' : 'Old Mac (lone CR)'} line endings were read as line breaks.`,
    });
  }
  if (report.encoding === 'latin-1') {
    out.push({
      code: 'DATASET_DECODED_LATIN1',
      level: 'warning',
      message: 'The file is not UTF-8. It was read as Latin-1 (ISO-8859-1), the only reading that fits its bytes; check accented letters.',
    });
  }
  return out;
}

/** A column by name, or by 1-based number ("2"); an unknown one is an error listing the columns. */
export function resolveColumn(columns: string[], spec: string, field: string, file: string): string {
  if (columns.includes(spec)) return spec;
  if (/^\d+$/.test(spec)) {
    const k = Number(spec);
    if (k >= 1 && k <= columns.length) return columns[k - 1];
  }
  throw new LayerwiseError(
    'DATASET_UNKNOWN_COLUMN',
    `${file} has no column ${JSON.stringify(spec)}; its columns are ${columns.map((c) => JSON.stringify(c)).join(', ')} (or give a number from 1 to ${columns.length}).`,
    { file, field },
  );
}

/** The user's choice of text and label columns replaces the proposal, with the reason "as chosen". */
export function applyRoleOverrides(columns: string[], roles: Roles, opts: ReadOptions, file: string): Roles {
  const out = { ...roles, reasons: { ...roles.reasons } };
  if (opts.textColumns?.length) {
    if (opts.textColumns.length > 2) {
      throw new LayerwiseError('DATASET_BAD_OPTION', `Choose one text column, or two for sentence pairs (got ${opts.textColumns.length}).`, { file, field: 'textColumns' });
    }
    out.textColumns = opts.textColumns.map((c) => resolveColumn(columns, c, 'textColumns', file));
    out.reasons.textColumns = 'as chosen';
  }
  if (opts.labelColumn !== undefined) {
    out.labelColumn = resolveColumn(columns, opts.labelColumn, 'labelColumn', file);
    out.reasons.labelColumn = 'as chosen';
  }
  if (out.labelColumn !== null && out.textColumns.includes(out.labelColumn)) {
    throw new LayerwiseError('DATASET_BAD_OPTION', `Column ${JSON.stringify(out.labelColumn)} cannot be both the text and the label.`, { file, field: 'labelColumn' });
  }
  out.otherLabelColumns = out.otherLabelColumns.filter((c) => c !== out.labelColumn && !out.textColumns.includes(c));
  return out;
}

/** D8/multi-task: further label columns are named, and only the chosen one is used. */
export function roleNotes(roles: Roles): DatasetWarning[] {
  if (roles.otherLabelColumns.length === 0) return [];
  return [
    {
      code: 'DATASET_SEVERAL_LABEL_COLUMNS',
      level: 'info',
      message: `Other label-like columns (${roles.otherLabelColumns.map((c) => JSON.stringify(c)).join(', ')}) form a multi-task set; this run uses ${JSON.stringify(roles.labelColumn)} only.`,
    },
  ];
}
