// CoNLL token files (CoNLL-2003 and kin), streamed line by line: any number of space- or tab-separated columns
// (tags in the last unless chosen), `-DOCSTART-` lines skipped, blank or whitespace-only lines ending a sentence
// (runs of them collapse), and one column count for the whole file (RELIABILITY D13, D14).
import { LayerwiseError } from '../../lib/errors';
import { newDecodeReport, readLines } from '../text-decode';
import { decodeNotes, fileChunks, maxLineChars, PREVIEW_ROWS, type ReadContext } from './context';
import { TokenCollector } from './tokens';
import type { DatasetWarning, TokenDataset } from './types';

const SEPARATOR = /[ \t]+/;

export async function readConllDataset(ctx: ReadContext): Promise<TokenDataset> {
  const { file, opts } = ctx;
  const report = newDecodeReport();
  const notes: DatasetWarning[] = [];
  let columns = 0;
  let tagColumn = -1;
  let collector: TokenCollector | null = null;
  let tokens: string[] = [];
  let tags: string[] = [];
  let tokenLines: number[] = [];
  let docs = 0;
  const preview: string[][] = [];
  const showPreview = () => {
    const names = preview[0].map((_, i) => (i === 0 ? 'token' : i === tagColumn ? 'tag' : `column_${i + 1}`));
    opts.onPreview?.({ format: 'conll', columns: names, rows: preview, hasHeader: false });
  };
  const end = () => {
    if (tokens.length > 0) collector?.add(tokens, tags, tokenLines[0], tokenLines);
    tokens = [];
    tags = [];
    tokenLines = [];
  };
  for await (const batch of readLines(fileChunks(ctx, report), maxLineChars(ctx))) {
    for (let k = 0; k < batch.lines.length; k++) {
      const line = batch.firstLine + k;
      const text = batch.lines[k];
      if (text === null) {
        throw new LayerwiseError('DATASET_LINE_TOO_LONG', `${file.name}: line ${line} is longer than ${maxLineChars(ctx).toLocaleString('en-US')} characters; a CoNLL line holds one token.`, { file: file.name, line });
      }
      const trimmed = text.trim();
      if (trimmed === '') {
        end();
        continue;
      }
      const fields = trimmed.split(SEPARATOR);
      if (fields[0] === '-DOCSTART-') {
        end();
        docs++;
        continue;
      }
      if (columns === 0) {
        columns = fields.length;
        tagColumn = opts.tagColumn ?? columns - 1;
        if (columns < 2 && opts.tagColumn === undefined) {
          throw new LayerwiseError('DATASET_CONLL_COLUMNS', `${file.name}: line ${line} has one column; a CoNLL file needs a token and a tag on each line.`, { file: file.name, line });
        }
        if (!Number.isInteger(tagColumn) || tagColumn < 1 || tagColumn >= columns) {
          throw new LayerwiseError('DATASET_CONLL_COLUMNS', `${file.name}: the tag column must be between 2 and ${columns} (1-based); the first token line has ${columns} columns.`, { file: file.name, line, column: tagColumn + 1 });
        }
        collector = new TokenCollector({ file: file.name, format: 'conll', columnCount: columns, tagColumn, decode: report, warnings: notes });
      }
      if (fields.length !== columns) {
        throw new LayerwiseError(
          'DATASET_CONLL_COLUMNS',
          `${file.name}: line ${line} has ${fields.length} column${fields.length === 1 ? '' : 's'} where the lines before have ${columns}.`,
          { file: file.name, line, column: fields.length },
        );
      }
      if (preview.length < PREVIEW_ROWS) {
        preview.push(fields);
        if (preview.length === PREVIEW_ROWS) showPreview();
      }
      tokens.push(fields[0]);
      tags.push(fields[tagColumn]);
      tokenLines.push(line);
    }
  }
  end();
  if (!collector) throw new LayerwiseError('DATASET_EMPTY', `No rows found in ${file.name}.`, { file: file.name });
  if (preview.length < PREVIEW_ROWS) showPreview();
  notes.unshift(...decodeNotes(report));
  notes.push({
    code: 'DATASET_CONLL_LAYOUT',
    level: 'info',
    message: `${columns} columns per token line; tags from column ${tagColumn + 1}${tagColumn === columns - 1 ? ' (the last)' : ''}${docs ? `; ${docs.toLocaleString('en-US')} -DOCSTART- lines skipped` : ''}.`,
  });
  return collector.finish();
}
