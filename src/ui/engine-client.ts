// The only code that talks to the engine worker: sends ToWorker commands, writes FromWorker events into the
// store, and watches the worker's heartbeat. Components call its methods and never hold the worker.
import type { LayerwiseErrorData } from '../lib/errors';
import { HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS, type BackendName, type FromWorker, type ToWorker } from '../protocol/messages';
import type { AppStore } from './store/app-store';

/** The part of a Worker the client uses; tests pass a fake. */
export interface WorkerLike {
  postMessage(message: ToWorker): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<FromWorker>) => void): void;
  addEventListener(type: 'messageerror' | 'error', listener: (event: Event) => void): void;
}

export interface EngineClient {
  /** Sends a checkpoint folder's files to the worker; progress and the result arrive in the store. */
  loadModel(source: string, files: File[]): void;
  setBackend(backend: BackendName): void;
  /** Runs the loaded model on one text; the result arrives in the store's prediction slice. */
  predict(text: string): void;
  /** Replaces a crashed or unresponsive worker with a fresh one (what the old one held is lost). */
  restart(): void;
  dispose(): void;
}

export function spawnEngineWorker(): WorkerLike {
  return new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'layerwise-engine' });
}

export function createEngineClient(store: AppStore, spawn: () => WorkerLike = spawnEngineWorker): EngineClient {
  const actions = () => store.getState();
  let worker: WorkerLike;
  let lastBeat = Date.now();
  let nextRequestId = 1;

  function onEvent(event: FromWorker): void {
    lastBeat = Date.now();
    switch (event.type) {
      case 'ready':
        actions().engineReady(event);
        return;
      case 'backendFailed':
        actions().backendFailed(event.backend, event.error);
        return;
      case 'modelLoaded':
        actions().modelLoaded(event.loadId, event.summary);
        actions().predictionCleared();
        return;
      case 'loadFailed':
        actions().modelLoadFailed(event.loadId, event.source, event.error);
        return;
      case 'predicted':
        actions().predicted(event.requestId, event.prediction);
        return;
      case 'predictFailed':
        actions().predictionFailed(event.requestId, event.error);
        return;
      case 'failed':
        actions().engineFailed(event.error);
        return;
      case 'heartbeat':
        actions().engineAlive();
        return;
      default:
        event satisfies never;
    }
  }

  function crashed(error: LayerwiseErrorData): void {
    actions().engineCrashed(error);
    actions().predictionCleared();
    const pending = actions().model.pending;
    if (pending) {
      actions().modelLoadFailed(pending.loadId, pending.source, { code: 'ENGINE_CRASHED', message: 'The engine stopped while loading this model.' });
    }
  }

  function connect(): void {
    worker = spawn();
    lastBeat = Date.now();
    worker.addEventListener('message', (e) => onEvent(e.data));
    worker.addEventListener('messageerror', () =>
      actions().engineFailed({ code: 'WORKER_MESSAGE_UNREADABLE', message: 'A message from the engine could not be decoded.' }),
    );
    // The worker reports its own errors as `failed`; an error event here means the script itself did not run.
    worker.addEventListener('error', (e) => {
      const message = (e as Partial<ErrorEvent>).message;
      crashed({ code: 'WORKER_CRASHED', message: message ? message : 'The engine worker could not start, or stopped.' });
    });
  }

  connect();
  const watchdog = setInterval(() => {
    if (Date.now() - lastBeat > HEARTBEAT_TIMEOUT_MS) actions().engineUnresponsive();
  }, HEARTBEAT_MS);

  return {
    loadModel(source, files) {
      const loadId = nextRequestId++;
      actions().modelLoadStarted({ loadId, source, fileCount: files.length, bytes: files.reduce((n, f) => n + f.size, 0), startedAt: Date.now() });
      worker.postMessage({ type: 'loadModel', loadId, source, files });
    },
    setBackend(backend) {
      actions().backendRequested(backend);
      worker.postMessage({ type: 'setBackend', backend });
    },
    predict(text) {
      const requestId = nextRequestId++;
      actions().predictionStarted(requestId);
      worker.postMessage({ type: 'predict', requestId, text });
    },
    restart() {
      worker.terminate();
      actions().modelLost();
      actions().predictionCleared();
      actions().engineRestarted();
      connect();
    },
    dispose() {
      clearInterval(watchdog);
      worker.terminate();
    },
  };
}
