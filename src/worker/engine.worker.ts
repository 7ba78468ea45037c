// The engine's browser host: picks the backend, runs the ToWorker message loop, reports FromWorker events.
// Thin by design (excalidraw's worker split): the engine does the work and is tested without this file.
// Commands run one at a time, in order; a model or dataset replaces the current one only once it has loaded
// completely. A training run's or an adaptation's loop runs beside the queue; pause, resume, stop and cancel skip
// the queue, and an adaptation's result is adopted in the queue, so that it never swaps a model under a command.
import { useBackend } from '../engine/backend/backend';
import { startWasmThreads } from '../engine/backend/kernels/wasm-pool';
import { loadModelFolder, type LoadedModel } from '../engine/load';
import { readDataset, type Dataset } from '../formats/datasets/index';
import { blobFile, type SourceFolder } from '../formats/source-file';
import { LayerwiseError, toErrorData } from '../lib/errors';
import type { AugmentSettings } from '../protocol/dataset-summary';
import { HEARTBEAT_MS, type BackendName, type BackendProbe, type FromWorker, type ToWorker } from '../protocol/messages';
import type { TrainConfig } from '../protocol/train-config';
import { AdaptationRun, type AdaptedCheckpoint } from './adaptation-run';
import { backendNotices, planBackends } from './backend-choice';
import { planRunData, summarizeDataset } from './dataset-summary';
import { exportModel } from './export-zip';
import { loadHubModel } from './hub-load';
import { readModelCard, summarizeModel, type ModelProvenance } from './model-summary';
import { predictText } from './predict-text';
import { checkSameFiles, fingerprintFile } from './file-fingerprint';
import { RunKeeper, type RunIdentity } from './run-keeper';
import { REPORT_INTERVAL_MS } from './step-batcher';
import { TrainingRun, type ResumePoint, type RunCheckpointer } from './training-run';
import { fetchModelFiles } from './url-load';
import { WASM_PATHS } from './wasm-paths';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(event: FromWorker): void {
  scope.postMessage(event);
}

let current: LoadedModel | null = null;
/**
 * The checkpoint runs start from (the folder opened, or the adapted one), its display name, file sizes, model card
 * and adaptations.
 */
let origin: { folder: SourceFolder; source: string; files: { name: string; size: number }[]; provenance: ModelProvenance; fromSite: boolean } | null = null;
const datasets: { train: Dataset | null; validation: Dataset | null } = { train: null, validation: null };
/** The files the datasets were read from, for the fingerprints a resumable run keeps. */
const datasetFiles: { train: File | null; validation: File | null } = { train: null, validation: null };
const keeper = new RunKeeper((event, transfer) => scope.postMessage(event, transfer ?? []));
let run: TrainingRun | null = null;
let adaptation: AdaptationRun | null = null;
/** Dataset reads by request id, so that Cancel reaches them; ids cancelled before their read began. */
const reads = new Map<number, AbortController>();
const cancelledReads = new Set<number>();
let backend: BackendName | null = null;
let probe: BackendProbe;

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
  if (!wasm) return 1;
  // The engine's own wasm kernels (kernels/wasm-pool.ts) get as many threads as XNNPACK, from workers of this worker.
  return startWasmThreads(wasm.getThreadsCount(), (source) => new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))));
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

/** True while a run is being prepared or is training (paused runs count: their weights are in use). */
function training(): boolean {
  return run !== null && run.state !== 'ended';
}

const TRAINING_BUSY = () => new LayerwiseError('TRAINING_IN_PROGRESS', 'A training run is in progress: stop it first.');

/** Why the model cannot change now (a run or an adaptation is using it), or null. */
function busy(): LayerwiseError | null {
  if (training()) return TRAINING_BUSY();
  if (adaptation !== null && adaptation.state !== 'ended') {
    return new LayerwiseError('ADAPTATION_IN_PROGRESS', 'The model is being adapted to your text: stop the adaptation first.');
  }
  return null;
}

async function switchBackend(name: BackendName): Promise<void> {
  const refusal = busy();
  if (refusal) {
    post({ type: 'backendFailed', backend: name, error: refusal.toData() });
    return;
  }
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

/** Loads a folder's files; cardUrl is where the page can open its README.md (files fetched from this site). */
async function loadFiles(loadId: number, source: string, given: File[], cardUrl: string | null, fromSite = false): Promise<void> {
  const started = performance.now();
  try {
    const refusal = busy();
    if (refusal) throw refusal;
    const folder: SourceFolder = new Map(given.map((f) => [f.name, blobFile(f.name, f)]));
    const next = await loadModelFolder(folder);
    const files = given.map((f) => ({ name: f.name, size: f.size }));
    const provenance: ModelProvenance = { card: await readModelCard(folder, cardUrl), adaptations: [] };
    const summary = summarizeModel(next, source, files, performance.now() - started, provenance);
    const previous = current;
    current = next;
    origin = { folder, source, files, provenance, fromSite };
    previous?.params.dispose();
    post({ type: 'modelLoaded', loadId, summary });
  } catch (err) {
    post({ type: 'loadFailed', loadId, source, error: toErrorData(err) });
  }
}

function loadModel(command: Extract<ToWorker, { type: 'loadModel' }>): Promise<void> {
  return loadFiles(command.loadId, command.source, command.files, null);
}

async function loadModelUrls(command: Extract<ToWorker, { type: 'loadModelUrls' }>): Promise<void> {
  const { loadId, source } = command;
  const at = scope.location.origin;
  let files: File[];
  try {
    const refusal = busy();
    if (refusal) throw refusal;
    files = await fetchModelFiles(command.files, at);
  } catch (err) {
    post({ type: 'loadFailed', loadId, source, error: toErrorData(err) });
    return;
  }
  const card = command.files.find((f) => f.name === 'README.md');
  await loadFiles(loadId, source, files, card && files.some((f) => f.name === card.name) ? new URL(card.url, at).href : null, true);
}

async function predict(command: Extract<ToWorker, { type: 'predict' }>): Promise<void> {
  try {
    if (!current) throw new LayerwiseError('PREDICT_NO_MODEL', 'Open a checkpoint folder first.');
    post({ type: 'predicted', requestId: command.requestId, prediction: await predictText(current, command.text) });
  } catch (err) {
    post({ type: 'predictFailed', requestId: command.requestId, error: toErrorData(err) });
  }
}

async function readDatasetFile(command: Extract<ToWorker, { type: 'readDataset' }>): Promise<void> {
  const { requestId, role, file, choices } = command;
  const controller = new AbortController();
  reads.set(requestId, controller);
  if (cancelledReads.delete(requestId)) controller.abort();
  const started = performance.now();
  let lastProgress = 0;
  try {
    const dataset = await readDataset(blobFile(file.name, file), {
      ...choices,
      signal: controller.signal,
      onProgress: (bytesRead, total) => {
        const now = performance.now();
        if (now - lastProgress < REPORT_INTERVAL_MS) return;
        lastProgress = now;
        post({ type: 'datasetReadProgressed', requestId, bytesRead, total });
      },
      onPreview: (preview) => post({ type: 'datasetPreviewed', requestId, preview: { format: preview.format, columns: [...preview.columns], rows: preview.rows.slice(0, 20) } }),
    });
    datasets[role] = dataset;
    datasetFiles[role] = file;
    post({ type: 'datasetRead', requestId, summary: summarizeDataset(dataset, role, file.size, choices, performance.now() - started) });
  } catch (err) {
    post({ type: 'datasetReadFailed', requestId, role, file: file.name, error: toErrorData(err) });
  } finally {
    reads.delete(requestId);
  }
}

function planData(command: Extract<ToWorker, { type: 'planData' }>): void {
  try {
    if (datasets.train === null) throw new LayerwiseError('TRAIN_NO_DATASET', 'Open a dataset file first.', { field: 'data' });
    const plan = planRunData(command.task, datasets.train, datasets.validation, command);
    post({ type: 'dataPlanned', requestId: command.requestId, plan });
  } catch (err) {
    post({ type: 'dataPlanFailed', requestId: command.requestId, error: toErrorData(err) });
  }
}

/** Who a run is: its settings and the fingerprints of the model and dataset files open now. */
async function runIdentity(runId: string, command: { config: TrainConfig; augment: AugmentSettings }, from: NonNullable<typeof origin>): Promise<RunIdentity> {
  const train = datasetFiles.train;
  if (train === null) throw new LayerwiseError('TRAIN_NO_DATASET', 'Open a dataset file in the Dataset panel first.', { field: 'data' });
  const validation = datasetFiles.validation;
  return {
    runId,
    name: `${train.name} on ${from.source}`,
    startedAt: Date.now(),
    config: command.config,
    augment: command.augment,
    model: {
      source: from.source,
      fromSite: from.fromSite,
      adapted: from.provenance.adaptations.length > 0,
      files: await Promise.all([...from.folder.values()].map((f) => fingerprintFile(f))),
    },
    dataset: {
      train: await fingerprintFile(blobFile(train.name, train)),
      validation: validation && (await fingerprintFile(blobFile(validation.name, validation))),
    },
  };
}

/** Starts a fresh run (startTraining) or continues the unfinished one from its stored checkpoint (continueRun). */
async function startTraining(command: Extract<ToWorker, { type: 'startTraining' | 'continueRun' }>): Promise<void> {
  const { runId } = command;
  const refusal = busy();
  if (refusal) {
    post({ type: 'trainingFailed', runId, step: 0, error: refusal.toData() });
    return;
  }
  if (current === null || origin === null) {
    post({ type: 'trainingFailed', runId, step: 0, error: { code: 'TRAIN_NO_MODEL', message: 'Open a checkpoint folder in the Model panel first.' } });
    return;
  }
  let settings: { config: TrainConfig; augment: AugmentSettings };
  let resume: ResumePoint | null = null;
  let checkpointer: RunCheckpointer;
  try {
    if (command.type === 'continueRun') {
      const stored = await keeper.load(runId);
      const identity = await runIdentity(runId, stored.info, origin);
      const was = stored.info;
      if (was.model.adapted) {
        throw new LayerwiseError('TRAIN_RESUME_MODEL_MISMATCH', 'This run started from weights adapted to your text, which were kept only in memory: it cannot be resumed after a reload.');
      }
      checkSameFiles('model folder', was.model.files, identity.model.files, 'TRAIN_RESUME_MODEL_MISMATCH');
      checkSameFiles('training dataset', [was.dataset.train], [identity.dataset.train], 'TRAIN_RESUME_DATA_MISMATCH');
      checkSameFiles('validation file', was.dataset.validation ? [was.dataset.validation] : [], identity.dataset.validation ? [identity.dataset.validation] : [], 'TRAIN_RESUME_DATA_MISMATCH');
      settings = was;
      resume = { checkpoint: stored.checkpoint, steps: stored.steps };
      checkpointer = keeper.checkpointer({ ...identity, startedAt: was.startedAt });
    } else {
      settings = command;
      checkpointer = await keeper.forNewRun(await runIdentity(runId, command, origin));
    }
  } catch (err) {
    post({ type: 'trainingFailed', runId, step: 0, error: toErrorData(err) });
    return;
  }
  const next = new TrainingRun(runId, post, { checkpointer });
  run = next;
  const model = await next.prepare({ ...origin, ...datasets }, settings.config, settings.augment, resume);
  if (model === null) return;
  const previous = current;
  current = model;
  previous.params.dispose();
  // The loop runs beside the queue, so that predictions, dataset reads and plans stay answered while it trains.
  void next.run();
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

async function startAdaptation(command: Extract<ToWorker, { type: 'startAdaptation' }>): Promise<void> {
  const { adaptId } = command;
  const refusal = busy();
  if (refusal || current === null || origin === null) {
    const error = refusal ?? new LayerwiseError('ADAPT_NO_MODEL', 'Open a model in the Model panel first.');
    post({ type: 'adaptationFailed', adaptId, step: 0, error: error.toData() });
    return;
  }
  const from = origin;
  const next = new AdaptationRun(adaptId, post);
  adaptation = next;
  if (!(await next.prepare({ folder: from.folder, dataset: datasets.train }, command.text, command.settings))) return;
  // Adopted in the queue: a prediction or an export in flight finishes on the model it started with.
  const adopt = (adapted: AdaptedCheckpoint) =>
    enqueue(async () => {
      const provenance = { card: from.provenance.card, adaptations: [...from.provenance.adaptations, adapted.record] };
      const previous = current;
      current = adapted.model;
      origin = { folder: adapted.folder, source: from.source, files: adapted.files, provenance, fromSite: false };
      previous?.params.dispose();
      return summarizeModel(adapted.model, from.source, adapted.files, adapted.loadMs, provenance);
    });
  void next.run(adopt);
}

async function exportCurrent(command: Extract<ToWorker, { type: 'exportModel' }>): Promise<void> {
  try {
    if (current === null || origin === null) throw new LayerwiseError('EXPORT_NO_MODEL', 'Open a checkpoint folder first.');
    if (run !== null && (run.state === 'running' || run.state === 'preparing')) {
      throw new LayerwiseError('EXPORT_DURING_TRAINING', 'The weights change with every step: pause or stop training, then export.');
    }
    const exported = await exportModel(current, origin.folder, origin.source, command.allowNonFinite);
    scope.postMessage({ type: 'modelExported', requestId: command.requestId, exported } satisfies FromWorker, [exported.zip]);
  } catch (err) {
    post({ type: 'exportFailed', requestId: command.requestId, error: toErrorData(err) });
  }
}

/** Commands that act on something in flight; they must not wait behind it in the queue. */
function handleAtOnce(command: ToWorker): boolean {
  switch (command.type) {
    case 'cancelDatasetRead': {
      const controller = reads.get(command.requestId);
      if (controller) controller.abort();
      else cancelledReads.add(command.requestId);
      return true;
    }
    case 'pauseTraining':
      if (run?.runId === command.runId) run.pause();
      return true;
    case 'resumeTraining':
      if (run?.runId === command.runId) run.resume();
      return true;
    case 'stopTraining':
      if (run?.runId === command.runId) run.stop();
      return true;
    case 'stopAdaptation':
      if (adaptation?.adaptId === command.adaptId) adaptation.stop(command.keep);
      return true;
    default:
      return false;
  }
}

async function handle(command: ToWorker): Promise<void> {
  switch (command.type) {
    case 'loadModel':
      return loadModel(command);
    case 'loadHubModel':
      return loadHubModel(command, post, loadModel);
    case 'loadModelUrls':
      return loadModelUrls(command);
    case 'setBackend':
      return switchBackend(command.backend);
    case 'predict':
      return predict(command);
    case 'readDataset':
      return readDatasetFile(command);
    case 'clearValidationFile':
      datasets.validation = null;
      datasetFiles.validation = null;
      post({ type: 'validationFileCleared' });
      return;
    case 'planData':
      return planData(command);
    case 'startTraining':
    case 'continueRun':
      return startTraining(command);
    case 'findUnfinishedRun':
      return keeper.find();
    case 'discardUnfinishedRun':
      if (training()) throw TRAINING_BUSY();
      await keeper.discard(command.runId);
      post({ type: 'unfinishedRunDiscarded', runId: command.runId });
      return;
    case 'downloadCheckpoint':
      return keeper.download(command.requestId);
    case 'startAdaptation':
      return startAdaptation(command);
    case 'exportModel':
      return exportCurrent(command);
    case 'cancelDatasetRead':
    case 'pauseTraining':
    case 'resumeTraining':
    case 'stopTraining':
    case 'stopAdaptation':
      // Handled on arrival by handleAtOnce.
      return;
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
  if (handleAtOnce(event.data)) return;
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
