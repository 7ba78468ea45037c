// Store slice: the engine worker's state as the engine client reports it (backend, reason, health).
// Written only by ui/engine-client.ts; components read it through narrow selectors.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { BackendName, BackendProbe, FromWorker } from '../../protocol/messages';
import type { AppState } from './app-store';

/** starting: the worker is probing and initialising a backend; unresponsive: heartbeats stopped; crashed: gone. */
export type EngineStatus = 'starting' | 'ready' | 'unresponsive' | 'crashed';

export interface EngineState {
  status: EngineStatus;
  backend: BackendName | null;
  /** Why this backend, as the worker said it. */
  reason: string;
  chosenBy: 'auto' | 'user';
  threads: number;
  notices: string[];
  probe: BackendProbe | null;
  /** The backend the user asked for, until the worker answers. */
  requestedBackend: BackendName | null;
  /** The latest engine-level error (crash, failed backend switch), until dismissed. */
  error: LayerwiseErrorData | null;
}

export interface EngineSlice {
  engine: EngineState;
  engineReady(event: Extract<FromWorker, { type: 'ready' }>): void;
  backendRequested(backend: BackendName): void;
  backendFailed(backend: BackendName, error: LayerwiseErrorData): void;
  engineFailed(error: LayerwiseErrorData): void;
  engineCrashed(error: LayerwiseErrorData): void;
  engineUnresponsive(): void;
  engineAlive(): void;
  engineRestarted(): void;
  dismissEngineError(): void;
}

const initialEngine: EngineState = {
  status: 'starting',
  backend: null,
  reason: '',
  chosenBy: 'auto',
  threads: 1,
  notices: [],
  probe: null,
  requestedBackend: null,
  error: null,
};

export const createEngineSlice: StateCreator<AppState, [], [], EngineSlice> = (set) => {
  const patch = (p: Partial<EngineState>) => set((s) => ({ engine: { ...s.engine, ...p } }));
  return {
    engine: initialEngine,
    engineReady: (e) =>
      patch({
        status: 'ready',
        backend: e.backend,
        reason: e.reason,
        chosenBy: e.chosenBy,
        threads: e.threads,
        notices: e.notices,
        probe: e.probe,
        requestedBackend: null,
      }),
    backendRequested: (backend) => patch({ requestedBackend: backend, error: null }),
    backendFailed: (_backend, error) => patch({ requestedBackend: null, error }),
    // A failure before any backend started leaves nothing to run on: say so instead of "Starting…" forever.
    engineFailed: (error) => set((s) => ({ engine: { ...s.engine, error, status: s.engine.status === 'starting' ? 'crashed' : s.engine.status } })),
    engineCrashed: (error) => patch({ status: 'crashed', error, requestedBackend: null }),
    engineUnresponsive: () => set((s) => (s.engine.status === 'ready' || s.engine.status === 'starting' ? { engine: { ...s.engine, status: 'unresponsive' } } : s)),
    engineAlive: () => set((s) => (s.engine.status === 'unresponsive' ? { engine: { ...s.engine, status: s.engine.backend ? 'ready' : 'starting' } } : s)),
    engineRestarted: () => patch({ ...initialEngine }),
    dismissEngineError: () => patch({ error: null }),
  };
};
