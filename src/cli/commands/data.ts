// `layerwise data --data FILE`: reads a dataset file with the same readDataset the worker and the page use, and
// prints what was understood. Output shapes (with --json) are a contract for outside checks (see the Datasets issue).
import { existsSync, statSync } from 'node:fs';
import { countsToObject, DATASET_FORMATS, readDataset, type Dataset, type DatasetFormat, type ReadOptions } from '../../formats/datasets/index';
import { LayerwiseError } from '../../lib/errors';
import { parseOptions, required } from '../args';
import { nodeFile } from '../node-files';

export const summary = 'show how a dataset file is understood: format, columns, labels, warnings';

const HELP = `usage: layerwise data --data FILE [--format ${DATASET_FORMATS.join('|')}] [--text-col NAME] [--label-col NAME]
                      [--delimiter CHAR] [--header | --no-header] [--json]

  --text-col may be given twice for a sentence pair; columns are names or 1-based numbers.
  For CoNLL, --label-col is the 1-based column that holds the tags (default: the last).`;

/** The JSON the issue specifies: examples or token data. */
export function describeDataset(ds: Dataset): Record<string, unknown> {
  const warnings = ds.warnings.map((w) => ({ code: w.code, message: w.message }));
  if (ds.kind === 'tokens') {
    const tokens = ds.sentences.reduce((n, s) => n + s.tokens.length, 0);
    return { format: ds.format, sentences: ds.sentences.length, tokens, tags: countsToObject(ds.tags), warnings };
  }
  return {
    format: ds.format,
    rows: ds.rows.length,
    columns: ds.columns,
    textColumns: ds.textColumns,
    labelColumn: ds.labelColumn,
    labels: countsToObject(ds.labels),
    // Rows of several labels: how they are held (labels then counts rows per label), and rows without any.
    ...(ds.multiLabel === null ? {} : { multiLabel: ds.multiLabel, unlabelledRows: ds.unlabelledRows }),
    warnings,
  };
}

function describeText(ds: Dataset): string {
  const lines: string[] = [`${ds.file}: ${ds.format}`];
  if (ds.kind === 'tokens') {
    const tokens = ds.sentences.reduce((n, s) => n + s.tokens.length, 0);
    lines.push(`${ds.sentences.length} sentences, ${tokens} tokens; tags from column ${ds.tagColumn + 1} of ${ds.columnCount}`);
    for (const [tag, n] of Object.entries(countsToObject(ds.tags))) lines.push(`  ${JSON.stringify(tag)}: ${n}`);
  } else {
    if (ds.delimiter !== undefined) lines.push(`delimiter ${JSON.stringify(ds.delimiter)}, quoting ${ds.quoting ? 'on' : 'off'}, header ${ds.hasHeader ? 'yes' : 'no'}`);
    lines.push(`${ds.rows.length} rows; columns ${ds.columns.map((c) => JSON.stringify(c)).join(', ')}`);
    lines.push(`text: ${ds.textColumns.map((c) => JSON.stringify(c)).join(' + ') || '(none)'} (${ds.reasons.textColumns})`);
    const ml = ds.multiLabel;
    const labelsFrom = ml?.kind === 'binary-columns' ? ml.columns.map((c) => JSON.stringify(c)).join(', ') : ds.labelColumn === null ? '(none)' : JSON.stringify(ds.labelColumn);
    lines.push(`label: ${labelsFrom} (${ds.reasons.labelColumn})`);
    if (ml !== null) lines.push(`several labels per row (${ml.kind === 'separated' ? `separated by ${JSON.stringify(ml.separator)}` : ml.kind === 'json-array' ? 'JSON arrays' : '0/1 columns'}); ${ds.unlabelledRows} rows without a label; rows per label:`);
    for (const [label, n] of Object.entries(countsToObject(ds.labels))) lines.push(`  ${JSON.stringify(label)}: ${n}`);
  }
  for (const w of ds.warnings) lines.push(`${w.level === 'info' ? 'note' : 'warning'} ${w.code}: ${w.message}`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const o = parseOptions(argv, {
    data: { type: 'string' },
    format: { type: 'string' },
    'text-col': { type: 'string', multiple: true },
    'label-col': { type: 'string' },
    delimiter: { type: 'string' },
    header: { type: 'boolean' },
    'no-header': { type: 'boolean' },
  });
  const path = required(o.data, 'data');
  if (o.format !== undefined && !DATASET_FORMATS.includes(o.format as DatasetFormat)) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--format must be one of ${DATASET_FORMATS.join(', ')}, got "${o.format}"`, { field: 'format' });
  }
  const delimiter = o.delimiter === '\\t' || o.delimiter === 'tab' ? '\t' : o.delimiter;
  if (delimiter !== undefined && (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--delimiter must be one character (or "tab"), got ${JSON.stringify(o.delimiter)}`, { field: 'delimiter' });
  }
  const format = o.format as DatasetFormat | undefined;
  const opts: ReadOptions = { format, delimiter, textColumns: o['text-col'] };
  if (o.header && o['no-header']) throw new LayerwiseError('CLI_BAD_ARGUMENT', 'give --header or --no-header, not both', { field: 'header' });
  if (o.header || o['no-header']) opts.hasHeader = !!o.header;
  const labelCol = o['label-col'];
  if (labelCol !== undefined) {
    // CoNLL has no column names: --label-col is the tag column's 1-based number there.
    if (format === 'conll' || (format === undefined && /^\d+$/.test(labelCol))) {
      const n = Number(labelCol);
      if (format === 'conll' && !(Number.isInteger(n) && n >= 1)) {
        throw new LayerwiseError('CLI_BAD_ARGUMENT', `--label-col for CoNLL is a column number, got "${labelCol}"`, { field: 'label-col' });
      }
      opts.tagColumn = n - 1;
    }
    opts.labelColumn = labelCol;
  }
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new LayerwiseError('CLI_FILE_NOT_FOUND', `${path} is not a file`, { file: path, field: 'data' });
  }
  const ds = await readDataset(nodeFile(path), opts);
  if (o.json) console.log(JSON.stringify(describeDataset(ds)));
  else console.log(describeText(ds));
  return 0;
}
