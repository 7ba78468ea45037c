// Store slice: resumable runs (RELIABILITY F5, F8, F10–F14) — where the worker keeps checkpoints, the unfinished run
// it found after a reload or a crash, the latest checkpoint of the run in hand or why it failed (a full quota), the
// checkpoint download in flight, whether this tab holds the training lock (one writer of the slots), whether the run's
// dataset is kept beside its checkpoints (F8), a run whose checkpoint the browser no longer has (F12), and a run that
// went on while the tab was hidden (F9). Its events: checkpointSaved, checkpointFailed, datasetKept,
// unfinishedRunFound, unfinishedRunDiscarded, the download's end (checkpointDownloaded, whose zip the engine client
// hands to the browser; checkpointDownloadFailed), and trainingStarted, which ends the offer to resume a run once
// that run is running again.
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

/** A run this tab checkpointed, as remembered outside the checkpoint storage (features/training/page-lifecycle.ts). */
export interface RememberedRun {
  runId: string;
  name: string;
  step: number;
  savedAt: number;
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
  /** The run's dataset files copied beside its checkpoints, or why not (datasetKept). */
  kept: { runId: string; files: string[]; error: LayerwiseErrorData | null } | null;
  /** A run checkpointed in an earlier visit whose checkpoint is gone (evicted, site data cleared), until dismissed. */
  evicted: RememberedRun | null;
  /** The tab is hidden while a run trains: the step it had then. */
  hiddenAtStep: number | null;
  /** The run went on while the tab was hidden, from one step to another (said until the run ends). */
  wentOnHidden: { from: number; to: number } | null;
  /** The browser froze the page while a run trained (Page Lifecycle `freeze`): the step it had, and when. */
  frozen: { step: number; at: number } | null;
  /** The page was frozen and resumed: for how long, and the steps before and after (said until the run ends). */
  wasFrozen: { from: number; to: number; ms: number } | null;
}

export interface CheckpointSlice {
  checkpoints: CheckpointState;
  /** A new run empties the checkpoint slots: the unfinished run is gone. */
  unfinishedRunCleared(): void;
  checkpointDownloadStarted(requestId: number): void;
  lockChanged(lock: LockState): void;
  storagePersisted(persisted: boolean): void;
  /** The run remembered from an earlier visit is not in storage any more. */
  checkpointEvicted(run: RememberedRun | null): void;
  tabHidden(step: number): void;
  tabShown(step: number): void;
  pageFrozen(step: number, at: number): void;
  pageResumed(step: number, at: number): void;
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
  kept: null,
  evicted: null,
  hiddenAtStep: null,
  wentOnHidden: null,
  frozen: null,
  wasFrozen: null,
};

const checkpoints = (s: AppState, p: Partial<CheckpointState>) => ({ checkpoints: { ...s.checkpoints, ...p } });
const downloadEnded = (s: AppState, requestId: number, p: Partial<CheckpointState>) =>
  s.checkpoints.downloading === requestId ? checkpoints(s, { downloading: null, ...p }) : {};

export const checkpointEvents = {
  unfinishedRunFound: (s, { run, storage, storageNote }) => checkpoints(s, { unfinished: run, storage, storageNote }),
  unfinishedRunDiscarded: (s) => checkpoints(s, { unfinished: null }),
  trainingStarted: (s, { runId }) =>
    checkpoints(s, { wentOnHidden: null, hiddenAtStep: null, frozen: null, wasFrozen: null, ...(s.checkpoints.unfinished?.info.runId === runId ? { unfinished: null } : {}) }),
  checkpointSaved: (s, { runId, step, slot, bytes }) => checkpoints(s, { saved: { runId, step, slot, bytes, at: Date.now() }, error: null, failedStep: null }),
  checkpointFailed: (s, { step, error }) => checkpoints(s, { error, failedStep: step }),
  datasetKept: (s, { runId, files, error }) => checkpoints(s, { kept: { runId, files, error } }),
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
    checkpointEvicted: (evicted) => patch({ evicted }),
    tabHidden: (step) => patch({ hiddenAtStep: step }),
    tabShown: (step) =>
      set((s) => {
        const from = s.checkpoints.hiddenAtStep;
        return checkpoints(s, { hiddenAtStep: null, wentOnHidden: from !== null && step > from ? { from, to: step } : s.checkpoints.wentOnHidden });
      }),
    pageFrozen: (step, at) => patch({ frozen: { step, at } }),
    pageResumed: (step, at) =>
      set((s) => {
        const f = s.checkpoints.frozen;
        return checkpoints(s, { frozen: null, wasFrozen: f !== null ? { from: f.step, to: step, ms: Math.max(0, at - f.at) } : s.checkpoints.wasFrozen });
      }),
  };
};
