// What was understood from the file: format and why, size, rows, encoding and line endings, and the reading
// options (format, delimiter, header row) that read it again when changed. Every string from the file is text.
import { Card } from '../../components/card';
import { SelectField } from '../../components/fields';
import { StatGrid } from '../../components/stat-grid';
import { useEngine } from '../../engine-context';
import { DATASET_FILE_FORMATS, type DatasetFileFormat, type DatasetReadChoices, type DatasetSummary } from '../../../protocol/dataset-summary';
import { formatBytes, formatCount, formatDuration } from '../../format';
import { rereadDataset } from './dataset-files';

const FORMAT_LABELS: Record<DatasetFileFormat, string> = {
  csv: 'CSV',
  tsv: 'TSV',
  jsonl: 'JSON Lines',
  json: 'JSON array',
  conll: 'CoNLL',
  txt: 'Plain text (one example per line)',
};

const DELIMITERS = [
  { value: ',', label: 'Comma (,)' },
  { value: ';', label: 'Semicolon (;)' },
  { value: '\t', label: 'Tab' },
  { value: '|', label: 'Pipe (|)' },
] as const;

function lineEndings(e: DatasetSummary['decode']['lineEndings']): string {
  const kinds = [e.crlf > 0 && 'CRLF', e.lf > 0 && 'LF', e.cr > 0 && 'CR'].filter(Boolean);
  return kinds.length === 0 ? '—' : kinds.length > 1 ? `mixed (${kinds.join(', ')})` : String(kinds[0]);
}

export function DatasetOverview({ summary }: { summary: DatasetSummary }) {
  const engine = useEngine();
  const reread = (choices: DatasetReadChoices) => rereadDataset(engine, summary.role, choices);
  const formatNote = summary.warnings.items.find((w) => w.code === 'DATASET_FORMAT');
  const items =
    summary.kind === 'tokens'
      ? [
          { label: 'Sentences', value: formatCount(summary.sentenceCount) },
          { label: 'Tokens', value: formatCount(summary.tokenCount) },
          { label: 'Tags', value: formatCount(summary.labels.total) },
          { label: 'Tag column', value: `${summary.tagColumn + 1} of ${summary.columnCount}` },
        ]
      : [
          { label: 'Rows', value: formatCount(summary.rowCount) },
          { label: 'Columns', value: formatCount(summary.columns.length) },
          { label: 'Labels', value: summary.labelColumn === null ? 'none' : formatCount(summary.labels.total) },
          // Only delimited text has a header row to speak of (JSON Lines names its fields in every row).
          ...(summary.delimiter !== undefined ? [{ label: 'Header row', value: summary.hasHeader ? 'yes' : 'no' }] : []),
        ];
  return (
    <Card
      title={summary.role === 'validation' ? 'Validation file' : 'File'}
      description={
        <>
          <bdi>{summary.file}</bdi> · {formatBytes(summary.size)} · read in {formatDuration(summary.readMs)}
        </>
      }
    >
      <StatGrid
        label="Dataset summary"
        items={[
          { label: 'Format', value: FORMAT_LABELS[summary.format] },
          ...items,
          { label: 'Encoding', value: `${summary.decode.encoding.toUpperCase()}${summary.decode.bom ? ' with BOM (removed)' : ''}` },
          { label: 'Line endings', value: lineEndings(summary.decode.lineEndings) },
        ]}
      />
      {formatNote && <p className="muted small">{formatNote.message}</p>}
      <div className="field-row">
        <SelectField<DatasetFileFormat>
          label="Read as"
          help="Detected from the name and the content; change it if the guess is wrong."
          value={summary.format}
          options={DATASET_FILE_FORMATS.map((f) => ({ value: f, label: FORMAT_LABELS[f] }))}
          onChange={(format) => reread({ format })}
        />
        {summary.kind === 'examples' && summary.delimiter !== undefined && (
          <>
            <SelectField
              label="Delimiter"
              help="The character between fields."
              value={summary.delimiter}
              options={DELIMITERS.some((d) => d.value === summary.delimiter) ? DELIMITERS : [...DELIMITERS, { value: summary.delimiter, label: JSON.stringify(summary.delimiter) }]}
              onChange={(delimiter) => reread({ ...summary.choices, format: summary.format, delimiter })}
            />
            <SelectField
              label="First row"
              help="Whether the first row names the columns."
              value={summary.hasHeader ? 'header' : 'data'}
              options={[
                { value: 'header', label: 'Column names' },
                { value: 'data', label: 'Data' },
              ]}
              onChange={(v) => reread({ ...summary.choices, format: summary.format, hasHeader: v === 'header', textColumns: undefined, labelColumn: undefined })}
            />
          </>
        )}
      </div>
    </Card>
  );
}
