// The worker's Hub requests over the Hub bridge (RELIABILITY X5): worker/hub-port.ts's fetch at one end of a
// MessageChannel, the bridge page's server (ui/hub-bridge.ts) at the other, against a local HTTP server — the
// same answers as a direct fetch: status, headers, a body in chunks, uploads, aborts, and failures.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHubBridge } from '../../src/ui/hub-bridge';
import { portFetch } from '../../src/worker/hub-port';

let server: Server;
let base = '';
const received: { method: string; body: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', body: Buffer.concat(chunks).toString(), auth: req.headers.authorization });
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', etag: '"abc"' });
        // Three writes a little apart: the body arrives in several chunks.
        const part = Buffer.alloc(70_000, 7);
        res.write(part);
        setTimeout(() => res.write(part), 20);
        setTimeout(() => res.end(part), 40);
      } else if (req.url === '/slow') {
        res.writeHead(200);
        res.write('x');
      } else if (req.url === '/empty') {
        res.writeHead(204).end();
      } else {
        res.writeHead(404, 'Not Found', { 'x-error-code': 'RepoNotFound' }).end('nope');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function bridged(): { fetch: typeof fetch; close(): void } {
  const channel = new MessageChannel();
  serveHubBridge(channel.port1, fetch);
  return { fetch: portFetch(channel.port2), close: () => (channel.port1.close(), channel.port2.close()) };
}

describe('portFetch over the Hub bridge', () => {
  it('gives the status, the headers and the whole body, streamed in chunks', async () => {
    const b = bridged();
    const response = await b.fetch(`${base}/big`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"abc"');
    expect(response.url).toBe(`${base}/big`);
    const reader = response.body!.getReader();
    let bytes = 0;
    let chunks = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      bytes += r.value.byteLength;
      chunks++;
      expect(r.value.every((v) => v === 7)).toBe(true);
    }
    expect(bytes).toBe(210_000);
    expect(chunks).toBeGreaterThan(1);
    b.close();
  });

  it('says 404 with its status text and headers, a HEAD and a 204 without a body', async () => {
    const b = bridged();
    const missing = await b.fetch(`${base}/missing`);
    expect([missing.status, missing.statusText, missing.headers.get('x-error-code'), await missing.text()]).toEqual([404, 'Not Found', 'RepoNotFound', 'nope']);
    const head = await b.fetch(`${base}/missing`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    const empty = await b.fetch(`${base}/empty`, { method: 'DELETE' });
    expect([empty.status, empty.body]).toEqual([204, null]);
    b.close();
  });

  it('sends the method, the headers and a body (string or Blob)', async () => {
    const b = bridged();
    received.length = 0;
    await b.fetch(`${base}/missing`, { method: 'POST', headers: { authorization: 'Bearer hf_test' }, body: JSON.stringify({ a: 1 }) });
    await b.fetch(`${base}/missing`, { method: 'PUT', body: new Blob(['weights']) });
    expect(received).toEqual([
      { method: 'POST', body: '{"a":1}', auth: 'Bearer hf_test' },
      { method: 'PUT', body: 'weights', auth: undefined },
    ]);
    b.close();
  });

  it('an unreachable host is a TypeError, an abort an AbortError, as fetch has them', async () => {
    const b = bridged();
    await expect(b.fetch('http://127.0.0.1:9/nothing')).rejects.toThrow(TypeError);
    const controller = new AbortController();
    const response = await b.fetch(`${base}/slow`, { signal: controller.signal });
    const reading = response.text();
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    const before = new AbortController();
    before.abort();
    await expect(b.fetch(`${base}/big`, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });
    b.close();
  });
});
