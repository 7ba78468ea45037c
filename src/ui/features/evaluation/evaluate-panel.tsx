// The Evaluate panel: the run's final metrics (and its best evaluation's), per-class scores, the confusion matrix,
// and the playground on the current model. Before any evaluation it says what to do; the playground works as soon
// as a model is loaded.
import { EmptyState } from '../../components/empty-state';
import { NextStep } from '../../components/next-step';
import { PanelHeader } from '../../components/panel-header';
import type { EvalMetrics } from '../../../protocol/train-events';
import { formatCount } from '../../format';
import { useApp } from '../../store/app-store';
import { ConfusionMatrix, MetricsTable, PerClassTable } from './metrics-view';
import { Playground } from './playground';

export function EvaluatePanel() {
  const model = useApp((s) => s.model.current);
  const evals = useApp((s) => s.training.evals);
  const finish = useApp((s) => s.training.finish);
  const best = evals.filter((e) => e.isBest).at(-1);
  const last = evals.at(-1);
  const final: EvalMetrics | null = finish?.metrics ?? last?.record ?? null;
  const columns: { title: string; metrics: EvalMetrics }[] = [];
  if (final) columns.push({ title: finish?.restoredBestStep != null ? `Final (best weights, step ${formatCount(finish.restoredBestStep)})` : 'Final', metrics: final });
  if (best && best.record.step !== last?.record.step && finish?.restoredBestStep !== best.record.step) columns.push({ title: `Best (step ${formatCount(best.record.step)})`, metrics: best.record });
  return (
    <div className="panel-body">
      <PanelHeader title="Evaluate" description="How well the fine-tuned model does on the validation data, class by class, and on text you type." />
      {final ? (
        <div className="summary" role="region" aria-label="Evaluation">
          <MetricsTable columns={columns} />
          {/* Side by side for a few classes; one under the other when the matrix needs the width. */}
          <div className={(final.labels?.length ?? 0) <= 4 ? 'card-row' : 'summary'}>
            <PerClassTable metrics={final} />
            {final.confusion_matrix && final.labels && <ConfusionMatrix matrix={final.confusion_matrix} labels={final.labels} />}
          </div>
        </div>
      ) : (
        <div className="card empty-card">
          <EmptyState icon="evaluate" title="No evaluation yet" action={<NextStep to="train" label="Go to training" />}>
            <p>Metrics appear after the first evaluation of a run (at the end of each epoch by default) on the validation data.</p>
          </EmptyState>
        </div>
      )}
      {model && <Playground model={model} />}
      {final && <NextStep to="export" label="Next: export the model" />}
    </div>
  );
}
