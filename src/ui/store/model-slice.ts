// Store slice: the loaded model's summary, the load in flight and the last load error.
// A failed load never clears `current`: the previous model stays shown and usable (RELIABILITY R3).
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { ModelSummary } from '../../protocol/messages';
import type { AppState } from './app-store';

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
}

export interface ModelSlice {
  model: ModelState;
  modelLoadStarted(load: PendingLoad): void;
  modelLoaded(loadId: number, summary: ModelSummary): void;
  modelLoadFailed(loadId: number, source: string, error: LayerwiseErrorData): void;
  /** The files could not even be read from the drop (before any command was sent). */
  modelPickFailed(source: string, error: LayerwiseErrorData): void;
  /** The worker replaced the current model itself (a run's copy with its head sized for the data). */
  modelReplaced(summary: ModelSummary): void;
  /** The worker that held the model is gone (restarted); what it held cannot be used any more. */
  modelLost(): void;
  dismissModelError(): void;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set) => {
  const patch = (p: Partial<ModelState>) => set((s) => ({ model: { ...s.model, ...p } }));
  // Only the newest load clears the progress indicator; an older one finishing first must not hide it.
  const settle = (pending: PendingLoad | null, loadId: number) => (pending?.loadId === loadId ? null : pending);
  return {
    model: { current: null, pending: null, error: null },
    modelLoadStarted: (load) => patch({ pending: load, error: null }),
    modelLoaded: (loadId, summary) => set((s) => ({ model: { current: summary, pending: settle(s.model.pending, loadId), error: null } })),
    modelLoadFailed: (loadId, source, error) =>
      set((s) => ({ model: { ...s.model, pending: settle(s.model.pending, loadId), error: { source, error } } })),
    modelPickFailed: (source, error) => patch({ error: { source, error } }),
    modelReplaced: (summary) => patch({ current: summary }),
    modelLost: () => patch({ current: null, pending: null }),
    dismissModelError: () => patch({ error: null }),
  };
};
