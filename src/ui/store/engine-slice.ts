// Store slice: the engine worker's state (backend, reason, health). It owns the worker's ready, backendFailed,
// deviceLost, deviceRenewalFailed, failed and heartbeat events; the engine client reports what only it sees (a crash, missed heartbeats,
// a restart).
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { BackendName, BackendProbe } from '../../protocol/messages';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

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
  /** The WebGPU device was lost (GPU_DEVICE_LOST, RELIABILITY F2), until another backend is ready. */
  lost: LayerwiseErrorData | null;
  /** After a loss the engine asks once for a new device: asking, or why none came (GPU_DEVICE_RENEWAL_FAILED). */
  renewal: { status: 'asking' } | { status: 'failed'; error: LayerwiseErrorData } | null;
}

export interface EngineSlice {
  engine: EngineState;
  backendRequested(backend: BackendName): void;
  engineCrashed(error: LayerwiseErrorData): void;
  engineUnresponsive(): void;
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
  lost: null,
  renewal: null,
};

const engine = (s: AppState, p: Partial<EngineState>) => ({ engine: { ...s.engine, ...p } });

export const engineEvents = {
  ready: (s, { backend, reason, chosenBy, threads, notices, probe }) =>
    engine(s, { status: 'ready', backend, reason, chosenBy, threads, notices, probe, requestedBackend: null, lost: null, renewal: null }),
  backendFailed: (s, { error }) => engine(s, { requestedBackend: null, error }),
  deviceLost: (s, { error }) => engine(s, { lost: error, renewal: { status: 'asking' } }),
  deviceRenewalFailed: (s, { error }) => engine(s, { renewal: { status: 'failed', error } }),
  // A failure before any backend started leaves nothing to run on: say so instead of "Starting…" forever.
  // A fault during a run says when it came: the run may have gone on, or may have stopped there.
  failed: (s, { error, run }) => engine(s, { error: run ? { ...error, message: `${error.message} (while a run was at step ${run.step})` } : error, status: s.engine.status === 'starting' ? 'crashed' : s.engine.status }),
  heartbeat: (s) => (s.engine.status === 'unresponsive' ? engine(s, { status: s.engine.backend ? 'ready' : 'starting' }) : {}),
} satisfies SliceEvents;

export const createEngineSlice: StateCreator<AppState, [], [], EngineSlice> = (set) => {
  const patch = (p: Partial<EngineState>) => set((s) => engine(s, p));
  return {
    engine: initialEngine,
    backendRequested: (backend) => patch({ requestedBackend: backend, error: null }),
    engineCrashed: (error) => patch({ status: 'crashed', error, requestedBackend: null }),
    engineUnresponsive: () => set((s) => (s.engine.status === 'ready' || s.engine.status === 'starting' ? engine(s, { status: 'unresponsive' }) : s)),
    engineRestarted: () => patch({ ...initialEngine }),
    dismissEngineError: () => patch({ error: null }),
  };
};
