// The engine's browser host: probes the browser, starts a backend, queues the ToWorker messages and switches on
// their type; the studio's state and rules are in studio.ts (tested without a browser). Commands run one at a time,
// in order; pause, resume, stop and cancel act on what is in flight, so they skip the queue.
import * as tf from '@tensorflow/tfjs-core';
import { renewBackend, useBackend } from '../engine/backend/backend';
import { startWasmThreads } from '../engine/backend/kernels/wasm-pool';
import { LayerwiseError, toErrorData } from '../lib/errors';
import { HEARTBEAT_MS, type BackendName, type BackendProbe, type ToWorker } from '../protocol/messages';
import { RunKeeper } from './run-keeper';
import { browserOnnxRunner } from './onnx-runtime';
import { Studio, type DeviceLoss } from './studio';
import { WASM_PATHS } from './wasm-paths';
import { failed, faultSafePost, listenForFaults, type RunInFlight } from './worker-faults';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const runInFlight: RunInFlight = () => studio.runInFlight();
const post = faultSafePost(scope, runInFlight);

async function probeBrowser(): Promise<BackendProbe> {
  const gpu = scope.navigator.gpu as GPU | undefined;
  const memory = (scope.navigator as WorkerNavigator & { deviceMemory?: number }).deviceMemory;
  const base = {
    webgpuApi: gpu !== undefined && scope.isSecureContext,
    crossOriginIsolated: scope.crossOriginIsolated,
    hardwareConcurrency: scope.navigator.hardwareConcurrency ?? 1,
    deviceMemoryGb: typeof memory === 'number' ? memory : null,
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
      limits: { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize },
    };
  } catch {
    return { ...base, adapter: null };
  }
}

let wasmPathsSet = false;
/** The device tfjs's WebGPU backend computes on, and whether it was lost (the backend is then renewed before use). */
let webgpuDevice: GPUDevice | null = null;
let webgpuLost = false;

/**
 * Initialises one backend and makes it current; throws if it cannot start. Returns the thread count: tfjs-wasm
 * runs XNNPACK on one thread per physical core (half of hardwareConcurrency, at most 8) when it may use threads.
 * On WebGPU, `onDeviceLost` hears the `lost` promise of the device in use (RELIABILITY F2: a driver reset, a GPU
 * process crash, the device destroyed); after a loss, WebGPU starts on a new device.
 */
async function activate(name: BackendName, onDeviceLost: (lost: DeviceLoss) => void): Promise<number> {
  // Loaded only when WASM is used; the same module instance that useBackend imports.
  const wasm = name === 'wasm' ? await import('@tensorflow/tfjs-backend-wasm') : null;
  if (wasm && !wasmPathsSet) {
    wasm.setWasmPaths(WASM_PATHS);
    wasmPathsSet = true;
  }
  // tfjs keeps one backend, and so one device, per name: after a loss, starting WebGPU asks for a new adapter and device.
  if (name === 'webgpu' && webgpuLost) {
    renewBackend('webgpu');
    webgpuLost = false;
  }
  await useBackend(name);
  if (name === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: GPUDevice }).device ?? null;
    if (device !== null && device !== webgpuDevice) {
      webgpuDevice = device;
      void device.lost.then((info) => {
        if (device !== webgpuDevice) return;
        webgpuLost = true;
        onDeviceLost({ reason: info.reason ?? 'unknown', message: info.message });
      });
    }
  }
  if (!wasm) return 1;
  // The engine's own wasm kernels (kernels/wasm-pool.ts) get as many threads as XNNPACK, from workers of this worker.
  return startWasmThreads(wasm.getThreadsCount(), (source) => new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))));
}

/** Runs work in the command queue after the commands before it, so that it never interleaves with one. */
function enqueue<T>(work: () => Promise<T>): Promise<T> {
  const done = queue.then(work);
  queue = done.then(
    () => undefined,
    () => undefined,
  );
  return done;
}

const studio = new Studio(post, { activate, keeper: new RunKeeper(post), origin: scope.location.origin, enqueue, onnxRunner: browserOnnxRunner });

/** Commands that act on something in flight; they must not wait behind it in the queue. */
function handleAtOnce(command: ToWorker): boolean {
  switch (command.type) {
    case 'cancelDatasetRead':
      studio.cancelDatasetRead(command.requestId);
      return true;
    case 'pauseTraining':
      studio.pauseTraining(command.runId);
      return true;
    case 'resumeTraining':
      studio.resumeTraining(command.runId);
      return true;
    case 'stopTraining':
      studio.stopTraining(command.runId);
      return true;
    case 'evaluateTraining':
      studio.evaluateTraining(command.runId);
      return true;
    case 'stopAdaptation':
      studio.stopAdaptation(command.adaptId, command.keep);
      return true;
    case 'connectHub':
      studio.connectHub(command.port);
      return true;
    case 'cancelGradientCheck':
      studio.cancelGradientCheck(command.requestId);
      return true;
    case 'stopSweep':
      studio.stopSweep(command.sweepId);
      return true;
    case 'checkpointTraining':
      studio.checkpointTraining(command.runId);
      return true;
    default:
      return false;
  }
}

async function handle(command: ToWorker): Promise<void> {
  switch (command.type) {
    case 'loadModel':
      return studio.loadModel(command);
    case 'loadHubModel':
      return studio.loadHubModel(command);
    case 'loadModelUrls':
      return studio.loadModelUrls(command);
    case 'setBackend':
      return studio.setBackend(command.backend);
    case 'predict':
      return studio.predict(command);
    case 'readDataset':
      return studio.readDataset(command);
    case 'clearValidationFile':
      return studio.clearValidationFile();
    case 'planData':
      return studio.planData(command);
    case 'startTraining':
    case 'continueRun':
      return studio.startTraining(command);
    case 'findUnfinishedRun':
      return studio.findUnfinishedRun();
    case 'discardUnfinishedRun':
      return studio.discardUnfinishedRun(command.runId);
    case 'downloadCheckpoint':
      return studio.downloadCheckpoint(command.requestId);
    case 'startAdaptation':
      return studio.startAdaptation(command);
    case 'exportModel':
      return studio.exportModel(command);
    case 'exportRecipe':
      return studio.exportRecipe(command);
    case 'exportPredictions':
      return studio.exportPredictions(command);
    case 'pushToHub':
      return studio.pushToHub(command);
    case 'checkGradients':
      return studio.checkGradients(command);
    case 'startSweep':
      return studio.startSweep(command);
    case 'shareRecipe':
      return studio.shareRecipe(command);
    case 'checkRecipeFiles':
      return studio.checkRecipeFiles(command);
    case 'cancelDatasetRead':
    case 'pauseTraining':
    case 'resumeTraining':
    case 'stopTraining':
    case 'evaluateTraining':
    case 'stopAdaptation':
    case 'connectHub':
    case 'checkpointTraining':
    case 'cancelGradientCheck':
    case 'stopSweep':
      // Handled on arrival by handleAtOnce.
      return;
    default: {
      const unknown = (command satisfies never) as { type?: unknown };
      throw new LayerwiseError('WORKER_UNKNOWN_COMMAND', `The engine received an unknown command ${JSON.stringify(unknown.type)}.`);
    }
  }
}

function reportFailure(err: unknown): void {
  post(failed(toErrorData(err), runInFlight));
}

// Commands wait for the backend, then run strictly in order, so a load never races a backend switch.
let queue: Promise<void> = probeBrowser()
  .then((probe) => studio.start(probe))
  .catch(reportFailure);

scope.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  if (handleAtOnce(event.data)) return;
  queue = queue.then(() => handle(event.data)).catch(reportFailure);
});
listenForFaults(scope, post, runInFlight);
setInterval(() => post({ type: 'heartbeat' }), HEARTBEAT_MS);
