// Store slice: resumable runs (RELIABILITY F5, F8, F10–F14) — where the worker keeps checkpoints, the unfinished run
// it found after a reload or a crash, the latest checkpoint of the run in hand or why it failed (a full quota), the
// checkpoint download in flight, and whether this tab holds the training lock (one writer of the slots). Its
// events: checkpointSaved, checkpointFailed, unfinishedRunFound, unfinishedRunDiscarded, the download's end
// (checkpointDownloaded, whose zip the engine client hands to the browser; checkpointDownloadFailed), and
// trainingStarted, which ends the offer to resume a run once that run is running again.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { CheckpointSlot, CheckpointStorageKind, UnfinishedRun } from '../../protocol/run-checkpoint';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

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
  /** A new run empties the checkpoint slots: the unfinished run is gone. */
  unfinishedRunCleared(): void;
  checkpointDownloadStarted(requestId: number): void;
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

const checkpoints = (s: AppState, p: Partial<CheckpointState>) => ({ checkpoints: { ...s.checkpoints, ...p } });
const downloadEnded = (s: AppState, requestId: number, p: Partial<CheckpointState>) =>
  s.checkpoints.downloading === requestId ? checkpoints(s, { downloading: null, ...p }) : {};

export const checkpointEvents = {
  unfinishedRunFound: (s, { run, storage, storageNote }) => checkpoints(s, { unfinished: run, storage, storageNote }),
  unfinishedRunDiscarded: (s) => checkpoints(s, { unfinished: null }),
  trainingStarted: (s, { runId }) => (s.checkpoints.unfinished?.info.runId === runId ? checkpoints(s, { unfinished: null }) : {}),
  checkpointSaved: (s, { runId, step, slot, bytes }) => checkpoints(s, { saved: { runId, step, slot, bytes, at: Date.now() }, error: null, failedStep: null }),
  checkpointFailed: (s, { step, error }) => checkpoints(s, { error, failedStep: step }),
  checkpointDownloaded: (s, { requestId }) => downloadEnded(s, requestId, {}),
  checkpointDownloadFailed: (s, { requestId, error }) => downloadEnded(s, requestId, { error, failedStep: null }),
} satisfies SliceEvents;

export const createCheckpointSlice: StateCreator<AppState, [], [], CheckpointSlice> = (set) => {
  const patch = (p: Partial<CheckpointState>) => set((s) => checkpoints(s, p));
  return {
    checkpoints: initial,
    unfinishedRunCleared: () => patch({ unfinished: null }),
    checkpointDownloadStarted: (requestId) => patch({ downloading: requestId }),
    lockChanged: (lock) => patch({ lock }),
    storagePersisted: (persisted) => patch({ persisted }),
  };
};
