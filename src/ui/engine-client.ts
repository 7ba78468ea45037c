// The only code that talks to the engine worker: sends ToWorker commands, writes FromWorker events into the
// store, and watches the worker's heartbeat. Components call its methods and never hold the worker.
import type { LayerwiseErrorData } from '../lib/errors';
import type { AdaptSettings, AdaptTextSource } from '../protocol/adaptation';
import type { AugmentSettings, DatasetReadChoices, DatasetRole } from '../protocol/dataset-summary';
import { hubModelLabel } from '../protocol/hub';
import { HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS, type BackendName, type ExportedModel, type FromWorker, type ModelFileUrl, type ToWorker } from '../protocol/messages';
import type { Task } from '../protocol/task';
import type { TrainConfig } from '../protocol/train-config';
import { isAdapting } from './store/adaptation-slice';
import type { AppStore } from './store/app-store';
import type { UnfinishedRun } from '../protocol/run-checkpoint';
import type { PredictTarget } from './store/prediction-slice';
import { isActive } from './store/training-slice';

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
  planData(settings: { task: Task; validationSplit: number; seed: number; augment: AugmentSettings }): void;
  /** Starts a run with a validated config; returns its id. */
  startTraining(config: TrainConfig, augment: AugmentSettings): string;
  pauseTraining(): void;
  resumeTraining(): void;
  stopTraining(): void;
  /** Continues the unfinished run from its stored checkpoint on the model and dataset open now. */
  continueRun(run: UnfinishedRun): void;
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
  /** Zips the current model as a Hugging Face folder and hands the zip to the browser's download. */
  exportModel(allowNonFinite?: boolean): void;
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

export function spawnEngineWorker(): WorkerLike {
  return new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'layerwise-engine' });
}

export function createEngineClient(store: AppStore, spawn: () => WorkerLike = spawnEngineWorker, saveFile: SaveFile = downloadFile): EngineClient {
  const actions = () => store.getState();
  let worker: WorkerLike;
  let lastBeat = Date.now();
  let nextRequestId = 1;
  const predictTargets = new Map<number, PredictTarget>();
  let exportUrl: string | null = null;

  function exported(requestId: number, result: ExportedModel): void {
    const blob = new Blob([result.zip], { type: 'application/zip' });
    if (exportUrl !== null) URL.revokeObjectURL(exportUrl);
    exportUrl = saveFile(blob, result.fileName);
    actions().exportFinished(requestId, { fileName: result.fileName, files: result.files, size: blob.size, url: exportUrl, at: Date.now() });
  }

  function predicted(event: Extract<FromWorker, { type: 'predicted' | 'predictFailed' }>): void {
    const target = predictTargets.get(event.requestId) ?? 'model';
    predictTargets.delete(event.requestId);
    if (event.type === 'predicted') actions().predicted(target, event.requestId, event.prediction);
    else actions().predictionFailed(target, event.requestId, event.error);
  }

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
        actions().configFollowsModel(event.summary);
        actions().predictionsCleared();
        return;
      case 'loadFailed':
        actions().modelLoadFailed(event.loadId, event.source, event.error);
        return;
      case 'hubProgressed':
        actions().hubProgressed(event.loadId, event.progress);
        return;
      case 'hubDownloaded':
        actions().hubDownloaded(event.loadId, event.notes, event.files);
        return;
      case 'predicted':
      case 'predictFailed':
        predicted(event);
        return;
      case 'datasetReadProgressed':
        actions().datasetReadProgressed(event.requestId, event.bytesRead);
        return;
      case 'datasetPreviewed':
        actions().datasetPreviewed(event.requestId, event.preview);
        return;
      case 'datasetRead':
        actions().datasetRead(event.requestId, event.summary);
        if (event.summary.role === 'train') actions().configFollowsData(event.summary);
        return;
      case 'datasetReadFailed':
        actions().datasetReadFailed(event.requestId, event.role, event.file, event.error);
        return;
      case 'validationFileCleared':
        actions().validationFileCleared();
        return;
      case 'dataPlanned':
        actions().dataPlanned(event.requestId, event.plan);
        return;
      case 'dataPlanFailed':
        actions().dataPlanFailed(event.requestId, event.error);
        return;
      case 'trainingPreparing':
        actions().trainingPreparing(event.runId, event.phase, event.done, event.total);
        return;
      case 'trainingStarted':
        // The run's model (its head sized for the data) is now the worker's current model.
        actions().modelReplaced(event.summary);
        actions().predictionsCleared();
        actions().trainingStarted(event.runId, event.plan, event.labels, event.maxLength, event.dataNotes);
        if (actions().checkpoints.unfinished?.info.runId === event.runId) actions().unfinishedRunCleared();
        return;
      case 'trainingRestored':
        actions().trainingRestored(event.runId, event.history);
        return;
      case 'checkpointSaved':
        actions().checkpointSaved({ runId: event.runId, step: event.step, slot: event.slot, bytes: event.bytes, at: Date.now() });
        return;
      case 'checkpointFailed':
        actions().checkpointFailed(event.runId, event.step, event.error);
        return;
      case 'unfinishedRunFound':
        actions().unfinishedRunFound(event.run, event.storage, event.storageNote);
        return;
      case 'unfinishedRunDiscarded':
        actions().unfinishedRunCleared();
        return;
      case 'checkpointDownloaded':
        saveFile(new Blob([event.zip], { type: 'application/zip' }), event.fileName);
        actions().checkpointDownloadEnded(event.requestId, null);
        return;
      case 'checkpointDownloadFailed':
        actions().checkpointDownloadEnded(event.requestId, event.error);
        return;
      case 'trainingEpochStarted':
        actions().trainingEpochStarted(event.runId, event.groups);
        return;
      case 'trainingProgressed':
        actions().trainingProgressed(event.runId, event.steps);
        return;
      case 'trainingEvaluated':
        actions().trainingEvaluated(event.runId, { record: event.record, isBest: event.isBest, lrReduced: event.lrReduced });
        return;
      case 'trainingPaused':
        actions().trainingPaused(event.runId);
        return;
      case 'trainingResumed':
        actions().trainingResumed(event.runId);
        return;
      case 'trainingFinished':
        actions().trainingFinished(event.runId, { reason: event.reason, step: event.step, metrics: event.metrics, restoredBestStep: event.restoredBestStep });
        return;
      case 'trainingFailed':
        actions().trainingFailed(event.runId, event.error);
        return;
      case 'adaptationPreparing':
        actions().adaptationPreparing(event.adaptId, event.phase, event.done, event.total);
        return;
      case 'adaptationStarted':
        actions().adaptationStarted(event.adaptId, event.plan);
        return;
      case 'adaptationProgressed':
        actions().adaptationProgressed(event.adaptId, event.steps);
        return;
      case 'adaptationEvaluated':
        actions().adaptationEvaluated(event.adaptId, event.record);
        return;
      case 'adaptationFinished':
        // The adapted checkpoint is now the worker's current model and what later runs start from.
        actions().adaptationFinished(event.adaptId, event.record);
        actions().modelReplaced(event.summary);
        actions().configFollowsModel(event.summary);
        actions().predictionsCleared();
        return;
      case 'adaptationDiscarded':
        actions().adaptationDiscarded(event.adaptId);
        return;
      case 'adaptationFailed':
        actions().adaptationFailed(event.adaptId, event.error);
        return;
      case 'modelExported':
        exported(event.requestId, event.exported);
        return;
      case 'exportFailed':
        actions().exportFailed(event.requestId, event.error);
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

  /** Everything the worker held is gone: say so wherever it was shown or awaited. */
  function workerGone(): void {
    actions().predictionsCleared();
    actions().datasetsLost();
    actions().trainingLost({ code: 'ENGINE_CRASHED', message: 'Training stopped unexpectedly: the engine stopped.' });
    actions().adaptationLost({ code: 'ENGINE_CRASHED', message: 'The adaptation stopped unexpectedly: the engine stopped.' });
    const exporting = actions().exporting.requestId;
    if (exporting !== null) actions().exportFailed(exporting, { code: 'ENGINE_CRASHED', message: 'The engine stopped while exporting.' });
  }

  function crashed(error: LayerwiseErrorData): void {
    actions().engineCrashed(error);
    workerGone();
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
    loadHubModel({ id, revision, endpoint }) {
      const loadId = nextRequestId++;
      const source = hubModelLabel(id, revision);
      actions().modelLoadStarted({ loadId, source, fileCount: 0, bytes: 0, startedAt: Date.now() });
      actions().hubLoadStarted(loadId, source);
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
      predictTargets.set(requestId, target);
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
    startTraining(config, augment) {
      const runId = newRunId();
      const state = actions();
      actions().trainingRequested(runId, config, state.engine.backend, state.dataset.train?.file ?? null);
      // The worker empties the checkpoint slots for the new run: an unfinished one is gone.
      actions().unfinishedRunCleared();
      worker.postMessage({ type: 'startTraining', runId, config, augment });
      return runId;
    },
    continueRun(run) {
      const { runId, config } = run.info;
      actions().trainingRequested(runId, config, actions().engine.backend, actions().dataset.train?.file ?? null);
      worker.postMessage({ type: 'continueRun', runId });
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
    exportModel(allowNonFinite = false) {
      const requestId = nextRequestId++;
      actions().exportStarted(requestId);
      worker.postMessage({ type: 'exportModel', requestId, allowNonFinite });
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
