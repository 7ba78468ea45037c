// The worker's own faults as `failed` events (RELIABILITY F6): an uncaught error, an unhandled rejection, a command it
// could not decode (messageerror) and an event it could not clone to post (DataCloneError). Each names the run in
// flight and the steps it had done. Kept apart from engine.worker.ts so that tests drive it with a scope of their own.
import { LayerwiseError, toErrorData, type LayerwiseErrorData } from '../lib/errors';
import type { FromWorker } from '../protocol/messages';

/** What of a DedicatedWorkerGlobalScope this needs. */
export interface FaultScope {
  postMessage(message: FromWorker, transfer: Transferable[]): void;
  addEventListener(type: 'error' | 'unhandledrejection' | 'messageerror', listener: (event: Event) => void): void;
}

/** The run in flight and the steps it has done, or null (Studio.runInFlight). */
export type RunInFlight = () => { runId: string; step: number } | null;

/** A `failed` event for `error`, naming the run in flight if there is one. */
export function failed(error: LayerwiseErrorData, runAt: RunInFlight): FromWorker {
  const run = runAt();
  return run === null ? { type: 'failed', error } : { type: 'failed', error, run };
}

/**
 * The worker's post: an event that cannot be cloned (a function or a class instance slipped into it) is reported as
 * WORKER_EVENT_UNCLONEABLE naming the event, instead of throwing into whatever posted it.
 */
export function faultSafePost(scope: FaultScope, runAt: RunInFlight): (event: FromWorker, transfer?: Transferable[]) => void {
  return (event, transfer = []) => {
    try {
      scope.postMessage(event, transfer);
    } catch (err) {
      if (!(err instanceof Error && err.name === 'DataCloneError')) throw err;
      const error = new LayerwiseError('WORKER_EVENT_UNCLONEABLE', `The engine could not send its ${event.type} event: ${err.message}`, { field: event.type });
      scope.postMessage(failed(error.toData(), runAt), []);
    }
  };
}

/** Reports the scope's uncaught errors, unhandled rejections and undecodable messages through `post`. */
export function listenForFaults(scope: FaultScope, post: (event: FromWorker) => void, runAt: RunInFlight): void {
  scope.addEventListener('messageerror', () => {
    post(failed(new LayerwiseError('WORKER_MESSAGE_UNREADABLE', 'The engine received a message it could not decode.').toData(), runAt));
  });
  scope.addEventListener('error', (event) => {
    const e = event as ErrorEvent;
    e.preventDefault();
    const location = e.filename ? { file: e.filename, line: e.lineno, column: e.colno } : undefined;
    post(failed({ code: 'WORKER_UNCAUGHT', message: e.message, location }, runAt));
  });
  scope.addEventListener('unhandledrejection', (event) => {
    const e = event as PromiseRejectionEvent;
    e.preventDefault();
    post(failed(toErrorData(e.reason), runAt));
  });
}
