// Store slice: resumable runs (RELIABILITY F5, F8, F10–F14) — where the worker keeps checkpoints, the unfinished run
// it found after a reload or a crash, the latest checkpoint of the run in hand or why it failed (a full quota), the
// checkpoint download in flight, and whether this tab holds the training lock (one writer of the slots).
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { CheckpointSlot, CheckpointStorageKind, UnfinishedRun } from '../../protocol/run-checkpoint';
import type { AppState } from './app-store';

/**
 * unknown: not asked yet; free: no tab trains; held: this tab trains; elsewhere: another tab holds the lock;
 * unsupported: the browser has no Web Locks, so nothing stops two tabs.
 */
export type LockState = 'unknown' | 'free' | 'held' | 'elsewhere' | 'unsupported';

export interface SavedCheckpoint {
  runId: string;
  step: number;
  slot: CheckpointSlot;
  bytes: number;
  at: number;
}

export interface CheckpointState {
  /** null until the worker has answered findUnfinishedRun. */
  storage: CheckpointStorageKind | null;
  storageNote: string;
  unfinished: UnfinishedRun | null;
  saved: SavedCheckpoint | null;
  /** The latest failed save (CHECKPOINT_QUOTA_EXCEEDED…) or download, until the next save succeeds. */
  error: LayerwiseErrorData | null;
  failedStep: number | null;
  lock: LockState;
  /** navigator.storage.persist()'s answer (null: not asked, or not offered by the browser). */
  persisted: boolean | null;
  downloading: number | null;
}

export interface CheckpointSlice {
  checkpoints: CheckpointState;
  unfinishedRunFound(run: UnfinishedRun | null, storage: CheckpointStorageKind, note: string): void;
  unfinishedRunCleared(): void;
  checkpointSaved(saved: SavedCheckpoint): void;
  checkpointFailed(runId: string, step: number, error: LayerwiseErrorData): void;
  checkpointDownloadStarted(requestId: number): void;
  checkpointDownloadEnded(requestId: number, error: LayerwiseErrorData | null): void;
  lockChanged(lock: LockState): void;
  storagePersisted(persisted: boolean): void;
}

const initial: CheckpointState = {
  storage: null,
  storageNote: '',
  unfinished: null,
  saved: null,
  error: null,
  failedStep: null,
  lock: 'unknown',
  persisted: null,
  downloading: null,
};

export const createCheckpointSlice: StateCreator<AppState, [], [], CheckpointSlice> = (set) => {
  const patch = (p: (c: CheckpointState) => Partial<CheckpointState>) => set((s) => ({ checkpoints: { ...s.checkpoints, ...p(s.checkpoints) } }));
  return {
    checkpoints: initial,
    unfinishedRunFound: (run, storage, note) => patch(() => ({ unfinished: run, storage, storageNote: note })),
    unfinishedRunCleared: () => patch(() => ({ unfinished: null })),
    checkpointSaved: (saved) => patch(() => ({ saved, error: null, failedStep: null })),
    checkpointFailed: (_runId, step, error) => patch(() => ({ error, failedStep: step })),
    checkpointDownloadStarted: (requestId) => patch(() => ({ downloading: requestId })),
    checkpointDownloadEnded: (requestId, error) =>
      patch((c) => (c.downloading === requestId ? { downloading: null, ...(error ? { error, failedStep: null } : {}) } : {})),
    lockChanged: (lock) => patch(() => ({ lock })),
    storagePersisted: (persisted) => patch(() => ({ persisted })),
  };
};
