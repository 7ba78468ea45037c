// Files dropped onto the page: loose files, or a whole folder walked through the File and Directory Entries API.
// Entries must be taken synchronously inside the drop event (the DataTransfer empties afterwards); reading is async.
import type { PickedFile } from './model-folder-pick';

/** A checkpoint sits at most a few folders down; deeper walks are skipped rather than read without bound. */
const MAX_DEPTH = 3;
const MAX_FILES = 10_000;

export type DropSource = { entries: FileSystemEntry[] } | { files: File[] };

/** Call inside the drop handler. */
export function takeDrop(data: DataTransfer): DropSource {
  const entries: FileSystemEntry[] = [];
  for (const item of data.items) {
    const entry = item.kind === 'file' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
  }
  return entries.length > 0 ? { entries } : { files: [...data.files] };
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** readEntries returns a batch at a time (100 in Chromium) until it returns none. */
async function childrenOf(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0 || all.length + batch.length > MAX_FILES) return all.concat(batch.slice(0, MAX_FILES - all.length));
    all.push(...batch);
  }
}

export async function readDrop(drop: DropSource): Promise<PickedFile[]> {
  if ('files' in drop) return drop.files.map((file) => ({ path: file.name, file }));
  const picked: PickedFile[] = [];
  async function walk(entry: FileSystemEntry, prefix: string, level: number): Promise<void> {
    if (picked.length >= MAX_FILES) return;
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isFile) {
      picked.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    } else if (entry.isDirectory && level < MAX_DEPTH) {
      for (const child of await childrenOf(entry as FileSystemDirectoryEntry)) await walk(child, path, level + 1);
    }
  }
  for (const entry of drop.entries) await walk(entry, '', 0);
  return picked;
}
