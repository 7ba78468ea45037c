// The evaluation's numbers: a metrics table (the final model's and the best evaluation's), precision, recall and
// F1 per class (and per entity type for NER), and the confusion matrix as a heatmap table — a real table, so it
// reads cell by cell with a screen reader; colour only repeats what the numbers say. Counts are coloured on a log
// scale, and imbalanced data (the "O" of NER) opens on row shares, so the big class does not drown every error.
import { useState, type CSSProperties } from 'react';
import { Card } from '../../components/card';
import type { EvalMetrics } from '../../../protocol/train-events';
import { formatCount } from '../../format';

const ROWS: { key: keyof EvalMetrics; label: string; format?: (v: number) => string }[] = [
  { key: 'eval_loss', label: 'Loss', format: (v) => v.toFixed(4) },
  { key: 'accuracy', label: 'Accuracy' },
  { key: 'f1_macro', label: 'F1 (macro)' },
  { key: 'f1_micro', label: 'F1 (micro)' },
  { key: 'f1_weighted', label: 'F1 (weighted)' },
  { key: 'entity_precision', label: 'Entity precision' },
  { key: 'entity_recall', label: 'Entity recall' },
  { key: 'entity_f1', label: 'Entity F1' },
  { key: 'perplexity', label: 'Perplexity', format: (v) => v.toFixed(2) },
  { key: 'eval_samples', label: 'Examples evaluated', format: (v) => formatCount(v) },
];

const score = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));

export function MetricsTable({ columns, title = 'Metrics', description = 'On the validation data, in evaluation mode (no dropout).' }: { columns: { title: string; metrics: EvalMetrics }[]; title?: string; description?: string }) {
  const rows = ROWS.filter((r) => columns.some((c) => typeof c.metrics[r.key] === 'number'));
  return (
    <Card title={title} description={description}>
      <table className="data-table" aria-label={title}>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            {columns.map((c) => (
              <th key={c.title} scope="col" className="numeric">
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              {columns.map((c) => {
                const v = c.metrics[r.key];
                return (
                  <td key={c.title} className="numeric tabular">
                    {typeof v === 'number' ? (r.format ?? score)(v) : '—'}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** A multi-task run's evaluation (EvalMetrics.tasks): a column per head, each on its own validation data. */
export function HeadMetricsTable({ metrics, watch }: { metrics: EvalMetrics; watch: string | null }) {
  const heads = Object.entries(metrics.tasks ?? {});
  if (heads.length === 0) return null;
  return (
    <MetricsTable
      title="Metrics of each head"
      description={`Each head on its own validation data; the run watches ${watch === null ? 'the mean over the heads' : `head ${watch}`} (the metrics above).`}
      columns={heads.map(([name, m]) => ({ title: name, metrics: m }))}
    />
  );
}

export function PerClassTable({ metrics }: { metrics: EvalMetrics }) {
  const classes = metrics.per_class ?? [];
  const entities = metrics.per_entity ?? [];
  if (classes.length === 0 && entities.length === 0) return null;
  const table = (label: string, head: string, items: { name: string; precision: number; recall: number; f1: number; support: number }[]) => (
    <table className="data-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col" className="numeric">
            Precision
          </th>
          <th scope="col" className="numeric">
            Recall
          </th>
          <th scope="col" className="numeric">
            F1
          </th>
          <th scope="col" className="numeric">
            Support
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((c, i) => (
          <tr key={i}>
            <th scope="row" className="label-cell" title={c.name.length > 24 ? c.name.slice(0, 500) : undefined}>
              <bdi>{c.name}</bdi>
            </th>
            <td className="numeric tabular">{score(c.precision)}</td>
            <td className="numeric tabular">{score(c.recall)}</td>
            <td className="numeric tabular">
              <span className="f1-cell" style={{ '--f1': Number.isFinite(c.f1) ? c.f1 : 0 } as CSSProperties}>
                {score(c.f1)}
              </span>
            </td>
            <td className="numeric tabular">{formatCount(c.support)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <Card title="Per class" description="Precision: of the predictions of a class, how many were right. Recall: of its examples, how many were found.">
      {classes.length > 0 && table('Per-class metrics', 'Class', classes.map((c) => ({ name: c.label, ...c })))}
      {entities.length > 0 && table('Per-entity metrics', 'Entity type', entities.map((e) => ({ name: e.type, ...e })))}
    </Card>
  );
}

/** Classes drawn; beyond this the most frequent (by true count) are shown, so the table stays readable. */
const MATRIX_CLASSES = 30;

/** Largest over smallest row total (classes with examples only): above this, the matrix opens on row shares. */
export const IMBALANCED = 3;

export function imbalance(matrix: readonly (readonly number[])[]): number {
  const totals = matrix.map((r) => r.reduce((a, b) => a + b, 0)).filter((t) => t > 0);
  return totals.length === 0 ? 1 : Math.max(...totals) / Math.min(...totals);
}

export function ConfusionMatrix(props: { matrix: number[][]; labels: string[] }) {
  const [normalise, setNormalise] = useState(() => imbalance(props.matrix) > IMBALANCED);
  const support = props.matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const keep = props.labels
    .map((_, i) => i)
    .sort((a, b) => support[b] - support[a])
    .slice(0, MATRIX_CLASSES)
    .sort((a, b) => a - b);
  const labels = keep.map((i) => props.labels[i]);
  const matrix = keep.map((i) => keep.map((j) => props.matrix[i][j]));
  const hidden = props.labels.length - keep.length;
  const rowTotals = matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...matrix.flat());
  return (
    <Card
      title="Confusion matrix"
      description={
        normalise
          ? 'Rows are the true class, columns the prediction; each row in shares of its examples. The diagonal is right.'
          : 'Rows are the true class, columns the prediction; colour on a log scale of the counts. The diagonal is right.'
      }
      actions={
        <label className="check-label">
          <input type="checkbox" checked={normalise} onChange={(e) => setNormalise(e.currentTarget.checked)} />
          <span>Show row shares</span>
        </label>
      }
    >
      {hidden > 0 && <p className="muted small">The {MATRIX_CLASSES} most frequent of {formatCount(props.labels.length)} classes.</p>}
      <div className="table-scroll">
        <table className="confusion" aria-label="Confusion matrix">
          <thead>
            <tr>
              <th scope="col" className="confusion-corner">
                true ↓ · predicted →
              </th>
              {labels.map((l, j) => (
                <th key={j} scope="col" title={l.length > 16 ? l.slice(0, 500) : undefined}>
                  <bdi>{l}</bdi>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.map((row, i) => (
              <tr key={i}>
                <th scope="row" title={labels[i].length > 16 ? labels[i].slice(0, 500) : undefined}>
                  <bdi>{labels[i]}</bdi>
                </th>
                {row.map((n, j) => {
                  const share = rowTotals[i] > 0 ? n / rowTotals[i] : 0;
                  // Counts on a log scale: 1 error among 10,000 "O"s still shows.
                  const intensity = normalise ? share : Math.log1p(n) / Math.log1p(max);
                  return (
                    <td key={j} className={[i === j && 'is-diagonal', intensity > 0.55 && 'is-hot'].filter(Boolean).join(' ') || undefined} style={{ '--heat': intensity } as CSSProperties}>
                      {normalise ? `${(100 * share).toFixed(0)}%` : formatCount(n)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
