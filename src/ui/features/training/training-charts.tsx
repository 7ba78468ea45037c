// Live charts of a run, each a figure with an accessible name: loss (training per step — smoothed by an adjustable
// EMA over the raw line drawn faint — and validation per evaluation),
// accuracy and F1, the learning rate of every parameter group, and the gradient norm before clipping. The best
// evaluation is marked, and so is the stretch the early-stopping patience is counting. Drawn with the light
// LineChart (components/line-chart.tsx) and thinned to a few hundred points per line, so an update stays cheap.
import { memo, useId, useMemo, useState } from 'react';
import { ChartFigure, SERIES, groupColor } from '../../components/chart-figure';
import { LineChart, type ChartMarks, type ChartSeries } from '../../components/line-chart';
import type { TrainConfig } from '../../../protocol/train-config';
import type { StepTelemetry } from '../../../protocol/train-events';
import { thinIndices, type StepHistory } from '../../series';
import type { Evaluation } from '../../store/training-slice';
import { patienceState } from './run-progress';

const LOSS_POINTS = 400;
const LR_POINTS = 200;

interface ChartProps {
  steps: StepHistory;
  evals: readonly Evaluation[];
  config: TrainConfig;
  totalSteps: number;
}

function thinned({ curve }: StepHistory, max: number): StepTelemetry[] {
  return thinIndices(curve.length, max).map((i) => curve[i]);
}

const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
const last = (xs: readonly (number | null)[]) => xs.at(-1)?.toFixed(4) ?? '—';

/** The best evaluation and the patience stretch, as marks on an evaluation chart. */
function evalMarks(evals: readonly Evaluation[], config: TrainConfig): ChartMarks {
  const p = patienceState(
    evals.map((e) => e.record),
    config.earlyStopping,
  );
  const end = evals.at(-1)?.record.step;
  return {
    lines: p.best ? [{ x: p.best.step, label: 'best', color: 'var(--success)' }] : [],
    areas:
      p.patience !== null && p.since !== null && end !== undefined && p.waited > 0
        ? [{ x1: p.since, x2: end, label: `patience ${p.waited}/${p.patience}`, color: 'var(--warning)' }]
        : [],
  };
}

/**
 * TensorBoard's smoothing: an exponential moving average with weight w, debiased at the start (divided by 1 − w^n
 * after n values) so that the first points are not pulled towards 0. Non-finite values are skipped (kept as null).
 */
export function smoothEma(ys: readonly (number | null)[], weight: number): (number | null)[] {
  let last = 0;
  let n = 0;
  return ys.map((y) => {
    if (y === null || !Number.isFinite(y)) return null;
    last = last * weight + (1 - weight) * y;
    n++;
    return weight === 0 ? y : last / (1 - weight ** n);
  });
}

export const LossChart = memo(function LossChart({ steps, evals, config, totalSteps }: ChartProps) {
  const [smoothing, setSmoothing] = useState(0.6);
  const id = useId();
  const series = useMemo((): ChartSeries[] => {
    const train = thinned(steps, LOSS_POINTS);
    const xs = train.map((s) => s.step);
    const raw = train.map((s) => finite(s.loss));
    const lines: ChartSeries[] =
      smoothing > 0
        ? [
            { name: 'training (raw)', color: SERIES[0], xs, ys: raw, faint: true },
            { name: 'training', color: SERIES[0], xs, ys: smoothEma(raw, smoothing) },
          ]
        : [{ name: 'training', color: SERIES[0], xs, ys: raw }];
    return [...lines, { name: 'validation', color: SERIES[1], xs: evals.map((e) => e.record.step), ys: evals.map((e) => finite(e.record.eval_loss)), dots: true }];
  }, [steps, evals, smoothing]);
  const marks = useMemo(() => evalMarks(evals, config), [evals, config]);
  const training = series.at(-2) as ChartSeries;
  return (
    <ChartFigure
      title="Loss"
      description={smoothing > 0 ? 'Training loss per step, smoothed (the raw values faint); validation loss at each evaluation.' : 'Training loss per step; validation loss at each evaluation.'}
      actions={
        <span className="chart-control">
          <label htmlFor={id}>Smoothing</label>
          <input id={id} type="range" min={0} max={0.95} step={0.05} value={smoothing} onChange={(e) => setSmoothing(Number(e.currentTarget.value))} />
          <output htmlFor={id} className="tabular">
            {smoothing.toFixed(2)}
          </output>
        </span>
      }
    >
      <LineChart
        series={series}
        xDomain={[0, Math.max(1, totalSteps)]}
        marks={marks}
        summary={`Training loss ${last(training.ys)}${smoothing > 0 ? ' (smoothed)' : ''} after ${steps.count} steps; validation loss ${last(series[series.length - 1].ys)}.`}
      />
    </ChartFigure>
  );
});

/**
 * A multi-task run's heads (EvalMetrics.tasks), each its own accuracy line beside what the run watches (the record's
 * own accuracy: the watched head's, or the mean over the heads).
 */
export function headSeries(evals: readonly Evaluation[]): ChartSeries[] {
  const names = [...new Set(evals.flatMap((e) => Object.keys(e.record.tasks ?? {})))];
  return names.map((name, k) => {
    const at = evals.filter((e) => e.record.tasks?.[name] !== undefined);
    return { name: `${name} accuracy`, color: SERIES[(4 + k) % SERIES.length], xs: at.map((e) => e.record.step), ys: at.map((e) => finite(e.record.tasks?.[name].accuracy)), dots: true };
  });
}

export const MetricsChart = memo(function MetricsChart({ evals, config, totalSteps }: Omit<ChartProps, 'steps'>) {
  const f1Key = config.task === 'token-cls' ? 'entity_f1' : 'f1_macro';
  const f1Name = config.task === 'token-cls' ? 'entity F1' : 'F1 (macro)';
  const series = useMemo(
    (): ChartSeries[] => [
      { name: 'accuracy', color: SERIES[2], xs: evals.map((e) => e.record.step), ys: evals.map((e) => finite(e.record.accuracy)), dots: true },
      { name: f1Name, color: SERIES[3], xs: evals.map((e) => e.record.step), ys: evals.map((e) => finite(e.record[f1Key] as number | undefined)), dots: true },
      ...headSeries(evals),
    ],
    [evals, f1Key, f1Name],
  );
  const marks = useMemo(() => evalMarks(evals, config), [evals, config]);
  return (
    <ChartFigure
      title="Accuracy and F1"
      description={`Validation accuracy and ${config.task === 'token-cls' ? 'entity F1 (seqeval)' : 'macro F1'} at each evaluation${config.tasks === null ? '' : `, of ${config.multiTask.watch === null ? 'the mean over the heads' : `head ${config.multiTask.watch}`}, and each head's accuracy`}.`}
    >
      <LineChart
        series={series}
        xDomain={[0, Math.max(1, totalSteps)]}
        yDomain={[0, 1]}
        marks={marks}
        summary={
          evals.length === 0
            ? 'No evaluation yet.'
            : `After ${evals.length} evaluations: accuracy ${last(series[0].ys)}, ${f1Name} ${last(series[1].ys)}${series.slice(2).map((h) => `, ${h.name} ${last(h.ys)}`).join('')}.`
        }
      />
    </ChartFigure>
  );
});

function shortGroup(name: string): string {
  const parts = name.split('.');
  const end = parts[parts.length - 1];
  return /^\d+$/.test(end) && parts.length >= 2 ? `${parts[parts.length - 2]} ${end}` : end;
}

export const LearningRateChart = memo(function LearningRateChart({ steps, totalSteps }: Omit<ChartProps, 'evals' | 'config'>) {
  const series = useMemo((): ChartSeries[] => {
    const points = thinned(steps, LR_POINTS);
    const names = points[0]?.groups.map((g) => g.name) ?? [];
    const xs = points.map((s) => s.step);
    return names.map((n, i) => ({ name: shortGroup(n), color: groupColor(i), xs, ys: points.map((s) => s.groups[i]?.lr ?? null) }));
  }, [steps]);
  const top = series.at(-1);
  return (
    <ChartFigure title="Learning rate" description="The rate each parameter group used at each step (0 while frozen).">
      <LineChart
        series={series}
        xDomain={[0, Math.max(1, totalSteps)]}
        summary={top ? `${series.length} groups; ${top.name} at ${top.ys.at(-1)?.toExponential(2) ?? '—'} now.` : 'No step yet.'}
      />
    </ChartFigure>
  );
});

export const GradientNormChart = memo(function GradientNormChart({ steps, config, totalSteps }: Omit<ChartProps, 'evals'>) {
  const series = useMemo((): ChartSeries[] => {
    const points = thinned(steps, LOSS_POINTS);
    return [{ name: 'gradient norm', color: SERIES[4], xs: points.map((s) => s.step), ys: points.map((s) => finite(s.gradNorm)) }];
  }, [steps]);
  const clip = config.maxGradNorm;
  const marks = useMemo((): ChartMarks => ({ lines: clip ? [{ y: clip, label: 'clip', color: 'var(--danger)' }] : [] }), [clip]);
  return (
    <ChartFigure title="Gradient norm" description={clip ? `Global L2 norm before clipping; the line marks the clip at ${clip}.` : 'Global L2 norm of the gradient (no clipping).'}>
      <LineChart series={series} xDomain={[0, Math.max(1, totalSteps)]} marks={marks} summary={`Gradient norm ${last(series[0].ys)} at step ${steps.count}.`} />
    </ChartFigure>
  );
});
