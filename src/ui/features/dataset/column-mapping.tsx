// Column mapping: which column holds the text (a second one for sentence pairs) and which the label, with the
// reader's reasons for its proposal; for CoNLL, which column holds the tags. A change reads the file again with
// the same readDataset the CLI uses, so the label counts and warnings follow the choice.
import { Card } from '../../components/card';
import { SelectField } from '../../components/fields';
import { useEngine } from '../../engine-context';
import type { DatasetSummary, ExampleDatasetSummary, TokenDatasetSummary } from '../../../protocol/dataset-summary';
import { rereadDataset } from './dataset-files';

const NO_PAIR = '\u0000none';

function ExampleMapping({ summary }: { summary: ExampleDatasetSummary }) {
  const engine = useEngine();
  const base = { format: summary.format, delimiter: summary.delimiter, hasHeader: summary.hasHeader };
  const [text, pair] = summary.textColumns;
  const label = summary.labelColumn;
  const columns = summary.columns.map((c) => ({ value: c, label: c }));
  const apply = (textColumns: string[], labelColumn: string | null) =>
    rereadDataset(engine, summary.role, { ...base, textColumns, labelColumn: labelColumn ?? undefined });
  return (
    <>
      <div className="field-row">
        <SelectField
          label="Text column"
          help={summary.reasons.textColumns}
          value={text ?? ''}
          options={text === undefined ? [{ value: '', label: 'Choose a column' }, ...columns] : columns}
          onChange={(c) => apply(pair === undefined ? [c] : [c, pair], label)}
        />
        <SelectField
          label="Second text column"
          help="For sentence pairs (e.g. premise and hypothesis); leave at none otherwise."
          value={pair ?? NO_PAIR}
          options={[{ value: NO_PAIR, label: 'None' }, ...columns.filter((c) => c.value !== text)]}
          onChange={(c) => apply(c === NO_PAIR ? [text] : [text, c], label)}
        />
        <SelectField
          label="Label column"
          help={summary.reasons.labelColumn}
          value={label ?? ''}
          options={label === null ? [{ value: '', label: 'Choose a column' }, ...columns] : columns}
          onChange={(c) => apply(summary.textColumns, c)}
        />
      </div>
      {summary.renamedHeaders.length > 0 && (
        <ul className="note-list" aria-label="Renamed columns">
          {summary.renamedHeaders.map((r) => (
            <li key={r.column}>
              Column {r.column + 1}: header <bdi>{JSON.stringify(r.from)}</bdi> was renamed to <bdi>{r.to}</bdi> (empty or repeated).
            </li>
          ))}
        </ul>
      )}
      {summary.otherLabelColumns.length > 0 && (
        <p className="muted small">
          Other columns that look like labels: <bdi>{summary.otherLabelColumns.join(', ')}</bdi>. Only the label column is trained on.
        </p>
      )}
    </>
  );
}

function TagMapping({ summary }: { summary: TokenDatasetSummary }) {
  const engine = useEngine();
  if (summary.format !== 'conll' || summary.columnCount < 2) {
    return <p className="muted">Each token is read with its tag; there is nothing to map.</p>;
  }
  return (
    <div className="field-row">
      <SelectField
        label="Tag column"
        help="The column of each line that holds the tag (by convention the last; tokens are in the first)."
        value={String(summary.tagColumn)}
        options={Array.from({ length: summary.columnCount - 1 }, (_, k) => {
          // 0-based index k + 1 (column 1 holds the tokens), shown 1-based.
          const index = k + 1;
          return { value: String(index), label: `Column ${index + 1}${index === summary.columnCount - 1 ? ' (last)' : ''}` };
        })}
        onChange={(v) => rereadDataset(engine, summary.role, { format: 'conll', tagColumn: Number(v) })}
      />
    </div>
  );
}

export function ColumnMapping({ summary }: { summary: DatasetSummary }) {
  return (
    <Card title="Column mapping" description="Which parts of each row the model reads and learns to predict.">
      {summary.kind === 'examples' ? <ExampleMapping summary={summary} /> : <TagMapping summary={summary} />}
    </Card>
  );
}
