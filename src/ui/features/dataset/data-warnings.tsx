// Every warning about the data, in one place: the reader's notes on the file (with line numbers), the split's
// (labels seen only in validation, texts in both splits), and the rows that were skipped with their reasons.
import { Badge } from '../../components/badge';
import { Card } from '../../components/card';
import { CodedMessage } from '../../components/coded-message';
import { Icon } from '../../components/icons';
import type { DataNote, DatasetSummary } from '../../../protocol/dataset-summary';
import { formatCount } from '../../format';

function where(n: DataNote): string {
  return [n.line !== undefined && `line ${n.line}`, n.row !== undefined && `row ${n.row}`].filter(Boolean).join(', ');
}

export function DataWarnings({ summaries, planNotes }: { summaries: DatasetSummary[]; planNotes: DataNote[] }) {
  const notes = [
    ...summaries.flatMap((s) => s.warnings.items.filter((w) => w.code !== 'DATASET_FORMAT').map((w) => ({ ...w, file: s.file }))),
    ...planNotes.map((w) => ({ ...w, file: 'split' })),
  ];
  const ordered = [...notes.filter((n) => n.level === 'warning'), ...notes.filter((n) => n.level !== 'warning')];
  const warnings = notes.filter((n) => n.level === 'warning').length;
  const hidden = summaries.reduce((n, s) => n + s.warnings.total - s.warnings.items.length, 0);
  const skipped = summaries.filter((s) => s.skipped.total > 0);
  return (
    <Card
      title="Warnings"
      description="What the reader and the split noticed. Nothing is repaired silently."
      actions={
        <>
          {warnings > 0 && <Badge tone="warning">{warnings === 1 ? '1 warning' : `${formatCount(warnings)} warnings`}</Badge>}
          {notes.length - warnings > 0 && <Badge>{formatCount(notes.length - warnings)} info</Badge>}
        </>
      }
    >
      {ordered.length === 0 && skipped.length === 0 ? (
        <p className="all-clear">
          <Icon name="check" /> No warnings: every row was read as written.
        </p>
      ) : (
        <ul className="message-list" aria-label="Dataset warnings">
          {ordered.map((n, i) => (
            <li key={`${n.code}-${i}`} className={`message message-${n.level}`}>
              <span className="message-icon">
                <Icon name={n.level === 'warning' ? 'warning' : 'info'} />
              </span>
              <div className="message-body">
                <p>
                  <CodedMessage code={n.code} message={n.message} />
                </p>
                <p className="muted small">
                  <bdi>{n.file}</bdi>
                  {where(n) !== '' && ` · ${where(n)}`}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
      {hidden > 0 && <p className="muted small">… and {formatCount(hidden)} more warnings of the same kinds.</p>}
      {skipped.map((s) => (
        <details key={s.role} className="table-details">
          <summary>
            {formatCount(s.skipped.total)} {s.skipped.total === 1 ? 'row' : 'rows'} skipped in <bdi>{s.file}</bdi>
          </summary>
          <table className="data-table" aria-label={`Skipped rows of ${s.file}`}>
            <thead>
              <tr>
                <th scope="col" className="numeric">
                  Row
                </th>
                <th scope="col" className="numeric">
                  Line
                </th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {s.skipped.items.map((r, i) => (
                <tr key={i}>
                  <td className="numeric tabular">{r.row}</td>
                  <td className="numeric tabular">{r.line ?? '—'}</td>
                  <td>
                    <bdi>{r.reason}</bdi>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </Card>
  );
}
