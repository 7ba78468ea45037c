// The Train panel: what is still missing before a run can start, the Start / Pause / Stop / Evaluate now buttons,
// then what a run is doing first — a status line (role="status", "Training status"), progress bars, how good the
// model is so far beside the majority-class baseline, the live charts and the per-layer heatmap — and the optional
// "Adapt to my text" step folded away below them. Nothing here trains: the engine client sends commands, and the
// worker's events fill the store this panel reads.
import { Card } from '../../components/card';
import { CodedMessage } from '../../components/coded-message';
import { ErrorAlert } from '../../components/error-alert';
import { Later } from '../../components/later';
import { Icon } from '../../components/icons';
import { NextStep } from '../../components/next-step';
import { PanelHeader } from '../../components/panel-header';
import { ProgressBar } from '../../components/progress-bar';
import { ResultCard } from '../../components/result-card';
import { useEngine } from '../../engine-context';
import { BACKEND_LABELS, formatCount, formatElapsed } from '../../format';
import { evaluationWhen, headline } from '../../result';
import { latestStep } from '../../series';
import { useApp, useAppThrottled } from '../../store/app-store';
import { useRunConfig } from '../../store/config-draft';
import { canEvaluateNow, isActive, type TrainingState } from '../../store/training-slice';
import { AdaptCard } from './adapt-card';
import { ResumeCard } from './resume-card';
import { currentEpoch, formatLoss, recentTokensPerSecond, runEtaSeconds, statusLine, trainedMs } from './run-progress';
import { usePreflight, useStartRun, type Check } from './preflight';
import { TelemetryHeatmap } from './telemetry-heatmap';
import { GradientNormChart, LearningRateChart, LossChart, MetricsChart } from './training-charts';

function Preflight({ checks }: { checks: Check[] }) {
  const showPanel = useApp((s) => s.showPanel);
  const choose = useApp((s) => s.taskChosen);
  return (
    <Card title="Before you start" description="Training needs a model, a dataset that fits its task, and a valid configuration.">
      <ul className="checklist" aria-label="Checklist">
        {checks.map((c) => (
          <li key={c.label} className={c.ok ? 'is-ok' : 'is-missing'}>
            <span className="check-icon">
              <Icon name={c.ok ? 'check' : 'warning'} size={16} />
            </span>
            <span className="check-text">
              <strong>{c.label}</strong> <bdi className="muted">{c.detail}</bdi>
            </span>
            {!c.ok && c.fix && (
              <button type="button" className="button button-ghost button-small" onClick={() => (c.fix && 'task' in c.fix ? choose(c.fix.task) : showPanel(c.fix!.panel, true))}>
                {c.fix.label}
              </button>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function statusText(t: TrainingState, now: number, planned: { totalSteps: number; epochs: number; ready: boolean }): string {
  if (t.status === 'idle') {
    const length = `${formatCount(planned.totalSteps)} steps over ${planned.epochs} ${planned.epochs === 1 ? 'epoch' : 'epochs'}`;
    return planned.ready ? `Ready: ${length}. Press Start training.` : `Not started: complete the checklist first (planned: ${length}).`;
  }
  if (t.status === 'preparing') {
    const p = t.prepare;
    if (!p) return 'Preparing the run…';
    return p.phase === 'tokenise' ? `Preparing: tokenising ${formatCount(p.total)} examples…` : p.phase === 'model' ? 'Preparing: loading the model…' : 'Preparing: splitting the data…';
  }
  const plan = t.plan;
  const last = latestStep(t.steps);
  if (!plan) return t.status === 'failed' ? `Failed before the first step: ${t.error?.message ?? ''}` : 'Starting…';
  // A resumed run: the ETA at this session's pace, the time taken over every session (RELIABILITY F8).
  const active = trainedMs(t, now);
  const running = t.status === 'running' || t.status === 'pausing';
  const line = statusLine({
    epoch: currentEpoch(last, plan.stepsPerEpoch),
    epochs: plan.epochs,
    step: last?.step ?? 0,
    totalSteps: plan.totalSteps,
    loss: last ? last.loss : null,
    tokensPerSecond: last ? recentTokensPerSecond(t.steps.curve) : null,
    eta: running ? runEtaSeconds(t, last?.step ?? 0, plan.totalSteps, now) : null,
  });
  switch (t.status) {
    case 'pausing':
      return `${line} · pausing after this step…`;
    case 'paused':
      return `Paused · ${line}`;
    case 'stopping':
      return `Stopping after this step… · ${line}`;
    case 'finished': {
      const reason = { completed: 'Finished', 'early-stopped': 'Stopped early (no improvement)', stopped: 'Stopped' }[t.finish?.reason ?? 'completed'];
      return `${reason} · ${line} · took ${formatElapsed(active / 1000)}`;
    }
    case 'failed':
      return `Failed at step ${last?.step ?? 0}: ${t.error?.message ?? 'unknown error'}`;
    case 'interrupted':
      return `Paused at step ${last?.step ?? 0}: ${t.error?.message ?? 'the GPU device was lost'}`;
    default:
      return line;
  }
}

function Controls({ canStart }: { canStart: boolean }) {
  const engine = useEngine();
  const status = useApp((s) => s.training.status);
  const asked = useApp((s) => s.training.evaluationAsked);
  const evaluable = useApp((s) => canEvaluateNow(s.training));
  const hasValidation = useApp((s) => (s.training.plan?.validationExamples ?? 0) > 0);
  const { start, busy, why } = useStartRun();
  const active = isActive(status);
  return (
    <div className="run-controls">
      <button type="button" className="button button-primary" disabled={!canStart || busy} title={why ?? undefined} onClick={() => void start()}>
        <Icon name="train" size={16} /> Start training
      </button>
      {why !== null && (
        <p className="muted small" role="note" aria-label="Why training cannot start">
          {why}
        </p>
      )}
      {status === 'paused' ? (
        <button type="button" className="button button-secondary" onClick={() => engine.resumeTraining()}>
          <Icon name="train" size={16} /> Resume
        </button>
      ) : (
        <button type="button" className="button button-secondary" disabled={status !== 'running'} onClick={() => engine.pauseTraining()}>
          <Icon name="pause" size={16} /> Pause
        </button>
      )}
      <button type="button" className="button button-secondary button-danger" disabled={!active || status === 'stopping'} onClick={() => engine.stopTraining()}>
        <Icon name="stop" size={16} /> Stop
      </button>
      {(status === 'running' || status === 'paused') && hasValidation && (
        <button type="button" className="button button-secondary" disabled={!evaluable} onClick={() => engine.evaluateTraining()}>
          <Icon name="evaluate" size={16} /> {asked !== null ? 'Evaluating…' : 'Evaluate now'}
        </button>
      )}
    </div>
  );
}

function RunStatus({ ready }: { ready: boolean }) {
  const t = useApp((s) => s.training);
  const { derived } = useRunConfig();
  const now = Date.now();
  const last = latestStep(t.steps);
  const plan = t.plan;
  const epochStep = last && plan ? ((last.step - 1) % plan.stepsPerEpoch) + 1 : 0;
  return (
    <Card title="Status" className="status-card">
      <p role="status" aria-label="Training status" aria-busy={t.status === 'running' || t.status === 'preparing'} className={`run-status is-${t.status}`}>
        {statusText(t, now, { totalSteps: derived.totalSteps, epochs: derived.epochs, ready })}
      </p>
      {t.status === 'preparing' && <ProgressBar label="Preparing the run" value={0} max={0} />}
      {plan && (
        <div className="progress-pair">
          <ProgressBar label="Training progress" value={last?.step ?? 0} max={plan.totalSteps} text={`${formatCount(last?.step ?? 0)} / ${formatCount(plan.totalSteps)} steps`} />
          <ProgressBar label="Epoch progress" value={epochStep} max={plan.stepsPerEpoch} text={`${formatCount(epochStep)} / ${formatCount(plan.stepsPerEpoch)}`} />
        </div>
      )}
      {plan && (
        <p className="muted small">
          {formatCount(plan.trainExamples)} training examples · {formatCount(plan.validationExamples)} for validation · {formatCount(plan.trainableParameters)} of{' '}
          {formatCount(plan.parameters)} parameters train · {t.backend ? BACKEND_LABELS[t.backend] : ''}
          {last && !Number.isFinite(last.loss) && <> · the last loss was {formatLoss(last.loss)}: that step was skipped</>}
        </p>
      )}
    </Card>
  );
}

/** The charts are there before the first run (empty, on the planned step axis), so a run only updates them. */
/** Chart updates while a run streams: at most four a second (the status line follows every batch). */
const CHART_UPDATE_MS = 250;

function Charts() {
  const steps = useAppThrottled((s) => s.training.steps, CHART_UPDATE_MS);
  const evals = useApp((s) => s.training.evals);
  const runConfig = useApp((s) => s.training.config);
  const runSteps = useApp((s) => s.training.plan?.totalSteps ?? null);
  const planned = useRunConfig();
  const config = runConfig ?? planned.config;
  const totalSteps = runSteps ?? planned.derived.totalSteps;
  return (
    <section className="chart-grid" aria-label="Training charts">
      <Later minHeight={300}>
        <LossChart steps={steps} evals={evals} config={config} totalSteps={totalSteps} />
      </Later>
      <Later minHeight={300}>
        <MetricsChart evals={evals} config={config} totalSteps={totalSteps} />
      </Later>
      <Later minHeight={300}>
        <LearningRateChart steps={steps} totalSteps={totalSteps} />
      </Later>
      <Later minHeight={300}>
        <GradientNormChart steps={steps} config={config} totalSteps={totalSteps} />
      </Later>
      <div className="chart-wide">
        <Later minHeight={240}>
          <TelemetryHeatmap measured={steps.layers} />
        </Later>
      </div>
    </section>
  );
}

/** How good the model is so far: the latest evaluation beside the majority-class baseline. */
function RunResult() {
  // Narrow selections: steps arrive ten times a second; only an evaluation or the end changes this card.
  const evals = useApp((s) => s.training.evals);
  const status = useApp((s) => s.training.status);
  const finish = useApp((s) => s.training.finish);
  const totalSteps = useApp((s) => s.training.plan?.totalSteps ?? null);
  const baseline = useApp((s) => s.training.baseline);
  const task = useApp((s) => s.training.config?.task);
  const primary = useApp((s) => s.training.config?.tasks?.[0] ?? null);
  const last = evals.at(-1);
  if (!last || !task) return null;
  const finished = status === 'finished';
  const metrics = (finished ? finish?.metrics : null) ?? last.record;
  const step = finished ? (finish?.step ?? last.record.step) : last.record.step;
  const when = evaluationWhen(step, totalSteps, status, finished ? (finish?.restoredBestStep ?? null) : null, finish?.reason === 'stopped');
  return <ResultCard headline={headline(metrics, baseline, task, primary)} when={`${when} · on ${formatCount(metrics.eval_samples)} validation examples`} />;
}

export function TrainPanel() {
  const checks = usePreflight();
  const status = useApp((s) => s.training.status);
  const error = useApp((s) => s.training.error);
  const notes = useApp((s) => s.training.dataNotes);
  const canStart = checks.every((c) => c.ok);
  return (
    <div className="panel-body">
      <PanelHeader
        title="Train"
        description="Fine-tunes in the engine worker; the page stays responsive. Pause to look closer, stop to keep the weights so far."
        actions={<Controls canStart={canStart} />}
      />
      {!canStart && !isActive(status) && <Preflight checks={checks} />}
      {status === 'failed' && error && error.code !== 'TRAIN_CANCELLED' && <ErrorAlert title="Training failed" error={error} />}
      <ResumeCard />
      <RunStatus ready={canStart} />
      <RunResult />
      {notes.length > 0 && (
        <details className="card notes-card">
          <summary>
            {notes.length} {notes.length === 1 ? 'note' : 'notes'} about the data of this run
          </summary>
          <ul className="note-list">
            {notes.map((n, i) => (
              <li key={i}>
                <CodedMessage code={n.code} message={n.message} />
              </li>
            ))}
          </ul>
        </details>
      )}
      <Charts />
      <Later minHeight={56}>
        <AdaptCard />
      </Later>
      {status === 'finished' && <NextStep to="evaluate" label="Next: evaluate the model" />}
    </div>
  );
}
