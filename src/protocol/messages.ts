// The one worker protocol (DESIGN.md "Contracts"): ToWorker commands are verbs, FromWorker events are past tense.
// Plain, structured-cloneable data only; File handles are cloned (cheap), weight buffers would be transferred.
// Both unions are switched on exhaustively (`satisfies never`) by the worker host and the UI's engine client.
import type { LayerwiseErrorData } from '../lib/errors';
import type { AdapterSite } from './bottleneck';
import type { AdaptationRecord, AdaptPhase, AdaptPlan, AdaptSettings, AdaptTextSource } from './adaptation';
import type { DataNote, DataPlan, DatasetReadChoices, DatasetRole, DatasetSummary, EarlyPreview } from './dataset-summary';
import type { ExportFormat, ExportPhase, ExportVerification } from './export';
import type { HubNote, HubProgress } from './hub';
import type { CheckpointSlot, CheckpointStorageKind, RestoredHistory, UnfinishedRun } from './run-checkpoint';
import type { GradcheckReport } from './gradcheck';
import type { GroupPlan } from './param-groups';
import type { RecipeFilesCheck } from './recipe-files';
import type { RunRecipe } from './run-recipe';
import type { ExportedRecipe, HubPushProgress, HubPushResult } from './share';
import type { PlannedTrial, SweepConfig, TrialResult } from './sweep';
import type { Task } from './task';
import type { AugmentConfig, TrainConfig } from './train-config';
import type { EvalMetrics, EvalRecord, FinishReason, MajorityBaseline, RunPlan, StepTelemetry } from './train-events';

/** The tfjs backends the studio can run on, fastest first. */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export const BACKENDS: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

/** What the browser offered when the worker probed it; shown next to the backend badge. */
export interface BackendProbe {
  /** navigator.gpu exists and the page is a secure context. */
  webgpuApi: boolean;
  /** The WebGPU adapter, when one was returned. */
  adapter: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean } | null;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** The adapter's buffer limits in bytes (RELIABILITY M20), when there is an adapter. */
  limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number } | null;
  /** navigator.deviceMemory: approximate RAM in GiB (Chromium rounds and caps it), when the browser tells. */
  deviceMemoryGb?: number | null;
}

/** A note from the loader about something it did or found (a rename, a new head, non-finite values). */
export interface LoaderMessage {
  level: 'info' | 'warning';
  /** Stable UPPER_SNAKE code, e.g. PARAM_RENAMED. */
  code: string;
  message: string;
  /** The checkpoint tensors it concerns, by their Hugging Face names. */
  tensors?: string[];
}

/** One parameter of the loaded model, by its checkpoint name (the layer tree is derived from these names). */
export interface ParameterInfo {
  name: string;
  shape: number[];
  /** The family's depthOf: 0 embeddings, 1..L encoder layer i+1, L+1 pooler and head (for the layer-wise plan). */
  depth: number;
  /** Count of NaN/±Inf values found by the loader's pre-flight scan (RELIABILITY M17). */
  nonFinite: number;
}

/**
 * A parameter of the model a run of some task trains: the checkpoint's base model and that task's head, which the
 * run makes where the checkpoint has none (the Layers tree and the schedule preview show these before a run).
 */
export interface RunParameter {
  name: string;
  shape: number[];
  /** The family's depthOf (as ParameterInfo.depth). */
  depth: number;
  /** The head's output layer: its first axis is the number of classes, sized for the data's classes when a run starts. */
  perClass: boolean;
}

/** The folder's README.md (a Hugging Face model card), as text: rendered as text, never as HTML. */
export interface ModelCard {
  /** The start of the file, at most MODEL_CARD_MAX_CHARS characters. */
  text: string;
  truncated: boolean;
  /** Where the page can open it (a model loaded from this site's URLs); null for files the user opened. */
  url: string | null;
}

export const MODEL_CARD_MAX_CHARS = 65_536;

/** One file of a checkpoint folder served by this site (loadModelUrls); an optional one may be missing (HTTP 404). */
export interface ModelFileUrl {
  name: string;
  url: string;
  required: boolean;
}

/** Everything the UI shows about a loaded model: plain data, no tensors. HF field names stay verbatim. */
export interface ModelSummary {
  /** The folder the user opened, for display only. */
  source: string;
  /** Model family whose code computes it: bert, roberta, distilbert, electra. */
  family: string;
  /** config.json's model_type as written (e.g. xlm-roberta for the roberta family). */
  model_type: string;
  /** transformers' class for this model's head (BertForSequenceClassification, ...), as an export writes it. */
  architectures: string[];
  task: Task;
  /**
   * The task of the checkpoint runs start from (the folder as opened, or as adapted): after a run, `task` is the run's
   * head, while the next run starts again from this one.
   */
  baseTask: Task;
  /** What a run of each task would train: the base model with that task's head (see RunParameter). */
  runParameters: Record<Task, RunParameter[]>;
  /** Where bottleneck adapters go in this model (its family's adapterSites): a run with TrainConfig.adapters adds them there. */
  adapterSites: AdapterSite[];
  num_hidden_layers: number;
  hidden_size: number;
  num_attention_heads: number;
  intermediate_size: number;
  vocab_size: number;
  max_position_embeddings: number;
  /** Total number of scalar parameters in the store. */
  parameterCount: number;
  /** id2label in id order; empty for a masked-LM model (its config's id2label names no head). */
  labels: string[];
  /** Tokenizer in use (kind: wordpiece, bpe, unigram); null when the folder has none. */
  tokenizer: { kind: string; files: string[]; maskToken: string | null } | null;
  /** The files the user gave, with sizes in bytes. */
  files: { name: string; size: number }[];
  messages: LoaderMessage[];
  parameters: ParameterInfo[];
  /** config.json as parsed, pretty-printed (rendered as text). */
  configJson: string;
  /** Wall time of the load in the worker, in milliseconds. */
  loadMs: number;
  /** README.md of the folder, when it has one. */
  modelCard: ModelCard | null;
  /** Text adaptations that made these weights from the checkpoint as opened, oldest first. */
  adaptations: AdaptationRecord[];
}

/** The loaded model's output for one text, in eval mode (no dropout); the shape follows the task head. */
export type Prediction =
  | {
      task: 'seq-cls';
      tokens: string[];
      /**
       * One entry per label, in id order: the raw logit (a long text's: its windows' aggregate) and its probability
       * (softmax; a multi-label head's sigmoid), with the label's threshold and the window with its highest logit.
       */
      labels: { label: string; logit: number; probability: number; threshold?: number; window?: number }[];
      /** A multi-label head: every label at or above its threshold applies (absent: false). */
      multiLabel?: boolean;
      /** The answer: the most likely label, or each label over its threshold (multi-label); absent: the most likely. */
      predicted?: string[];
      /** Windows the text was read in (absent: 1, it fit). */
      windows?: number;
      truncated: boolean;
    }
  | {
      task: 'token-cls';
      /** Every token of the sequence with its most likely label; special tokens ([CLS], [SEP]) flagged. */
      tokens: { token: string; label: string; probability: number; special: boolean }[];
      /** The text's words (and punctuation marks), each labelled by its first token, as run_ner.py trains them; window: the one that labelled it. */
      words: { text: string; label: string; probability: number; window?: number }[];
      /** Windows the words were read in (absent: 1, they fit). */
      windows?: number;
      truncated: boolean;
    }
  | {
      task: 'mlm';
      tokens: string[];
      /** For each mask token (by position in tokens), the most likely tokens. */
      masks: { position: number; candidates: { token: string; probability: number }[] }[];
      truncated: boolean;
    };

/** One step of a training run's preparation, for its progress bar. */
export type PreparePhase = 'model' | 'split' | 'tokenise';

/** The exported folder: the zip's bytes (transferred, not copied), what it holds, and how it was checked. */
export interface ExportedModel {
  fileName: string;
  zip: ArrayBuffer;
  files: { name: string; size: number }[];
  format: ExportFormat;
  /** The exported files against the engine's logits (engine/export/verify.ts); an export that fails it is not sent. */
  verification: ExportVerification;
}

/** Commands from the UI to the engine worker. */
export type ToWorker =
  /** Load a checkpoint folder's files; the current model stays until this one has loaded. */
  | { type: 'loadModel'; loadId: number; source: string; files: File[] }
  /**
   * Download a model from the Hugging Face Hub (or the mirror at endpoint) into the browser's cache, then load it as
   * loadModel does (source "id@revision"); progress arrives as hubProgressed, then hubDownloaded, modelLoaded/loadFailed.
   */
  | { type: 'loadHubModel'; loadId: number; id: string; revision: string; endpoint: string }
  /**
   * Fetch a checkpoint folder's files from this site (the built-in model under /models/default/), then load them as
   * loadModel does. A URL of another origin is refused; a missing optional file is skipped.
   */
  | { type: 'loadModelUrls'; loadId: number; source: string; files: ModelFileUrl[] }
  /** The user's backend choice; overrides the automatic pick. */
  | { type: 'setBackend'; backend: BackendName }
  /** Run the loaded model on one text (the Model panel's "Try the model"). */
  | { type: 'predict'; requestId: number; text: string }
  /** Read a dataset file with readDataset; the dataset of that role stays until this one has been read. */
  | { type: 'readDataset'; requestId: number; role: DatasetRole; file: File; choices: DatasetReadChoices }
  /** Cancel a read in flight (handled at once, not queued); the read ends with DATASET_READ_CANCELLED. */
  | { type: 'cancelDatasetRead'; requestId: number }
  /** Forget the separate validation file (the training file is then split by ratio again). */
  | { type: 'clearValidationFile' }
  /** Split (and augment) the loaded data as a run would, and report sizes, warnings and augmentation examples. */
  /** maxLength: tokens a run keeps per example (the plan says how many texts are longer and what cutting them loses); windows: whether they are read in windows. */
  | { type: 'planData'; requestId: number; task: Task; validationSplit: number; seed: number; augment: AugmentConfig; maxLength?: number; windows?: boolean }
  /**
   * Start a run from the loaded model's weights on the loaded data; the worker validates the config (TRAIN_CONFIG_INVALID).
   * A model with NaN/Inf weights is refused (CHECKPOINT_NON_FINITE) unless allowNonFinite: the Model panel's "Train anyway".
   */
  | { type: 'startTraining'; runId: string; config: TrainConfig; allowNonFinite?: boolean }
  /** Pause, resume and stop act on the run in flight at once (not queued behind it). */
  | { type: 'pauseTraining'; runId: string }
  | { type: 'resumeTraining'; runId: string }
  | { type: 'stopTraining'; runId: string }
  /** Evaluate the run's weights after its current step, or at once when it is paused (handled at once). */
  | { type: 'evaluateTraining'; runId: string }
  /** Look for a run left unfinished in the checkpoint slots (a reload, a crashed worker); answered by unfinishedRunFound. */
  | { type: 'findUnfinishedRun' }
  /**
   * Continue the unfinished run from its stored checkpoint, on the model open now and the run's own dataset files —
   * the ones open now, else the copies kept beside the checkpoint (read again as they were, announced by
   * datasetRead) — whose fingerprints must match the run's (else trainingFailed with TRAIN_RESUME_MODEL_MISMATCH /
   * TRAIN_RESUME_DATA_MISMATCH). `passes` changes how each batch is split into passes (micro-batches, gradient
   * checkpointing: the same gradient), as an out-of-memory failure proposes. Events as startTraining's, with
   * trainingRestored after trainingStarted.
   */
  | { type: 'continueRun'; runId: string; passes?: Pick<TrainConfig, 'microBatchSize' | 'gradientCheckpointing'>; allowNonFinite?: boolean }
  /** Take a checkpoint at the next safe point (after the current step; handled at once): the page is being hidden or left. */
  | { type: 'checkpointTraining'; runId: string }
  /** Forget the unfinished run: both checkpoint slots are emptied. */
  | { type: 'discardUnfinishedRun'; runId: string }
  /** The latest checkpoint as a zip of checkpoint.json + checkpoint.safetensors (what `layerwise train --resume` reads). */
  | { type: 'downloadCheckpoint'; requestId: number }
  /**
   * Continue masked-LM training of the checkpoint as opened on unlabeled text; on success the adapted weights become
   * the current model and the checkpoint later runs start from. The current model is untouched until then.
   */
  | { type: 'startAdaptation'; adaptId: string; text: AdaptTextSource; settings: AdaptSettings }
  /** Ends the adaptation after its current step (handled at once): keep its weights so far, or discard them. */
  | { type: 'stopAdaptation'; adaptId: string; keep: boolean }
  /**
   * Write the current model in `format` (a Hugging Face folder, or ONNX for transformers.js with the int8 file when
   * quantize), check it against the engine, and send it zipped. A model with NaN/Inf weights needs allowNonFinite.
   */
  | { type: 'exportModel'; requestId: number; format: ExportFormat; quantize: boolean; allowNonFinite: boolean }
  /**
   * Write the training recipe (engine/export/recipe.ts) of the run that made the current weights, or, before any run,
   * of `config` (the Configure panel's), on the model runs start from and the datasets read, and send it zipped.
   */
  | { type: 'exportRecipe'; requestId: number; config: TrainConfig }
  /**
   * Predict the finished run's validation examples with the current model and send them as a CSV (text, label,
   * predicted, probability), formula-like cells neutralised (RELIABILITY D16).
   */
  | { type: 'exportPredictions'; requestId: number }
  /**
   * Push the current model as a Hugging Face folder (checked as the hf export is; with withOnnx also onnx/*.onnx) to
   * the Hub repository `repo` at `endpoint`, creating it if needed. The token is used for this push and not kept.
   */
  | { type: 'pushToHub'; requestId: number; repo: string; token: string; endpoint: string; private: boolean; withOnnx: boolean }
  /**
   * "Check gradients" (engine/train/gradcheck.ts): the model a run with `config` would train (the folder runs start
   * from, the head for the open training file's classes), its autodiff gradients against finite differences on the
   * first `examples` examples, per module. Refused while a run, a sweep or an adaptation uses the model.
   */
  | { type: 'checkGradients'; requestId: number; config: TrainConfig; examples: number }
  /** Ends the check in flight after its current tensor (handled at once): gradientCheckFailed with GRADCHECK_CANCELLED. */
  | { type: 'cancelGradientCheck'; requestId: number }
  /**
   * A hyperparameter search (protocol/sweep.ts) on the folder runs start from and the open datasets, beside the queue
   * as a run is; validated as `layerwise sweep --config` is. Refused while a run or an adaptation uses the model; a
   * run, an adaptation, loads and backend switches are refused while it goes on (SWEEP_IN_PROGRESS).
   */
  | { type: 'startSweep'; sweepId: string; sweep: SweepConfig }
  /** Ends the sweep after the current step (handled at once); the trial in flight ends unscored. */
  | { type: 'stopSweep'; sweepId: string }
  /** A shareable run recipe (protocol/run-recipe.ts) of `config` with the folder runs start from and the datasets open, their files fingerprinted. */
  | { type: 'shareRecipe'; requestId: number; config: TrainConfig; choices: DatasetReadChoices }
  /** The files open now against a recipe's fingerprints (protocol/recipe-files.ts). */
  | { type: 'checkRecipeFiles'; requestId: number; recipe: RunRecipe }
  /**
   * The worker's port to the Hub bridge (protocol/hub-bridge.ts), sent before the first Hub request of each worker:
   * the worker's own policy lets it connect to this origin only. Handled at once.
   */
  | { type: 'connectHub'; port: MessagePort };

/** Events from the engine worker to the UI. */
export type FromWorker =
  /** A backend is initialised and in use: after start-up and after every successful setBackend. */
  | {
      type: 'ready';
      backend: BackendName;
      /** Why this backend, in a sentence a person understands. */
      reason: string;
      chosenBy: 'auto' | 'user';
      /** WASM thread count; 1 elsewhere. */
      threads: number;
      /** Things the user should know (no threads without cross-origin isolation, software GPU). */
      notices: string[];
      probe: BackendProbe;
    }
  /** setBackend could not initialise the requested backend; the previous one is still in use. */
  | { type: 'backendFailed'; backend: BackendName; error: LayerwiseErrorData }
  /** loadModel succeeded; the new model replaced the previous one. */
  | { type: 'modelLoaded'; loadId: number; summary: ModelSummary }
  /** loadModel failed; the previous model (if any) is untouched and still usable. */
  | { type: 'loadFailed'; loadId: number; source: string; error: LayerwiseErrorData }
  /** Bytes of a Hub download so far (throttled; the end of each file is always reported). */
  | { type: 'hubProgressed'; loadId: number; progress: HubProgress }
  /** Every file of a Hub download is here (some perhaps from the cache, see notes); loading it starts now. */
  | { type: 'hubDownloaded'; loadId: number; notes: HubNote[]; files: { name: string; size: number; fromCache: boolean }[] }
  /** predict finished. */
  | { type: 'predicted'; requestId: number; prediction: Prediction }
  /** predict failed (no model, no tokenizer, no mask token in the text); nothing else changed. */
  | { type: 'predictFailed'; requestId: number; error: LayerwiseErrorData }
  /** Bytes of a dataset file read so far (throttled). */
  | { type: 'datasetReadProgressed'; requestId: number; bytesRead: number; total: number }
  /** The first rows, before the whole file has been read. */
  | { type: 'datasetPreviewed'; requestId: number; preview: EarlyPreview }
  /** readDataset succeeded; this dataset replaced the previous one of its role. */
  | { type: 'datasetRead'; requestId: number; summary: DatasetSummary }
  /** readDataset failed or was cancelled; the previous dataset of that role is untouched. */
  | { type: 'datasetReadFailed'; requestId: number; role: DatasetRole; file: string; error: LayerwiseErrorData }
  | { type: 'validationFileCleared' }
  | { type: 'dataPlanned'; requestId: number; plan: DataPlan }
  | { type: 'dataPlanFailed'; requestId: number; error: LayerwiseErrorData }
  /** A run is being prepared: model reloaded, data split, tokenised (done/total examples). */
  | { type: 'trainingPreparing'; runId: string; phase: PreparePhase; done: number; total: number }
  /**
   * The run started. summary is the run's model (its head relabelled for the data when needed), which is now the
   * current model; labels are the classes in id order; baseline is always guessing the evaluation data's most
   * frequent class (null without evaluation data or for masked LM).
   */
  | {
      type: 'trainingStarted';
      runId: string;
      plan: RunPlan;
      labels: string[];
      maxLength: number;
      dataNotes: DataNote[];
      summary: ModelSummary;
      baseline: MajorityBaseline | null;
    }
  /** An epoch began; groups say which modules train in it (gradual unfreezing changes this). */
  | { type: 'trainingEpochStarted'; runId: string; epoch: number; step: number; groups: GroupPlan[] }
  /** Steps since the last report (at most about ten reports a second). */
  | { type: 'trainingProgressed'; runId: string; steps: StepTelemetry[] }
  | { type: 'trainingEvaluated'; runId: string; record: EvalRecord; isBest: boolean; lrReduced: boolean }
  | { type: 'trainingPaused'; runId: string; step: number }
  | { type: 'trainingResumed'; runId: string }
  | { type: 'trainingFinished'; runId: string; reason: FinishReason; step: number; metrics: EvalMetrics | null; restoredBestStep: number | null }
  /** A resumed run's history before its first new step (posted right after its trainingStarted). */
  | { type: 'trainingRestored'; runId: string; history: RestoredHistory }
  /** A resumable checkpoint of the run is stored (the slot written, its size in bytes). */
  | { type: 'checkpointSaved'; runId: string; step: number; slot: CheckpointSlot; bytes: number; storage: CheckpointStorageKind }
  /** Storing a checkpoint failed (CHECKPOINT_QUOTA_EXCEEDED, CHECKPOINT_WRITE_FAILED); the run goes on, the previous checkpoint stays. */
  | { type: 'checkpointFailed'; runId: string; step: number; error: LayerwiseErrorData }
  /**
   * The run's dataset files were copied beside its checkpoints (a resume does not ask for them), or could not be
   * (error: a full quota…; a resume after a reload then asks for them).
   */
  | { type: 'datasetKept'; runId: string; files: string[]; error: LayerwiseErrorData | null }
  /** The answer to findUnfinishedRun: where checkpoints are kept, and the run found (null: none). */
  | { type: 'unfinishedRunFound'; run: UnfinishedRun | null; storage: CheckpointStorageKind; storageNote: string }
  | { type: 'unfinishedRunDiscarded'; runId: string }
  /** The checkpoint zip (transferred) for the browser's download. */
  | { type: 'checkpointDownloaded'; requestId: number; fileName: string; step: number; zip: ArrayBuffer }
  | { type: 'checkpointDownloadFailed'; requestId: number; error: LayerwiseErrorData }
  /** The run (or its preparation) failed; the model keeps the weights of the last good step. */
  | { type: 'trainingFailed'; runId: string; step: number; error: LayerwiseErrorData }
  /**
   * The GPU device was lost mid-run (RELIABILITY F2): the run is paused at `step` on its last checkpoint (nothing after
   * the loss is stored), its trainer gone with the device; continueRun resumes it from that checkpoint on a new
   * device or on WASM. GPU_DEVICE_LOST.
   */
  | { type: 'trainingInterrupted'; runId: string; step: number; error: LayerwiseErrorData }
  /** An adaptation is being prepared: text read, checkpoint loaded with its masked-LM head, text tokenised. */
  | { type: 'adaptationPreparing'; adaptId: string; phase: AdaptPhase; done: number; total: number }
  | { type: 'adaptationStarted'; adaptId: string; plan: AdaptPlan }
  /** Steps since the last report (batched as trainingProgressed). */
  | { type: 'adaptationProgressed'; adaptId: string; steps: StepTelemetry[] }
  /** An evaluation on the held-out lines: eval_loss, accuracy (of masked tokens), perplexity. */
  | { type: 'adaptationEvaluated'; adaptId: string; record: EvalRecord }
  /** The adapted weights are now the current model (summary) and the starting point of later runs. */
  | { type: 'adaptationFinished'; adaptId: string; record: AdaptationRecord; summary: ModelSummary }
  /** Stopped without keeping its weights (or before its first step): nothing changed. */
  | { type: 'adaptationDiscarded'; adaptId: string; step: number }
  /** The adaptation (or its preparation) failed: nothing changed. */
  | { type: 'adaptationFailed'; adaptId: string; step: number; error: LayerwiseErrorData }
  /** The export in flight moved on: its files are being written, or read back and compared with the engine. */
  | { type: 'exportProgressed'; requestId: number; phase: ExportPhase }
  | { type: 'modelExported'; requestId: number; exported: ExportedModel }
  | { type: 'exportFailed'; requestId: number; error: LayerwiseErrorData }
  | { type: 'recipeExported'; requestId: number; exported: ExportedRecipe }
  | { type: 'recipeExportFailed'; requestId: number; error: LayerwiseErrorData }
  | { type: 'predictionsExported'; requestId: number; fileName: string; csv: string; rows: number }
  | { type: 'predictionsExportFailed'; requestId: number; error: LayerwiseErrorData }
  /** A push moved on (throttled in the worker to at most one event every 100 ms, and every phase change). */
  | { type: 'hubPushProgressed'; requestId: number; progress: HubPushProgress }
  | { type: 'hubPushed'; requestId: number; result: HubPushResult }
  | { type: 'hubPushFailed'; requestId: number; error: LayerwiseErrorData }
  /** The gradient check moved on: preparing the run's model, then tensors checked of all the trainable ones. */
  | { type: 'gradientCheckProgressed'; requestId: number; phase: 'preparing' | 'checking'; done: number; total: number }
  | { type: 'gradientsChecked'; requestId: number; report: GradcheckReport; model: string }
  | { type: 'gradientCheckFailed'; requestId: number; error: LayerwiseErrorData }
  /** The sweep's trials (each with its TrainConfig) and rungs (epochs and trials per rung of successive halving). */
  | { type: 'sweepStarted'; sweepId: string; trials: PlannedTrial[]; rungs: { epochs: number; trials: number }[] }
  | { type: 'sweepTrialStarted'; sweepId: string; id: number; rung: number; epochs: number }
  /** The trial in flight's step (at most one event every 100 ms). */
  | { type: 'sweepProgressed'; sweepId: string; step: number; totalSteps: number }
  | { type: 'sweepTrialFinished'; sweepId: string; result: TrialResult }
  /** The sweep ended (every rung run, or stopped); best: the best trial of its last rung, null when none was scored. */
  | { type: 'sweepFinished'; sweepId: string; best: TrialResult | null; stopped: boolean }
  /** The sweep could not start (SWEEP_CONFIG_INVALID, no dataset, busy) or failed; no trial result is lost. */
  | { type: 'sweepFailed'; sweepId: string; error: LayerwiseErrorData }
  | { type: 'recipeShared'; requestId: number; recipe: RunRecipe }
  | { type: 'recipeShareFailed'; requestId: number; error: LayerwiseErrorData }
  | { type: 'recipeFilesChecked'; requestId: number; check: RecipeFilesCheck }
  /** The recipe could not be checked (RUN_RECIPE_INVALID from a page that sent a damaged one, a file that cannot be read). */
  | { type: 'recipeFilesCheckFailed'; requestId: number; error: LayerwiseErrorData }
  /**
   * The WebGPU device was lost (RELIABILITY F2): GPU_DEVICE_LOST, with retryWith { backend: 'wasm' }. A run on it is
   * interrupted with the same error and its last checkpoint is offered. The engine then asks once for a new device:
   * `ready` on WebGPU (the model loaded again) when one comes, deviceRenewalFailed when none does; setBackend('wasm')
   * loads the model again on WASM either way.
   */
  | { type: 'deviceLost'; error: LayerwiseErrorData }
  /** No new GPU device after a loss (GPU_DEVICE_RENEWAL_FAILED, retryWith { backend: 'wasm' }): WebGPU stays unusable. */
  | { type: 'deviceRenewalFailed'; error: LayerwiseErrorData }
  /**
   * An error outside any command (uncaught exception, unhandled rejection, undecodable command, an event that could not
   * be cloned to post), with the run in flight and the steps it had done, if one was (RELIABILITY F6).
   */
  | { type: 'failed'; error: LayerwiseErrorData; run?: { runId: string; step: number } }
  /** Sent every HEARTBEAT_MS while the worker's event loop is alive. */
  | { type: 'heartbeat' };

/** Heartbeat period of the worker, and how long the UI waits before calling the engine unresponsive. */
export const HEARTBEAT_MS = 1000;
export const HEARTBEAT_TIMEOUT_MS = 10_000;
