// Store slice: the training run — its status, the run's config and plan, its steps and every evaluation. It owns
// the run's events (trainingPreparing … trainingFailed, trainingInterrupted, trainingRestored) and the heartbeat that ends a stall (a run
// marked stopped when the engine went quiet goes on); events of an older run are dropped.
// Steps arrive in batches of per-step deltas and go into one bounded StepHistory (ui/series.ts), which the
// charts, the status line and the History record read.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { DataNote } from '../../protocol/dataset-summary';
import type { BackendName, PreparePhase } from '../../protocol/messages';
import type { GroupPlan } from '../../protocol/param-groups';
import type { TrainConfig } from '../../protocol/train-config';
import type { EvalMetrics, EvalRecord, FinishReason, MajorityBaseline, RunPlan } from '../../protocol/train-events';
import { appendSteps, latestStep, NO_STEPS, prependSteps, type StepHistory } from '../series';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

/**
 * idle: no run yet; pausing / stopping: asked for, until the worker confirms after its current step; interrupted:
 * paused because the GPU device was lost (F2) — the worker's trainer is gone with the device, and the run goes on
 * from its last checkpoint (continueRun), not with resumeTraining.
 */
export type RunStatus = 'idle' | 'preparing' | 'running' | 'pausing' | 'paused' | 'interrupted' | 'stopping' | 'finished' | 'failed';

export interface Evaluation {
  record: EvalRecord;
  isBest: boolean;
  lrReduced: boolean;
}

export interface RunFinish {
  reason: FinishReason;
  step: number;
  metrics: EvalMetrics | null;
  restoredBestStep: number | null;
}

export interface TrainingState {
  runId: string | null;
  status: RunStatus;
  prepare: { phase: PreparePhase; done: number; total: number } | null;
  /** The config the run was started with (the Configure panel may change meanwhile). */
  config: TrainConfig | null;
  backend: BackendName | null;
  /** What the run trains on, for the history. */
  datasetFile: string | null;
  plan: RunPlan | null;
  labels: string[];
  maxLength: number;
  dataNotes: DataNote[];
  /** The parameter groups of the current epoch (gradual unfreezing changes them). */
  groups: GroupPlan[];
  steps: StepHistory;
  evals: Evaluation[];
  /** Always guessing the evaluation data's commonest class: what the run's scores are set against. */
  baseline: MajorityBaseline | null;
  /** "Evaluate now" was asked for at this many steps and its evaluation has not come yet. */
  evaluationAsked: number | null;
  /** Date.now() at the first step's start (of this session: a resumed run's resume), and time spent paused, for the ETA. */
  startedAt: number | null;
  /** A resumed run: the step it resumed from, and its training time before (both count in the ETA and the time taken). */
  resumedAtStep: number | null;
  trainedBeforeMs: number;
  /** The engine stopped answering mid-run (RELIABILITY F5): the status it had, until a heartbeat comes back. */
  stalledFrom: RunStatus | null;
  pausedMs: number;
  pausedAt: number | null;
  endedAt: number | null;
  finish: RunFinish | null;
  error: LayerwiseErrorData | null;
}

export interface TrainingSlice {
  training: TrainingState;
  trainingRequested(runId: string, config: TrainConfig, backend: BackendName | null, datasetFile: string | null): void;
  trainingPauseRequested(): void;
  trainingStopRequested(): void;
  /** "Evaluate now": an evaluation after the current step (at once when paused). */
  trainingEvaluationRequested(): void;
  /** The worker went away mid-run (crash, restart): the run cannot continue. */
  trainingLost(error: LayerwiseErrorData): void;
  /** No heartbeat for HEARTBEAT_TIMEOUT_MS mid-run: the run has stopped, as far as anyone can tell, until one comes. */
  trainingStalled(error: LayerwiseErrorData): void;
}

const initial: TrainingState = {
  runId: null,
  status: 'idle',
  prepare: null,
  config: null,
  backend: null,
  datasetFile: null,
  plan: null,
  labels: [],
  maxLength: 0,
  dataNotes: [],
  groups: [],
  steps: NO_STEPS,
  evals: [],
  baseline: null,
  evaluationAsked: null,
  startedAt: null,
  resumedAtStep: null,
  trainedBeforeMs: 0,
  stalledFrom: null,
  pausedMs: 0,
  pausedAt: null,
  endedAt: null,
  finish: null,
  error: null,
};

const ACTIVE: readonly RunStatus[] = ['preparing', 'running', 'pausing', 'paused', 'stopping'];

export function isActive(status: RunStatus): boolean {
  return ACTIVE.includes(status);
}

/**
 * Whether "Evaluate now" would measure anything: a run that trains or waits paused, with evaluation data, not already
 * evaluated at the step it waits at, and no evaluation asked for and not come yet.
 */
export function canEvaluateNow(t: TrainingState): boolean {
  if (t.status !== 'running' && t.status !== 'paused') return false;
  if ((t.plan?.validationExamples ?? 0) === 0 || t.evaluationAsked !== null) return false;
  return !(t.status === 'paused' && t.evals.at(-1)?.record.step === latestStep(t.steps)?.step);
}

/**
 * The run's fields changed by p, for an event of the run in hand; late events of an older run change nothing. An event
 * of the run is the engine answering, as a heartbeat is: a stall ends first, so that the status the event changes is
 * the run's own (a run that finished while it looked stalled must not go back to 'stopping' at the next heartbeat).
 */
const forRun = (s: AppState, runId: string, p: (t: TrainingState) => Partial<TrainingState>) => {
  if (s.training.runId !== runId) return {};
  const t = s.training.stalledFrom === null ? s.training : { ...s.training, status: s.training.stalledFrom, stalledFrom: null, error: null };
  return { training: { ...t, ...p(t) } };
};
const ended = (t: TrainingState) => ({ endedAt: Date.now(), pausedMs: t.pausedMs + (t.pausedAt === null ? 0 : Date.now() - t.pausedAt), pausedAt: null, prepare: null });

export const trainingEvents = {
  trainingPreparing: (s, { runId, phase, done, total }) => forRun(s, runId, () => ({ prepare: { phase, done, total } })),
  trainingStarted: (s, { runId, plan, labels, maxLength, dataNotes, baseline }) =>
    forRun(s, runId, (t) => ({
      plan,
      baseline,
      labels,
      maxLength,
      dataNotes,
      groups: plan.groups,
      prepare: null,
      startedAt: Date.now(),
      status: t.status === 'preparing' ? 'running' : t.status,
    })),
  // A resumed run's steps and evaluations before its first new step.
  trainingRestored: (s, { runId, history }) =>
    forRun(s, runId, (t) => ({
      steps: prependSteps(t.steps, history.steps),
      evals: [...history.evals.map((e) => ({ ...e, lrReduced: false })), ...t.evals],
      resumedAtStep: history.step,
      trainedBeforeMs: history.trainedMs,
    })),
  trainingEpochStarted: (s, { runId, groups }) => forRun(s, runId, () => ({ groups })),
  trainingProgressed: (s, { runId, steps }) => forRun(s, runId, (t) => ({ steps: appendSteps(t.steps, steps) })),
  trainingEvaluated: (s, { runId, record, isBest, lrReduced }) => forRun(s, runId, (t) => ({ evals: [...t.evals, { record, isBest, lrReduced }], evaluationAsked: null })),
  trainingPaused: (s, { runId }) => forRun(s, runId, (t) => (t.status === 'stopping' ? {} : { status: 'paused', pausedAt: Date.now() })),
  trainingResumed: (s, { runId }) =>
    forRun(s, runId, (t) => ({ status: 'running', pausedMs: t.pausedMs + (t.pausedAt === null ? 0 : Date.now() - t.pausedAt), pausedAt: null })),
  trainingFinished: (s, { runId, reason, step, metrics, restoredBestStep }) =>
    forRun(s, runId, (t) => ({ ...ended(t), status: 'finished', finish: { reason, step, metrics, restoredBestStep }, evaluationAsked: null })),
  trainingFailed: (s, { runId, error }) => forRun(s, runId, (t) => ({ ...ended(t), status: 'failed', error, evaluationAsked: null, stalledFrom: null })),
  trainingInterrupted: (s, { runId, error }) => forRun(s, runId, (t) => ({ ...ended(t), status: 'interrupted', error, evaluationAsked: null, stalledFrom: null })),
  // The engine answers again: a run that only looked stopped goes on.
  heartbeat: (s) => (s.training.stalledFrom === null ? {} : { training: { ...s.training, status: s.training.stalledFrom, stalledFrom: null, error: null } }),
} satisfies SliceEvents;

export const createTrainingSlice: StateCreator<AppState, [], [], TrainingSlice> = (set) => {
  const patch = (p: (t: TrainingState) => Partial<TrainingState>) => set((s) => ({ training: { ...s.training, ...p(s.training) } }));
  return {
    training: initial,
    trainingRequested: (runId, config, backend, datasetFile) => set({ training: { ...initial, runId, status: 'preparing', config, backend, datasetFile } }),
    trainingPauseRequested: () => patch((t) => (t.status === 'running' ? { status: 'pausing' } : {})),
    trainingStopRequested: () => patch((t) => (isActive(t.status) ? { status: 'stopping' } : {})),
    trainingEvaluationRequested: () => patch((t) => (canEvaluateNow(t) ? { evaluationAsked: latestStep(t.steps)?.step ?? 0 } : {})),
    trainingLost: (error) => patch((t) => (isActive(t.status) || t.stalledFrom !== null ? { ...ended(t), status: 'failed', error, stalledFrom: null } : {})),
    trainingStalled: (error) => patch((t) => (isActive(t.status) ? { status: 'failed', error, stalledFrom: t.status } : {})),
  };
};
