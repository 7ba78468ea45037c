// The Evaluate panel: how good the model is — the headline score beside the majority-class baseline, when it was
// measured ("after step N of M" mid-run, "final" after), the metrics table (the latest and the best evaluation),
// a multi-task run's table of each head's metrics, per-class scores, the confusion matrix — and the playground on the current model. A run always leaves an
// evaluation (the worker evaluates a run that finishes or is stopped); "Evaluate now" asks for one mid-run, and
// "Download predictions (CSV)" the finished run's validation examples with the model's predictions (RELIABILITY D16).
import { EmptyState } from '../../components/empty-state';
import { ErrorAlert } from '../../components/error-alert';
import { Later } from '../../components/later';
import { Icon } from '../../components/icons';
import { NextStep } from '../../components/next-step';
import { PanelHeader } from '../../components/panel-header';
import { ResultCard } from '../../components/result-card';
import { useEngine } from '../../engine-context';
import type { EvalMetrics } from '../../../protocol/train-events';
import { formatCount } from '../../format';
import { evaluationWhen, headline } from '../../result';
import { useApp } from '../../store/app-store';
import { canEvaluateNow, isActive } from '../../store/training-slice';
import { ConfusionMatrix, HeadMetricsTable, MetricsTable, PerClassTable } from './metrics-view';
import { ImbalanceViews } from './imbalance-view';
import { Playground } from './playground';

function EvaluateNow() {
  const engine = useEngine();
  const status = useApp((s) => s.training.status);
  const asked = useApp((s) => s.training.evaluationAsked);
  const evaluable = useApp((s) => canEvaluateNow(s.training));
  const hasValidation = useApp((s) => (s.training.plan?.validationExamples ?? 0) > 0);
  if (!(status === 'running' || status === 'paused' || status === 'pausing') || !hasValidation) return null;
  return (
    <button type="button" className="button button-secondary" disabled={!evaluable} onClick={() => engine.evaluateTraining()}>
      <Icon name="evaluate" size={16} /> {asked !== null ? 'Evaluating…' : 'Evaluate now'}
    </button>
  );
}

function DownloadPredictions() {
  const engine = useEngine();
  const shown = useApp((s) => s.training.status === 'finished' && (s.training.config?.task ?? 'seq-cls') === 'seq-cls');
  const writing = useApp((s) => s.predictionsCsv.requestId !== null);
  if (!shown) return null;
  return (
    <button type="button" className="button button-secondary" disabled={writing} onClick={() => engine.exportPredictions()}>
      <Icon name="download" size={16} /> {writing ? 'Predicting…' : 'Download predictions (CSV)'}
    </button>
  );
}

function PredictionsError() {
  const error = useApp((s) => s.predictionsCsv.error);
  return error && <ErrorAlert title="Could not write the predictions" error={error} />;
}

export function EvaluatePanel() {
  const model = useApp((s) => s.model.current);
  // Narrow selections: a run's steps arrive ten times a second and change nothing shown here.
  const t = {
    status: useApp((s) => s.training.status),
    evals: useApp((s) => s.training.evals),
    finish: useApp((s) => s.training.finish),
    plan: useApp((s) => s.training.plan),
    baseline: useApp((s) => s.training.baseline),
  };
  const task = useApp((s) => s.training.config?.task) ?? model?.task ?? 'seq-cls';
  const watch = useApp((s) => s.training.config?.multiTask.watch ?? null);
  const primary = useApp((s) => s.training.config?.tasks?.[0] ?? null);
  const best = t.evals.filter((e) => e.isBest).at(-1);
  const last = t.evals.at(-1);
  const finished = t.status === 'finished';
  const final: EvalMetrics | null = (finished ? t.finish?.metrics : null) ?? last?.record ?? null;
  const step = finished ? (t.finish?.step ?? last?.record.step ?? 0) : (last?.record.step ?? 0);
  const when = evaluationWhen(step, t.plan?.totalSteps ?? null, t.status, finished ? (t.finish?.restoredBestStep ?? null) : null, t.finish?.reason === 'stopped');
  const columns: { title: string; metrics: EvalMetrics }[] = [];
  if (final) columns.push({ title: when, metrics: final });
  if (best && best.record.step !== last?.record.step && t.finish?.restoredBestStep !== best.record.step) columns.push({ title: `Best (step ${formatCount(best.record.step)})`, metrics: best.record });
  return (
    <div className="panel-body">
      <PanelHeader
        title="Evaluate"
        description="How well the fine-tuned model does on the validation data, class by class, and on text you type."
        actions={
          <>
            <EvaluateNow />
            <DownloadPredictions />
          </>
        }
      />
      <PredictionsError />
      {final ? (
        <div className="summary" role="region" aria-label="Evaluation">
          <ResultCard headline={headline(final, t.baseline, task, primary)} when={`On ${formatCount(final.eval_samples)} validation examples · ${when.replace(/^After/, 'after').replace(/^Final/, 'final')}`} />
          <MetricsTable columns={columns} />
          <HeadMetricsTable metrics={final} watch={watch} />
          <ImbalanceViews metrics={final} baseline={t.baseline} />
          {/* Side by side for a few classes; one under the other when the matrix needs the width. */}
          <Later minHeight={260}>
            <div className={(final.labels?.length ?? 0) <= 4 ? 'card-row' : 'summary'}>
              <PerClassTable metrics={final} />
              {final.confusion_matrix && final.labels && <ConfusionMatrix matrix={final.confusion_matrix} labels={final.labels} />}
            </div>
          </Later>
        </div>
      ) : (
        <div className="card empty-card">
          <EmptyState
            icon="evaluate"
            title={isActive(t.status) ? 'No evaluation yet in this run' : 'No evaluation yet'}
            action={isActive(t.status) ? <EvaluateNow /> : <NextStep to="train" label="Go to training" />}
          >
            <p>
              {isActive(t.status)
                ? 'The run evaluates on the validation data every tenth of its steps by default, when it finishes and when you stop it; Evaluate now measures it after the current step.'
                : 'Metrics appear once a run has evaluated on the validation data: it does so every tenth of its steps by default, and when it finishes or is stopped.'}
            </p>
          </EmptyState>
        </div>
      )}
      {model && (
        <Later minHeight={200}>
          <Playground model={model} />
        </Later>
      )}
      {final && <NextStep to="export" label="Next: export the model" />}
    </div>
  );
}
