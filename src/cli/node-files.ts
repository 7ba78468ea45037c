// Node adapters: a file or folder on disk as SourceFile / SourceFolder.
import { openSync, readSync, closeSync, statSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SourceFile, SourceFolder } from '../formats/source-file';

export function nodeFile(path: string): SourceFile {
  const size = statSync(path).size;
  return {
    name: basename(path),
    size,
    slice: async (start, end) => {
      const len = Math.max(0, Math.min(end, size) - start);
      const out = new Uint8Array(len);
      const fd = openSync(path, 'r');
      try {
        let done = 0;
        while (done < len) {
          const n = readSync(fd, out, done, len - done, start + done);
          if (n === 0) break;
          done += n;
        }
      } finally {
        closeSync(fd);
      }
      return out;
    },
  };
}

/** Every regular file directly inside dir, by name. */
export function nodeFolder(dir: string): SourceFolder {
  const folder: SourceFolder = new Map();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) folder.set(entry.name, nodeFile(join(dir, entry.name)));
  }
  return folder;
}
