// The label (or tag) distribution as horizontal bars, most frequent first, each with its count and share written
// at its end; the table under it carries the exact numbers too. Plain HTML bars (no chart library): labels are user
// data, rendered as text in <bdi>, never as HTML.
import type { CSSProperties } from 'react';
import { Card } from '../../components/card';
import { ChartFigure } from '../../components/chart-figure';
import type { DatasetSummary } from '../../../protocol/dataset-summary';
import { formatCount } from '../../format';

/** Bars drawn; the rest are counted in the table's last row. */
const SHOWN = 24;

function short(label: string): string {
  return label.length > 22 ? `${label.slice(0, 21)}…` : label;
}

export function LabelChart({ summary }: { summary: DatasetSummary }) {
  const items = summary.labels.items;
  const noun = summary.kind === 'tokens' ? 'tag' : 'label';
  if (summary.kind === 'examples' && summary.labelColumn === null) return null;
  const total = items.reduce((n, l) => n + l.count, 0);
  const shown = items.slice(0, SHOWN);
  const data = shown.map((l) => ({ label: short(l.label), full: l.label, count: l.count }));
  const rest = summary.labels.total - shown.length;
  const smallest = items.length > 0 ? items[items.length - 1].count : 0;
  const largest = items.length > 0 ? items[0].count : 0;
  return (
    <Card
      title={summary.kind === 'tokens' ? 'Tag distribution' : 'Label distribution'}
      description={`${formatCount(summary.labels.total)} ${noun}s${largest > 0 && smallest > 0 ? ` · most frequent / least frequent = ${(largest / smallest).toFixed(1)}` : ''}`}
    >
      <ChartFigure title={summary.kind === 'tokens' ? 'Tag distribution' : 'Label distribution'} className="chart-compact">
        <ol className="hbar-list" aria-label={`${noun === 'tag' ? 'Tag' : 'Label'} counts, most frequent first`}>
          {data.map((d) => (
            <li key={d.full} className="hbar-row" title={d.full.length > 22 ? d.full.slice(0, 500) : undefined}>
              <bdi className="hbar-label">{d.label}</bdi>
              <span className="hbar-track" aria-hidden="true">
                <span className="hbar-fill" style={{ '--share': largest > 0 ? d.count / largest : 0 } as CSSProperties} />
              </span>
              <span className="hbar-value tabular">
                {formatCount(d.count)} <span className="muted">· {total > 0 ? ((100 * d.count) / total).toFixed(1) : '0.0'}%</span>
              </span>
            </li>
          ))}
        </ol>
      </ChartFigure>
      <details className="table-details">
        <summary>Counts as a table</summary>
        <table className="data-table" aria-label={`${noun === 'tag' ? 'Tag' : 'Label'} counts`}>
          <thead>
            <tr>
              <th scope="col">{noun === 'tag' ? 'Tag' : 'Label'}</th>
              <th scope="col" className="numeric">
                Count
              </th>
              <th scope="col" className="numeric">
                Share
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((l) => (
              <tr key={l.label}>
                <td>
                  <bdi>{l.label}</bdi>
                </td>
                <td className="numeric tabular">{formatCount(l.count)}</td>
                <td className="numeric tabular">{total > 0 ? ((100 * l.count) / total).toFixed(1) : '0.0'}%</td>
              </tr>
            ))}
            {summary.labels.total > items.length && (
              <tr>
                <td colSpan={3} className="muted">
                  … and {formatCount(summary.labels.total - items.length)} more
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </details>
      {rest > 0 && <p className="muted small">The chart shows the {SHOWN} most frequent; the table lists more.</p>}
    </Card>
  );
}
