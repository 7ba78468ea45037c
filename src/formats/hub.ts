// Downloads a checkpoint from the Hugging Face Hub by model id and revision (the files transformers'
// from_pretrained fetches: config.json, model.safetensors or its index and shards, the tokenizer files), with byte
// progress, safetensors headers checked as their first bytes arrive, and a pluggable cache that serves a complete
// earlier download when the network fails. fetch-based, no node:* and no DOM-only APIs: the worker and the CLI share it.
import { LayerwiseError } from '../lib/errors';
import { DEFAULT_HUB_REVISION, hubModelLabel, type HubNote, type HubProgress } from '../protocol/hub';
import { hubFileUrl, hubRef, isCommitRevision, isPlainFileName, type HubRef } from './hub-ids';
import { parseSafetensorsIndex } from './safetensors-index';
import { checkHeaderSoFar } from './safetensors-stream';
import { blobFile, type SourceFolder } from './source-file';

export const HUB_CONFIG_FILE = 'config.json';
export const HUB_WEIGHTS_FILE = 'model.safetensors';
export const HUB_WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';
/** Tokenizer files fetched when the repository has them (formats/tokenizer.ts reads them). */
export const HUB_TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.txt',
  'vocab.json',
  'merges.txt',
] as const;
/** More shards than this in an index is refused before any shard is requested. */
export const MAX_HUB_SHARDS = 1000;

/** A cache entry's key: the model revision, the file, and its resolve URL (which holds both). */
export interface HubCacheKey extends HubRef {
  file: string;
  url: string;
}

export interface HubCachedFile {
  blob: Blob;
  /** The ETag the server sent with it, to tell whether the Hub's copy changed. */
  etag: string | null;
}

/** Where downloads are kept: the Cache API in the browser (worker/hub-cache.ts), a folder for the CLI (cli/hub-cache.ts). */
export interface HubCache {
  get(key: HubCacheKey): Promise<HubCachedFile | null>;
  /** Stores one file; until the next putManifest the revision has no manifest (a half-stored copy is never served). */
  put(key: HubCacheKey, blob: Blob, etag: string | null): Promise<void>;
  /** The file names of the last complete download of this revision, or null. */
  getManifest(ref: HubRef): Promise<string[] | null>;
  /** Written after every file of a download is stored, so a manifest always names a complete copy. */
  putManifest(ref: HubRef, files: string[]): Promise<void>;
}

export interface HubOptions {
  /** Default https://huggingface.co; a mirror may add a path prefix. */
  endpoint?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (progress: HubProgress) => void;
  cache?: HubCache | null;
}

export interface HubFile {
  name: string;
  blob: Blob;
  /** The resolve URL it was (or would have been) downloaded from. */
  url: string;
  /** The ETag sent with it, kept with the cached copy. */
  etag: string | null;
  fromCache: boolean;
}

export interface HubModel extends HubRef {
  /** Every file by name, in the order config, tokenizer, weights: what loadModelFolder takes. */
  folder: SourceFolder;
  files: HubFile[];
  notes: HubNote[];
}

/** The network failed, or the server failed (5xx): the cached copy may stand in. */
class Unreachable extends Error {
  readonly url: string;
  constructor(url: string, reason: string) {
    super(reason);
    this.url = url;
  }
}

const reasonOf = (err: unknown) => (err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err));

/** Content-Length when it is a plain byte count; Content-Encoding (when visible) makes it the encoded size. */
function contentLength(res: Response): number | null {
  const encoding = res.headers.get('content-encoding');
  if (encoding !== null && encoding !== 'identity') return null;
  const value = res.headers.get('content-length');
  if (value === null || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** How a missing file is taken: config.json must exist, a tokenizer file may be absent, a shard is named by the index. */
type Need = 'config' | 'optional' | 'weights' | 'shard';

class HubDownload {
  readonly ref: HubRef;
  readonly label: string;
  readonly notes: HubNote[] = [];
  private readonly fetch: typeof fetch;
  private readonly cache: HubCache | null;
  private readonly onProgress: (p: HubProgress) => void;
  private readonly userSignal: AbortSignal | undefined;
  private readonly controller = new AbortController();
  private readonly sizes = new Map<string, { loaded: number; total: number | null; done: boolean }>();

  constructor(ref: HubRef, opts: HubOptions) {
    this.ref = ref;
    this.label = hubModelLabel(ref.id, ref.revision);
    this.fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.cache = opts.cache ?? null;
    this.onProgress = opts.onProgress ?? (() => {});
    this.userSignal = opts.signal;
    const signal = opts.signal;
    if (signal?.aborted) this.controller.abort(signal.reason);
    signal?.addEventListener('abort', () => this.controller.abort(signal.reason), { once: true });
  }

  private key(file: string): HubCacheKey {
    return { ...this.ref, file, url: hubFileUrl(this.ref, file) };
  }

  private report(file: string, loaded: number, total: number | null, done: boolean, fromCache: boolean): void {
    this.sizes.set(file, { loaded, total, done });
    let all = 0;
    let sum: number | null = 0;
    let filesDone = 0;
    for (const s of this.sizes.values()) {
      all += s.loaded;
      sum = sum === null || s.total === null ? null : sum + s.total;
      if (s.done) filesDone++;
    }
    this.onProgress({ file, fileLoaded: loaded, fileTotal: total, fileDone: done, fromCache, loaded: all, total: sum, filesDone, filesTotal: this.sizes.size });
  }

  private cancelled(): LayerwiseError {
    return new LayerwiseError('HUB_CANCELLED', `The download of ${this.label} was cancelled.`);
  }

  /** Stops the downloads still running once one has failed. */
  stop(): void {
    this.controller.abort();
  }

  /** Waits for every download; the first failure stops the others. */
  async all<T>(downloads: Promise<T>[]): Promise<T[]> {
    try {
      return await Promise.all(downloads);
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  private async request(url: string, method: 'GET' | 'HEAD'): Promise<Response> {
    if (this.userSignal?.aborted) throw this.cancelled();
    try {
      // No cookies and no referrer: the Hub learns which file is asked for, not which page asks.
      return await this.fetch(url, { method, signal: this.controller.signal, credentials: 'omit', referrerPolicy: 'no-referrer' });
    } catch (err) {
      if (this.userSignal?.aborted) throw this.cancelled();
      throw new Unreachable(url, reasonOf(err));
    }
  }

  private httpError(res: Response, url: string, file: string, need: Need): Error {
    // The Hub says why in X-Error-Code (huggingface_hub's hf_raise_for_status reads it too).
    const hubCode = res.headers.get('x-error-code');
    const where = { file: url };
    if (res.status >= 500) return new Unreachable(url, `the server answered ${res.status} ${res.statusText}`.trim());
    if (res.status === 401 || res.status === 403) {
      const what =
        hubCode === 'GatedRepo'
          ? 'gated: its authors ask each user to accept their conditions while logged in'
          : hubCode === 'RepoNotFound'
            ? 'private or does not exist (without a token the Hub answers 401 for both)'
            : 'gated or private';
      return new LayerwiseError(
        'HUB_GATED_OR_PRIVATE',
        `${url} answered ${res.status}: ${this.ref.id} is ${what}. Layerwise sends no access token: download it with an account ` +
          'that has access, then open the folder.',
        where,
      );
    }
    if (res.status === 404 && need === 'config') {
      const what =
        hubCode === 'RevisionNotFound'
          ? `revision "${this.ref.revision}" of ${this.ref.id} does not exist`
          : hubCode === 'RepoNotFound'
            ? `model ${this.ref.id} does not exist`
            : hubCode === 'EntryNotFound'
              ? `${this.label} has no config.json, so it is not a transformers model`
              : `model ${this.ref.id} or its revision "${this.ref.revision}" was not found`;
      return new LayerwiseError('HUB_NOT_FOUND', `${url} answered 404: ${what}.`, where);
    }
    if (res.status === 404 && need === 'shard') {
      return new LayerwiseError(
        'SAFETENSORS_INDEX_MISSING_SHARD',
        `${url} answered 404: ${HUB_WEIGHTS_INDEX_FILE} of ${this.label} names shard ${file}, which the repository does not have.`,
        where,
      );
    }
    return new LayerwiseError('HUB_HTTP_ERROR', `${url} answered ${res.status} ${res.statusText}`.trim() + '.', where);
  }

  /** One file; null for an absent optional file (404). A cached copy with the same ETag is used without its body. */
  async file(name: string, need: Need): Promise<HubFile | null> {
    const key = this.key(name);
    const res = await this.request(key.url, 'GET');
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      if (res.status === 404 && (need === 'optional' || need === 'weights')) return null;
      throw this.httpError(res, key.url, name, need);
    }
    const etag = res.headers.get('etag');
    const cached = etag !== null && this.cache ? await this.cache.get(key) : null;
    if (cached && cached.etag === etag) {
      await res.body?.cancel().catch(() => {});
      this.report(name, cached.blob.size, cached.blob.size, true, true);
      return { name, blob: cached.blob, url: key.url, etag, fromCache: true };
    }
    const blob = await this.body(res, name, contentLength(res), name.endsWith('.safetensors'));
    return { name, blob, url: key.url, etag, fromCache: false };
  }

  private async body(res: Response, name: string, total: number | null, safetensors: boolean): Promise<Blob> {
    const chunks: Uint8Array[] = [];
    let received = 0;
    let checked = !safetensors || total === null;
    this.report(name, 0, total, false, false);
    const reader = res.body?.getReader();
    try {
      for (;;) {
        const next = reader ? await reader.read() : ({ done: true } as const);
        if (next.done) break;
        chunks.push(next.value);
        received += next.value.byteLength;
        this.report(name, received, total, false, false);
        if (!checked) checked = await checkHeaderSoFar(name, chunks, received, total as number);
      }
    } catch (err) {
      await reader?.cancel().catch(() => {});
      if (err instanceof LayerwiseError) throw err;
      if (this.userSignal?.aborted) throw this.cancelled();
      throw new Unreachable(this.key(name).url, `the download of ${name} broke off: ${reasonOf(err)}`);
    }
    this.report(name, received, received, true, false);
    return new Blob(chunks as BlobPart[]);
  }

  /** Whether the repository has the file, without downloading it (HEAD). */
  async exists(name: string): Promise<boolean> {
    const res = await this.request(this.key(name).url, 'HEAD');
    return res.ok;
  }

  /** Every file of the last complete download, from the cache; null when there is none or part of it was evicted. */
  async fromCache(): Promise<HubFile[] | null> {
    if (!this.cache) return null;
    const names = await this.cache.getManifest(this.ref);
    if (names === null) return null;
    const files: HubFile[] = [];
    for (const name of names) {
      if (!isPlainFileName(name)) return null;
      const key = this.key(name);
      const hit = await this.cache.get(key);
      if (!hit) return null;
      files.push({ name, blob: hit.blob, url: key.url, etag: hit.etag, fromCache: true });
    }
    // A failed download may have reported part of a file: the progress starts again from the cache.
    this.sizes.clear();
    for (const f of files) this.report(f.name, f.blob.size, f.blob.size, true, true);
    return files;
  }

  /** Stores what came from the network, then the manifest; a cache that cannot store is a note, not an error. */
  async store(files: readonly HubFile[]): Promise<void> {
    if (!this.cache) return;
    try {
      for (const f of files) if (!f.fromCache) await this.cache.put(this.key(f.name), f.blob, f.etag);
      await this.cache.putManifest(this.ref, files.map((f) => f.name));
    } catch (err) {
      this.notes.push({
        level: 'warning',
        code: 'HUB_NOT_CACHED',
        message: `The download could not be stored on this device (${reasonOf(err)}): it is loaded now, but will not be available offline.`,
      });
    }
  }
}

/** The shard files a downloaded index names, each a plain *.safetensors name in the same folder. */
async function shardNames(index: HubFile): Promise<string[]> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(await index.blob.arrayBuffer());
  } catch {
    throw new LayerwiseError('SAFETENSORS_INDEX_INVALID', `${HUB_WEIGHTS_INDEX_FILE} is not UTF-8 text`, { file: index.url });
  }
  const { shards, weightMap } = parseSafetensorsIndex(text, HUB_WEIGHTS_INDEX_FILE);
  if (shards.length > MAX_HUB_SHARDS) {
    throw new LayerwiseError('HUB_TOO_MANY_SHARDS', `${HUB_WEIGHTS_INDEX_FILE} names ${shards.length} shards; at most ${MAX_HUB_SHARDS} are downloaded`, {
      file: index.url,
    });
  }
  for (const shard of shards) {
    if (!isPlainFileName(shard) || !shard.endsWith('.safetensors') || shard === HUB_WEIGHTS_FILE) {
      const tensor = [...weightMap].find(([, s]) => s === shard)?.[0];
      throw new LayerwiseError(
        'HUB_BAD_SHARD_NAME',
        `${HUB_WEIGHTS_INDEX_FILE} names shard ${JSON.stringify(shard)}: a shard must be a *.safetensors file name in the model's folder, not a path`,
        { file: HUB_WEIGHTS_INDEX_FILE, tensor },
      );
    }
  }
  return shards;
}

/** No safetensors weights: a repository with pickle weights only gets the loader's CHECKPOINT_PYTORCH_ONLY. */
async function refuseNoSafetensors(dl: HubDownload): Promise<never> {
  for (const pickle of ['pytorch_model.bin', 'pytorch_model.bin.index.json']) {
    if (await dl.exists(pickle)) {
      throw new LayerwiseError(
        'CHECKPOINT_PYTORCH_ONLY',
        `${dl.label} has PyTorch pickle weights (${pickle}) but no model.safetensors; this app never executes pickle. Look for a ` +
          'revision with safetensors weights (the Hub\'s conversion bot opens them as refs/pr/N), or convert them with ' +
          '`model.save_pretrained(dir, safe_serialization=True)` in transformers and open the folder.',
        { file: pickle },
      );
    }
  }
  throw new LayerwiseError('CHECKPOINT_NO_WEIGHTS', `${dl.label} has neither ${HUB_WEIGHTS_FILE} nor ${HUB_WEIGHTS_INDEX_FILE}`, {
    file: hubFileUrl(dl.ref, HUB_WEIGHTS_FILE),
  });
}

async function download(dl: HubDownload): Promise<HubFile[]> {
  // config.json first: it alone tells a missing model or revision apart before anything else is asked for.
  const config = (await dl.file(HUB_CONFIG_FILE, 'config')) as HubFile;
  const [weights, ...tokenizer] = await dl.all([dl.file(HUB_WEIGHTS_FILE, 'weights'), ...HUB_TOKENIZER_FILES.map((n) => dl.file(n, 'optional'))]);
  const present = tokenizer.filter((f): f is HubFile => f !== null);
  if (weights) return [config, ...present, weights];
  const index = await dl.file(HUB_WEIGHTS_INDEX_FILE, 'weights');
  if (!index) return refuseNoSafetensors(dl);
  const shards = await dl.all((await shardNames(index)).map((s) => dl.file(s, 'shard')));
  return [config, ...present, index, ...(shards as HubFile[])];
}

function hubModel(dl: HubDownload, files: HubFile[]): HubModel {
  return { ...dl.ref, folder: new Map(files.map((f) => [f.name, blobFile(f.name, f.blob)])), files, notes: dl.notes };
}

/**
 * Downloads `id` at `revision` (validated first: a bad id or revision makes no request). Files already cached with
 * the same ETag are read from the cache; a full commit hash whose files are all cached makes no request at all.
 * When the network or the server fails, a complete cached copy is served with a HUB_SERVED_FROM_CACHE note.
 */
export async function resolveHubFiles(id: string, revision: string = DEFAULT_HUB_REVISION, opts: HubOptions = {}): Promise<HubModel> {
  const ref = hubRef(id, revision, opts.endpoint);
  const dl = new HubDownload(ref, opts);
  if (isCommitRevision(ref.revision)) {
    const cached = await dl.fromCache();
    if (cached) {
      dl.notes.push({ level: 'info', code: 'HUB_FROM_CACHE', message: `${dl.label} names a commit, whose files never change: read from this device's cache.` });
      return hubModel(dl, cached);
    }
  }
  let files: HubFile[];
  try {
    files = await download(dl);
  } catch (err) {
    dl.stop();
    if (!(err instanceof Unreachable)) throw err;
    const cached = await dl.fromCache();
    if (!cached) {
      throw new LayerwiseError(
        'HUB_OFFLINE',
        `Could not reach ${err.url} (${err.message}). This device may be offline, or ${ref.endpoint} unreachable or not allowed by the ` +
          `page's Content-Security-Policy; no copy of ${dl.label} is cached here.`,
        { file: err.url },
      );
    }
    dl.notes.push({
      level: 'warning',
      code: 'HUB_SERVED_FROM_CACHE',
      message: `Could not reach ${err.url} (${err.message}): loaded the copy of ${dl.label} cached on this device by an earlier download; the Hub's may be newer.`,
    });
    return hubModel(dl, cached);
  }
  const reused = files.filter((f) => f.fromCache).map((f) => f.name);
  if (reused.length > 0) {
    dl.notes.push({ level: 'info', code: 'HUB_CACHE_REUSED', message: `Unchanged on the Hub since the last download (same ETag), read from this device's cache: ${reused.join(', ')}.` });
  }
  await dl.store(files);
  return hubModel(dl, files);
}
