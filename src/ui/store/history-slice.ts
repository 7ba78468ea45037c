// Store slice: the runs kept in IndexedDB (features/history/run-store.ts), newest first, and the two (at most)
// picked for comparison. A RunRecord is what a run leaves behind: its config, curves, evaluations and end.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { Task } from '../../protocol/task';
import type { TrainConfig } from '../../protocol/train-config';
import type { EvalMetrics, EvalRecord, FinishReason } from '../../protocol/train-events';
import type { AppState } from './app-store';

/** running: not ended yet; interrupted: the page closed while it ran. */
export type RunOutcome = FinishReason | 'running' | 'failed' | 'interrupted';

export interface RunRecord {
  id: string;
  startedAt: number;
  endedAt: number | null;
  /** Time spent training (pauses left out), as the Train panel's status says it; absent in records of older builds. */
  trainingMs?: number | null;
  outcome: RunOutcome;
  model: { source: string; family: string; task: Task; parameterCount: number };
  dataset: { file: string; trainExamples: number; validationExamples: number };
  backend: string;
  config: TrainConfig;
  totalSteps: number;
  stepsDone: number;
  /** The training curve, thinned to at most RUN_CURVE_POINTS points. */
  curve: { step: number[]; loss: number[]; learningRate: number[] };
  evals: EvalRecord[];
  finalMetrics: EvalMetrics | null;
  error: LayerwiseErrorData | null;
}

export interface HistoryState {
  runs: RunRecord[];
  loaded: boolean;
  /** Run ids picked for comparison, in the order picked (at most two). */
  compare: string[];
  error: LayerwiseErrorData | null;
}

export interface HistorySlice {
  history: HistoryState;
  historyLoaded(runs: RunRecord[]): void;
  /** Adds or replaces a run (by id), newest first. */
  historyRunSaved(run: RunRecord): void;
  historyRunDeleted(id: string): void;
  historyFailed(error: LayerwiseErrorData): void;
  compareToggled(id: string): void;
}

export const createHistorySlice: StateCreator<AppState, [], [], HistorySlice> = (set) => ({
  history: { runs: [], loaded: false, compare: [], error: null },
  historyLoaded: (runs) =>
    set((s) => ({ history: { ...s.history, runs: [...runs].sort((a, b) => b.startedAt - a.startedAt), loaded: true } })),
  historyRunSaved: (run) =>
    set((s) => ({
      history: { ...s.history, runs: [run, ...s.history.runs.filter((r) => r.id !== run.id)].sort((a, b) => b.startedAt - a.startedAt) },
    })),
  historyRunDeleted: (id) =>
    set((s) => ({ history: { ...s.history, runs: s.history.runs.filter((r) => r.id !== id), compare: s.history.compare.filter((c) => c !== id) } })),
  historyFailed: (error) => set((s) => ({ history: { ...s.history, error, loaded: true } })),
  // Picking a third run drops the first pick, so two are always the latest two picked.
  compareToggled: (id) =>
    set((s) => {
      const picked = s.history.compare;
      const compare = picked.includes(id) ? picked.filter((c) => c !== id) : [...picked, id].slice(-2);
      return { history: { ...s.history, compare } };
    }),
});
