// Store slice: the loaded model's summary, the load in flight and the last load error. Its events: a load's end
// (modelLoaded, loadFailed), a Hub download's files (the pending load's counts), and the two that replace the model
// in the worker (trainingStarted: the run's copy with its head sized for the data; adaptationFinished).
// A failed load never clears `current`: the previous model stays shown and usable (RELIABILITY R3).
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { ModelSummary } from '../../protocol/messages';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

export interface PendingLoad {
  loadId: number;
  source: string;
  fileCount: number;
  bytes: number;
  /** Date.now() when the command was sent. */
  startedAt: number;
  /** The worker fetches the files from this site (the built-in model): their sizes are not known here. */
  fromSite?: boolean;
}

export interface ModelState {
  current: ModelSummary | null;
  pending: PendingLoad | null;
  error: { source: string; error: LayerwiseErrorData } | null;
  /**
   * The user chose "Train anyway" for the current model's NaN or infinite weights (RELIABILITY M17): runs are started
   * with allowNonFinite. Asked again for each model loaded.
   */
  trainNonFinite: boolean;
}

export interface ModelSlice {
  model: ModelState;
  modelLoadStarted(load: PendingLoad): void;
  /** The files could not even be read from the drop (before any command was sent). */
  modelPickFailed(source: string, error: LayerwiseErrorData): void;
  /** The worker that held the model is gone (restarted); what it held cannot be used any more. */
  modelLost(): void;
  dismissModelError(): void;
  trainNonFiniteChosen(on: boolean): void;
}

const model = (s: AppState, p: Partial<ModelState>) => ({ model: { ...s.model, ...p } });
// Only the newest load clears the progress indicator; an older one finishing first must not hide it.
const settle = (pending: PendingLoad | null, loadId: number) => (pending?.loadId === loadId ? null : pending);

export const modelEvents = {
  modelLoaded: (s, { loadId, summary }) => ({ model: { current: summary, pending: settle(s.model.pending, loadId), error: null, trainNonFinite: false } }),
  loadFailed: (s, { loadId, source, error }) => model(s, { pending: settle(s.model.pending, loadId), error: { source, error } }),
  // The pending load now has files: the Model panel's loading card shows them as for a folder.
  hubDownloaded: (s, { loadId, files }) =>
    s.model.pending?.loadId === loadId ? model(s, { pending: { ...s.model.pending, fileCount: files.length, bytes: files.reduce((n, f) => n + f.size, 0) } }) : {},
  trainingStarted: (s, { summary }) => model(s, { current: summary }),
  adaptationFinished: (s, { summary }) => model(s, { current: summary }),
} satisfies SliceEvents;

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set) => {
  const patch = (p: Partial<ModelState>) => set((s) => model(s, p));
  return {
    model: { current: null, pending: null, error: null, trainNonFinite: false },
    modelLoadStarted: (load) => patch({ pending: load, error: null }),
    modelPickFailed: (source, error) => patch({ error: { source, error } }),
    modelLost: () => patch({ current: null, pending: null, trainNonFinite: false }),
    dismissModelError: () => patch({ error: null }),
    trainNonFiniteChosen: (on) => patch({ trainNonFinite: on }),
  };
};
