// What the studio keeps to resume a training run after a reload or a crashed worker (RELIABILITY F5, F8, F10–F14):
// the run's identity and settings and which model and dataset files it trained on (names, sizes, fingerprints),
// stored beside the engine's checkpoint pair in one of two slots. Plain data shared by the UI and the worker.
import type { DatasetReadChoices } from './dataset-summary';
import type { TrainConfig } from './train-config';
import type { EvalRecord, StepTelemetry } from './train-events';

/** Where the worker keeps checkpoints: the origin private file system, IndexedDB where OPFS sync handles are missing, or nowhere. */
export type CheckpointStorageKind = 'opfs' | 'indexeddb' | 'none';

/** The two slots, written alternately so that the last good checkpoint survives a failed write. */
export type CheckpointSlot = 'A' | 'B';

/** A file as the run saw it: an FNV-1a hash of its size, its first and its last 64 KiB (cheap for large weights). */
export interface FileFingerprint {
  name: string;
  size: number;
  hash: number;
}

/** Everything a resume needs besides the engine checkpoint (stored as run.json in the slot). */
export interface RunCheckpointInfo {
  runId: string;
  /** "reviews.csv on Layerwise default (…)" — how the resume offer names the run. */
  name: string;
  /** Optimizer steps done at this checkpoint, and the run's planned total. */
  step: number;
  totalSteps: number;
  /** Date.now() when it was saved, and when the run first started. */
  savedAt: number;
  startedAt: number;
  /** Training time up to this checkpoint, pauses and earlier sessions' gaps left out (absent in older run.json). */
  trainedMs?: number;
  /** The run's TrainConfig (augmentation included). */
  config: TrainConfig;
  model: {
    source: string;
    /** Fetched from this site (the built-in model): the page loads it again by itself. */
    fromSite: boolean;
    /** The weights came from "Adapt to my text", which only lived in memory: such a run cannot be resumed after a reload. */
    adapted: boolean;
    files: FileFingerprint[];
  };
  /**
   * The dataset files, and how they were read (absent in older run.json): a copy of each is kept beside the
   * checkpoints (RELIABILITY F8), so a resume reads the same file the same way without asking for it again.
   */
  dataset: { train: FileFingerprint; validation: FileFingerprint | null; choices?: { train: DatasetReadChoices; validation: DatasetReadChoices | null } };
}

/** An unfinished run found in storage, as the Train panel offers it. */
export interface UnfinishedRun {
  info: RunCheckpointInfo;
  slot: CheckpointSlot;
  storage: CheckpointStorageKind;
  /** Things the user should know: a slot that was corrupt and skipped (F13). */
  notes: string[];
  /** Whether the browser holds a whole copy of the run's dataset files (their fingerprints match): resuming needs none opened. */
  datasetKept: boolean;
}

/** Step telemetry kept with a checkpoint so that a resumed run's curves start where they were (thinned). */
export const RESUME_STEP_POINTS = 2000;

/** A run checkpoints after about this much training time, at every evaluation, and when it pauses. */
export const CHECKPOINT_INTERVAL_MS = 30_000;

/** The Web Lock a tab holds while it trains (RELIABILITY F10): never two writers of the checkpoint slots. */
export const TRAINING_LOCK_NAME = 'layerwise-studio';

/** The resumed run's history before its first new step: thinned step telemetry and the evaluations so far. */
export interface RestoredHistory {
  step: number;
  /** Training time before the resume (run.json's trainedMs; 0 when an older one has none). */
  trainedMs: number;
  steps: StepTelemetry[];
  evals: { record: EvalRecord; isBest: boolean }[];
}
