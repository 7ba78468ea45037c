// A local stand-in for the Hugging Face Hub (node:http on 127.0.0.1, a random port) serving checkpoint folders in
// the Hub's URL layout `/{id}/resolve/{revision}/{file}`, with what the real one does that the client relies on:
// 404 with X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound), 401 for gated and private repos, ETags, a 302 to a
// CDN-like path for *.safetensors (LFS), CORS headers, HEAD. Used by tests/formats/hub.test.ts and e2e/hub.spec.ts.
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

export interface FakeHub {
  /** http://127.0.0.1:PORT: the endpoint to give the client. */
  url: string;
  /** "GET /path" for every request, in order. */
  requests: string[];
  /** Bytes written per resolve path, to tell a download that was cut short from a complete one. */
  bytesSent: Map<string, number>;
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
  'Access-Control-Expose-Headers': 'ETag, Content-Length, X-Error-Code, X-Error-Message',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

function reply(res: ServerResponse, status: number, headers: Record<string, string>, text = ''): void {
  res.writeHead(status, { ...CORS, 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export async function startFakeHub(repos: FakeRepo[]): Promise<FakeHub> {
  const requests: string[] = [];
  const bytesSent = new Map<string, number>();
  const throttles: { match: (file: string) => boolean; chunk: number; delayMs: number }[] = [];
  // The "CDN" copy of each LFS file, by content hash, as the Hub's redirects point to.
  const lfs = new Map<string, { bytes: Uint8Array; file: string; resolvePath: string }>();

  async function send(req: IncomingMessage, res: ServerResponse, bytes: Uint8Array, file: string, resolvePath: string, etag: string): Promise<void> {
    res.writeHead(200, { ...CORS, 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.byteLength), ETag: etag });
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

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    requests.push(`${req.method} ${path}`);
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

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    bytesSent,
    throttle: (match, chunk, delayMs) => void throttles.push({ match, chunk, delayMs }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
