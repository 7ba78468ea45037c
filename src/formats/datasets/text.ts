// Plain text, one example per line (masked-LM corpora): blank and whitespace-only lines are left out, a line over
// the length cap is skipped and reported (RELIABILITY D10), and lines are kept as written otherwise.
import { newDecodeReport, readLines } from '../text-decode';
import { decodeNotes, fileChunks, maxLineChars, PREVIEW_ROWS, type ReadContext } from './context';
import { ExampleCollector } from './examples';
import type { DatasetWarning, ExampleDataset } from './types';

export async function readTextDataset(ctx: ReadContext): Promise<ExampleDataset> {
  const { file, opts, sample } = ctx;
  const preview = sample.text.split('\n').filter((l) => l.trim() !== '').slice(0, PREVIEW_ROWS);
  opts.onPreview?.({ format: 'txt', columns: ['text'], rows: preview.map((l) => [l]), hasHeader: false });
  const report = newDecodeReport();
  const notes: DatasetWarning[] = [];
  const roles = { textColumns: ['text'], labelColumn: null, otherLabelColumns: [], reasons: { textColumns: 'plain text: one example per line', labelColumn: 'plain text has no labels' } };
  const collector = new ExampleCollector({ file: file.name, format: 'txt', columns: ['text'], roles, hasHeader: false, decode: report, warnings: notes });
  let blank = 0;
  for await (const batch of readLines(fileChunks(ctx, report), maxLineChars(ctx))) {
    for (let k = 0; k < batch.lines.length; k++) {
      const line = batch.firstLine + k;
      const text = batch.lines[k];
      if (text === null) collector.skip(line, line, 'too-long', `longer than ${maxLineChars(ctx).toLocaleString('en-US')} characters`);
      else if (text.trim() === '') blank++;
      else collector.add([text], line, line);
    }
  }
  notes.unshift(...decodeNotes(report));
  if (blank > 0) notes.push({ code: 'DATASET_BLANK_LINES', level: 'info', message: `${blank.toLocaleString('en-US')} blank lines were left out; each other line is one example.` });
  return collector.finish();
}
