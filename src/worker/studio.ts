// The studio's state and rules in the worker: the current model and the folder it came from, the datasets read, the
// training run and the adaptation in flight, and what each command may do while they are (RELIABILITY R3: a model or
// dataset is replaced only once its successor has loaded completely; loads and backend switches are refused while a
// run or an adaptation uses the model). Events go out through `post`, so the class is unit-tested with a fake one;
// engine.worker.ts only starts it, queues the commands and switches on their type.
import { loadModelFolder, type LoadedModel } from '../engine/load';
import { renewBackend } from '../engine/backend/backend';
import { WASM_HEAP_FAILED, wasmHeapFailure } from '../engine/backend/memory-guard';
import { exportModel } from '../engine/export/export';
import type { TaskSources } from '../engine/train/multitask';
import type { OnnxRunner } from '../engine/export/verify';
import { readDataset } from '../formats/datasets/index';
import { blobFile, bytesFile, readAll, type SourceFile, type SourceFolder } from '../formats/source-file';
import { ADAPTER_CONFIG } from '../formats/peft-adapter';
import { writeModelFolder } from '../engine/export/model-folder';
import { loadModelWithAdapter } from '../engine/peft-load';
import { LayerwiseError, toErrorData, type LayerwiseErrorData } from '../lib/errors';
import type { DatasetReadChoices, DatasetRole } from '../protocol/dataset-summary';
import type { BackendName, BackendProbe, FromWorker, ToWorker } from '../protocol/messages';
import type { FileFingerprint, RunCheckpointInfo } from '../protocol/run-checkpoint';
import { parseTrainConfig, type TrainConfig } from '../protocol/train-config';
import { AdaptationRun, type AdaptedModel } from './adaptation-run';
import { backendNotices, planBackends } from './backend-choice';
import { planRunData, summarizeDataset } from './dataset-summary';
import { exportRows } from './export-rows';
import { zipModelFolder } from './export-zip';
import { checkSameFiles, fingerprintFile } from '../engine/file-fingerprint';
import { loadHubModel } from './hub-load';
import { portFetch } from './hub-port';
import { readModelCard, summarizeModel, type ModelProvenance } from './model-summary';
import { predictText } from './predict-text';
import { validationPredictions } from './predictions-export';
import { pushModel, recipeZip } from './share';
import type { RunIdentity, RunKeeper } from './run-keeper';
import { REPORT_INTERVAL_MS } from './step-batcher';
import { memoryLimits, tensorLimit, type TensorLimit } from '../protocol/memory-plan';
import { parseSweepConfig, planTrials } from '../protocol/sweep';
import { parseRunRecipe } from '../protocol/run-recipe';
import { checkRunGradients } from './gradient-check';
import { GRADCHECK_CANCELLED } from '../protocol/gradcheck';
import { checkRecipeFiles, shareRecipe, type RecipeSources } from './recipe-share';
import { SweepRun } from './sweep-run';
import { readTaskData } from './task-data';
import { DEVICE_LOSS_GRACE_MS, TrainingRun, type OpenDataset, type ResumePoint, type RunCheckpointer } from './training-run';
import { fetchModelFiles, type Fetcher } from './url-load';

type Command<T extends ToWorker['type']> = Extract<ToWorker, { type: T }>;
type Post = (event: FromWorker, transfer?: Transferable[]) => void;

/** What the studio needs of its host: the backends, the checkpoint slots, the page's origin, the command queue. */
/** How a WebGPU device went (GPUDeviceLostInfo: reason 'destroyed' or 'unknown', and the browser's message). */
export interface DeviceLoss {
  reason: string;
  message: string;
}

export interface StudioHost {
  /**
   * Initialises a backend and makes it current; throws if it cannot start. Returns its thread count. On WebGPU,
   * `onDeviceLost` is called if the device is lost later (RELIABILITY F2).
   */
  activate(name: BackendName, onDeviceLost: (lost: DeviceLoss) => void): Promise<number>;
  keeper: RunKeeper;
  /** The page's origin: the only one loadModelUrls fetches from. */
  origin: string;
  fetcher?: Fetcher;
  /** Runs work in the command queue after the commands before it (an adaptation's result is adopted there). */
  enqueue<T>(work: () => Promise<T>): Promise<T>;
  /** ONNX Runtime, which checks an ONNX export before it is sent (the worker's: onnxruntime-web from this origin). */
  onnxRunner?: () => Promise<OnnxRunner>;
}

/** The model folder runs start from (the folder opened, or the adapted one), its display name, files and provenance. */
interface Origin {
  folder: SourceFolder;
  source: string;
  files: { name: string; size: number }[];
  provenance: ModelProvenance;
  fromSite: boolean;
  /** The Hub model it was downloaded as (a shared recipe names it). */
  hub?: { id: string; revision: string };
}

/** A dataset the studio has read, with the file it came from (fingerprinted for resumable runs). */
interface StudioDataset extends OpenDataset {
  source: SourceFile;
  /** How it was read: a resume reads the kept copy the same way. */
  choices: DatasetReadChoices;
}

const TRAINING_BUSY = () => new LayerwiseError('TRAINING_IN_PROGRESS', 'A training run is in progress: stop it first.');
const SWEEP_BUSY = () => new LayerwiseError('SWEEP_IN_PROGRESS', 'A hyperparameter sweep is running: stop it first.');

export class Studio {
  private readonly post: Post;
  private readonly host: StudioHost;
  private probe: BackendProbe | null = null;
  private backend: BackendName | null = null;
  /** The WebGPU device was lost (F2) and WebGPU is still current: the tensors on it are gone, and nothing runs there. */
  private deviceLoss: LayerwiseError | null = null;
  private current: LoadedModel | null = null;
  private origin: Origin | null = null;
  /** The run whose model is the current one; its record goes into an export once it has finished. */
  private trainedBy: TrainingRun | null = null;
  private readonly datasets: { train: StudioDataset | null; validation: StudioDataset | null } = { train: null, validation: null };
  private run: TrainingRun | null = null;
  private adaptation: AdaptationRun | null = null;
  private sweep: SweepRun | null = null;
  /** The gradient check in flight (Cancel reaches it); ids cancelled before their check began. */
  private gradientCheck: { requestId: number; controller: AbortController; lost: LayerwiseErrorData | null } | null = null;
  private readonly cancelledChecks = new Set<number>();
  /** The Hub's fetch: through the page's Hub bridge once it has sent a port (connectHub), else the global one. */
  private hubFetch: typeof fetch | undefined = undefined;
  /** Dataset reads by request id, so that Cancel reaches them; ids cancelled before their read began. */
  private readonly reads = new Map<number, AbortController>();
  private readonly cancelledReads = new Set<number>();

  constructor(post: Post, host: StudioHost) {
    this.post = post;
    this.host = host;
  }

  /** The first backend of planBackends(probe) that starts; throws BACKEND_NONE_STARTED when none does. */
  async start(probe: BackendProbe): Promise<void> {
    this.probe = probe;
    const failures: string[] = [];
    for (const candidate of planBackends(probe)) {
      try {
        const threads = await this.activate(candidate.backend);
        this.post({ type: 'ready', backend: candidate.backend, reason: candidate.reason, chosenBy: 'auto', threads, notices: [...failures, ...backendNotices(candidate.backend, probe)], probe });
        return;
      } catch (err) {
        failures.push(`${candidate.backend} failed to start: ${toErrorData(err).message}`);
      }
    }
    throw new LayerwiseError('BACKEND_NONE_STARTED', `No backend could start. ${failures.join(' ')}`);
  }

  private async activate(name: BackendName): Promise<number> {
    const threads = await this.host.activate(name, (lost) => this.deviceLost(lost));
    this.backend = name;
    return threads;
  }

  /**
   * The WebGPU device is gone (RELIABILITY F2): a run on it is interrupted at once, paused on its last checkpoint
   * (nothing is read from the device after the loss), which is offered to resume; the page is told, and the engine
   * asks once for a new device (renewDevice). A switch of backend — WASM, or WebGPU on a new device — loads the model
   * again from its folder. A loss while another backend is current concerns no tensor in use.
   */
  private deviceLost(lost: DeviceLoss): void {
    if (this.backend !== 'webgpu' || this.deviceLoss !== null) return;
    this.deviceLoss = new LayerwiseError(
      'GPU_DEVICE_LOST',
      `The GPU device was lost (${lost.reason}${lost.message ? `: ${lost.message}` : ''}). The model's weights on it are gone; switch to WASM, or to WebGPU on a new device, to go on (the model is loaded again from its folder, a run resumes from its last checkpoint).`,
      { field: 'backend' },
      { backend: 'wasm' },
    );
    const error = this.deviceLoss.toData();
    this.run?.deviceLost(error);
    // A sweep or a gradient check on the device ends with the loss as its error (nothing it reads after is right).
    this.sweep?.deviceLost(error);
    if (this.gradientCheck !== null) {
      this.gradientCheck.lost = error;
      this.gradientCheck.controller.abort();
    }
    this.post({ type: 'deviceLost', error });
    void this.host.enqueue(() => this.renewDevice());
  }

  /**
   * After a loss, once, in the command queue: WebGPU on a new adapter and device with the model loaded again, said as
   * `ready` — or deviceRenewalFailed, and WebGPU stays refused until the user switches (WASM is what the page offers).
   * Nothing is done when the user switched backend meanwhile.
   */
  private async renewDevice(): Promise<void> {
    if (this.deviceLoss === null || this.backend !== 'webgpu') return;
    try {
      const threads = await this.activate('webgpu');
      const probe = this.probe as BackendProbe;
      const notices = [...backendNotices('webgpu', probe), await this.reloadAfterDeviceLoss()];
      this.deviceLoss = null;
      this.post({ type: 'ready', backend: 'webgpu', reason: 'WebGPU on a new device: the engine asked for one when the GPU device was lost.', chosenBy: 'auto', threads, notices, probe });
    } catch (err) {
      const why = toErrorData(err).message;
      const error = new LayerwiseError('GPU_DEVICE_RENEWAL_FAILED', `No new GPU device could be started after the loss (${why}). Switch to WASM to go on.`, { field: 'backend' }, { backend: 'wasm' });
      this.post({ type: 'deviceRenewalFailed', error: error.toData() });
    }
  }

  /** The largest tensor the current backend holds: every model is loaded against it (RELIABILITY M20). */
  private tensorLimit(): TensorLimit {
    return tensorLimit(this.backend ?? 'wasm', this.probe);
  }

  /** True while a run is being prepared or is training (paused runs count: their weights are in use). */
  private training(): boolean {
    return this.run !== null && this.run.state !== 'ended';
  }

  /** The run being prepared or trained and the steps it has done, which a worker fault names (RELIABILITY F6), or null. */
  runInFlight(): { runId: string; step: number } | null {
    return this.run !== null && this.training() ? { runId: this.run.runId, step: this.run.step } : null;
  }

  /** Why the model cannot change now (a run or an adaptation is using it), or null. */
  private busy(): LayerwiseError | null {
    if (this.training()) return TRAINING_BUSY();
    if (this.sweep !== null && this.sweep.state !== 'ended') return SWEEP_BUSY();
    if (this.adaptation !== null && this.adaptation.state !== 'ended') {
      return new LayerwiseError('ADAPTATION_IN_PROGRESS', 'The model is being adapted to your text: stop the adaptation first.');
    }
    return null;
  }

  /** The current model is replaced: the previous one is freed, and what an export would say of a run is forgotten. */
  private adopt(model: LoadedModel, origin: Origin): void {
    const previous = this.current;
    this.current = model;
    this.origin = origin;
    this.trainedBy = null;
    if (previous !== model) previous?.params.dispose();
  }

  async setBackend(name: BackendName): Promise<void> {
    const refusal = this.busy();
    if (refusal) {
      this.post({ type: 'backendFailed', backend: name, error: refusal.toData() });
      return;
    }
    const previous = this.backend;
    const afterLoss = this.deviceLoss !== null && previous === 'webgpu';
    try {
      const threads = await this.activate(name);
      const probe = this.probe as BackendProbe;
      const notices = backendNotices(name, probe);
      if (afterLoss) {
        notices.push(await this.reloadAfterDeviceLoss());
        this.deviceLoss = null;
      }
      this.post({ type: 'ready', backend: name, reason: `You chose ${name === 'webgpu' ? 'WebGPU' : name.toUpperCase()}.`, chosenBy: 'user', threads, notices, probe });
    } catch (err) {
      // Leave the engine on the backend it had, so the loaded model stays usable (a lost device's never is).
      if (previous && !afterLoss) await this.activate(previous);
      this.post({ type: 'backendFailed', backend: name, error: toErrorData(err) });
    }
  }

  /**
   * After a device loss, on the new backend: the model the studio had is loaded again from the folder runs start from
   * (its tensors were on the lost device), and the notice says so.
   */
  private async reloadAfterDeviceLoss(): Promise<string> {
    const from = this.origin;
    if (from === null) return 'The GPU device was lost; no model was open.';
    const model = await loadModelFolder(from.folder, { tensorLimit: this.tensorLimit() });
    this.adopt(model, from);
    return `The GPU device was lost: ${from.source} was loaded again from its files on this backend (weights trained or adapted in memory since were on the GPU and are gone; a run resumes from its last checkpoint).`;
  }

  /** Loads a folder's files; cardUrl is where the page can open its README.md (files fetched from this site). */
  private async loadFiles(loadId: number, source: string, given: File[], cardUrl: string | null, fromSite = false, hub?: Origin['hub']): Promise<void> {
    const started = performance.now();
    try {
      const refusal = this.busy();
      if (refusal) throw refusal;
      let folder: SourceFolder = new Map(given.map((f) => [f.name, blobFile(f.name, f)]));
      let next: LoadedModel;
      if (folder.has(ADAPTER_CONFIG) && !folder.has('config.json')) {
        // A PEFT LoRA adapter: merged onto the model open now (its base), which becomes a folder of its own in memory,
        // so that runs and exports start from the merged weights.
        const base = this.origin?.folder;
        if (!base) throw new LayerwiseError('PEFT_ADAPTER_NO_BASE', 'A LoRA adapter is loaded onto its base model: open the base model first, then the adapter folder.', { file: ADAPTER_CONFIG });
        const merged = await loadModelWithAdapter(base, folder);
        try {
          const written = await writeModelFolder({ model: merged, source: base });
          folder = new Map(written.map((f) => [f.name, bytesFile(f.name, f.bytes)]));
        } finally {
          merged.params.dispose();
        }
        next = await loadModelFolder(folder, { tensorLimit: this.tensorLimit() });
        next.messages.push(...merged.messages.filter((m) => m.code === 'PEFT_ADAPTER_MERGED'));
      } else {
        next = await loadModelFolder(folder, { tensorLimit: this.tensorLimit() });
      }
      const files = [...folder].map(([name, f]) => ({ name, size: f.size }));
      const provenance: ModelProvenance = { card: await readModelCard(folder, cardUrl), adaptations: [], baseTask: next.task };
      const summary = summarizeModel(next, source, files, performance.now() - started, provenance);
      this.adopt(next, { folder, source, files, provenance, fromSite, hub });
      this.post({ type: 'modelLoaded', loadId, summary });
    } catch (err) {
      this.post({ type: 'loadFailed', loadId, source, error: toErrorData(err) });
    }
  }

  loadModel(command: Command<'loadModel'>): Promise<void> {
    return this.loadFiles(command.loadId, command.source, command.files, null);
  }

  loadHubModel(command: Command<'loadHubModel'>): Promise<void> {
    return loadHubModel(command, this.post, (load) => this.loadFiles(load.loadId, load.source, load.files, null, false, { id: command.id, revision: command.revision }), this.hubFetch);
  }

  /** The Hub bridge's port (protocol/hub-bridge.ts): Hub downloads and pushes go through it from now on. */
  connectHub(port: MessagePort): void {
    this.hubFetch = portFetch(port);
  }

  async loadModelUrls(command: Command<'loadModelUrls'>): Promise<void> {
    const { loadId, source } = command;
    const at = this.host.origin;
    let files: File[];
    try {
      const refusal = this.busy();
      if (refusal) throw refusal;
      files = await fetchModelFiles(command.files, at, this.host.fetcher);
    } catch (err) {
      this.post({ type: 'loadFailed', loadId, source, error: toErrorData(err) });
      return;
    }
    const card = command.files.find((f) => f.name === 'README.md');
    await this.loadFiles(loadId, source, files, card && files.some((f) => f.name === card.name) ? new URL(card.url, at).href : null, true);
  }

  async predict(command: Command<'predict'>): Promise<void> {
    try {
      if (!this.current) throw new LayerwiseError('PREDICT_NO_MODEL', 'Open a model folder first.');
      this.post({ type: 'predicted', requestId: command.requestId, prediction: await predictText(this.current, command.text) });
    } catch (err) {
      const heapFailed = wasmHeapFailure(err, 'a prediction');
      this.post({ type: 'predictFailed', requestId: command.requestId, error: toErrorData(heapFailed ?? err) });
      // A run in flight meets the same heap and ends on it, and the studio renews WASM then.
      if (heapFailed !== null && this.busy() === null) await this.renewWasm();
    }
  }

  async readDataset(command: Command<'readDataset'>): Promise<void> {
    const { requestId, role, file, choices } = command;
    const controller = new AbortController();
    this.reads.set(requestId, controller);
    if (this.cancelledReads.delete(requestId)) controller.abort();
    const started = performance.now();
    let lastProgress = 0;
    try {
      const source = blobFile(file.name, file);
      const dataset = await readDataset(source, {
        ...choices,
        signal: controller.signal,
        onProgress: (bytesRead, total) => {
          const now = performance.now();
          if (now - lastProgress < REPORT_INTERVAL_MS) return;
          lastProgress = now;
          this.post({ type: 'datasetReadProgressed', requestId, bytesRead, total });
        },
        onPreview: (preview) => this.post({ type: 'datasetPreviewed', requestId, preview: { format: preview.format, columns: [...preview.columns], rows: preview.rows.slice(0, 20) } }),
      });
      this.datasets[role] = { dataset, file: { name: file.name, bytes: file.size }, source, choices };
      this.post({ type: 'datasetRead', requestId, summary: summarizeDataset(dataset, role, file.size, choices, performance.now() - started) });
    } catch (err) {
      this.post({ type: 'datasetReadFailed', requestId, role, file: file.name, error: toErrorData(err) });
    } finally {
      this.reads.delete(requestId);
    }
  }

  /** Handled at once: a read in flight is aborted, one not begun yet is cancelled when it begins. */
  cancelDatasetRead(requestId: number): void {
    const controller = this.reads.get(requestId);
    if (controller) controller.abort();
    else this.cancelledReads.add(requestId);
  }

  clearValidationFile(): void {
    this.datasets.validation = null;
    this.post({ type: 'validationFileCleared' });
  }

  planData(command: Command<'planData'>): void {
    try {
      const train = this.datasets.train;
      if (train === null) throw new LayerwiseError('TRAIN_NO_DATASET', 'Open a dataset file first.', { field: 'data' });
      const plan = planRunData(command.task, train.dataset, this.datasets.validation?.dataset ?? null, command, this.current?.tokenizer ?? null);
      this.post({ type: 'dataPlanned', requestId: command.requestId, plan });
    } catch (err) {
      this.post({ type: 'dataPlanFailed', requestId: command.requestId, error: toErrorData(err) });
    }
  }

  /** Who a run is: its settings and the fingerprints of the model and dataset files open now. */
  private async runIdentity(runId: string, config: TrainConfig, from: Origin): Promise<RunIdentity> {
    const { train, validation } = this.datasets;
    if (train === null) throw new LayerwiseError('TRAIN_NO_DATASET', 'Open a dataset file in the Dataset panel first.', { field: 'data' });
    return {
      runId,
      name: `${train.file.name} on ${from.source}`,
      startedAt: Date.now(),
      config,
      model: {
        source: from.source,
        fromSite: from.fromSite,
        adapted: from.provenance.adaptations.length > 0,
        files: await Promise.all([...from.folder.values()].map((f) => fingerprintFile(f))),
      },
      dataset: {
        train: await fingerprintFile(train.source),
        validation: validation && (await fingerprintFile(validation.source)),
        choices: { train: train.choices, validation: validation?.choices ?? null },
      },
    };
  }

  /**
   * Puts the run's own dataset files in place for a resume (RELIABILITY F8): the files open now when they are the
   * run's (same fingerprints), else the copies kept beside its checkpoint, read again as the run read them and
   * announced as any read is (datasetRead; validationFileCleared when the run had no validation file). Without
   * whole copies nothing changes, and the fingerprint check that follows asks for the files.
   */
  private async restoreRunData(was: RunCheckpointInfo): Promise<void> {
    const sameAs = async (open: StudioDataset | null, want: FileFingerprint | null) => {
      if (open === null || want === null) return open === want;
      const have = await fingerprintFile(open.source);
      return have.size === want.size && have.hash === want.hash;
    };
    if ((await sameAs(this.datasets.train, was.dataset.train)) && (await sameAs(this.datasets.validation, was.dataset.validation))) return;
    const kept = await this.host.keeper.keptData(was);
    if (kept === null) return;
    const read = async (role: DatasetRole, copy: SourceFile): Promise<StudioDataset> => {
      // Into memory: the copy's file goes when the run ends or another starts, and this dataset stays open after.
      const source = bytesFile(copy.name, await readAll(copy));
      const started = performance.now();
      const choices = was.dataset.choices?.[role] ?? {};
      const dataset = await readDataset(source, { ...choices });
      this.post({ type: 'datasetRead', requestId: 0, summary: summarizeDataset(dataset, role, source.size, choices, performance.now() - started) });
      return { dataset, file: { name: source.name, bytes: source.size }, source, choices };
    };
    const train = await read('train', kept.train);
    const validation = kept.validation && (await read('validation', kept.validation));
    this.datasets.train = train;
    if (validation === null && this.datasets.validation !== null) this.post({ type: 'validationFileCleared' });
    this.datasets.validation = validation;
  }

  /** Starts a fresh run (startTraining) or continues the unfinished one from its stored checkpoint (continueRun). */
  async startTraining(command: Command<'startTraining' | 'continueRun'>): Promise<void> {
    const { runId } = command;
    const fail = (error: unknown) => this.post({ type: 'trainingFailed', runId, step: 0, error: toErrorData(error) });
    const refusal = this.busy();
    if (refusal) return fail(refusal);
    if (this.deviceLoss !== null) return fail(this.deviceLoss);
    const from = this.origin;
    if (this.current === null || from === null) return fail(new LayerwiseError('TRAIN_NO_MODEL', 'Open a model folder in the Model panel first.'));
    let config: TrainConfig;
    let resume: ResumePoint | null = null;
    let checkpointer: RunCheckpointer;
    let heads: TaskSources[] | undefined;
    const keeper = this.host.keeper;
    try {
      if (command.type === 'continueRun') {
        const stored = await keeper.load(runId);
        const was = stored.info;
        // A stored config is validated as a received one is: it may come from an older build. How batches are split
        // into passes may change (the same gradient): an out-of-memory failure proposes smaller passes.
        config = parseTrainConfig({ ...was.config, ...command.passes });
        await this.restoreRunData(was);
        const identity = await this.runIdentity(runId, config, from);
        if (was.model.adapted) {
          throw new LayerwiseError('TRAIN_RESUME_MODEL_MISMATCH', 'This run started from weights adapted to your text, which were kept only in memory: it cannot be resumed after a reload.');
        }
        checkSameFiles('model folder', was.model.files, identity.model.files, 'TRAIN_RESUME_MODEL_MISMATCH');
        checkSameFiles('training dataset', [was.dataset.train], [identity.dataset.train], 'TRAIN_RESUME_DATA_MISMATCH');
        checkSameFiles('validation file', was.dataset.validation ? [was.dataset.validation] : [], identity.dataset.validation ? [identity.dataset.validation] : [], 'TRAIN_RESUME_DATA_MISMATCH');
        resume = { checkpoint: stored.checkpoint, steps: stored.steps, trainedMs: was.trainedMs ?? 0 };
        checkpointer = keeper.checkpointer({ ...identity, startedAt: was.startedAt });
      } else {
        // The page is not trusted to send a valid config: the worker parses it as the CLI parses --config.
        config = parseTrainConfig(command.config);
        checkpointer = await keeper.forNewRun(await this.runIdentity(runId, config, from));
        const { train, validation } = this.datasets;
        if (train !== null) keeper.keepData(runId, { train: train.source, validation: validation?.source ?? null });
      }
      // A multi-task run's heads read the open files with their own columns (a failure is the run's, as preparing's is).
      const { train, validation } = this.datasets;
      if (config.tasks !== null && train !== null) heads = await readTaskData(config.tasks, train, validation);
    } catch (err) {
      return fail(err);
    }
    const next = new TrainingRun(runId, this.post, {
      checkpointer,
      memory: memoryLimits(this.backend ?? 'wasm', this.probe),
      deviceLossGraceMs: this.backend === 'webgpu' ? DEVICE_LOSS_GRACE_MS : 0,
      allowNonFinite: command.allowNonFinite === true,
      tensorLimit: this.tensorLimit(),
    });
    this.run = next;
    const model = await next.prepare({ ...from, ...this.datasets, heads }, config, resume);
    if (model === null) return;
    this.adopt(model, from);
    this.trainedBy = next;
    // The loop runs beside the queue, so that predictions, dataset reads and plans stay answered while it trains.
    void next.run().then(() => {
      if (next.failure?.code === WASM_HEAP_FAILED) return this.host.enqueue(() => this.renewWasm());
    });
  }

  /**
   * A run or a prediction ended because tfjs-wasm's module failed inside (RELIABILITY F4): its heap cannot be trusted,
   * so WASM starts anew on a new module and the model is loaded again from its folder, which the ready event's notice
   * says. A run's last checkpoint was kept and is offered as an unfinished run.
   */
  private async renewWasm(): Promise<void> {
    if (this.backend !== 'wasm') return;
    try {
      // Its tensors are freed while the old module is there to free them.
      this.current?.params.dispose();
      this.current = null;
      renewBackend('wasm');
      const threads = await this.activate('wasm');
      const from = this.origin;
      if (from !== null) this.adopt(await loadModelFolder(from.folder, { tensorLimit: this.tensorLimit() }), from);
      const notices = [
        `WASM failed inside its own code and was started anew${from !== null ? `: ${from.source} was loaded again from its files (weights trained since the run's last checkpoint are gone; resume the run from it)` : ''}.`,
      ];
      this.post({ type: 'ready', backend: 'wasm', reason: 'WASM, started anew after its heap failed.', chosenBy: 'auto', threads, notices, probe: this.probe as BackendProbe });
    } catch (err) {
      this.post({ type: 'backendFailed', backend: 'wasm', error: toErrorData(err) });
    }
  }

  pauseTraining(runId: string): void {
    if (this.run?.runId === runId) this.run.pause();
  }

  resumeTraining(runId: string): void {
    if (this.run?.runId === runId) this.run.resume();
  }

  /** The page is being hidden or left: a checkpoint at the run's next safe point (RELIABILITY F9). */
  checkpointTraining(runId: string): void {
    if (this.run?.runId === runId) this.run.requestCheckpoint();
  }

  stopTraining(runId: string): void {
    if (this.run?.runId === runId) this.run.stop();
  }

  evaluateTraining(runId: string): void {
    if (this.run?.runId === runId) this.run.evaluate();
  }

  findUnfinishedRun(): Promise<void> {
    return this.host.keeper.find();
  }

  async discardUnfinishedRun(runId: string): Promise<void> {
    if (this.training()) throw TRAINING_BUSY();
    await this.host.keeper.discard(runId);
    this.post({ type: 'unfinishedRunDiscarded', runId });
  }

  downloadCheckpoint(requestId: number): Promise<void> {
    return this.host.keeper.download(requestId);
  }

  async startAdaptation(command: Command<'startAdaptation'>): Promise<void> {
    const { adaptId } = command;
    const refusal = this.busy();
    const from = this.origin;
    if (refusal || this.current === null || from === null) {
      const error = refusal ?? new LayerwiseError('ADAPT_NO_MODEL', 'Open a model in the Model panel first.');
      this.post({ type: 'adaptationFailed', adaptId, step: 0, error: error.toData() });
      return;
    }
    const next = new AdaptationRun(adaptId, this.post);
    this.adaptation = next;
    if (!(await next.prepare({ folder: from.folder, dataset: this.datasets.train?.dataset ?? null }, command.text, command.settings))) return;
    // Adopted in the queue: a prediction or an export in flight finishes on the model it started with.
    const adopt = (adapted: AdaptedModel) =>
      this.host.enqueue(async () => {
        const provenance = { card: from.provenance.card, adaptations: [...from.provenance.adaptations, adapted.record], baseTask: adapted.model.task };
        this.adopt(adapted.model, { folder: adapted.folder, source: from.source, files: adapted.files, provenance, fromSite: false });
        return summarizeModel(adapted.model, from.source, adapted.files, adapted.loadMs, provenance);
      });
    void next.run(adopt);
  }

  stopAdaptation(adaptId: string, keep: boolean): void {
    if (this.adaptation?.adaptId === adaptId) this.adaptation.stop(keep);
  }

  /** "Check gradients": the model a run with the command's config would train, against finite differences (gradient-check.ts). */
  async checkGradients(command: Command<'checkGradients'>): Promise<void> {
    const { requestId } = command;
    const controller = new AbortController();
    if (this.cancelledChecks.delete(requestId)) controller.abort();
    const check = { requestId, controller, lost: null as LayerwiseErrorData | null };
    this.gradientCheck = check;
    try {
      const refusal = this.busy();
      if (refusal) throw refusal;
      const from = this.origin;
      const train = this.datasets.train;
      if (from === null) throw new LayerwiseError('GRADCHECK_NO_MODEL', 'Open a model in the Model panel first.');
      if (train === null) throw new LayerwiseError('TRAIN_NO_DATASET', 'Open a dataset file in the Dataset panel first: the check runs on a few of its examples.', { field: 'data' });
      const report = await checkRunGradients({ folder: from.folder, train: train.dataset, validation: null }, command.config, command.examples, {
        signal: controller.signal,
        onProgress: (phase, done, total) => this.post({ type: 'gradientCheckProgressed', requestId, phase, done, total }),
      });
      this.post({ type: 'gradientsChecked', requestId, report, model: from.source });
    } catch (err) {
      const error = check.lost ?? (controller.signal.aborted ? { code: GRADCHECK_CANCELLED, message: 'The gradient check was cancelled.' } : toErrorData(err));
      this.post({ type: 'gradientCheckFailed', requestId, error });
    } finally {
      this.gradientCheck = null;
    }
  }

  /** Handled at once: the check in flight stops after its current tensor; one not begun yet is cancelled when it begins. */
  cancelGradientCheck(requestId: number): void {
    if (this.gradientCheck?.requestId === requestId) this.gradientCheck.controller.abort();
    else this.cancelledChecks.add(requestId);
  }

  /** Starts a sweep beside the queue (sweep-run.ts) on the folder runs start from and the open datasets. */
  startSweep(command: Command<'startSweep'>): void {
    const { sweepId } = command;
    try {
      const refusal = this.busy();
      if (refusal) throw refusal;
      const from = this.origin;
      const train = this.datasets.train;
      if (from === null) throw new LayerwiseError('TRAIN_NO_MODEL', 'Open a model folder in the Model panel first.');
      if (train === null) throw new LayerwiseError('TRAIN_NO_DATASET', 'Open a dataset file in the Dataset panel first.', { field: 'data' });
      // The page is not trusted to send a valid sweep: parsed as `layerwise sweep --config` parses it.
      const sweep = parseSweepConfig(command.sweep);
      // Every trial trains the base config's heads (a sweep's space holds no tasks), read once for all of them.
      const tasks = planTrials(sweep)[0].config.tasks;
      const validation = this.datasets.validation;
      const next = new SweepRun(sweepId, this.post, memoryLimits(this.backend ?? 'wasm', this.probe));
      this.sweep = next;
      void next.run(async () => ({ folder: from.folder, train: train.dataset, validation: validation?.dataset ?? null, heads: tasks === null ? undefined : await readTaskData(tasks, train, validation) }), sweep);
    } catch (err) {
      this.post({ type: 'sweepFailed', sweepId, error: toErrorData(err) });
    }
  }

  stopSweep(sweepId: string): void {
    if (this.sweep?.sweepId === sweepId) this.sweep.stop();
  }

  /** What a recipe names of the studio's state: the folder runs start from and where it came from, the dataset files. */
  private recipeSources(): RecipeSources {
    const from = this.origin;
    return {
      model: from && { folder: from.folder, source: from.source, fromSite: from.fromSite, hub: from.hub ?? null, adapted: from.provenance.adaptations.length > 0 },
      train: this.datasets.train?.source ?? null,
      validation: this.datasets.validation?.source ?? null,
    };
  }

  async shareRecipe(command: Command<'shareRecipe'>): Promise<void> {
    const { requestId } = command;
    try {
      this.post({ type: 'recipeShared', requestId, recipe: await shareRecipe(this.recipeSources(), command.config, command.choices) });
    } catch (err) {
      this.post({ type: 'recipeShareFailed', requestId, error: toErrorData(err) });
    }
  }

  async checkRecipeFiles(command: Command<'checkRecipeFiles'>): Promise<void> {
    const { requestId } = command;
    try {
      // The page is not trusted to send a valid recipe: parsed as `layerwise train --recipe` parses it.
      const recipe = parseRunRecipe(command.recipe, 'recipe');
      this.post({ type: 'recipeFilesChecked', requestId, check: await checkRecipeFiles(this.recipeSources(), recipe) });
    } catch (err) {
      this.post({ type: 'recipeFilesCheckFailed', requestId, error: toErrorData(err) });
    }
  }

  /**
   * Refuses to write out the current weights while a run changes them with every step, and after a GPU device loss,
   * which took them with the device (a readback from it may never return): the run resumes from its last checkpoint
   * on another backend, and is paused or stopped, first (RELIABILITY X3).
   */
  private refuseExport(then: string): void {
    if (this.deviceLoss !== null) throw this.deviceLoss;
    if (this.run !== null && (this.run.state === 'running' || this.run.state === 'preparing')) {
      throw new LayerwiseError('EXPORT_DURING_TRAINING', `The weights change with every step: pause or stop training, then ${then}.`);
    }
  }

  /** Writes the format's files, checks them against the engine on a few rows (export-rows.ts), and sends them zipped. */
  async exportModel(command: Command<'exportModel'>): Promise<void> {
    const { requestId, format } = command;
    try {
      const { current, origin } = this;
      if (current === null || origin === null) throw new LayerwiseError('EXPORT_NO_MODEL', 'Open a model folder first.');
      this.refuseExport('export');
      this.post({ type: 'exportProgressed', requestId, phase: 'writing' });
      const run = this.trainedBy?.finished ?? undefined;
      const rows = exportRows(current, { train: this.datasets.train?.dataset ?? null, validation: this.datasets.validation?.dataset ?? null }, run?.config ?? null);
      let onnxRunner: OnnxRunner | undefined;
      if (format === 'onnx') {
        if (this.host.onnxRunner === undefined) throw new LayerwiseError('EXPORT_VERIFY_RUNTIME', 'This engine has no ONNX Runtime to check an ONNX export with.');
        onnxRunner = await this.host.onnxRunner();
      }
      const { files, verification } = await exportModel({
        model: current,
        source: origin.folder,
        format,
        quantize: command.quantize,
        allowNonFinite: command.allowNonFinite,
        run,
        rows,
        onnxRunner,
        onVerifying: () => this.post({ type: 'exportProgressed', requestId, phase: 'verifying' }),
      });
      const exported = zipModelFolder(files, origin.source, format, verification);
      this.post({ type: 'modelExported', requestId, exported }, [exported.zip]);
    } catch (err) {
      this.post({ type: 'exportFailed', requestId, error: toErrorData(err) });
    }
  }

  /** The training recipe of the run that made the current weights (before any run: of the command's config), zipped. */
  async exportRecipe(command: Command<'exportRecipe'>): Promise<void> {
    const { requestId } = command;
    try {
      const origin = this.origin;
      if (origin === null) throw new LayerwiseError('EXPORT_NO_MODEL', 'Open a model folder first.');
      const config = this.trainedBy?.finished?.config ?? command.config;
      const exported = await recipeZip(origin, config, { train: this.datasets.train?.dataset ?? null, validation: this.datasets.validation?.dataset ?? null });
      this.post({ type: 'recipeExported', requestId, exported }, [exported.zip]);
    } catch (err) {
      this.post({ type: 'recipeExportFailed', requestId, error: toErrorData(err) });
    }
  }

  /** The finished run's validation examples with the current model's predictions, as a CSV (predictions-export.ts). */
  async exportPredictions(command: Command<'exportPredictions'>): Promise<void> {
    const { requestId } = command;
    try {
      this.refuseExport('download the predictions');
      const { current, origin } = this;
      const run = this.trainedBy?.finished ?? null;
      const train = this.datasets.train?.dataset ?? null;
      if (current === null || origin === null || run === null || train === null) {
        throw new LayerwiseError('PREDICTIONS_NO_RUN', 'Train the model first: the predictions are those of its run\'s validation examples.');
      }
      const prediction = await validationPredictions(current, origin.source, { train, validation: this.datasets.validation?.dataset ?? null }, run.config);
      this.post({ type: 'predictionsExported', requestId, ...prediction });
    } catch (err) {
      this.post({ type: 'predictionsExportFailed', requestId, error: toErrorData(err) });
    }
  }

  /** Writes and checks the Hugging Face folder as the hf export does, then pushes it to the Hub with the command's token. */
  async pushToHub(command: Command<'pushToHub'>): Promise<void> {
    const { requestId } = command;
    try {
      const { current, origin } = this;
      if (current === null || origin === null) throw new LayerwiseError('EXPORT_NO_MODEL', 'Open a model folder first.');
      this.refuseExport('push');
      const run = this.trainedBy?.finished ?? undefined;
      const rows = exportRows(current, { train: this.datasets.train?.dataset ?? null, validation: this.datasets.validation?.dataset ?? null }, run?.config ?? null);
      let onnxRunner: OnnxRunner | undefined;
      if (command.withOnnx) {
        if (this.host.onnxRunner === undefined) throw new LayerwiseError('EXPORT_VERIFY_RUNTIME', 'This engine has no ONNX Runtime to check the ONNX files with.');
        onnxRunner = await this.host.onnxRunner();
      }
      const result = await pushModel(command, { model: current, source: origin.folder, run, rows, onnxRunner }, (progress) => this.post({ type: 'hubPushProgressed', requestId, progress }), this.hubFetch);
      this.post({ type: 'hubPushed', requestId, result });
    } catch (err) {
      this.post({ type: 'hubPushFailed', requestId, error: toErrorData(err) });
    }
  }
}
