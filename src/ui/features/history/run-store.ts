// Runs kept in IndexedDB, in the manner of idb-keyval (a promise per request, one object store): one database
// "layerwise", one store "runs" keyed by run id. Small by design: put, list, delete. A failed open is retried on
// the next call (a browser may refuse IndexedDB in private windows).
import type { RunRecord } from '../../store/history-slice';

const DB_NAME = 'layerwise';
const DB_VERSION = 1;
const STORE = 'runs';

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrading the database asks this one to let go.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  }).catch((err: unknown) => {
    opening = null;
    throw err;
  });
  return opening;
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export function putRun(run: RunRecord): Promise<IDBValidKey> {
  return withStore('readwrite', (s) => s.put(run));
}

export function listRuns(): Promise<RunRecord[]> {
  return withStore('readonly', (s) => s.getAll() as IDBRequest<RunRecord[]>);
}

export function deleteRun(id: string): Promise<undefined> {
  return withStore('readwrite', (s) => s.delete(id));
}
