// What #20 adds to the Evaluate panel: for a multi-label head the scores at the thresholds tuned per label beside the
// 0.5 baseline (and each label's threshold), and for every classifier each class's recall beside the majority-class
// baseline's, which finds every example of its one class and none of the others.
import { Card } from '../../components/card';
import type { EvalMetrics, MajorityBaseline } from '../../../protocol/train-events';

const score = (v: number | undefined) => (v === undefined ? '—' : Number.isFinite(v) ? v.toFixed(4) : String(v));

function MultiLabelScores({ metrics }: { metrics: EvalMetrics & { tuned: NonNullable<EvalMetrics['tuned']> } }) {
  const { tuned } = metrics;
  const rows: [string, number | undefined, number | undefined][] = [
    ['F1 (micro)', tuned.f1_micro, metrics.f1_micro],
    ['F1 (macro)', tuned.f1_macro, metrics.f1_macro],
    ['F1 (weighted)', tuned.f1_weighted, metrics.f1_weighted],
    ['Subset accuracy', tuned.accuracy, metrics.accuracy],
    ['Hamming loss', tuned.hamming_loss, metrics.hamming_loss],
  ];
  return (
    <Card
      title="Multi-label thresholds"
      description="A label applies when its sigmoid reaches its threshold. Thresholds tuned per label for F1 on this validation data (optimistic here, saved with the model) beside 0.5 for every label."
    >
      <table className="data-table" aria-label="Multi-label scores">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col" className="numeric">
              Tuned thresholds
            </th>
            <th scope="col" className="numeric">
              0.5 thresholds
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, t, h]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="numeric tabular">{score(t)}</td>
              <td className="numeric tabular">{score(h)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="data-table" aria-label="Thresholds per label">
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col" className="numeric">
              Threshold
            </th>
            <th scope="col" className="numeric">
              F1 (tuned)
            </th>
            <th scope="col" className="numeric">
              F1 (0.5)
            </th>
          </tr>
        </thead>
        <tbody>
          {tuned.per_class.map((c, i) => (
            <tr key={i}>
              <th scope="row" className="label-cell" title={c.label.length > 24 ? c.label.slice(0, 500) : undefined}>
                <bdi>{c.label}</bdi>
              </th>
              <td className="numeric tabular">{tuned.thresholds[i].toFixed(3)}</td>
              <td className="numeric tabular">{score(c.f1)}</td>
              <td className="numeric tabular">{score(metrics.per_class?.[i]?.f1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function RecallVsBaseline({ metrics, baseline }: { metrics: EvalMetrics; baseline: MajorityBaseline }) {
  const classes = metrics.per_class ?? [];
  if (classes.length === 0) return null;
  return (
    <Card title="Recall per class" description={`Found share of each class, beside the majority-class baseline (always “${baseline.label}”), which finds all of its class and none of the rest.`}>
      <table className="data-table" aria-label="Recall per class beside the baseline">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col" className="numeric">
              Support
            </th>
            <th scope="col" className="numeric">
              Recall
            </th>
            <th scope="col" className="numeric">
              Baseline recall
            </th>
          </tr>
        </thead>
        <tbody>
          {classes.map((c, i) => (
            <tr key={i}>
              <th scope="row" className="label-cell" title={c.label.length > 24 ? c.label.slice(0, 500) : undefined}>
                <bdi>{c.label}</bdi>
              </th>
              <td className="numeric tabular">{c.support}</td>
              <td className="numeric tabular">{score(c.recall)}</td>
              <td className="numeric tabular">{baseline.label.split(', ').includes(c.label) ? '1.0000' : '0.0000'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

export function ImbalanceViews({ metrics, baseline }: { metrics: EvalMetrics; baseline: MajorityBaseline | null }) {
  return (
    <>
      {metrics.tuned !== undefined && <MultiLabelScores metrics={{ ...metrics, tuned: metrics.tuned }} />}
      {baseline !== null && metrics.entity_f1 === undefined && <RecallVsBaseline metrics={metrics} baseline={baseline} />}
    </>
  );
}
