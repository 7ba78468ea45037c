// CSV, TSV and other delimited text, streamed chunk by chunk through papaparse's own parser (Papa.Parser with
// ignoreLastRow, as its ChunkStreamer does), so that a 1M-row file never becomes one string (RELIABILITY D4–D9).
import Papa from 'papaparse';
import { LayerwiseError } from '../../lib/errors';
import { newDecodeReport } from '../text-decode';
import { applyRoleOverrides, decodeNotes, fileChunks, maxLineChars, PREVIEW_ROWS, roleNotes, type ReadContext } from './context';
import { delimiterName, detectDelimited, detectHeader, formatFromName, parseSample, proposeRoles, renameHeaders } from './detect';
import { ExampleCollector, listRows, plural } from './examples';
import { chooseMultiLabel } from './multi-label';
import type { DatasetWarning, ExampleDataset } from './types';

export interface DelimitedSettings {
  delimiter: string;
  quoting: boolean;
  /** Only to number rows in errors as data rows (the header is not counted). */
  hasHeader: boolean;
}

/** Records parsed from one chunk: cells, and the 1-based line where each record starts. Blank lines are left out. */
export interface RecordBatch {
  records: string[][];
  lines: number[];
  /** Records whose quotes papaparse found malformed (InvalidQuotes), by 1-based line. */
  badQuoteLines: number[];
}

/** Counts how many '\n' a record's cells hold (only quoted cells can hold one). */
function newlinesIn(cells: string[]): number {
  let n = 0;
  for (const c of cells) {
    for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/**
 * Delimited records from LF-normalised text chunks. An unclosed quote (which would silently swallow the rest of
 * the file) is a hard error naming the line where the quoted field starts (D6), as is a record longer than
 * maxRecordChars.
 */
export async function* parseDelimited(
  chunks: AsyncIterable<string>,
  settings: DelimitedSettings,
  file: string,
  maxRecordChars: number,
): AsyncGenerator<RecordBatch> {
  const parser = new Papa.Parser({
    delimiter: settings.delimiter,
    newline: '\n',
    quoteChar: '"',
    fastMode: settings.quoting ? undefined : true,
  });
  let partial = '';
  let line = 1;
  let records = 0;
  const rowAt = (extra: number): number => records + extra + (settings.hasHeader ? 0 : 1);
  const convert = (res: Papa.ParseResult<string[]>): RecordBatch => {
    const batchRecords: string[][] = [];
    const lines: number[] = [];
    const badRows = new Set(res.errors.filter((e) => e.code === 'InvalidQuotes').map((e) => e.row));
    const badQuoteLines: number[] = [];
    res.data.forEach((cells, i) => {
      const start = line;
      line += 1 + (settings.quoting ? newlinesIn(cells) : 0);
      if (badRows.has(i)) badQuoteLines.push(start);
      if (cells.length === 1 && cells[0].trim() === '') return;
      batchRecords.push(cells);
      lines.push(start);
    });
    records += batchRecords.length;
    return { records: batchRecords, lines, badQuoteLines };
  };
  for await (const chunk of chunks) {
    const input = partial + chunk;
    const res = parser.parse(input, 0, true) as Papa.ParseResult<string[]>;
    const batch = convert(res);
    partial = input.slice(res.meta.cursor);
    if (partial.length > maxRecordChars) {
      const quoted = settings.quoting && partial.startsWith('"');
      const limit = maxRecordChars.toLocaleString('en-US');
      throw new LayerwiseError(
        quoted ? 'DATASET_UNCLOSED_QUOTE' : 'DATASET_LINE_TOO_LONG',
        quoted
          ? `${file}: row ${rowAt(0)} (line ${line}) opens a quoted field that is never closed (it runs past ${limit} characters).`
          : `${file}: row ${rowAt(0)} (line ${line}) is longer than ${limit} characters.`,
        { file, row: rowAt(0), line },
      );
    }
    if (batch.records.length > 0 || batch.badQuoteLines.length > 0) yield batch;
  }
  if (partial.length > 0) {
    const res = parser.parse(partial, 0, false) as Papa.ParseResult<string[]>;
    const missing = res.errors.find((e) => e.code === 'MissingQuotes');
    if (missing) {
      const before = res.data.slice(0, missing.row);
      const at = line + before.reduce((n, cells) => n + 1 + newlinesIn(cells), 0);
      const row = rowAt(before.filter((c) => !(c.length === 1 && c[0].trim() === '')).length);
      throw new LayerwiseError(
        'DATASET_UNCLOSED_QUOTE',
        `${file}: row ${row} (line ${at}) opens a quoted field that is never closed, so the rest of the file would become one field. Fix the quote, or read the file with quoting off.`,
        { file, row, line: at },
      );
    }
    const batch = convert(res);
    if (batch.records.length > 0 || batch.badQuoteLines.length > 0) yield batch;
  }
}

/**
 * A delimited file as examples: delimiter and quoting from the sample (or as chosen), header, column roles, then
 * every record streamed through the collector. `tsv` forces a tab unless a delimiter was chosen.
 */
export async function readDelimitedDataset(ctx: ReadContext, tsv: boolean): Promise<ExampleDataset> {
  const { file, opts, sample } = ctx;
  const fromName = formatFromName(file.name);
  const chosen = opts.delimiter ?? (tsv ? '\t' : undefined);
  const byName = fromName === 'tsv' ? '\t' : fromName === 'csv' ? ',' : undefined;
  const preferred = chosen ?? byName ?? ',';
  const guess = detectDelimited(sample.text, sample.complete, { delimiter: chosen, quoting: opts.quoting, preferred: byName });
  if (guess && 'undetectable' in guess) {
    throw new LayerwiseError(
      'DATASET_DELIMITER_UNDETECTABLE',
      `${file.name}: ${guess.reason}. Choose the delimiter (comma, tab, semicolon or pipe).`,
      { file: file.name },
    );
  }
  const delimiter = guess?.delimiter ?? preferred;
  const quoting = guess?.quoting ?? opts.quoting ?? true;
  const sampleRows = guess?.rows ?? parseSample(sample.text, delimiter, quoting, sample.complete).rows;
  const fields = guess?.fields ?? 1;
  const shaped = sampleRows.filter((r) => r.length === fields);
  const header = opts.hasHeader === undefined ? detectHeader(sampleRows) : { hasHeader: opts.hasHeader, reason: 'as chosen' };
  const named = header.hasHeader && sampleRows.length > 0 ? renameHeaders(sampleRows[0]) : null;
  const columns = named?.columns ?? Array.from({ length: fields }, (_, i) => `column_${i + 1}`);
  const dataSample = (header.hasHeader ? shaped.filter((r) => r !== sampleRows[0]) : shaped).slice(0, 2000);
  const { roles, multiLabel } = chooseMultiLabel(columns, dataSample, applyRoleOverrides(columns, proposeRoles(columns, dataSample), opts, file.name), opts, { file: file.name, delimiter });
  const format = delimiter === '\t' ? 'tsv' : 'csv';
  opts.onPreview?.({ format, columns, rows: dataSample.slice(0, PREVIEW_ROWS), delimiter, quoting, hasHeader: header.hasHeader });

  const notes: DatasetWarning[] = [
    { code: 'DATASET_DELIMITER', level: 'info', message: `Delimiter: ${guess?.reason ?? `${delimiterName(delimiter)} (the file has a single column)`}.` },
    { code: 'DATASET_HEADER', level: 'info', message: header.hasHeader ? `The first row is a header: ${header.reason}.` : `No header row: ${header.reason}.` },
  ];
  if (guess?.quotingReason) {
    notes.push({ code: 'DATASET_QUOTES_IGNORED', level: 'warning', message: `Quoting is off: ${guess.quotingReason}.` });
  }
  notes.push(...roleNotes(roles));
  const report = newDecodeReport();
  const collector = new ExampleCollector({
    file: file.name,
    format,
    columns,
    roles,
    hasHeader: header.hasHeader,
    decode: report,
    delimiter,
    quoting,
    renamedHeaders: named?.renamed ?? [],
    warnings: notes,
    multiLabel,
  });
  const badQuotes: number[] = [];
  let record = 0;
  const settings = { delimiter, quoting, hasHeader: header.hasHeader };
  for await (const batch of parseDelimited(fileChunks(ctx, report), settings, file.name, maxLineChars(ctx))) {
    badQuotes.push(...batch.badQuoteLines);
    for (let i = 0; i < batch.records.length; i++) {
      if (record++ === 0 && header.hasHeader) continue;
      collector.add(batch.records[i], header.hasHeader ? record - 1 : record, batch.lines[i]);
    }
  }
  if (badQuotes.length > 0) {
    notes.push({
      code: 'DATASET_MALFORMED_QUOTES',
      level: 'warning',
      message: `${plural(badQuotes.length, 'record')} have a quote inside a quoted field that is not doubled (lines ${listRows(badQuotes)}); their text keeps the quote.`,
      line: badQuotes[0],
    });
  }
  notes.unshift(...decodeNotes(report));
  return collector.finish();
}
