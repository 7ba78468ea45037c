// One tab trains at a time (RELIABILITY F10): a tab takes the Web Lock "layerwise-studio" (ifAvailable) before it
// starts or resumes a run and lets go when the run ends, so the checkpoint slots never have two writers. Other tabs
// see the lock held (navigator.locks.query, polled) and say so; they can still browse. Without navigator.locks the
// studio says that nothing guards against a second tab, and carries on. Also asks once for persistent storage (F12).
import { createContext, useContext } from 'react';
import { TRAINING_LOCK_NAME } from '../../../protocol/run-checkpoint';
import type { AppState, AppStore } from '../../store/app-store';
import { isActive } from '../../store/training-slice';

const POLL_MS = 2000;

export interface TrainingLock {
  /** Takes the lock for a run; false when another tab holds it (the store then says so). */
  acquire(): Promise<boolean>;
  dispose(): void;
}

/** The parts of LockManager and StorageManager used here; tests pass fakes. */
export interface LockEnvironment {
  locks: LockManager | undefined;
  storage: Pick<StorageManager, 'persist'> | undefined;
}

export function browserLockEnvironment(): LockEnvironment {
  return { locks: navigator.locks as LockManager | undefined, storage: navigator.storage as StorageManager | undefined };
}

export function createTrainingLock(store: AppStore, env: LockEnvironment = browserLockEnvironment()): TrainingLock {
  const actions = () => store.getState();
  const { locks } = env;
  let release: (() => void) | null = null;
  let askedPersist = false;

  const persist = () => {
    if (askedPersist || typeof env.storage?.persist !== 'function') return;
    askedPersist = true;
    env.storage.persist().then(
      (granted) => actions().storagePersisted(granted),
      () => actions().storagePersisted(false),
    );
  };

  const poll = async () => {
    if (!locks || release !== null) return;
    const state = await locks.query();
    if (release !== null) return;
    const held = (state.held ?? []).some((l) => l.name === TRAINING_LOCK_NAME);
    actions().lockChanged(held ? 'elsewhere' : 'free');
  };

  if (!locks) actions().lockChanged('unsupported');
  else void poll();
  const timer = locks ? setInterval(() => void poll(), POLL_MS) : null;

  // The lock goes with the run: released once it has ended (finished, failed, or lost with the worker) — not while
  // the engine only stopped answering (it may go on).
  const over = (t: AppState['training']) => !isActive(t.status) && t.stalledFrom === null;
  const unsubscribe = store.subscribe((s, previous) => {
    if (release !== null && over(s.training) && !over(previous.training)) {
      release();
      release = null;
      actions().lockChanged('free');
    }
  });

  return {
    async acquire() {
      persist();
      if (!locks) return true;
      if (release !== null) return true;
      const granted = await new Promise<boolean>((resolve) => {
        void locks.request(TRAINING_LOCK_NAME, { ifAvailable: true }, (lock) => {
          if (lock === null) {
            resolve(false);
            return undefined;
          }
          resolve(true);
          return new Promise<void>((done) => (release = done));
        });
      });
      actions().lockChanged(granted ? 'held' : 'elsewhere');
      return granted;
    },
    dispose() {
      if (timer !== null) clearInterval(timer);
      unsubscribe();
      release?.();
    },
  };
}

export const TrainingLockContext = createContext<TrainingLock | null>(null);

export function useTrainingLock(): TrainingLock | null {
  return useContext(TrainingLockContext);
}
