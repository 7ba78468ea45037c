// Store slice: the training run — its status, the run's config and plan, every step's telemetry and every
// evaluation, as the worker reports them (steps arrive in batches of per-step deltas). The steps go into one bounded
// StepHistory (ui/series.ts), which the charts, the status line and the History record read.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { DataNote } from '../../protocol/dataset-summary';
import type { BackendName, PreparePhase } from '../../protocol/messages';
import type { GroupPlan } from '../../protocol/param-groups';
import type { RestoredHistory } from '../../protocol/run-checkpoint';
import type { TrainConfig } from '../../protocol/train-config';
import type { EvalMetrics, EvalRecord, FinishReason, RunPlan, StepTelemetry } from '../../protocol/train-events';
import { appendSteps, NO_STEPS, prependSteps, type StepHistory } from '../series';
import type { AppState } from './app-store';

/** idle: no run yet; pausing / stopping: asked for, until the worker confirms after its current step. */
export type RunStatus = 'idle' | 'preparing' | 'running' | 'pausing' | 'paused' | 'stopping' | 'finished' | 'failed';

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
  /** Date.now() at the first step's start, and time spent paused, for the ETA. */
  startedAt: number | null;
  pausedMs: number;
  pausedAt: number | null;
  endedAt: number | null;
  finish: RunFinish | null;
  error: LayerwiseErrorData | null;
}

export interface TrainingSlice {
  training: TrainingState;
  trainingRequested(runId: string, config: TrainConfig, backend: BackendName | null, datasetFile: string | null): void;
  trainingPreparing(runId: string, phase: PreparePhase, done: number, total: number): void;
  trainingStarted(runId: string, plan: RunPlan, labels: string[], maxLength: number, dataNotes: DataNote[]): void;
  trainingEpochStarted(runId: string, groups: GroupPlan[]): void;
  trainingProgressed(runId: string, steps: StepTelemetry[]): void;
  /** A resumed run's steps and evaluations before its first new step. */
  trainingRestored(runId: string, history: RestoredHistory): void;
  trainingEvaluated(runId: string, evaluation: Evaluation): void;
  trainingPauseRequested(): void;
  trainingPaused(runId: string): void;
  trainingResumed(runId: string): void;
  trainingStopRequested(): void;
  trainingFinished(runId: string, finish: RunFinish): void;
  trainingFailed(runId: string, error: LayerwiseErrorData): void;
  /** The worker went away mid-run (crash, restart): the run cannot continue. */
  trainingLost(error: LayerwiseErrorData): void;
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
  startedAt: null,
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

export const createTrainingSlice: StateCreator<AppState, [], [], TrainingSlice> = (set) => {
  /** Applies p only to events of the run in hand; late events of an older run are dropped. */
  const forRun = (runId: string, p: (t: TrainingState) => Partial<TrainingState>) =>
    set((s) => (s.training.runId === runId ? { training: { ...s.training, ...p(s.training) } } : s));
  const patch = (p: (t: TrainingState) => Partial<TrainingState>) => set((s) => ({ training: { ...s.training, ...p(s.training) } }));
  const ended = (t: TrainingState) => ({ endedAt: Date.now(), pausedMs: t.pausedMs + (t.pausedAt === null ? 0 : Date.now() - t.pausedAt), pausedAt: null, prepare: null });
  return {
    training: initial,
    trainingRequested: (runId, config, backend, datasetFile) =>
      set({ training: { ...initial, runId, status: 'preparing', config, backend, datasetFile } }),
    trainingPreparing: (runId, phase, done, total) => forRun(runId, () => ({ prepare: { phase, done, total } })),
    trainingStarted: (runId, plan, labels, maxLength, dataNotes) =>
      forRun(runId, (t) => ({
        plan,
        labels,
        maxLength,
        dataNotes,
        groups: plan.groups,
        prepare: null,
        startedAt: Date.now(),
        status: t.status === 'preparing' ? 'running' : t.status,
      })),
    trainingEpochStarted: (runId, groups) => forRun(runId, () => ({ groups })),
    trainingProgressed: (runId, steps) => forRun(runId, (t) => ({ steps: appendSteps(t.steps, steps) })),
    trainingRestored: (runId, history) =>
      forRun(runId, (t) => ({ steps: prependSteps(t.steps, history.steps), evals: [...history.evals.map((e) => ({ ...e, lrReduced: false })), ...t.evals] })),
    trainingEvaluated: (runId, evaluation) => forRun(runId, (t) => ({ evals: [...t.evals, evaluation] })),
    trainingPauseRequested: () => patch((t) => (t.status === 'running' ? { status: 'pausing' } : {})),
    trainingPaused: (runId) => forRun(runId, (t) => (t.status === 'stopping' ? {} : { status: 'paused', pausedAt: Date.now() })),
    trainingResumed: (runId) =>
      forRun(runId, (t) => ({ status: 'running', pausedMs: t.pausedMs + (t.pausedAt === null ? 0 : Date.now() - t.pausedAt), pausedAt: null })),
    trainingStopRequested: () => patch((t) => (isActive(t.status) ? { status: 'stopping' } : {})),
    trainingFinished: (runId, finish) => forRun(runId, (t) => ({ ...ended(t), status: 'finished', finish })),
    trainingFailed: (runId, error) => forRun(runId, (t) => ({ ...ended(t), status: 'failed', error })),
    trainingLost: (error) => patch((t) => (isActive(t.status) ? { ...ended(t), status: 'failed', error } : {})),
  };
};
