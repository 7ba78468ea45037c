// Column mapping: which column holds the text (a second one for sentence pairs) and which the label, with the
// reader's reasons for its proposal; for CoNLL, which column holds the tags. A change reads the file again with
// the same readDataset the CLI uses, so the label counts and warnings follow the choice. Rows of several labels
// (a separated label column, JSON arrays, 0/1 columns) are shown as detected, with the labels met together, and can
// be read otherwise.
import { Card } from '../../components/card';
import { SelectField } from '../../components/fields';
import { useEngine } from '../../engine-context';
import type { DatasetSummary, ExampleDatasetSummary, TokenDatasetSummary } from '../../../protocol/dataset-summary';
import { rereadDataset } from './dataset-files';

const NO_PAIR = '\u0000none';
const ONE = 'one';
const SEPARATORS = [';', '|', ',', '/'];

/** How the rows hold their labels, as a choice: one per row, a separator, 0/1 columns or JSON arrays (as read). */
function LabelsPerRow({ summary, reread }: { summary: ExampleDatasetSummary; reread: (choices: { labelSeparator?: string | null; labelColumns?: string[] }) => void }) {
  const ml = summary.multiLabel ?? null;
  const value = ml === null ? ONE : ml.kind === 'separated' ? `sep:${ml.separator}` : ml.kind;
  const options = [
    { value: ONE, label: 'One label per row' },
    ...SEPARATORS.filter((sep) => sep !== summary.delimiter).map((sep) => ({ value: `sep:${sep}`, label: `Several, separated by “${sep}”` })),
    ...(ml?.kind === 'binary-columns' ? [{ value: 'binary-columns', label: `Several: ${ml.columns.length} columns of 0/1` }] : []),
    ...(ml?.kind === 'json-array' ? [{ value: 'json-array', label: 'Several: JSON arrays' }] : []),
  ];
  return (
    <>
      <SelectField
        label="Labels per row"
        help={ml === null ? 'Each row has one label. Choose a separator if the label column lists several.' : `Read as multi-label: ${summary.reasons.labelColumn}.`}
        value={value}
        options={options}
        onChange={(v) => reread(v === ONE ? { labelSeparator: null } : v.startsWith('sep:') ? { labelSeparator: v.slice(4) } : {})}
      />
      {ml !== null && (
        <p className="muted small" aria-label="Labels met together">
          {(summary.unlabelledRows ?? 0) > 0 && `${summary.unlabelledRows} rows have no label. `}
          {(summary.cooccurrence ?? []).length > 0 ? (
            <>
              Most often together:{' '}
              {(summary.cooccurrence ?? []).slice(0, 5).map(([a, b, n], i) => (
                <span key={i}>
                  {i > 0 && ', '}
                  <bdi>{a}</bdi> + <bdi>{b}</bdi> ({n})
                </span>
              ))}
              .
            </>
          ) : (
            'No two labels occur in one row.'
          )}
        </p>
      )}
    </>
  );
}

function ExampleMapping({ summary }: { summary: ExampleDatasetSummary }) {
  const engine = useEngine();
  const base = { format: summary.format, delimiter: summary.delimiter, hasHeader: summary.hasHeader };
  const [text, pair] = summary.textColumns;
  const label = summary.labelColumn;
  const columns = summary.columns.map((c) => ({ value: c, label: c }));
  const apply = (textColumns: string[], labelColumn: string | null) =>
    rereadDataset(engine, summary.role, { ...base, labelSeparator: summary.choices.labelSeparator, textColumns, labelColumn: labelColumn ?? undefined });
  const binary = summary.multiLabel?.kind === 'binary-columns';
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
        {!binary && (
          <SelectField
            label="Label column"
            help={summary.reasons.labelColumn}
            value={label ?? ''}
            options={label === null ? [{ value: '', label: 'Choose a column' }, ...columns] : columns}
            onChange={(c) => apply(summary.textColumns, c)}
          />
        )}
        <LabelsPerRow
          summary={summary}
          reread={(choices) =>
            rereadDataset(engine, summary.role, { ...base, textColumns: summary.textColumns, labelColumn: binary ? undefined : (label ?? undefined), labelSeparator: choices.labelSeparator, labelColumns: choices.labelColumns })
          }
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
