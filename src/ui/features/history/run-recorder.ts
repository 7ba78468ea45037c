// Writes each run to IndexedDB as it goes: when it starts, after every evaluation, every few seconds of steps (so a
// closed tab still leaves its curve) and when it ends. On start-up, runs left "running" by a closed page are marked
// interrupted. The record is built from the store only (runRecord), so it is unit-tested without a browser.
import { toErrorData } from '../../../lib/errors';
import type { ModelSummary } from '../../../protocol/messages';
import type { AppStore } from '../../store/app-store';
import type { RunRecord } from '../../store/history-slice';
import type { TrainingState } from '../../store/training-slice';
import { trainedMs } from '../training/run-progress';
import { latestStep, thinIndices } from '../../series';
import { listRuns, putRun } from './run-store';

/** Points of the training curve kept per run. */
export const RUN_CURVE_POINTS = 1000;
const SAVE_EVERY_MS = 5000;

export function runRecord(t: TrainingState, model: ModelSummary | null): RunRecord | null {
  if (t.runId === null || t.config === null || t.plan === null || t.startedAt === null) return null;
  const steps = t.steps.curve;
  const idx = thinIndices(steps.length, RUN_CURVE_POINTS);
  const outcome = t.status === 'finished' ? (t.finish?.reason ?? 'completed') : t.status === 'failed' ? 'failed' : 'running';
  return {
    id: t.runId,
    startedAt: t.startedAt,
    endedAt: t.endedAt,
    // A resumed run's time includes its sessions before the resume.
    trainingMs: t.endedAt === null ? null : trainedMs(t, t.endedAt),
    outcome,
    model: { source: model?.source ?? '', family: model?.family ?? '', task: t.config.task, parameterCount: t.plan.parameters },
    dataset: { file: t.datasetFile ?? '', trainExamples: t.plan.trainExamples, validationExamples: t.plan.validationExamples },
    backend: t.backend ?? '',
    config: t.config,
    totalSteps: t.plan.totalSteps,
    stepsDone: latestStep(t.steps)?.step ?? 0,
    curve: {
      step: idx.map((i) => steps[i].step),
      loss: idx.map((i) => steps[i].loss),
      learningRate: idx.map((i) => steps[i].learningRate),
    },
    evals: t.evals.map((e) => e.record),
    finalMetrics: t.finish?.metrics ?? null,
    error: t.error,
  };
}

export function startRunRecorder(store: AppStore): () => void {
  const state = () => store.getState();
  let lastSave = 0;
  let lastEvals = 0;
  let lastStatus = state().training.status;
  let writing: Promise<unknown> = Promise.resolve();

  let pending = false;
  const save = () => {
    lastSave = Date.now();
    if (pending) return;
    pending = true;
    // In a task of its own: the event that asked for it has its own render to do first (the 50 ms task budget).
    setTimeout(() => {
      pending = false;
      const record = runRecord(state().training, state().model.current);
      if (!record) return;
      state().historyRunSaved(record);
      // Writes go one after the other, so an older record never lands after a newer one.
      writing = writing.then(() => putRun(record)).catch((err: unknown) => state().historyFailed(toErrorData(err)));
    }, 0);
  };

  listRuns().then(
    async (runs) => {
      const current = state().training.runId;
      const stale = runs.filter((r) => r.outcome === 'running' && r.id !== current).map((r) => ({ ...r, outcome: 'interrupted' as const }));
      for (const r of stale) await putRun(r);
      const byId = new Map(runs.map((r) => [r.id, r]));
      for (const r of stale) byId.set(r.id, r);
      state().historyLoaded([...byId.values()]);
    },
    (err: unknown) => state().historyFailed(toErrorData(err)),
  );

  return store.subscribe((s, previous) => {
    const t = s.training;
    if (t === previous.training) return;
    const started = t.plan !== null && previous.training.plan === null;
    const ended = t.status !== lastStatus && (t.status === 'finished' || t.status === 'failed');
    const evaluated = t.evals.length !== lastEvals;
    lastStatus = t.status;
    lastEvals = t.evals.length;
    if (started || ended || evaluated || (t.steps.count > 0 && Date.now() - lastSave > SAVE_EVERY_MS)) save();
  });
}
