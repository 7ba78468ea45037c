// The studio's resumable checkpoint in two slots, A and B (RELIABILITY F11, F13): each save goes to the slot that
// does not hold the newest good checkpoint, removing that slot's manifest first and writing it last, so that a write
// that fails or is cut off leaves the other slot as it was. Reading takes the newest slot whose manifest describes
// its tensor file (length and checksum, engine/train/run-checkpoint.ts) and falls back to the other one.
import { decodeCheckpoint, type CheckpointFiles, type RunCheckpoint } from '../engine/train/run-checkpoint';
import { readAll, type SourceFile } from '../formats/source-file';
import { LayerwiseError, toErrorData } from '../lib/errors';
import type { CheckpointSlot, RunCheckpointInfo } from '../protocol/run-checkpoint';
import type { StepTelemetry } from '../protocol/train-events';

/** The files of a slot: the engine's pair (what `layerwise train --resume` reads) and the studio's run.json. */
export const SLOT_FILES = { tensors: 'checkpoint.safetensors', manifest: 'checkpoint.json', run: 'run.json' } as const;
export type SlotFileName = (typeof SLOT_FILES)[keyof typeof SLOT_FILES];

/** The run's dataset files, kept beside the slots so that a resume does not ask for them (RELIABILITY F8). */
export type DataRole = 'train' | 'validation';

/** Where slot files live: OPFS and IndexedDB implement it (checkpoint-storage.ts), tests use memory. */
export interface SlotStorage {
  readonly kind: 'opfs' | 'indexeddb';
  /** Replaces the file; rejects (QuotaExceededError, AbortError…) without promising what is left of it. */
  write(slot: CheckpointSlot, file: SlotFileName, bytes: Uint8Array): Promise<void>;
  /** The file, or null when the slot has none. */
  read(slot: CheckpointSlot, file: SlotFileName): Promise<SourceFile | null>;
  /** Removes the file; absent files are fine. */
  remove(slot: CheckpointSlot, file: SlotFileName): Promise<void>;
  /** Replaces the copy of a dataset file with `file`, read in slices; rejects as write does. */
  writeData(role: DataRole, file: SourceFile): Promise<void>;
  /** The copy (named `name`, the file's own name, which tells its format), or null. */
  readData(role: DataRole, name: string): Promise<SourceFile | null>;
  removeData(role: DataRole): Promise<void>;
}

/** Slices in which a dataset file is copied into storage. */
export const DATA_COPY_CHUNK = 4 * 1024 * 1024;

/** navigator.storage.estimate() as far as a save needs it; null where the browser does not tell. */
export type EstimateStorage = () => Promise<{ usage: number; quota: number } | null>;

/** run.json: the run's identity and settings, and its step telemetry so far (thinned). */
export interface RunFile {
  info: RunCheckpointInfo;
  steps: StepTelemetry[];
}

export interface StoredCheckpoint extends RunFile {
  slot: CheckpointSlot;
  checkpoint: RunCheckpoint;
  /** The engine pair as stored, for "download checkpoint". */
  files: CheckpointFiles;
  /** A slot that was skipped, and why. */
  notes: string[];
}

const SLOTS: readonly CheckpointSlot[] = ['A', 'B'];
const other = (slot: CheckpointSlot): CheckpointSlot => (slot === 'A' ? 'B' : 'A');

export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.ceil(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function isQuotaError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'QuotaExceededError';
}

export class CheckpointSlots {
  private readonly storage: SlotStorage;
  private readonly estimate: EstimateStorage;
  /** The slot of the newest good checkpoint: null when there is none, undefined until known. */
  private newest: CheckpointSlot | null | undefined = undefined;

  constructor(storage: SlotStorage, estimate: EstimateStorage) {
    this.storage = storage;
    this.estimate = estimate;
  }

  get kind(): 'opfs' | 'indexeddb' {
    return this.storage.kind;
  }

  /**
   * Writes a checkpoint into the slot that does not hold the newest good one; returns that slot and the bytes written.
   * A full quota is CHECKPOINT_QUOTA_EXCEEDED with the bytes needed and available; any other failure
   * CHECKPOINT_WRITE_FAILED. Either way the previous checkpoint is still there.
   */
  async save(files: CheckpointFiles, run: RunFile): Promise<{ slot: CheckpointSlot; bytes: number }> {
    if (this.newest === undefined) await this.latest();
    const slot = this.newest ? other(this.newest) : 'A';
    const encoder = new TextEncoder();
    const runBytes = encoder.encode(`${JSON.stringify(run)}\n`);
    const manifestBytes = encoder.encode(files.manifest);
    const bytes = files.tensors.byteLength + runBytes.byteLength + manifestBytes.byteLength;
    try {
      // Without its manifest the slot reads as empty until the new one is complete.
      await this.storage.remove(slot, SLOT_FILES.manifest);
      await this.storage.write(slot, SLOT_FILES.tensors, files.tensors);
      await this.storage.write(slot, SLOT_FILES.run, runBytes);
      await this.storage.write(slot, SLOT_FILES.manifest, manifestBytes);
    } catch (err) {
      throw await this.writeError(err, bytes, run.info.step);
    }
    this.newest = slot;
    return { slot, bytes };
  }

  /**
   * Copies the run's dataset files beside the slots (any earlier copies are removed first). A file that cannot be
   * stored is CHECKPOINT_DATA_NOT_KEPT (with the room a full quota leaves): the run goes on, and a resume after a
   * reload asks for the file. Whether a copy is whole is told on reading, by its fingerprint.
   */
  async keepData(files: { train: SourceFile; validation: SourceFile | null }): Promise<void> {
    const roles: DataRole[] = ['train', 'validation'];
    for (const role of roles) await this.storage.removeData(role);
    for (const role of roles) {
      const file = files[role];
      if (file === null) continue;
      try {
        await this.storage.writeData(role, file);
      } catch (err) {
        await this.storage.removeData(role).catch(() => undefined);
        const room = isQuotaError(err) ? await this.room() : '';
        throw new LayerwiseError(
          'CHECKPOINT_DATA_NOT_KEPT',
          `No copy of ${file.name} (${formatBytes(file.size)}) could be kept in this browser (${isQuotaError(err) ? `the storage is full${room}` : toErrorData(err).message}): the run goes on, but resuming it after a reload will ask for the file again.`,
          { file: file.name, field: 'storage' },
        );
      }
    }
  }

  /** The copy of a dataset file, named as the file was (null when none is kept). */
  readData(role: DataRole, name: string): Promise<SourceFile | null> {
    return this.storage.readData(role, name);
  }

  /** "; the browser lets this site use … more (… used of …)", or nothing where the browser does not say. */
  private async room(): Promise<string> {
    const estimate = await this.estimate().catch(() => null);
    return estimate
      ? `; the browser lets this site use ${formatBytes(Math.max(0, estimate.quota - estimate.usage))} more (${formatBytes(estimate.usage)} used of ${formatBytes(estimate.quota)})`
      : '';
  }

  private async writeError(err: unknown, needed: number, step: number): Promise<LayerwiseError> {
    const kept = this.newest ? `The checkpoint in slot ${this.newest} is still there.` : 'No earlier checkpoint of this run is stored.';
    if (!isQuotaError(err)) {
      return new LayerwiseError('CHECKPOINT_WRITE_FAILED', `The checkpoint of step ${step} could not be stored (${toErrorData(err).message}). ${kept}`, { field: 'storage' });
    }
    const room = await this.room();
    return new LayerwiseError(
      'CHECKPOINT_QUOTA_EXCEEDED',
      `The browser's storage is full: the checkpoint of step ${step} needs ${formatBytes(needed)}${room}. ${kept} Download the checkpoint now, or free space for this site.`,
      { field: 'storage' },
    );
  }

  private async readRun(slot: CheckpointSlot): Promise<RunFile | null> {
    const file = await this.storage.read(slot, SLOT_FILES.run);
    if (file === null) return null;
    const run = JSON.parse(new TextDecoder().decode(await readAll(file))) as RunFile;
    if (typeof run?.info?.runId !== 'string' || !Number.isSafeInteger(run.info.step) || !Array.isArray(run.steps)) throw new Error('run.json is incomplete');
    return run;
  }

  /** Decodes one slot; null when it holds no complete checkpoint (no manifest). Throws when it is damaged. */
  private async readSlot(slot: CheckpointSlot): Promise<Omit<StoredCheckpoint, 'notes'> | null> {
    const manifestFile = await this.storage.read(slot, SLOT_FILES.manifest);
    if (manifestFile === null) return null;
    const tensorFile = await this.storage.read(slot, SLOT_FILES.tensors);
    if (tensorFile === null) throw new LayerwiseError('TRAIN_CHECKPOINT_CORRUPT', `slot ${slot} has a manifest but no tensor file`, { file: SLOT_FILES.tensors });
    const manifest = new TextDecoder().decode(await readAll(manifestFile));
    const checkpoint = await decodeCheckpoint(manifest, tensorFile, SLOT_FILES.manifest);
    const run = await this.readRun(slot);
    if (run === null || run.info.step !== checkpoint.progress.step) {
      throw new LayerwiseError('TRAIN_CHECKPOINT_CORRUPT', `slot ${slot}'s run.json does not belong to its checkpoint`, { file: SLOT_FILES.run });
    }
    return { ...run, slot, checkpoint, files: { manifest, tensors: await readAll(tensorFile) } };
  }

  /** The newest slot that decodes, or null; a damaged slot is skipped with a note (never loaded). */
  async latest(): Promise<StoredCheckpoint | null> {
    const notes: string[] = [];
    const found: Omit<StoredCheckpoint, 'notes'>[] = [];
    for (const slot of SLOTS) {
      try {
        const stored = await this.readSlot(slot);
        if (stored) found.push(stored);
      } catch (err) {
        notes.push(`Slot ${slot} was skipped: ${toErrorData(err).message}.`);
      }
    }
    found.sort((a, b) => b.info.savedAt - a.info.savedAt || b.info.step - a.info.step);
    const best = found[0] ?? null;
    this.newest = best?.slot ?? null;
    return best && { ...best, notes };
  }

  /** Forgets the run: both slots emptied, manifests first, then the dataset copies. */
  async clear(): Promise<void> {
    for (const slot of SLOTS) await this.storage.remove(slot, SLOT_FILES.manifest);
    for (const slot of SLOTS) {
      await this.storage.remove(slot, SLOT_FILES.tensors);
      await this.storage.remove(slot, SLOT_FILES.run);
    }
    this.newest = null;
    await this.removeData();
  }

  /** Removes the dataset copies. */
  async removeData(): Promise<void> {
    await this.storage.removeData('train');
    await this.storage.removeData('validation');
  }
}
