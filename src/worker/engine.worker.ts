// The engine's browser host: picks the backend, runs the ToWorker message loop, reports FromWorker events.
// Thin by design (excalidraw's worker split): the engine does the work and is tested without this file.
// Commands run one at a time, in order; a model replaces the current one only once it has loaded completely.
import { useBackend } from '../engine/backend/backend';
import { loadCheckpoint, type LoadedModel } from '../engine/load';
import { blobFile, type SourceFolder } from '../formats/source-file';
import { LayerwiseError, toErrorData } from '../lib/errors';
import { HEARTBEAT_MS, type BackendName, type BackendProbe, type FromWorker, type ToWorker } from '../protocol/messages';
import { backendNotices, planBackends } from './backend-choice';
import { summarizeModel } from './model-summary';
import { predictText } from './predict-text';
import { WASM_PATHS } from './wasm-paths';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(event: FromWorker): void {
  scope.postMessage(event);
}

let current: LoadedModel | null = null;
let backend: BackendName | null = null;
let probe: BackendProbe;

async function probeBrowser(): Promise<BackendProbe> {
  const gpu = scope.navigator.gpu as GPU | undefined;
  const base = {
    webgpuApi: gpu !== undefined && scope.isSecureContext,
    crossOriginIsolated: scope.crossOriginIsolated,
    hardwareConcurrency: scope.navigator.hardwareConcurrency ?? 1,
  };
  if (!base.webgpuApi || !gpu) return { ...base, adapter: null };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { ...base, adapter: null };
    // isFallbackAdapter moved from GPUAdapter to GPUAdapterInfo in the spec; browsers expose one or the other.
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
    return {
      ...base,
      adapter: {
        vendor: info.vendor,
        architecture: info.architecture,
        description: info.description,
        isFallbackAdapter: info.isFallbackAdapter ?? legacy ?? false,
      },
    };
  } catch {
    return { ...base, adapter: null };
  }
}

let wasmPathsSet = false;

/**
 * Initialises one backend and makes it current; throws if it cannot start. Returns the thread count: tfjs-wasm
 * runs XNNPACK on one thread per physical core (half of hardwareConcurrency, at most 8) when it may use threads.
 */
async function activate(name: BackendName): Promise<number> {
  // Loaded only when WASM is used; the same module instance that useBackend imports.
  const wasm = name === 'wasm' ? await import('@tensorflow/tfjs-backend-wasm') : null;
  if (wasm && !wasmPathsSet) {
    wasm.setWasmPaths(WASM_PATHS);
    wasmPathsSet = true;
  }
  await useBackend(name);
  backend = name;
  return wasm ? wasm.getThreadsCount() : 1;
}

async function start(): Promise<void> {
  probe = await probeBrowser();
  const failures: string[] = [];
  for (const candidate of planBackends(probe)) {
    try {
      const threads = await activate(candidate.backend);
      post({
        type: 'ready',
        backend: candidate.backend,
        reason: candidate.reason,
        chosenBy: 'auto',
        threads,
        notices: [...failures, ...backendNotices(candidate.backend, probe)],
        probe,
      });
      return;
    } catch (err) {
      failures.push(`${candidate.backend} failed to start: ${toErrorData(err).message}`);
    }
  }
  throw new LayerwiseError('BACKEND_NONE_STARTED', `No backend could start. ${failures.join(' ')}`);
}

async function switchBackend(name: BackendName): Promise<void> {
  const previous = backend;
  try {
    const threads = await activate(name);
    post({
      type: 'ready',
      backend: name,
      reason: `You chose ${name === 'webgpu' ? 'WebGPU' : name.toUpperCase()}.`,
      chosenBy: 'user',
      threads,
      notices: backendNotices(name, probe),
      probe,
    });
  } catch (err) {
    // Leave the engine on the backend it had, so the loaded model stays usable.
    if (previous) await activate(previous);
    post({ type: 'backendFailed', backend: name, error: toErrorData(err) });
  }
}

async function loadModel(command: Extract<ToWorker, { type: 'loadModel' }>): Promise<void> {
  const started = performance.now();
  try {
    const folder: SourceFolder = new Map(command.files.map((f) => [f.name, blobFile(f.name, f)]));
    const next = await loadCheckpoint(folder);
    const summary = summarizeModel(next, command.source, command.files, performance.now() - started);
    const previous = current;
    current = next;
    previous?.params.dispose();
    post({ type: 'modelLoaded', loadId: command.loadId, summary });
  } catch (err) {
    post({ type: 'loadFailed', loadId: command.loadId, source: command.source, error: toErrorData(err) });
  }
}

async function predict(command: Extract<ToWorker, { type: 'predict' }>): Promise<void> {
  try {
    if (!current) throw new LayerwiseError('PREDICT_NO_MODEL', 'Open a checkpoint folder first.');
    post({ type: 'predicted', requestId: command.requestId, prediction: await predictText(current, command.text) });
  } catch (err) {
    post({ type: 'predictFailed', requestId: command.requestId, error: toErrorData(err) });
  }
}

function handle(command: ToWorker): Promise<void> {
  switch (command.type) {
    case 'loadModel':
      return loadModel(command);
    case 'setBackend':
      return switchBackend(command.backend);
    case 'predict':
      return predict(command);
    default: {
      const unknown = (command satisfies never) as { type?: unknown };
      throw new LayerwiseError('WORKER_UNKNOWN_COMMAND', `The engine received an unknown command ${JSON.stringify(unknown.type)}.`);
    }
  }
}

function reportFailure(err: unknown): void {
  post({ type: 'failed', error: toErrorData(err) });
}

// Commands wait for the backend, then run strictly in order, so a load never races a backend switch.
let queue: Promise<void> = start().catch(reportFailure);

scope.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  queue = queue.then(() => handle(event.data)).catch(reportFailure);
});
scope.addEventListener('messageerror', () => {
  reportFailure(new LayerwiseError('WORKER_MESSAGE_UNREADABLE', 'The engine received a message it could not decode.'));
});
scope.addEventListener('error', (event: ErrorEvent) => {
  event.preventDefault();
  const location = event.filename ? { file: event.filename, line: event.lineno, column: event.colno } : undefined;
  post({ type: 'failed', error: { code: 'WORKER_UNCAUGHT', message: event.message, location } });
});
scope.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  event.preventDefault();
  reportFailure(event.reason);
});
setInterval(() => post({ type: 'heartbeat' }), HEARTBEAT_MS);
