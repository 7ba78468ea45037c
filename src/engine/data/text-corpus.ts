// Unlabeled text from any dataset the readers understand, for masked-LM training: one line per example in a single
// `text` column, labels dropped. Rows of a sentence-pair file become one line (both texts); tagged sentences of a
// CoNLL file become their tokens joined by spaces, as the words of the sentence were written.
import type { Dataset, ExampleDataset } from '../../formats/datasets/index';
import { LayerwiseError } from '../../lib/errors';

export function textCorpus(ds: Dataset): ExampleDataset {
  const base: Omit<ExampleDataset, 'rows' | 'rowLines'> = {
    kind: 'examples',
    format: ds.format,
    file: ds.file,
    columns: ['text'],
    textColumns: ['text'],
    labelColumn: null,
    otherLabelColumns: [],
    multiLabel: null,
    reasons: { textColumns: 'the text of every example', labelColumn: 'masked-LM training uses no labels' },
    hasHeader: false,
    renamedHeaders: [],
    labels: new Map(),
    unlabelledRows: 0,
    warnings: ds.warnings,
    skipped: ds.skipped,
    decode: ds.decode,
  };
  if (ds.kind === 'tokens') {
    return { ...base, rows: ds.sentences.map((s) => [s.tokens.join(' ')]), rowLines: [...ds.sentenceLines] };
  }
  if (ds.textColumns.length === 0) {
    throw new LayerwiseError('DATA_NO_TEXT_COLUMN', `${ds.file}: no column holds text; choose the text column.`, { file: ds.file, field: 'textColumns' });
  }
  const cols = ds.textColumns.map((c) => ds.columns.indexOf(c));
  return { ...base, rows: ds.rows.map((r) => [cols.map((j) => r[j]).join(' ')]), rowLines: [...ds.rowLines] };
}
