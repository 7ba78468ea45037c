// The History panel: every run kept in this browser (IndexedDB), newest first, with its outcome and final score;
// pick two to compare them side by side: training and validation curves overlaid, and the config fields that differ.
import { useMemo, useState } from 'react';
import { Badge, type BadgeTone } from '../../components/badge';
import { Card } from '../../components/card';
import { ChartFigure, SERIES } from '../../components/chart-figure';
import { LineChart, type ChartSeries } from '../../components/line-chart';
import { EmptyState } from '../../components/empty-state';
import { Later } from '../../components/later';
import { ErrorAlert } from '../../components/error-alert';
import { Icon } from '../../components/icons';
import { PanelHeader } from '../../components/panel-header';
import { toErrorData } from '../../../lib/errors';
import { formatCount, formatDateTime, formatElapsed } from '../../format';
import { useApp } from '../../store/app-store';
import type { RunOutcome, RunRecord } from '../../store/history-slice';
import { diffConfigs } from './config-diff';
import { deleteRun } from './run-store';

const OUTCOME: Record<RunOutcome, { label: string; tone: BadgeTone }> = {
  completed: { label: 'completed', tone: 'success' },
  'early-stopped': { label: 'stopped early', tone: 'success' },
  stopped: { label: 'stopped', tone: 'neutral' },
  running: { label: 'running', tone: 'accent' },
  failed: { label: 'failed', tone: 'danger' },
  interrupted: { label: 'interrupted', tone: 'warning' },
};


/** "Run 3": runs are numbered in the order they started. */
function runNames(runs: readonly RunRecord[]): Map<string, string> {
  const ordered = [...runs].sort((a, b) => a.startedAt - b.startedAt);
  return new Map(ordered.map((r, i) => [r.id, `Run ${i + 1}`]));
}

function headline(r: RunRecord): string {
  const m = r.finalMetrics ?? r.evals.at(-1) ?? null;
  if (!m) return '—';
  if (m.entity_f1 !== undefined) return `entity F1 ${m.entity_f1.toFixed(3)}`;
  if (m.f1_macro !== undefined) return `F1 ${m.f1_macro.toFixed(3)} · acc ${m.accuracy.toFixed(3)}`;
  return `loss ${m.eval_loss.toFixed(3)}`;
}

/** Time spent training, as the Train panel's status says "took …". */
function duration(r: RunRecord): string {
  if (r.endedAt === null) return '—';
  return formatElapsed((r.trainingMs ?? r.endedAt - r.startedAt) / 1000);
}

function RunTable({ runs, names }: { runs: RunRecord[]; names: Map<string, string> }) {
  const compare = useApp((s) => s.history.compare);
  const toggle = useApp((s) => s.compareToggled);
  const removed = useApp((s) => s.historyRunDeleted);
  const failed = useApp((s) => s.historyFailed);
  return (
    <div className="table-scroll">
      <table className="data-table runs-table" aria-label="Runs">
        <thead>
          <tr>
            <th scope="col">Compare</th>
            <th scope="col">Run</th>
            <th scope="col">Model · data</th>
            <th scope="col">Outcome</th>
            <th scope="col" className="numeric">
              Steps
            </th>
            <th scope="col">Result</th>
            <th scope="col" className="numeric">
              Time
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const name = names.get(r.id) ?? 'Run';
            const o = OUTCOME[r.outcome];
            return (
              <tr key={r.id} className={compare.includes(r.id) ? 'is-selected' : undefined}>
                <td>
                  <input type="checkbox" aria-label={`Compare ${name}`} checked={compare.includes(r.id)} onChange={() => toggle(r.id)} />
                </td>
                <th scope="row">
                  {name}
                  <span className="muted small block">{formatDateTime(r.startedAt)}</span>
                </th>
                <td>
                  <bdi>{r.model.source || r.model.family}</bdi>
                  <span className="muted small block">
                    <bdi>{r.dataset.file}</bdi> · {formatCount(r.dataset.trainExamples)} examples · {r.backend}
                  </span>
                </td>
                <td>
                  <Badge tone={o.tone}>{o.label}</Badge>
                </td>
                <td className="numeric tabular">
                  {formatCount(r.stepsDone)} / {formatCount(r.totalSteps)}
                </td>
                <td className="tabular">{headline(r)}</td>
                <td className="numeric tabular">{duration(r)}</td>
                <td>
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Delete ${name}`}
                    disabled={r.outcome === 'running'}
                    onClick={() => deleteRun(r.id).then(() => removed(r.id), (err: unknown) => failed(toErrorData(err)))}
                  >
                    <Icon name="trash" size={16} />
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Two runs' values of one kind as two lines on one step axis: A solid, B dashed. */
function overlay(a: RunRecord, b: RunRecord, names: [string, string], pick: (r: RunRecord) => { step: number; value: number | undefined }[], dots = false): ChartSeries[] {
  return ([a, b] as const).map((run, i) => {
    const points = pick(run).filter((p) => p.value !== undefined && Number.isFinite(p.value));
    return { name: names[i], color: SERIES[i], xs: points.map((p) => p.step), ys: points.map((p) => p.value as number), dashed: i === 1, dots };
  });
}

function OverlayChart(props: { title: string; description: string; series: ChartSeries[] }) {
  const steps = props.series.flatMap((s) => s.xs);
  const last = (s: ChartSeries) => (s.ys.length > 0 ? (s.ys[s.ys.length - 1] as number).toFixed(4) : '—');
  return (
    <ChartFigure title={props.title} description={props.description}>
      <LineChart
        series={props.series}
        xDomain={[Math.min(0, ...steps), Math.max(1, ...steps)]}
        summary={props.series.map((s) => `${s.name} ends at ${last(s)}`).join('; ')}
      />
    </ChartFigure>
  );
}

function Comparison({ a, b, names }: { a: RunRecord; b: RunRecord; names: Map<string, string> }) {
  const [all, setAll] = useState(false);
  const nameA = names.get(a.id) ?? 'A';
  const nameB = names.get(b.id) ?? 'B';
  const rows = useMemo(() => diffConfigs(a.config, b.config), [a, b]);
  const differing = rows.filter((r) => r.differs);
  const f1Key = a.config.task === 'token-cls' ? 'entity_f1' : 'f1_macro';
  const pair: [string, string] = [nameA, nameB];
  const train = overlay(a, b, pair, (r) => r.curve.step.map((step, i) => ({ step, value: r.curve.loss[i] })));
  const validation = overlay(a, b, pair, (r) => r.evals.map((e) => ({ step: e.step, value: e.eval_loss })), true);
  const score = overlay(a, b, pair, (r) => r.evals.map((e) => ({ step: e.step, value: (e[f1Key] as number | undefined) ?? e.accuracy })), true);
  return (
    <section className="summary" aria-label={`${nameA} compared with ${nameB}`}>
      <h2 className="section-title">
        {nameA} <span className="muted">(solid)</span> vs {nameB} <span className="muted">(dashed)</span>
      </h2>
      <div className="chart-grid">
        <OverlayChart title="Training loss, compared" description="Per step." series={train} />
        <OverlayChart title="Validation loss, compared" description="At each evaluation." series={validation} />
        <OverlayChart title={a.config.task === 'token-cls' ? 'Entity F1, compared' : 'F1, compared'} description="At each evaluation (accuracy where F1 is absent)." series={score} />
      </div>
      <Card
        title="Config differences"
        description={differing.length === 0 ? 'The two runs used the same config.' : `${differing.length} of ${rows.length} fields differ.`}
        actions={
          <label className="check-label">
            <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
            <span>Show every field</span>
          </label>
        }
      >
        <table className="data-table diff-table" aria-label="Config differences">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">{nameA}</th>
              <th scope="col">{nameB}</th>
            </tr>
          </thead>
          <tbody>
            {(all ? rows : differing).map((r) => (
              <tr key={r.path} className={r.differs ? 'is-different' : undefined}>
                <th scope="row">
                  <code>{r.path}</code>
                </th>
                <td>
                  <code>{r.a}</code>
                </td>
                <td>
                  <code>{r.b}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </section>
  );
}

export function HistoryPanel() {
  const runs = useApp((s) => s.history.runs);
  const loaded = useApp((s) => s.history.loaded);
  const error = useApp((s) => s.history.error);
  const compare = useApp((s) => s.history.compare);
  const names = useMemo(() => runNames(runs), [runs]);
  // The older run first, so "A" is the baseline whichever was picked first.
  const picked = compare
    .map((id) => runs.find((r) => r.id === id))
    .filter((r): r is RunRecord => r !== undefined)
    .sort((x, y) => x.startedAt - y.startedAt);
  return (
    <div className="panel-body">
      <PanelHeader title="History" description="Every run is kept in this browser with its config and metrics. Pick two to compare them." />
      {error && <ErrorAlert title="The run history could not be read or written" error={error} />}
      {runs.length === 0 ? (
        <div className="card empty-card">
          <EmptyState icon="history" title={loaded ? 'No runs yet' : 'Reading the history…'}>
            <p>Each training run is recorded here when it starts, and updated as it evaluates and ends.</p>
          </EmptyState>
        </div>
      ) : (
        <Card title="Runs" description={`${runs.length} ${runs.length === 1 ? 'run' : 'runs'}, newest first.${picked.length === 1 ? ' Pick one more to compare.' : ''}`}>
          <RunTable runs={runs} names={names} />
        </Card>
      )}
      {picked.length === 2 && (
        <Later minHeight={600}>
          <Comparison a={picked[0]} b={picked[1]} names={names} />
        </Later>
      )}
    </div>
  );
}
