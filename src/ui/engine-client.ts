// The only code that talks to the engine worker: sends ToWorker commands, hands each FromWorker event to the store
// slices that own it (store/worker-events.ts), saves the zips the worker sends, and watches the worker's heartbeat.
// Components call its methods and never hold the worker.
import type { LayerwiseErrorData } from '../lib/errors';
import type { AdaptSettings, AdaptTextSource } from '../protocol/adaptation';
import type { DatasetReadChoices, DatasetRole } from '../protocol/dataset-summary';
import type { ExportFormat } from '../protocol/export';
import { hubModelLabel } from '../protocol/hub';
import { HUB_BRIDGE_CONNECT, HUB_BRIDGE_READY } from '../protocol/hub-bridge';
import { HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS, type BackendName, type FromWorker, type ModelFileUrl, type ToWorker } from '../protocol/messages';
import type { Task } from '../protocol/task';
import type { AugmentConfig, TrainConfig } from '../protocol/train-config';
import type { UnfinishedRun } from '../protocol/run-checkpoint';
import type { RunRecipe } from '../protocol/run-recipe';
import type { SweepConfig } from '../protocol/sweep';
import engineWorkerUrl from '../worker/engine.worker.ts?worker&url';
import { isAdapting } from './store/adaptation-slice';
import { isSweeping } from './store/sweep-slice';
import type { AppStore } from './store/app-store';
import type { PredictTarget } from './store/prediction-slice';
import { canEvaluateNow, isActive } from './store/training-slice';
import { applyWorkerEvent, type SliceEventType, type WorkerEvent } from './store/worker-events';

/** The part of a Worker the client uses; tests pass a fake. */
export interface WorkerLike {
  postMessage(message: ToWorker, transfer?: Transferable[]): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<FromWorker>) => void): void;
  addEventListener(type: 'messageerror' | 'error', listener: (event: Event) => void): void;
}

export interface EngineClient {
  /** Sends a checkpoint folder's files to the worker; progress and the result arrive in the store. */
  loadModel(source: string, files: File[]): void;
  /** Downloads a model from the Hugging Face Hub (or a mirror) in the worker, then loads it; nothing is fetched before. */
  loadHubModel(request: { id: string; revision: string; endpoint: string }): void;
  /** Loads a checkpoint folder served by this site (the built-in model); the worker fetches its files. */
  loadModelUrls(source: string, files: ModelFileUrl[]): void;
  setBackend(backend: BackendName): void;
  /** Runs the loaded model on one text; the result arrives in the prediction slice under its target. */
  predict(text: string, target?: PredictTarget): void;
  /** Reads a dataset file in the worker (progress, early preview, Cancel); the summary arrives in the store. */
  readDataset(role: DatasetRole, file: File, choices?: DatasetReadChoices): void;
  cancelDatasetRead(): void;
  clearValidationFile(): void;
  /** Asks the worker how a run would split and augment the loaded data. */
  planData(settings: { task: Task; validationSplit: number; seed: number; augment: AugmentConfig; maxLength?: number; windows?: boolean }): void;
  /** Starts a run with a validated config; returns its id. */
  startTraining(config: TrainConfig): string;
  pauseTraining(): void;
  resumeTraining(): void;
  stopTraining(): void;
  /** "Evaluate now": the run's weights on the validation data after its current step, or at once when paused. */
  evaluateTraining(): void;
  /**
   * Continues the unfinished run from its stored checkpoint on the model open now and its own dataset (open now, or
   * the copy kept in the browser); `passes` splits its batches into smaller passes (what an out-of-memory failure proposes).
   */
  continueRun(run: UnfinishedRun, passes?: Pick<TrainConfig, 'microBatchSize' | 'gradientCheckpointing'>): void;
  /** A checkpoint of the run in flight after its current step (the page is being hidden or left). */
  checkpointTraining(): void;
  /** Forgets the unfinished run (its checkpoint slots are emptied). */
  discardUnfinishedRun(run: UnfinishedRun): void;
  /** Asks the worker for a run left unfinished by a reload or a crashed worker (the Train panel offers to resume it). */
  findUnfinishedRun(): void;
  /** Hands the latest checkpoint (checkpoint.json + checkpoint.safetensors, zipped) to the browser's download. */
  downloadCheckpoint(): void;
  /** Starts "Adapt to my text" (masked-LM training of the loaded checkpoint); returns its id. */
  startAdaptation(text: AdaptTextSource, settings: AdaptSettings): string;
  /** Ends the adaptation after its current step: keep its weights so far, or leave the model as it was. */
  stopAdaptation(keep: boolean): void;
  /**
   * Writes the current model in a format (a Hugging Face folder; ONNX for transformers.js, with the int8 file when
   * quantize), has the worker check it against the engine, and hands the zip to the browser's download.
   */
  exportModel(request: { format: ExportFormat; quantize?: boolean; allowNonFinite?: boolean }): void;
  /** Writes the training recipe (the finished run's config, else this one) and hands the zip to the browser's download. */
  /** The finished run's validation examples with the model's predictions, downloaded as a CSV. */
  exportPredictions(): void;
  exportRecipe(config: TrainConfig): void;
  /** Pushes the current model to the Hub; the token goes to the worker with this command and is kept nowhere. */
  pushToHub(request: { repo: string; token: string; endpoint: string; private: boolean; withOnnx: boolean }): void;
  /** "Check gradients": the model a run with `config` would train, against finite differences on `examples` examples. */
  checkGradients(config: TrainConfig, examples: number): void;
  /** Ends the gradient check in flight after its current tensor. */
  cancelGradientCheck(): void;
  /** Starts a hyperparameter sweep on the folder runs start from and the open datasets; returns its id. */
  startSweep(sweep: SweepConfig): string;
  /** Ends the sweep after its current step (the trial in flight ends unscored). */
  stopSweep(): void;
  /** The shareable run recipe of `config` with the open model folder and datasets (fingerprinted), read as they were read. */
  shareRecipe(config: TrainConfig): void;
  /** Checks the files open now against the opened recipe's fingerprints. */
  checkRecipeFiles(recipe: RunRecipe): void;
  /** Replaces a crashed or unresponsive worker with a fresh one (what the old one held is lost). */
  restart(): void;
  dispose(): void;
}

/** Offers a file to the user as a download; returns a URL that stays valid until the next export. */
export type SaveFile = (blob: Blob, fileName: string) => string;

export function downloadFile(blob: Blob, fileName: string): string {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.click();
  return url;
}

function newRunId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `run-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * The engine worker, started from a blob: URL that imports its module: a worker loaded from its own URL takes its
 * Content-Security-Policy from that response's headers, which a static host may not send, while a blob: worker
 * inherits this page's policy (the <meta> of scripts/site-policy.ts) — so the engine is held to it on any host.
 */
export function spawnEngineWorker(): WorkerLike {
  const source = `import ${JSON.stringify(new URL(engineWorkerUrl, location.href).href)};\n`;
  const wrapper = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(wrapper, { type: 'module', name: 'layerwise-engine' });
  worker.addEventListener('message', () => URL.revokeObjectURL(wrapper), { once: true });
  return worker;
}

/** The events that carry a zip: the client hands it to the browser's download (the store keeps no bytes). */
type Downloads = { [T in 'checkpointDownloaded' | 'modelExported' | 'recipeExported' | 'predictionsExported']: (event: WorkerEvent<T>) => void };

// Every event has an owner: a FromWorker event that no slice and not Downloads handles is a type error here, by name.
(null as unknown as Exclude<FromWorker['type'], SliceEventType | keyof Downloads>) satisfies never;

/** Hands one end of a channel to the Hub bridge page, opening it first (see protocol/hub-bridge.ts); tests pass a fake. */
export type HubBridge = (port: MessagePort) => void;

/**
 * The Hub bridge of this page: a hidden frame of hub-bridge.html, opened on first use (never before the user asks for
 * the Hub). Ports handed over before it is listening wait for it; messages sent on their other end wait with them.
 */
export function hubBridgeFrame(): HubBridge {
  let ready: Promise<Window> | null = null;
  const open = () =>
    new Promise<Window>((resolve) => {
      const frame = document.createElement('iframe');
      frame.hidden = true;
      frame.title = 'Hugging Face Hub connection';
      frame.src = `${import.meta.env.BASE_URL}hub-bridge.html`;
      const listen = (event: MessageEvent<{ type?: unknown }>) => {
        if (event.source !== frame.contentWindow || event.origin !== location.origin || event.data?.type !== HUB_BRIDGE_READY) return;
        window.removeEventListener('message', listen);
        resolve(frame.contentWindow as Window);
      };
      window.addEventListener('message', listen);
      document.body.append(frame);
    });
  return (port) => {
    ready ??= open();
    void ready.then((bridge) => bridge.postMessage({ type: HUB_BRIDGE_CONNECT }, location.origin, [port]));
  };
}

export function createEngineClient(store: AppStore, spawn: () => WorkerLike = spawnEngineWorker, saveFile: SaveFile = downloadFile, hubBridge: HubBridge = hubBridgeFrame()): EngineClient {
  const actions = () => store.getState();
  let worker: WorkerLike;
  /** Whether this worker has its port to the Hub bridge (given on the first Hub request of each worker). */
  let hubConnected = false;
  const connectHub = () => {
    if (hubConnected) return;
    hubConnected = true;
    const channel = new MessageChannel();
    worker.postMessage({ type: 'connectHub', port: channel.port2 }, [channel.port2]);
    hubBridge(channel.port1);
  };
  let lastBeat = Date.now();
  let nextRequestId = 1;
  /** The download URL of the last export of each format (revoked when the next one of that format replaces it). */
  const exportUrls = new Map<ExportFormat, string>();
  let recipeUrl: string | null = null;
  let predictionsUrl: string | null = null;

  const downloads: Downloads = {
    checkpointDownloaded: (e) => saveFile(new Blob([e.zip], { type: 'application/zip' }), e.fileName),
    modelExported: ({ requestId, exported }) => {
      const { format, fileName, files, verification } = exported;
      const blob = new Blob([exported.zip], { type: 'application/zip' });
      const previous = exportUrls.get(format);
      if (previous !== undefined) URL.revokeObjectURL(previous);
      const url = saveFile(blob, fileName);
      exportUrls.set(format, url);
      actions().exportFinished(requestId, { format, fileName, files, size: blob.size, url, at: Date.now(), verification });
    },
    predictionsExported: ({ requestId, fileName, csv, rows }) => {
      if (predictionsUrl !== null) URL.revokeObjectURL(predictionsUrl);
      predictionsUrl = saveFile(new Blob([csv], { type: 'text/csv;charset=utf-8' }), fileName);
      actions().predictionsFinished(requestId, { fileName, rows });
    },
    recipeExported: ({ requestId, exported }) => {
      const blob = new Blob([exported.zip], { type: 'application/zip' });
      if (recipeUrl !== null) URL.revokeObjectURL(recipeUrl);
      recipeUrl = saveFile(blob, exported.fileName);
      actions().recipeFinished(requestId, { fileName: exported.fileName, files: exported.files, size: blob.size, url: recipeUrl });
    },
  };

  function onEvent(event: FromWorker): void {
    lastBeat = Date.now();
    (downloads as Partial<Record<string, (event: FromWorker) => void>>)[event.type]?.(event);
    applyWorkerEvent(store, event);
  }

  /** Everything the worker held is gone: say so wherever it was shown or awaited. */
  function workerGone(): void {
    actions().predictionsCleared();
    actions().datasetsLost();
    actions().trainingLost({ code: 'ENGINE_CRASHED', message: 'Training stopped unexpectedly: the engine stopped.' });
    actions().adaptationLost({ code: 'ENGINE_CRASHED', message: 'The adaptation stopped unexpectedly: the engine stopped.' });
    // The export in flight fails as if the worker had said so.
    const requestId = actions().exporting.requestId;
    if (requestId !== null) applyWorkerEvent(store, { type: 'exportFailed', requestId, error: { code: 'ENGINE_CRASHED', message: 'The engine stopped while exporting.' } });
    const predictionsId = actions().predictionsCsv.requestId;
    if (predictionsId !== null) applyWorkerEvent(store, { type: 'predictionsExportFailed', requestId: predictionsId, error: { code: 'ENGINE_CRASHED', message: 'The engine stopped while predicting.' } });
    // So do the gradient check and the sweep in flight (the sweep's results so far stay listed).
    const checkId = actions().gradientCheck.requestId;
    if (checkId !== null) applyWorkerEvent(store, { type: 'gradientCheckFailed', requestId: checkId, error: { code: 'ENGINE_CRASHED', message: 'The engine stopped while checking gradients.' } });
    const { sweepId, status } = actions().sweep;
    if (sweepId !== null && isSweeping(status)) applyWorkerEvent(store, { type: 'sweepFailed', sweepId, error: { code: 'ENGINE_CRASHED', message: 'The engine stopped during the sweep.' } });
  }

  function crashed(error: LayerwiseErrorData): void {
    actions().engineCrashed(error);
    workerGone();
    // So does the model load in flight: no spinner is left behind.
    const pending = actions().model.pending;
    if (pending) {
      const lost = { code: 'ENGINE_CRASHED', message: 'The engine stopped while loading this model.' };
      applyWorkerEvent(store, { type: 'loadFailed', loadId: pending.loadId, source: pending.source, error: lost });
    }
  }

  function connect(): void {
    worker = spawn();
    hubConnected = false;
    lastBeat = Date.now();
    worker.addEventListener('message', (e) => onEvent(e.data));
    worker.addEventListener('messageerror', () =>
      applyWorkerEvent(store, { type: 'failed', error: { code: 'WORKER_MESSAGE_UNREADABLE', message: 'A message from the engine could not be decoded.' } }),
    );
    // The worker reports its own errors as `failed`; an error event here means the script itself did not run.
    worker.addEventListener('error', (e) => {
      const message = (e as Partial<ErrorEvent>).message;
      crashed({ code: 'WORKER_CRASHED', message: message ? message : 'The engine worker could not start, or stopped.' });
    });
  }

  connect();
  const watchdog = setInterval(() => {
    if (Date.now() - lastBeat <= HEARTBEAT_TIMEOUT_MS) return;
    actions().engineUnresponsive();
    // A run in flight is said to have stopped (RELIABILITY F5), not left spinning; a heartbeat that comes back undoes it.
    actions().trainingStalled({
      code: 'ENGINE_UNRESPONSIVE',
      message: `Training stopped unexpectedly: the engine has not answered for ${HEARTBEAT_TIMEOUT_MS / 1000} seconds (it crashed or hangs). Restart the engine to resume from the last checkpoint.`,
    });
  }, HEARTBEAT_MS);

  return {
    loadModel(source, files) {
      const loadId = nextRequestId++;
      actions().modelLoadStarted({ loadId, source, fileCount: files.length, bytes: files.reduce((n, f) => n + f.size, 0), startedAt: Date.now() });
      worker.postMessage({ type: 'loadModel', loadId, source, files });
    },
    loadHubModel({ id, revision, endpoint }) {
      const loadId = nextRequestId++;
      const source = hubModelLabel(id, revision);
      actions().modelLoadStarted({ loadId, source, fileCount: 0, bytes: 0, startedAt: Date.now() });
      actions().hubLoadStarted(loadId, source);
      connectHub();
      worker.postMessage({ type: 'loadHubModel', loadId, id, revision, endpoint });
    },
    loadModelUrls(source, files) {
      const loadId = nextRequestId++;
      actions().modelLoadStarted({ loadId, source, fileCount: files.length, bytes: 0, startedAt: Date.now(), fromSite: true });
      worker.postMessage({ type: 'loadModelUrls', loadId, source, files });
    },
    setBackend(backend) {
      actions().backendRequested(backend);
      worker.postMessage({ type: 'setBackend', backend });
    },
    predict(text, target = 'model') {
      const requestId = nextRequestId++;
      actions().predictionStarted(target, requestId);
      worker.postMessage({ type: 'predict', requestId, text });
    },
    readDataset(role, file, choices = {}) {
      const requestId = nextRequestId++;
      actions().datasetReadStarted({ requestId, role, file: file.name, size: file.size, bytesRead: 0, preview: null, startedAt: Date.now() });
      worker.postMessage({ type: 'readDataset', requestId, role, file, choices });
    },
    cancelDatasetRead() {
      const pending = actions().dataset.pending;
      if (pending) worker.postMessage({ type: 'cancelDatasetRead', requestId: pending.requestId });
    },
    clearValidationFile() {
      worker.postMessage({ type: 'clearValidationFile' });
    },
    planData(settings) {
      const requestId = nextRequestId++;
      actions().dataPlanRequested(requestId);
      worker.postMessage({ type: 'planData', requestId, ...settings });
    },
    startTraining(config) {
      const runId = newRunId();
      const state = actions();
      actions().trainingRequested(runId, config, state.engine.backend, state.dataset.train?.file ?? null);
      // The worker empties the checkpoint slots for the new run: an unfinished one is gone.
      actions().unfinishedRunCleared();
      worker.postMessage({ type: 'startTraining', runId, config, allowNonFinite: state.model.trainNonFinite });
      return runId;
    },
    continueRun(run, passes) {
      const { runId, config } = run.info;
      // A switch asked for just before (after a GPU loss: "Resume on WASM") is the backend the run will have.
      actions().trainingRequested(runId, { ...config, ...passes }, actions().engine.requestedBackend ?? actions().engine.backend, run.info.dataset.train.name);
      const allowNonFinite = actions().model.trainNonFinite;
      worker.postMessage(passes ? { type: 'continueRun', runId, passes, allowNonFinite } : { type: 'continueRun', runId, allowNonFinite });
    },
    checkpointTraining() {
      const { runId, status } = actions().training;
      if (runId !== null && (status === 'running' || status === 'pausing')) worker.postMessage({ type: 'checkpointTraining', runId });
    },
    discardUnfinishedRun(run) {
      worker.postMessage({ type: 'discardUnfinishedRun', runId: run.info.runId });
    },
    findUnfinishedRun() {
      worker.postMessage({ type: 'findUnfinishedRun' });
    },
    downloadCheckpoint() {
      const requestId = nextRequestId++;
      actions().checkpointDownloadStarted(requestId);
      worker.postMessage({ type: 'downloadCheckpoint', requestId });
    },
    pauseTraining() {
      const { runId, status } = actions().training;
      if (runId === null || status !== 'running') return;
      actions().trainingPauseRequested();
      worker.postMessage({ type: 'pauseTraining', runId });
    },
    resumeTraining() {
      const { runId, status } = actions().training;
      if (runId !== null && status === 'paused') worker.postMessage({ type: 'resumeTraining', runId });
    },
    stopTraining() {
      const { runId, status } = actions().training;
      if (runId === null || !isActive(status)) return;
      actions().trainingStopRequested();
      worker.postMessage({ type: 'stopTraining', runId });
    },
    evaluateTraining() {
      const { runId } = actions().training;
      if (runId === null || !canEvaluateNow(actions().training)) return;
      actions().trainingEvaluationRequested();
      worker.postMessage({ type: 'evaluateTraining', runId });
    },
    startAdaptation(text, settings) {
      const adaptId = newRunId();
      actions().adaptationRequested(adaptId);
      worker.postMessage({ type: 'startAdaptation', adaptId, text, settings });
      return adaptId;
    },
    stopAdaptation(keep) {
      const { adaptId, status } = actions().adaptation;
      if (adaptId === null || !isAdapting(status)) return;
      actions().adaptationStopRequested(keep);
      worker.postMessage({ type: 'stopAdaptation', adaptId, keep });
    },
    exportModel({ format, quantize = false, allowNonFinite = false }) {
      const requestId = nextRequestId++;
      actions().exportStarted(requestId, format);
      worker.postMessage({ type: 'exportModel', requestId, format, quantize, allowNonFinite });
    },
    exportPredictions() {
      const requestId = nextRequestId++;
      actions().predictionsStarted(requestId);
      worker.postMessage({ type: 'exportPredictions', requestId });
    },
    exportRecipe(config) {
      const requestId = nextRequestId++;
      actions().recipeStarted(requestId);
      worker.postMessage({ type: 'exportRecipe', requestId, config });
    },
    pushToHub(request) {
      const requestId = nextRequestId++;
      actions().pushStarted(requestId);
      connectHub();
      worker.postMessage({ type: 'pushToHub', requestId, ...request });
    },
    checkGradients(config, examples) {
      const requestId = nextRequestId++;
      actions().gradientCheckStarted(requestId);
      worker.postMessage({ type: 'checkGradients', requestId, config, examples });
    },
    cancelGradientCheck() {
      const { requestId } = actions().gradientCheck;
      if (requestId !== null) worker.postMessage({ type: 'cancelGradientCheck', requestId });
    },
    startSweep(sweep) {
      const sweepId = newRunId();
      actions().sweepRequested(sweepId, sweep);
      worker.postMessage({ type: 'startSweep', sweepId, sweep });
      return sweepId;
    },
    stopSweep() {
      const { sweepId, status } = actions().sweep;
      if (sweepId === null || !isSweeping(status)) return;
      actions().sweepStopRequested();
      worker.postMessage({ type: 'stopSweep', sweepId });
    },
    shareRecipe(config) {
      const requestId = nextRequestId++;
      actions().recipeShareStarted(requestId);
      worker.postMessage({ type: 'shareRecipe', requestId, config, choices: actions().dataset.train?.choices ?? {} });
    },
    checkRecipeFiles(recipe) {
      const requestId = nextRequestId++;
      actions().recipeCheckStarted(requestId);
      worker.postMessage({ type: 'checkRecipeFiles', requestId, recipe });
    },
    restart() {
      worker.terminate();
      actions().modelLost();
      workerGone();
      actions().engineRestarted();
      connect();
      // The run the old worker was training left its checkpoint behind: offer it again.
      worker.postMessage({ type: 'findUnfinishedRun' });
    },
    dispose() {
      clearInterval(watchdog);
      worker.terminate();
    },
  };
}
