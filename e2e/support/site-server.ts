// A plain static server for the built site, as any host would serve dist/: files by path, a MIME type, nothing
// else — and, unless told otherwise, the headers of dist/_headers (scripts/site-policy.ts), applied as Netlify and
// Cloudflare Pages apply them. The e2e tests run against it (serve-built-site.ts), and X4-X6 start a second one
// without any headers to show that the <meta> policy holds there too.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { parseHeadersFile } from '../../scripts/site-policy';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

export interface SiteServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1:`port` (0: any free port); headers: apply root/_headers, or send none. */
export async function serveSite(root: string, opts: { port?: number; headers?: boolean } = {}): Promise<SiteServer> {
  const rules = opts.headers === false ? [] : parseHeadersFile(await readFile(join(root, '_headers'), 'utf8'));
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
      if (file !== root && !file.startsWith(root + sep)) {
        response.writeHead(403).end();
        return;
      }
      const info = await stat(file).catch(() => null);
      const headers: Record<string, string> = {};
      for (const rule of rules) if (rule.pattern.test(path)) for (const [name, value] of rule.headers) headers[name] = value;
      if (info === null || !info.isFile()) {
        response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': String(info.size), 'Cache-Control': 'no-store' });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
    })().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The site at `target` as a host that sends no headers of its own would serve it: each response's status, type and
 * body only (RELIABILITY X6; the page's <meta> policy must still hold).
 */
export async function withoutHeaders(target: string): Promise<SiteServer> {
  const server: Server = createServer((request, response) => {
    void fetch(new URL(request.url ?? '/', target), { method: request.method === 'HEAD' ? 'HEAD' : 'GET' })
      .then(async (upstream) => {
        const type = upstream.headers.get('content-type');
        const body = Buffer.from(await upstream.arrayBuffer());
        response.writeHead(upstream.status, type ? { 'Content-Type': type, 'Content-Length': String(body.length) } : { 'Content-Length': String(body.length) });
        response.end(request.method === 'HEAD' ? undefined : body);
      })
      .catch(() => response.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A server of another origin that answers anyone (CORS and CORP open) and counts what reached it. */
export async function openServer(): Promise<SiteServer & { requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin', 'Content-Type': 'text/plain' }).end('reached');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    requests,
    url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
