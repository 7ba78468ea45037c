// Pushes a model folder to the Hugging Face Hub with @huggingface/hub: createRepo (an existing repository is reused),
// then one commit of every file through the Hub's commit API (preupload, the LFS batch for large files, their upload,
// the commit), with progress. The token is the user's, passed in and never stored; every request that carries it
// goes to the configured endpoint only (a request with the token to any other origin is refused before it is sent).
// fetch-based, no node:* and no DOM-only APIs: the worker and the CLI share it.
import { commitIter, createRepo, HubApiError } from '@huggingface/hub';
import { LayerwiseError } from '../lib/errors';
import { validateModelId, normaliseEndpoint } from './hub-ids';

export interface PushFile {
  /** Path in the repository ("config.json", "onnx/model.onnx"). */
  name: string;
  bytes: Uint8Array;
}

export interface PushProgress {
  phase: 'creating' | 'preuploading' | 'uploading' | 'committing' | 'done';
  /** Bytes hashed and uploaded so far, over all files (each file counts twice: hashing, then uploading). */
  done: number;
  total: number;
  /** The file the last event was about. */
  file: string | null;
}

export interface PushOptions {
  /** owner/name: the repository, created when it does not exist. */
  repo: string;
  /** A Hugging Face access token with write access ("hf_..."); used for this push only. */
  token: string;
  files: readonly PushFile[];
  /** Default https://huggingface.co. */
  endpoint?: string;
  /** Create the repository private (an existing repository keeps its visibility). */
  private?: boolean;
  commitTitle?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (p: PushProgress) => void;
}

export interface PushResult {
  /** The repository's page: {endpoint}/{repo}. */
  url: string;
  commitUrl: string;
  commitOid: string;
  /** False when the repository existed already. */
  created: boolean;
}

const TOKEN = /^hf_[A-Za-z0-9_-]{8,}$/;

/** The owner/name id of a repository to push to (validated as a download id is, and an owner is required). */
export function validatePushRepo(repo: string): string {
  const id = validateModelId(repo);
  if (!id.includes('/')) {
    throw new LayerwiseError('HUB_BAD_MODEL_ID', `${JSON.stringify(repo)} has no owner: push to owner/name (your user name or an organisation)`, { field: 'repo' });
  }
  return id;
}

/** A fetch that sends the token to the endpoint's origin only, with no cookies and no referrer. */
export function endpointOnlyFetch(endpoint: string, base: typeof fetch): typeof fetch {
  const origin = new URL(endpoint).origin;
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (headers.has('authorization') && url.origin !== origin) {
      throw new LayerwiseError('HUB_PUSH_FOREIGN_HOST', `Refused to send the access token to ${url.origin}: it goes to ${origin} only.`, { file: url.href });
    }
    return base(input, { ...init, credentials: 'omit', referrerPolicy: 'no-referrer' });
  };
}

function pushError(err: unknown, repo: string, endpoint: string): LayerwiseError {
  if (err instanceof LayerwiseError) return err;
  if (err instanceof HubApiError) {
    const where = { file: err.url };
    if (err.statusCode === 401) return new LayerwiseError('HUB_PUSH_UNAUTHORIZED', `${endpoint} did not accept the access token (401): check it, and that it is a write token.`, where);
    if (err.statusCode === 403) return new LayerwiseError('HUB_PUSH_FORBIDDEN', `The token may not write to ${repo} (403): ${err.message}`, where);
    return new LayerwiseError('HUB_PUSH_FAILED', `The Hub answered ${err.statusCode}: ${err.message}`, where);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name === 'AbortError') return new LayerwiseError('HUB_PUSH_CANCELLED', `The push to ${repo} was cancelled.`);
  return new LayerwiseError('HUB_PUSH_OFFLINE', `Could not reach ${endpoint} (${message}). This device may be offline, or the endpoint unreachable or not allowed by the page's Content-Security-Policy.`, { file: endpoint });
}

/** Creates the repository if needed and commits every file to its main branch. */
export async function pushToHub(opts: PushOptions): Promise<PushResult> {
  const repo = validatePushRepo(opts.repo);
  const endpoint = normaliseEndpoint(opts.endpoint);
  if (!TOKEN.test(opts.token)) {
    throw new LayerwiseError('HUB_PUSH_BAD_TOKEN', 'The access token should look like hf_… (create a write token in your Hugging Face settings).', { field: 'token' });
  }
  if (opts.files.length === 0) throw new LayerwiseError('HUB_PUSH_NO_FILES', 'There are no files to push.', { field: 'files' });
  const doFetch = endpointOnlyFetch(endpoint, opts.fetch ?? globalThis.fetch.bind(globalThis));
  const sizes = new Map(opts.files.map((f) => [f.name, f.bytes.byteLength]));
  const total = 2 * [...sizes.values()].reduce((a, b) => a + b, 0);
  const hashed = new Map<string, number>();
  const uploaded = new Map<string, number>();
  const report = (phase: PushProgress['phase'], file: string | null) => {
    let done = 0;
    for (const [name, size] of sizes) done += size * ((hashed.get(name) ?? 0) + (uploaded.get(name) ?? 0));
    opts.onProgress?.({ phase, done: Math.min(done, total), total, file });
  };
  let created = true;
  try {
    report('creating', null);
    try {
      await createRepo({ repo: { type: 'model', name: repo }, accessToken: opts.token, hubUrl: endpoint, fetch: doFetch, ...(opts.private ? { visibility: 'private' as const } : {}) });
    } catch (err) {
      // 409: the repository exists; the push adds a commit to it.
      if (!(err instanceof HubApiError && err.statusCode === 409)) throw err;
      created = false;
    }
    const iterator = commitIter({
      repo: { type: 'model', name: repo },
      accessToken: opts.token,
      hubUrl: endpoint,
      fetch: doFetch,
      title: opts.commitTitle ?? 'Upload model from Layerwise',
      operations: opts.files.map((f) => ({ operation: 'addOrUpdate' as const, path: f.name, content: new Blob([f.bytes as BlobPart]) })),
      abortSignal: opts.signal,
    });
    let phase: PushProgress['phase'] = 'preuploading';
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        const output = next.value;
        // Files the Hub stores in git (small ones) go up with the commit itself.
        for (const name of sizes.keys()) {
          hashed.set(name, 1);
          uploaded.set(name, 1);
        }
        report('done', null);
        return { url: `${endpoint}/${repo}`, commitUrl: output?.commit.url ?? `${endpoint}/${repo}`, commitOid: output?.commit.oid ?? '', created };
      }
      const event = next.value;
      if (event.event === 'phase') {
        phase = event.phase === 'uploadingLargeFiles' ? 'uploading' : event.phase;
        report(phase, null);
      } else {
        if (event.state === 'hashing') hashed.set(event.path, event.progress);
        else if (event.state === 'uploading') {
          hashed.set(event.path, 1);
          uploaded.set(event.path, event.progress);
        }
        report(phase, event.path);
      }
    }
  } catch (err) {
    if (opts.signal?.aborted) throw new LayerwiseError('HUB_PUSH_CANCELLED', `The push to ${repo} was cancelled.`);
    throw pushError(err, repo, endpoint);
  }
}
