// An in-memory SlotStorage for the tests of the checkpoint slots and the studio: files by "slot/name", and a write
// that fails on demand as a full quota or a torn write does.
import { bytesFile, type SourceFile } from '../../src/formats/source-file';
import type { CheckpointSlot } from '../../src/protocol/run-checkpoint';
import type { SlotFileName, SlotStorage } from '../../src/worker/checkpoint-slots';

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
    const bytes = this.files.get(`${slot}/${file}`);
    return bytes === undefined ? null : bytesFile(file, bytes);
  }

  async remove(slot: CheckpointSlot, file: SlotFileName): Promise<void> {
    this.files.delete(`${slot}/${file}`);
  }
}

