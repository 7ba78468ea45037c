// A local stand-in for the Hugging Face Hub (node:http on 127.0.0.1, a random port) serving checkpoint folders in
// the Hub's URL layout `/{id}/resolve/{revision}/{file}`, with what the real one does that the client relies on:
// 404 with X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound), 401 for gated and private repos, ETags, a 302 to a
// CDN-like path for *.safetensors (LFS), 206 for a byte range, CORS headers, HEAD. With `writeToken` it also speaks the commit API that
// @huggingface/hub's createRepo and commit use (POST /api/repos/create, /api/models/{id}/preupload/{rev}, the LFS batch
// /{id}.git/info/lfs/objects/batch answered with a "basic" upload to a second server standing in for the storage,
// PUT there, POST /api/models/{id}/commit/{rev} as NDJSON): a pushed folder is then served like any other.
// Used by tests/formats/hub.test.ts, tests/formats/hub-push.test.ts, e2e/hub.spec.ts and e2e/hub-push.spec.ts.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** One model repository: its files at each revision, by file name. */
export interface FakeRepo {
  id: string;
  revisions: Record<string, Map<string, Uint8Array>>;
  /** Without a token the Hub answers 401 for every file: GatedRepo, or RepoNotFound for a private one. */
  access?: 'gated' | 'private';
}

/** One request as the server saw it: method, path, and the Authorization header it carried. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | null;
  /** Which server: the Hub API or the LFS storage. */
  server: 'hub' | 'storage';
}

export interface FakeHubOptions {
  /** Accept pushes with this token ("Bearer …"); without it the commit API answers 404. */
  writeToken?: string;
}

export interface FakeHub {
  /** http://127.0.0.1:PORT: the endpoint to give the client. */
  url: string;
  /** "GET /path" for every request, in order. */
  requests: string[];
  /** Bytes written per resolve path, to tell a download that was cut short from a complete one. */
  bytesSent: Map<string, number>;
  /** http://127.0.0.1:PORT of the LFS storage that the LFS batch answers point to. */
  storageUrl: string;
  /** Every request with its Authorization header, to the Hub API and to the storage (commit API). */
  seen: SeenRequest[];
  /** The commits pushed, in order: repository, title, and the files with their bytes. */
  commits: { repo: string; title: string; files: Map<string, Uint8Array> }[];
  /** Slows the bodies of matching files: `chunk` bytes per write, `delayMs` between writes. */
  throttle(match: (file: string) => boolean, chunk: number, delayMs: number): void;
  close(): Promise<void>;
}

/** The regular files of a folder on disk, by name. */
export function folderFiles(dir: string, skip: (name: string) => boolean = (n) => n.startsWith('reference')): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(dir)) {
    if (!skip(name) && statSync(join(dir, name)).isFile()) files.set(name, new Uint8Array(readFileSync(join(dir, name))));
  }
  return files;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag, Content-Length, X-Error-Code, X-Error-Message, X-Request-Id',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};
const PREFLIGHT = {
  ...CORS,
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, X-Request-Id',
  'Access-Control-Max-Age': '600',
};

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { ...CORS, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, text = ''): void {
  res.writeHead(status, { ...CORS, 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export async function startFakeHub(repos: FakeRepo[], options: FakeHubOptions = {}): Promise<FakeHub> {
  const requests: string[] = [];
  const seen: SeenRequest[] = [];
  const commits: FakeHub['commits'] = [];
  // Objects uploaded to the storage by sha256, and the storage server's URL (set once it listens).
  const stored = new Map<string, Uint8Array>();
  let storageUrl = '';
  let hubUrl = '';
  const bytesSent = new Map<string, number>();
  const throttles: { match: (file: string) => boolean; chunk: number; delayMs: number }[] = [];
  // The "CDN" copy of each LFS file, by content hash, as the Hub's redirects point to.
  const lfs = new Map<string, { bytes: Uint8Array; file: string; resolvePath: string }>();

  async function send(req: IncomingMessage, res: ServerResponse, whole: Uint8Array, file: string, resolvePath: string, etag: string): Promise<void> {
    // A single `Range: bytes=a-b` is answered 206 with Content-Range, as the Hub's storage does (@huggingface/hub
    // reads a file's size that way and safetensors headers by ranges); anything else gets the whole file.
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const from = range ? Math.min(Number(range[1]), whole.byteLength) : 0;
    const to = range && range[2] !== '' ? Math.min(Number(range[2]) + 1, whole.byteLength) : whole.byteLength;
    const bytes = whole.subarray(from, to);
    const partial = range ? { 'Content-Range': `bytes ${from}-${to - 1}/${whole.byteLength}` } : {};
    res.writeHead(range ? 206 : 200, { ...CORS, 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.byteLength), ETag: etag, ...partial });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const slow = throttles.find((t) => t.match(file));
    const chunk = slow?.chunk ?? 16_384;
    for (let at = 0; at < bytes.byteLength && !res.destroyed; at += chunk) {
      const part = bytes.subarray(at, at + chunk);
      const flushed = res.write(part);
      bytesSent.set(resolvePath, (bytesSent.get(resolvePath) ?? 0) + part.byteLength);
      if (!flushed) await new Promise((r) => res.once('drain', r));
      await new Promise((r) => setTimeout(r, slow?.delayMs ?? 0));
    }
    res.end();
  }

  /** The commit API of a repository id; true when it answered. */
  async function commitApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const auth = req.headers.authorization ?? null;
    const allowed = options.writeToken !== undefined && auth === `Bearer ${options.writeToken}`;
    if (req.method === 'POST' && path === '/api/repos/create') {
      if (!allowed) return (json(res, 401, { error: 'Invalid credentials in Authorization header' }), true);
      const { name, organization } = JSON.parse((await body(req)).toString('utf8')) as { name: string; organization?: string };
      const id = organization ? `${organization}/${name}` : name;
      if (repos.some((r) => r.id === id)) return (json(res, 409, { error: 'You already created this model repo', url: `${hubUrl}/${id}` }), true);
      repos.push({ id, revisions: { main: new Map() } });
      return (json(res, 200, { url: `${hubUrl}/${id}`, name: id, id }), true);
    }
    const api = /^\/api\/models\/(.+)\/(preupload|commit)\/([^/]+)$/.exec(path);
    const batch = /^\/(.+)\.git\/info\/lfs\/objects\/batch$/.exec(path);
    if (req.method !== 'POST' || (!api && !batch)) return false;
    const id = api ? api[1] : (batch as RegExpExecArray)[1];
    const repo = repos.find((r) => r.id === id);
    if (!allowed) return (json(res, 401, { error: 'Invalid credentials in Authorization header' }), true);
    if (!repo) return (json(res, 404, { error: 'Repository not found' }), true);
    const payload = (await body(req)).toString('utf8');
    if (batch) {
      const { objects } = JSON.parse(payload) as { objects: { oid: string; size: number }[] };
      return (json(res, 200, { transfer: 'basic', objects: objects.map((o) => ({ oid: o.oid, size: o.size, ...(stored.has(o.oid) ? {} : { actions: { upload: { href: `${storageUrl}/upload/${o.oid}` } } }) })) }), true);
    }
    const [, , kind, revision] = api as RegExpExecArray;
    if (kind === 'preupload') {
      const { files } = JSON.parse(payload) as { files: { path: string; size: number }[] };
      // As the Hub: binary weights and anything over 10 MB go through LFS, the rest in the commit itself.
      return (json(res, 200, { files: files.map((f) => ({ path: f.path, uploadMode: /\.(safetensors|onnx|bin)$/.test(f.path) || f.size > 10_000_000 ? 'lfs' : 'regular' })) }), true);
    }
    const entries = payload.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string; value: Record<string, unknown> });
    const files = new Map(repo.revisions[decodeURIComponent(revision)] ?? []);
    for (const { key, value } of entries) {
      if (key === 'file') files.set(value.path as string, new Uint8Array(Buffer.from(value.content as string, 'base64')));
      if (key === 'lfsFile') {
        const bytes = stored.get(value.oid as string);
        if (!bytes) return (json(res, 422, { error: `LFS object ${String(value.oid)} was never uploaded` }), true);
        files.set(value.path as string, bytes);
      }
    }
    repo.revisions[decodeURIComponent(revision)] = files;
    const header = entries.find((e) => e.key === 'header')?.value ?? {};
    commits.push({ repo: id, title: String(header.summary ?? ''), files });
    const oid = createHash('sha1').update(`${id}:${commits.length}`).digest('hex');
    return (json(res, 200, { commitOid: oid, commitUrl: `${hubUrl}/${id}/commit/${oid}`, success: true }), true);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    requests.push(`${req.method} ${path}`);
    seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization ?? null, server: 'hub' });
    if (req.method === 'OPTIONS') return reply(res, 204, PREFLIGHT);
    if (req.method === 'POST') {
      commitApi(req, res, path).then((answered) => answered || reply(res, 404, { 'X-Error-Code': 'RepoNotFound' }, 'Not found'), () => reply(res, 500, {}, 'fake hub error'));
      return;
    }
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(path);
    if (cdn) {
      const entry = lfs.get(cdn[1]);
      if (!entry) return reply(res, 404, {});
      void send(req, res, entry.bytes, entry.file, entry.resolvePath, `"${cdn[1]}"`);
      return;
    }
    const parts = path.split('/').slice(1);
    const at = parts.indexOf('resolve');
    if (at < 1 || at > 2 || parts.length !== at + 3) return reply(res, 404, { 'X-Error-Code': 'RepoNotFound' }, 'Repository not found');
    const id = parts.slice(0, at).join('/');
    const revision = decodeURIComponent(parts[at + 1]);
    const file = decodeURIComponent(parts[at + 2]);
    const repo = repos.find((r) => r.id === id);
    if (!repo) return reply(res, 404, { 'X-Error-Code': 'RepoNotFound' }, 'Repository not found');
    if (repo.access === 'gated') return reply(res, 401, { 'X-Error-Code': 'GatedRepo' }, 'Access to this model is restricted');
    if (repo.access === 'private') return reply(res, 401, { 'X-Error-Code': 'RepoNotFound' }, 'Repository not found');
    const files = repo.revisions[revision];
    if (!files) return reply(res, 404, { 'X-Error-Code': 'RevisionNotFound' }, 'Revision not found');
    const bytes = files.get(file);
    if (!bytes) return reply(res, 404, { 'X-Error-Code': 'EntryNotFound' }, 'Entry not found');
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (file.endsWith('.safetensors')) {
      lfs.set(sha, { bytes, file, resolvePath: path });
      return reply(res, 302, { Location: `/cdn/${sha}`, 'X-Linked-Size': String(bytes.byteLength) });
    }
    void send(req, res, bytes, file, path, `"${sha.slice(0, 40)}"`);
  }

  // The LFS storage: PUT /upload/{sha256} stores the body when its hash matches, as S3 behind a presigned URL would.
  const storage = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization ?? null, server: 'storage' });
    if (req.method === 'OPTIONS') return reply(res, 204, PREFLIGHT);
    const up = /^\/upload\/([0-9a-f]{64})$/.exec(path);
    if (req.method !== 'PUT' || !up) return reply(res, 404, {});
    body(req).then((bytes) => {
      if (createHash('sha256').update(bytes).digest('hex') !== up[1]) return reply(res, 400, {}, 'sha256 mismatch');
      stored.set(up[1], new Uint8Array(bytes));
      reply(res, 200, { ETag: `"${up[1].slice(0, 32)}"` });
    }, () => reply(res, 500, {}));
  });

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  hubUrl = `http://127.0.0.1:${port}`;
  storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
  return {
    url: hubUrl,
    storageUrl,
    requests,
    seen,
    commits,
    bytesSent,
    throttle: (match, chunk, delayMs) => void throttles.push({ match, chunk, delayMs }),
    close: () =>
      Promise.all(
        [server, storage].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      ).then(() => undefined),
  };
}
