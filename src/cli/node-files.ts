// Node adapters: a file or folder on disk as SourceFile / SourceFolder.
import { openSync, readSync, closeSync, statSync, readdirSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LayerwiseError } from '../lib/errors';
import type { SourceFile, SourceFolder } from '../formats/source-file';
import { BOTTLENECK_FOLDER } from '../formats/bottleneck-adapter';

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

/**
 * A name in the folder that cannot be read as a file: a reader that opens it gets a coded error that says why,
 * instead of "no such file" (issue #15 item 8). Its size is only asked by a reader that wants the file.
 */
function unreadable(name: string, why: string): SourceFile {
  const error = () => new LayerwiseError('CHECKPOINT_FILE_UNREADABLE', `${name} is ${why}`, { file: name });
  return {
    name,
    get size(): number {
      throw error();
    },
    slice: () => Promise.reject(error()),
  };
}

/** Names a folder of a model or a tokenizer is read for: a folder by such a name is a mistake, not a subfolder. */
const FILE_LIKE = /\.(safetensors|json|txt|model|bin)$/;

/**
 * Every file directly inside dir, by name (and those of its adapter/ subfolder as "adapter/NAME"), symbolic links followed (the Hugging Face cache links snapshot files to
 * blobs). A link that loops or leads nowhere, and a folder with a file's name (model.safetensors/), are kept as
 * entries that fail with CHECKPOINT_FILE_UNREADABLE when read.
 */
export function nodeFolder(dir: string): SourceFolder {
  const folder: SourceFolder = new Map();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isFile()) {
      folder.set(entry.name, nodeFile(full));
      continue;
    }
    if (entry.isDirectory()) {
      if (FILE_LIKE.test(entry.name)) folder.set(entry.name, unreadable(entry.name, `a folder, not a file (in ${dir})`));
      // A model's bottleneck adapter (formats/bottleneck-adapter.ts): its files as "adapter/adapter_config.json", ...
      else if (entry.name === BOTTLENECK_FOLDER) {
        for (const [name, file] of nodeFolder(full)) if (!name.includes('/')) folder.set(`${BOTTLENECK_FOLDER}/${name}`, file);
      }
      continue;
    }
    if (!entry.isSymbolicLink()) {
      folder.set(entry.name, unreadable(entry.name, `not a regular file (in ${dir})`));
      continue;
    }
    try {
      const target = statSync(full);
      if (target.isFile()) folder.set(entry.name, nodeFile(full));
      else if (!target.isDirectory() || FILE_LIKE.test(entry.name)) folder.set(entry.name, unreadable(entry.name, `a link to ${readlinkSync(full)}, which is not a file (in ${dir})`));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ELOOP' ? 'a symbolic link that loops (ELOOP)' : code === 'ENOENT' ? `a symbolic link to ${readlinkSync(full)}, which does not exist` : `a symbolic link that cannot be followed (${code})`;
      folder.set(entry.name, unreadable(entry.name, `${why} (in ${dir})`));
    }
  }
  return folder;
}
