// The CLI's Hub cache: one folder per model revision, laid out like huggingface_hub's cache
// (`<endpoint>/models--owner--name/<revision>/`), holding the files themselves so that a command can open the
// folder as a checkpoint. ETags and the manifest of the last complete download live in `.layerwise/meta.json`.
import { existsSync, openAsBlob, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { HubCache, HubCacheKey } from '../formats/hub';
import { isPlainFileName, type HubRef } from '../formats/hub-ids';

const META_DIR = '.layerwise';
const META_FILE = 'meta.json';

interface Meta {
  files: Record<string, { etag: string | null; size: number }>;
  /** The files of the last complete download; null while a download is being stored. */
  manifest: string[] | null;
}

/** $LAYERWISE_CACHE, else $XDG_CACHE_HOME/layerwise/hub, else ~/.cache/layerwise/hub. */
export function defaultHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAYERWISE_CACHE) return env.LAYERWISE_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'layerwise', 'hub');
}

export interface DirHubCache extends HubCache {
  /** The folder that holds the files of a revision (a checkpoint folder once a download is complete). */
  folderOf(ref: HubRef): string;
}

/** Every part of the path comes from a validated ref (hub-ids.ts), percent-encoded where it could hold "/" or ":". */
export function dirHubCache(root: string): DirHubCache {
  const folderOf = (ref: HubRef) =>
    join(root, encodeURIComponent(ref.endpoint.replace(/^https:\/\//, '')), `models--${ref.id.replace('/', '--')}`, encodeURIComponent(ref.revision));
  const metaPath = (ref: HubRef) => join(folderOf(ref), META_DIR, META_FILE);

  async function readMeta(ref: HubRef): Promise<Meta> {
    try {
      const meta = JSON.parse(await readFile(metaPath(ref), 'utf8')) as Partial<Meta>;
      return { files: meta.files ?? {}, manifest: Array.isArray(meta.manifest) ? meta.manifest : null };
    } catch {
      return { files: {}, manifest: null };
    }
  }

  /** Written to a temporary name and renamed, so a reader never sees half a file. */
  async function writeAtomic(path: string, dir: string, data: Uint8Array | string): Promise<void> {
    const tmp = join(dir, META_DIR, `tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
    await mkdir(join(dir, META_DIR), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  }

  const writeMeta = (ref: HubRef, meta: Meta) => writeAtomic(metaPath(ref), folderOf(ref), JSON.stringify(meta, null, 2));

  return {
    folderOf,
    async get(key: HubCacheKey) {
      const entry = (await readMeta(key)).files[key.file];
      const path = join(folderOf(key), key.file);
      if (!entry || !isPlainFileName(key.file) || !existsSync(path) || statSync(path).size !== entry.size) return null;
      return { blob: await openAsBlob(path), etag: entry.etag };
    },
    async put(key: HubCacheKey, blob: Blob, etag: string | null) {
      const meta = await readMeta(key);
      // Until putManifest, the folder may mix this download with the last one: no manifest, no offline use.
      meta.manifest = null;
      await writeMeta(key, meta);
      await writeAtomic(join(folderOf(key), key.file), folderOf(key), new Uint8Array(await blob.arrayBuffer()));
      meta.files[key.file] = { etag, size: blob.size };
      await writeMeta(key, meta);
    },
    async getManifest(ref: HubRef) {
      return (await readMeta(ref)).manifest;
    },
    async putManifest(ref: HubRef, files: string[]) {
      const meta = await readMeta(ref);
      // Files of an older version of the revision (a tokenizer file since removed) would join the checkpoint.
      const keep = new Set(files);
      await mkdir(folderOf(ref), { recursive: true });
      for (const entry of await readdir(folderOf(ref), { withFileTypes: true })) {
        if (entry.isFile() && !keep.has(entry.name)) await rm(join(folderOf(ref), entry.name));
      }
      for (const name of Object.keys(meta.files)) if (!keep.has(name)) delete meta.files[name];
      meta.manifest = [...files];
      await writeMeta(ref, meta);
    },
  };
}
