// The worker's side of resumable runs (RELIABILITY F5, F8, F11–F14): opens the checkpoint slots once (OPFS, else
// IndexedDB), gives each run a checkpointer that stores its checkpoints with what a resume needs (run.json), keeps a
// copy of the run's dataset files beside them, finds an unfinished run after a reload or a crash, and zips the latest
// checkpoint for "download checkpoint now" — the pair `layerwise train --resume <folder>` reads. Slots hold one run: a
// new run or a discard empties them.
import { zipSync } from 'fflate';
import { fingerprintFile } from '../engine/file-fingerprint';
import { encodeCheckpoint, type CheckpointFiles } from '../engine/train/run-checkpoint';
import type { SourceFile } from '../formats/source-file';
import { LayerwiseError, toErrorData } from '../lib/errors';
import type { FromWorker } from '../protocol/messages';
import type { CheckpointStorageKind, RunCheckpointInfo } from '../protocol/run-checkpoint';
import { CheckpointSlots, SLOT_FILES, type StoredCheckpoint } from './checkpoint-slots';
import { estimateStorage, openSlotStorage } from './checkpoint-storage';
import type { RunCheckpointer } from './training-run';

/** What a run's checkpoints carry besides the engine state; step, totalSteps and savedAt are filled per save. */
export type RunIdentity = Omit<RunCheckpointInfo, 'step' | 'totalSteps' | 'savedAt' | 'trainedMs'>;

/** A run's dataset files as kept beside its checkpoints. */
export interface KeptData {
  train: SourceFile;
  validation: SourceFile | null;
}

export class RunKeeper {
  private opened: Promise<{ slots: CheckpointSlots | null; kind: CheckpointStorageKind; reason: string }> | null = null;
  /** The latest checkpoint of the run in this worker, stored or not (a full quota still lets the user download it). */
  private latest: { runId: string; step: number; files: CheckpointFiles } | null = null;
  private readonly post: (event: FromWorker, transfer?: Transferable[]) => void;
  private readonly openStorage: typeof openSlotStorage;
  /** The copies of runs' dataset files, one after another (a resume's read waits for the one in progress). */
  private copying: Promise<void> = Promise.resolve();
  /**
   * Counts discards. A copy that ends after a discard removes itself, so it never lands after — without the discard
   * (and so the run's end) waiting for it: a copy that stalls in the browser's storage must not hold a run unfinished.
   */
  private discards = 0;

  /** openStorage: where the slots live (OPFS, else IndexedDB; tests give a memory store). */
  constructor(post: (event: FromWorker, transfer?: Transferable[]) => void, openStorage = openSlotStorage) {
    this.post = post;
    this.openStorage = openStorage;
  }

  private open() {
    this.opened ??= this.openStorage().then(({ storage, kind, reason }) => ({ slots: storage && new CheckpointSlots(storage, estimateStorage), kind, reason }));
    return this.opened;
  }

  /** Answers findUnfinishedRun. A slot that cannot be read is reported as a note, never loaded. */
  async find(): Promise<void> {
    const { slots, kind, reason } = await this.open();
    let run: Extract<FromWorker, { type: 'unfinishedRunFound' }>['run'] = null;
    let note = reason;
    if (slots) {
      try {
        const stored = await slots.latest();
        if (stored) run = { info: stored.info, slot: stored.slot, storage: kind, notes: stored.notes, datasetKept: (await this.keptData(stored.info)) !== null };
      } catch (err) {
        note = `${reason} The stored checkpoint could not be read: ${toErrorData(err).message}`;
      }
    }
    this.post({ type: 'unfinishedRunFound', run, storage: kind, storageNote: note });
  }

  /** The stored checkpoint of run `runId` (the newest slot that decodes). */
  async load(runId: string): Promise<StoredCheckpoint> {
    const { slots } = await this.open();
    const stored = slots ? await slots.latest() : null;
    if (stored === null || stored.info.runId !== runId) {
      throw new LayerwiseError('CHECKPOINT_NOT_FOUND', 'The checkpoint of this run is no longer available (the browser evicted it, another tab replaced it, or it was discarded).');
    }
    this.latest = { runId, step: stored.info.step, files: stored.files };
    return stored;
  }

  /**
   * The copies of the run's dataset files, when every one is kept whole (the same fingerprint as the file the run
   * trained on), else null: a copy cut short by a reload or damaged is never read.
   */
  async keptData(info: RunCheckpointInfo): Promise<KeptData | null> {
    await this.copying;
    const { slots } = await this.open();
    if (slots === null) return null;
    const kept = async (role: 'train' | 'validation'): Promise<SourceFile | null> => {
      const want = info.dataset[role];
      if (want === null) return null;
      const copy = await slots.readData(role, want.name).catch(() => null);
      if (copy === null) throw new Error('missing');
      const have = await fingerprintFile(copy);
      if (have.size !== want.size || have.hash !== want.hash) throw new Error('damaged');
      return copy;
    };
    try {
      const train = await kept('train');
      return train === null ? null : { train, validation: await kept('validation') };
    } catch {
      return null;
    }
  }

  /** Copies a new run's dataset files beside its checkpoints (in the background; datasetKept says how it went). */
  keepData(runId: string, files: KeptData): void {
    const discards = this.discards;
    this.copying = this.copying.then(async () => {
      const { slots } = await this.open();
      if (slots === null || discards !== this.discards) return;
      const names = [files.train.name, ...(files.validation ? [files.validation.name] : [])];
      try {
        await slots.keepData(files);
        if (discards !== this.discards) {
          await slots.removeData();
          return;
        }
        this.post({ type: 'datasetKept', runId, files: names, error: null });
      } catch (err) {
        this.post({ type: 'datasetKept', runId, files: names, error: toErrorData(err) });
      }
    });
  }

  /** Empties both slots (and the dataset copies). */
  async discard(runId: string | null): Promise<void> {
    this.discards++;
    const { slots } = await this.open();
    await slots?.clear();
    if (runId === null || this.latest?.runId === runId) this.latest = null;
  }

  /** A fresh run's checkpointer: the slots are emptied first (they hold one run). */
  async forNewRun(identity: RunIdentity): Promise<RunCheckpointer> {
    await this.discard(null).catch(() => undefined);
    return this.checkpointer(identity);
  }

  checkpointer(identity: RunIdentity): RunCheckpointer {
    const { runId } = identity;
    return {
      save: async (checkpoint, steps, totalSteps, trainedMs) => {
        const step = checkpoint.progress.step;
        const files = encodeCheckpoint(checkpoint);
        this.latest = { runId, step, files };
        try {
          const { slots, kind } = await this.open();
          if (slots === null) return;
          const info: RunCheckpointInfo = { ...identity, step, totalSteps, savedAt: Date.now(), trainedMs };
          const saved = await slots.save(files, { info, steps });
          this.post({ type: 'checkpointSaved', runId, step, slot: saved.slot, bytes: saved.bytes, storage: kind });
        } catch (err) {
          this.post({ type: 'checkpointFailed', runId, step, error: toErrorData(err) });
        }
      },
      discard: async () => {
        await this.discard(runId).catch(() => undefined);
      },
      keep: () => this.find(),
    };
  }

  /** Answers downloadCheckpoint: this worker's latest checkpoint, else the stored one. */
  async download(requestId: number): Promise<void> {
    try {
      let latest = this.latest;
      if (latest === null) {
        const { slots } = await this.open();
        const stored = slots ? await slots.latest() : null;
        if (stored === null) throw new LayerwiseError('CHECKPOINT_NOT_FOUND', 'There is no checkpoint to download: no run has saved one yet.');
        latest = { runId: stored.info.runId, step: stored.info.step, files: stored.files };
      }
      const folder = `layerwise-checkpoint-step-${latest.step}`;
      const zip = zipSync({ [folder]: { [SLOT_FILES.manifest]: new TextEncoder().encode(latest.files.manifest), [SLOT_FILES.tensors]: latest.files.tensors } }, { level: 0 });
      const buffer = zip.buffer as ArrayBuffer;
      this.post({ type: 'checkpointDownloaded', requestId, fileName: `${folder}.zip`, step: latest.step, zip: buffer }, [buffer]);
    } catch (err) {
      this.post({ type: 'checkpointDownloadFailed', requestId, error: toErrorData(err) });
    }
  }
}
