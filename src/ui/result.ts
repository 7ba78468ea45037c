// What an evaluation says in one line, pure: the headline score of the task (accuracy for sequence classification,
// entity F1 for token classification) next to the majority-class baseline, and when it was taken ("after step 120
// of 900" mid-run, "final" once the run has ended), so 0.687 is read against the 0.594 of always guessing "neutral".
import type { Task } from '../protocol/task';
import type { EvalMetrics, MajorityBaseline } from '../protocol/train-events';
import { formatCount, formatPercent } from './format';
import type { RunStatus } from './store/training-slice';

export interface Headline {
  label: string;
  value: string;
  /** The sentence that sets the score against the baseline; null without one. */
  comparison: string | null;
  /** Points above (+) or below (−) the baseline's score, when there is one. */
  margin: number | null;
}

const pct = (v: number) => (Number.isFinite(v) ? formatPercent(v) : String(v));

/**
 * `primary`: a multi-task run's first head (name and task), whose data the baseline was counted on; its own score is
 * the headline then, not the mean over the heads beside one head's baseline.
 */
export function headline(metrics: EvalMetrics, baseline: MajorityBaseline | null, task: Task, primary: { name: string; task: Task } | null = null): Headline {
  const own = primary === null ? undefined : metrics.tasks?.[primary.name];
  if (primary !== null && own !== undefined) {
    const h = headline(own, baseline, primary.task);
    return { ...h, label: `${h.label} of ${primary.name}` };
  }
  if (task === 'token-cls' && metrics.entity_f1 !== undefined) {
    const comparison =
      baseline === null
        ? null
        : `Always guessing “${baseline.label}” finds no entity (entity F1 0) and labels ${pct(baseline.accuracy)} of the tokens right; this model labels ${pct(metrics.accuracy)} right.`;
    return { label: 'Entity F1', value: metrics.entity_f1.toFixed(3), comparison, margin: baseline === null ? null : 100 * metrics.entity_f1 };
  }
  if (task === 'mlm' || !Number.isFinite(metrics.accuracy)) {
    return { label: 'Validation loss', value: metrics.eval_loss.toFixed(3), comparison: null, margin: null };
  }
  if (baseline === null) return { label: 'Accuracy', value: pct(metrics.accuracy), comparison: null, margin: null };
  const margin = 100 * (metrics.accuracy - baseline.accuracy);
  const points = `${Math.abs(margin).toFixed(1)} ${Math.abs(margin).toFixed(1) === '1.0' ? 'point' : 'points'}`;
  const verdict = Math.abs(margin) < 0.05 ? 'no better than that' : margin > 0 ? `${points} better` : `${points} worse: it has not learned more than the class balance yet`;
  return {
    label: 'Accuracy',
    value: pct(metrics.accuracy),
    comparison: `Always guessing “${baseline.label}” gets ${pct(baseline.accuracy)} (the majority-class baseline); this model is ${verdict}.`,
    margin,
  };
}

/** When an evaluation was taken, as a column title: mid-run "After step 120 of 900", after the run "Final …". */
export function evaluationWhen(step: number, totalSteps: number | null, status: RunStatus, restoredBestStep: number | null, stopped: boolean): string {
  const of = totalSteps === null ? '' : ` of ${formatCount(totalSteps)}`;
  if (status !== 'finished') return `After step ${formatCount(step)}${of}`;
  if (restoredBestStep !== null) return `Final (best weights, step ${formatCount(restoredBestStep)})`;
  return stopped ? `Final (stopped at step ${formatCount(step)}${of})` : 'Final';
}
