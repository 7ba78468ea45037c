// A run and the page's life (RELIABILITY F8, F9, F12). While a run is in flight, leaving the page asks first
// (beforeunload); hiding it (another tab, a minimised window: visibilitychange) or leaving it (pagehide) asks the
// engine for a checkpoint at the run's next safe point — training goes on in the worker meanwhile, and the Train panel
// says from which step to which it went on while hidden. The browser may also freeze the page (Page Lifecycle
// `freeze`, as Chrome does to hidden tabs and discards after): that asks for a checkpoint as pagehide does — a frozen
// page may be discarded without another event — and on `resume` the panel says how long it was frozen and how far
// the run went meanwhile (the engine worker may be frozen with the page). A run this tab checkpointed is remembered outside the
// checkpoint storage (localStorage), so that the next visit can say when the browser evicted its checkpoint instead of
// saying nothing.
import type { AppState, AppStore } from '../../store/app-store';
import type { RememberedRun } from '../../store/checkpoint-slice';
import { isActive } from '../../store/training-slice';
import { latestStep } from '../../series';
import type { EngineClient } from '../../engine-client';

export const REMEMBERED_RUN_KEY = 'layerwise.checkpointedRun';

/** The parts of window, document and localStorage used here; tests pass fakes. */
export interface PageEnvironment {
  window: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  document: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** The wall clock, in ms (how long a frozen page was frozen). */
  now(): number;
}

export function browserPageEnvironment(): PageEnvironment {
  let storage: Storage | null = null;
  try {
    storage = window.localStorage;
  } catch {
    // Storage refused (privacy settings): nothing is remembered between visits.
  }
  return { window, document, storage, now: Date.now };
}

function remembered(storage: PageEnvironment['storage']): RememberedRun | null {
  try {
    const value = JSON.parse(storage?.getItem(REMEMBERED_RUN_KEY) ?? 'null') as RememberedRun | null;
    return value !== null && typeof value.runId === 'string' && Number.isSafeInteger(value.step) ? value : null;
  } catch {
    return null;
  }
}

const step = (s: AppState) => latestStep(s.training.steps)?.step ?? 0;

export function watchPageLifecycle(store: AppStore, engine: Pick<EngineClient, 'checkpointTraining'>, env: PageEnvironment = browserPageEnvironment()): () => void {
  const state = () => store.getState();
  const running = () => {
    const status = state().training.status;
    return status === 'running' || status === 'pausing';
  };

  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (!isActive(state().training.status)) return;
    engine.checkpointTraining();
    // The browser asks "Leave site?" with its own words; the run can be resumed from its checkpoint either way.
    event.preventDefault();
    event.returnValue = '';
  };
  const visibility = () => {
    if (env.document.visibilityState === 'hidden') {
      if (!running()) return;
      engine.checkpointTraining();
      state().tabHidden(step(state()));
    } else if (state().checkpoints.hiddenAtStep !== null) {
      state().tabShown(step(state()));
    }
  };
  const pageHide = () => {
    if (running()) engine.checkpointTraining();
  };
  const freeze = () => {
    if (!running()) return;
    engine.checkpointTraining();
    state().pageFrozen(step(state()), env.now());
  };
  const resume = () => {
    if (state().checkpoints.frozen !== null) state().pageResumed(step(state()), env.now());
  };
  env.window.addEventListener('beforeunload', beforeUnload);
  env.window.addEventListener('pagehide', pageHide);
  env.document.addEventListener('visibilitychange', visibility);
  env.document.addEventListener('freeze', freeze);
  env.document.addEventListener('resume', resume);

  // The run this tab checkpointed, remembered until it ends or is discarded (F12).
  let answered = false;
  const unsubscribe = store.subscribe((s, previous) => {
    const c = s.checkpoints;
    const t = s.training;
    if (!answered && c.storage !== null) {
      // The first answer of the worker: a remembered run it does not offer has lost its checkpoint.
      answered = true;
      const mine = remembered(env.storage);
      if (mine !== null && c.unfinished?.info.runId !== mine.runId) state().checkpointEvicted(mine);
    }
    if (c.saved !== previous.checkpoints.saved && c.saved !== null && c.saved.runId === t.runId) {
      const run: RememberedRun = { runId: c.saved.runId, name: `${t.datasetFile ?? 'a dataset'} on ${s.model.current?.source ?? 'a model'}`, step: c.saved.step, savedAt: c.saved.at };
      env.storage?.setItem(REMEMBERED_RUN_KEY, JSON.stringify(run));
    }
    // Forgotten when its checkpoint goes by our own hand: another run starts (the worker empties the slots for it), the
    // run ends (finished or stopped), or the offer to resume it is discarded.
    const mine = remembered(env.storage)?.runId;
    if (mine === undefined) return;
    const otherRun = t.runId !== previous.training.runId && t.runId !== null && t.runId !== mine;
    const ended = t.status === 'finished' && previous.training.status !== 'finished' && t.runId === mine;
    const offer = previous.checkpoints.unfinished?.info.runId;
    const discarded = c.unfinished === null && offer === mine && t.runId !== mine;
    if (otherRun || ended || discarded) env.storage?.removeItem(REMEMBERED_RUN_KEY);
  });

  return () => {
    env.window.removeEventListener('beforeunload', beforeUnload);
    env.window.removeEventListener('pagehide', pageHide);
    env.document.removeEventListener('visibilitychange', visibility);
    env.document.removeEventListener('freeze', freeze);
    env.document.removeEventListener('resume', resume);
    unsubscribe();
  };
}

/** Forgets the remembered run (the user dismissed the notice that its checkpoint is gone). */
export function forgetRememberedRun(storage: PageEnvironment['storage'] = browserPageEnvironment().storage): void {
  storage?.removeItem(REMEMBERED_RUN_KEY);
}
