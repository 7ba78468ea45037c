// An in-memory SlotStorage for the tests of the checkpoint slots and the studio: files by "slot/name" (the dataset
// copies by "data/role"), and a write that fails on demand as a full quota or a torn write does. A file read from it
// is a snapshot that can no longer be read once its entry is removed or written again, as OPFS's File does
// (NotFoundError, NotReadableError).
import { readAll, type SourceFile } from '../../src/formats/source-file';
import type { CheckpointSlot } from '../../src/protocol/run-checkpoint';
import type { DataRole, SlotFileName, SlotStorage } from '../../src/worker/checkpoint-slots';

/** The entry `key` as read now: reading it fails once the entry is gone or replaced. */
function snapshot(files: Map<string, Uint8Array>, key: string, name: string): SourceFile | null {
  const bytes = files.get(key);
  if (bytes === undefined) return null;
  return {
    name,
    size: bytes.byteLength,
    slice: async (start, end) => {
      const now = files.get(key);
      if (now === undefined) throw new DOMException(`${key} was removed after it was opened`, 'NotFoundError');
      if (now !== bytes) throw new DOMException(`${key} was written after it was opened`, 'NotReadableError');
      return bytes.subarray(start, end);
    },
  };
}

/** Files by "slot/name"; `failOn` makes the next matching write reject with the given DOMException name. */
export class MemoryStorage implements SlotStorage {
  readonly kind = 'indexeddb';
  readonly files = new Map<string, Uint8Array>();
  readonly writes: string[] = [];
  failOn: { key: string; name: string } | null = null;

  async write(slot: CheckpointSlot, file: SlotFileName, bytes: Uint8Array): Promise<void> {
    const key = `${slot}/${file}`;
    if (this.failOn?.key === key) {
      const name = this.failOn.name;
      this.failOn = null;
      // Part of the file landed before the failure, as a torn write leaves it.
      this.files.set(key, bytes.slice(0, bytes.byteLength >> 1));
      throw new DOMException('write refused', name);
    }
    this.writes.push(key);
    this.files.set(key, bytes.slice());
  }

  async read(slot: CheckpointSlot, file: SlotFileName): Promise<SourceFile | null> {
    return snapshot(this.files, `${slot}/${file}`, file);
  }

  async remove(slot: CheckpointSlot, file: SlotFileName): Promise<void> {
    this.files.delete(`${slot}/${file}`);
  }

  async writeData(role: DataRole, file: SourceFile): Promise<void> {
    const key = `data/${role}`;
    const bytes = await readAll(file);
    if (this.failOn?.key === key) {
      const name = this.failOn.name;
      this.failOn = null;
      this.files.set(key, bytes.slice(0, bytes.byteLength >> 1));
      throw new DOMException('write refused', name);
    }
    this.writes.push(key);
    this.files.set(key, bytes.slice());
  }

  async readData(role: DataRole, name: string): Promise<SourceFile | null> {
    return snapshot(this.files, `data/${role}`, name);
  }

  async removeData(role: DataRole): Promise<void> {
    this.files.delete(`data/${role}`);
  }
}

