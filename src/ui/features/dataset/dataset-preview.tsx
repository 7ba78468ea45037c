// The first rows as the reader understood them: a table whose text and label columns are marked, or for token
// data each sentence's tokens with their tags. Cells are text inside <bdi> (never HTML, isolated from RTL
// overrides); very long cells are clipped by CSS, their full text in the title.
import type { CSSProperties } from 'react';
import { Badge } from '../../components/badge';
import { Card } from '../../components/card';
import type { DatasetSummary, ExampleDatasetSummary, TokenDatasetSummary } from '../../../protocol/dataset-summary';
import { formatCount } from '../../format';

/** A stable hue per tag, so one entity type keeps its colour across sentences. */
export function tagHue(tag: string): number {
  const type = tag.replace(/^[BI]-/, '');
  let h = 0;
  for (let i = 0; i < type.length; i++) h = (h * 31 + type.charCodeAt(i)) % 360;
  return h;
}

function ExampleTable({ summary }: { summary: ExampleDatasetSummary }) {
  const role = (c: string) => (summary.textColumns.includes(c) ? 'text' : summary.labelColumn === c ? 'label' : null);
  return (
    <div className="table-scroll preview-scroll">
      <table className="data-table preview-table" aria-label="Dataset preview">
        <thead>
          <tr>
            <th scope="col" className="numeric">
              Line
            </th>
            {summary.columns.map((c, i) => (
              <th key={i} scope="col" className={role(c) ? `is-${role(c)}` : undefined}>
                <bdi>{c}</bdi> {role(c) && <Badge tone={role(c) === 'label' ? 'success' : 'accent'}>{role(c)}</Badge>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {summary.preview.map((row, r) => (
            <tr key={r}>
              <td className="numeric tabular muted">{row.line > 0 ? row.line : r + 1}</td>
              {row.cells.map((cell, c) => (
                <td key={c} className={role(summary.columns[c]) ? `is-${role(summary.columns[c])}` : undefined}>
                  <bdi className="cell-text" title={cell.length > 120 ? cell.slice(0, 2000) : undefined}>
                    {cell}
                  </bdi>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TokenTable({ summary }: { summary: TokenDatasetSummary }) {
  return (
    <div className="table-scroll preview-scroll">
      <table className="data-table preview-table" aria-label="Dataset preview">
        <thead>
          <tr>
            <th scope="col" className="numeric">
              Line
            </th>
            <th scope="col">Tokens and tags</th>
          </tr>
        </thead>
        <tbody>
          {summary.preview.map((s, r) => (
            <tr key={r}>
              <td className="numeric tabular muted">{s.line}</td>
              <td>
                <span className="tagged-sentence">
                  {s.tokens.map((t, i) => (
                    <span key={i} className={s.tags[i] === 'O' ? 'tagged-token' : 'tagged-token is-entity'} style={{ '--tag-hue': tagHue(s.tags[i]) } as CSSProperties}>
                      <bdi>{t}</bdi>
                      {s.tags[i] !== 'O' && (
                        <span className="tagged-tag">
                          <bdi>{s.tags[i]}</bdi>
                        </span>
                      )}
                    </span>
                  ))}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DatasetPreview({ summary }: { summary: DatasetSummary }) {
  const total = summary.kind === 'tokens' ? summary.sentenceCount : summary.rowCount;
  const noun = summary.kind === 'tokens' ? 'sentences' : 'rows';
  return (
    <Card title="Preview" description={`The first ${formatCount(summary.preview.length)} of ${formatCount(total)} ${noun}, as read.`}>
      {summary.kind === 'examples' ? <ExampleTable summary={summary} /> : <TokenTable summary={summary} />}
    </Card>
  );
}
