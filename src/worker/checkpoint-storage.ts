// The two places a browser can keep the studio's checkpoint slots (RELIABILITY F14): the origin private file system
// with sync access handles (a worker-only API, missing in older Safari and some engines), else IndexedDB under the
// same slot protocol (checkpoint-slots.ts). A failed IndexedDB request closes the database, which the next request
// opens again (Firefox can wedge a connection after a quota error, F11).
import { blobFile, type SourceFile } from '../formats/source-file';
import type { CheckpointSlot, CheckpointStorageKind } from '../protocol/run-checkpoint';
import { DATA_COPY_CHUNK, type DataRole, type EstimateStorage, type SlotFileName, type SlotStorage } from './checkpoint-slots';

const OPFS_FOLDER = 'layerwise-checkpoints';
const DB_NAME = 'layerwise-checkpoints';
const STORE = 'files';

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'NotFoundError';
}

class OpfsSlots implements SlotStorage {
  readonly kind = 'opfs';
  private readonly root: FileSystemDirectoryHandle;

  constructor(root: FileSystemDirectoryHandle) {
    this.root = root;
  }

  private folder(slot: CheckpointSlot): Promise<FileSystemDirectoryHandle> {
    return this.root.getDirectoryHandle(slot, { create: true });
  }

  async write(slot: CheckpointSlot, file: SlotFileName, bytes: Uint8Array): Promise<void> {
    const handle = await (await this.folder(slot)).getFileHandle(file, { create: true });
    const access = await handle.createSyncAccessHandle();
    try {
      access.truncate(0);
      let at = 0;
      while (at < bytes.byteLength) at += access.write(bytes.subarray(at), { at });
      access.flush();
    } finally {
      access.close();
    }
  }

  async read(slot: CheckpointSlot, file: SlotFileName): Promise<SourceFile | null> {
    try {
      const handle = await (await this.folder(slot)).getFileHandle(file);
      return blobFile(file, await handle.getFile());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async remove(slot: CheckpointSlot, file: SlotFileName): Promise<void> {
    try {
      await (await this.folder(slot)).removeEntry(file);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async writeData(role: DataRole, file: SourceFile): Promise<void> {
    const handle = await (await this.root.getDirectoryHandle('data', { create: true })).getFileHandle(role, { create: true });
    const access = await handle.createSyncAccessHandle();
    try {
      access.truncate(0);
      for (let at = 0; at < file.size; at += DATA_COPY_CHUNK) {
        const bytes = await file.slice(at, Math.min(file.size, at + DATA_COPY_CHUNK));
        let done = 0;
        while (done < bytes.byteLength) done += access.write(bytes.subarray(done), { at: at + done });
      }
      access.flush();
    } finally {
      access.close();
    }
  }

  async readData(role: DataRole, name: string): Promise<SourceFile | null> {
    try {
      const handle = await (await this.root.getDirectoryHandle('data')).getFileHandle(role);
      return blobFile(name, await handle.getFile());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async removeData(role: DataRole): Promise<void> {
    try {
      await (await this.root.getDirectoryHandle('data')).removeEntry(role);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

class IndexedDbSlots implements SlotStorage {
  readonly kind = 'indexeddb';
  private opening: Promise<IDBDatabase> | null = null;
  private readonly factory: IDBFactory;

  constructor(factory: IDBFactory) {
    this.factory = factory;
  }

  private open(): Promise<IDBDatabase> {
    this.opening ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = this.factory.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => this.reset(db);
        resolve(db);
      };
      request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    }).catch((err: unknown) => {
      this.opening = null;
      throw err;
    });
    return this.opening;
  }

  private reset(db: IDBDatabase): void {
    db.close();
    this.opening = null;
  }

  private async request<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.open();
    return new Promise<T>((resolve, reject) => {
      const fail = (err: DOMException | null) => {
        this.reset(db);
        reject(err ?? new Error('IndexedDB transaction failed'));
      };
      try {
        const tx = db.transaction(STORE, mode, { durability: 'strict' });
        const request = work(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => fail(tx.error ?? request.error);
        tx.onabort = () => fail(tx.error);
      } catch (err) {
        fail(err as DOMException);
      }
    });
  }

  async write(slot: CheckpointSlot, file: SlotFileName, bytes: Uint8Array): Promise<void> {
    await this.request('readwrite', (s) => s.put(new Blob([bytes as Uint8Array<ArrayBuffer>]), `${slot}/${file}`));
  }

  async read(slot: CheckpointSlot, file: SlotFileName): Promise<SourceFile | null> {
    const blob = (await this.request('readonly', (s) => s.get(`${slot}/${file}`))) as Blob | undefined;
    return blob === undefined ? null : blobFile(file, blob);
  }

  async remove(slot: CheckpointSlot, file: SlotFileName): Promise<void> {
    await this.request('readwrite', (s) => s.delete(`${slot}/${file}`));
  }

  async writeData(role: DataRole, file: SourceFile): Promise<void> {
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for (let at = 0; at < file.size; at += DATA_COPY_CHUNK) parts.push((await file.slice(at, Math.min(file.size, at + DATA_COPY_CHUNK))).slice());
    await this.request('readwrite', (s) => s.put(new Blob(parts), `data/${role}`));
  }

  async readData(role: DataRole, name: string): Promise<SourceFile | null> {
    const blob = (await this.request('readonly', (s) => s.get(`data/${role}`))) as Blob | undefined;
    return blob === undefined ? null : blobFile(name, blob);
  }

  async removeData(role: DataRole): Promise<void> {
    await this.request('readwrite', (s) => s.delete(`data/${role}`));
  }
}

/** OPFS with sync access handles where the browser has them, else IndexedDB, else none (and why). */
export async function openSlotStorage(): Promise<{ storage: SlotStorage | null; kind: CheckpointStorageKind; reason: string }> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  const syncHandles = typeof FileSystemFileHandle !== 'undefined' && 'createSyncAccessHandle' in FileSystemFileHandle.prototype;
  if (storage && typeof storage.getDirectory === 'function' && syncHandles) {
    try {
      const root = await (await storage.getDirectory()).getDirectoryHandle(OPFS_FOLDER, { create: true });
      return { storage: new OpfsSlots(root), kind: 'opfs', reason: 'Checkpoints are kept in the browser’s private file system (OPFS).' };
    } catch {
      // Some browsers refuse OPFS in private windows: IndexedDB may still work.
    }
  }
  if (typeof indexedDB !== 'undefined') {
    return { storage: new IndexedDbSlots(indexedDB), kind: 'indexeddb', reason: 'This browser has no OPFS sync access handles: checkpoints are kept in IndexedDB.' };
  }
  return { storage: null, kind: 'none', reason: 'This browser offers neither OPFS nor IndexedDB to the engine: runs are not checkpointed and cannot be resumed after a reload.' };
}

export const estimateStorage: EstimateStorage = async () => {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage || typeof storage.estimate !== 'function') return null;
  const e = await storage.estimate();
  return e.usage !== undefined && e.quota !== undefined ? { usage: e.usage, quota: e.quota } : null;
};
