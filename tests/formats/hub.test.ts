// resolveHubFiles against a local stand-in for the Hub (e2e/support/hub-server.ts) serving the golden hf-tiny
// checkpoints in the Hub's URL layout: files fetched, byte progress, optional files absent, coded HTTP errors, ids
// refused before any request, headers refused while downloading, the cache reused offline, and the result loaded by
// loadModelFolder with every tensor equal to the fixture's (transformers-made) safetensors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderFiles, startFakeHub, type FakeHub } from '../../e2e/support/hub-server';
import { dirHubCache } from '../../src/cli/hub-cache';
import { loadModelFolder } from '../../src/engine/load';
import { resolveHubFiles, type HubOptions } from '../../src/formats/hub';
import { parseSafetensorsHeader, readTensorFloat32, writeSafetensors } from '../../src/formats/safetensors';
import { bytesFile, readAll } from '../../src/formats/source-file';
import type { HubProgress } from '../../src/protocol/hub';

const GOLDEN = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny');
const BERT = folderFiles(path.join(GOLDEN, 'bert-seq-cls'));
const WEIGHTS = BERT.get('model.safetensors')!;
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const S1 = 'model-00001-of-00002.safetensors';
const S2 = 'model-00002-of-00002.safetensors';

/** The fixture's tensors in two shards (first half, second half) and the index transformers would write. */
async function sharded(): Promise<Map<string, Uint8Array>> {
  const file = bytesFile('model.safetensors', WEIGHTS);
  const header = parseSafetensorsHeader(WEIGHTS, 'model.safetensors');
  const names = [...header.tensors.keys()];
  const half = Math.ceil(names.length / 2);
  const shard = async (part: string[]) => {
    const tensors = await Promise.all(
      part.map(async (n): Promise<[string, { shape: number[]; data: Float32Array }]> => [n, { shape: header.tensors.get(n)!.shape, data: await readTensorFloat32(file, header, n) }]),
    );
    return writeSafetensors(tensors, { format: 'pt' });
  };
  const weight_map = Object.fromEntries(names.map((n, i) => [n, i < half ? S1 : S2]));
  const files = new Map(BERT);
  files.delete('model.safetensors');
  files.set(S1, await shard(names.slice(0, half)));
  files.set(S2, await shard(names.slice(half)));
  files.set('model.safetensors.index.json', new TextEncoder().encode(JSON.stringify({ metadata: { total_size: WEIGHTS.byteLength }, weight_map }, null, 2)));
  return files;
}

/** model.safetensors with its 8-byte header length replaced, and padded to `size` bytes. */
function withHeaderLength(n: bigint, size = WEIGHTS.byteLength): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(WEIGHTS.subarray(0, Math.min(size, WEIGHTS.byteLength)));
  new DataView(bytes.buffer).setBigUint64(0, n, true);
  return bytes;
}

/** A valid-length header whose JSON is an array: SAFETENSORS_INVALID_HEADER_DESERIALIZATION, whatever follows. */
function arrayHeader(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  new DataView(bytes.buffer).setBigUint64(0, 8n, true);
  bytes.set(new TextEncoder().encode('[]      '), 8);
  return bytes;
}

let hub: FakeHub;
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-hub-'));

beforeAll(async () => {
  await tf.setBackend('cpu');
  const only = (names: string[]) => new Map([...BERT].filter(([n]) => names.includes(n)));
  hub = await startFakeHub([
    { id: 'tiny/bert-seq-cls', revisions: { main: BERT, [COMMIT]: BERT } },
    { id: 'tiny/bert-sharded', revisions: { main: await sharded() } },
    { id: 'bert-no-owner', revisions: { 'refs/pr/1': BERT } },
    { id: 'tiny/gated', revisions: { main: BERT }, access: 'gated' },
    { id: 'tiny/private', revisions: { main: BERT }, access: 'private' },
    { id: 'tiny/pickle-only', revisions: { main: new Map([...only(['config.json', 'vocab.txt']), ['pytorch_model.bin', new Uint8Array([0x50, 0x4b, 3, 4])]]) } },
    { id: 'tiny/no-weights', revisions: { main: only(['config.json', 'vocab.txt']) } },
    { id: 'tiny/too-large-header', revisions: { main: new Map([...only(['config.json', 'vocab.txt']), ['model.safetensors', withHeaderLength(200_000_000n, 4 << 20)]]) } },
    { id: 'tiny/bad-header', revisions: { main: new Map([...only(['config.json', 'vocab.txt']), ['model.safetensors', arrayHeader(4 << 20)]]) } },
    {
      id: 'tiny/hostile-index',
      revisions: {
        main: new Map([
          ...only(['config.json', 'vocab.txt']),
          ['model.safetensors.index.json', new TextEncoder().encode(JSON.stringify({ weight_map: { 'bert.pooler.dense.weight': '../../etc/passwd' } }))],
        ]),
      },
    },
  ]);
  hub.throttle((f) => f === 'model.safetensors', 16_384, 5);
});
afterAll(async () => {
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

const opts = (extra: HubOptions = {}): HubOptions => ({ endpoint: hub.url, ...extra });
const requestsFor = (id: string) => hub.requests.filter((r) => r.includes(`/${id}/`));

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string; location?: { file?: string } }> {
  return promise.then(
    () => ({ code: 'resolved', message: '' }),
    (err: { code: string; message: string; location?: { file?: string } }) => err,
  );
}

async function expectFixtureWeights(folder: Map<string, unknown>): Promise<void> {
  const model = await loadModelFolder(folder as Parameters<typeof loadModelFolder>[0]);
  try {
    expect(model.config.model_type).toBe('bert');
    expect(model.tokenizer).not.toBeNull();
    const header = parseSafetensorsHeader(WEIGHTS, 'model.safetensors');
    const file = bytesFile('model.safetensors', WEIGHTS);
    expect(model.params.names().sort()).toEqual([...header.tensors.keys()].sort());
    for (const name of header.tensors.keys()) {
      expect(await model.params.get(name).data()).toEqual(await readTensorFloat32(file, header, name));
    }
  } finally {
    model.params.dispose();
  }
}

describe('resolveHubFiles', () => {
  it('downloads config, weights and the tokenizer files that exist, with monotonic byte progress', async () => {
    const events: HubProgress[] = [];
    const model = await resolveHubFiles('tiny/bert-seq-cls', 'main', opts({ onProgress: (p) => events.push(p) }));

    expect([...model.folder.keys()]).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'model.safetensors']);
    for (const [name, file] of model.folder) expect(await readAll(file)).toEqual(BERT.get(name));
    expect(model.notes).toEqual([]);
    // Absent optional files were asked for once and answered 404; the LFS weights came through the CDN redirect.
    expect(requestsFor('tiny/bert-seq-cls')).toContain('GET /tiny/bert-seq-cls/resolve/main/special_tokens_map.json');
    expect(hub.requests.some((r) => r.startsWith('GET /cdn/'))).toBe(true);

    const sizes = [...model.folder.values()].reduce((n, f) => n + f.size, 0);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ loaded: sizes, total: sizes, filesDone: 5, filesTotal: 5 });
    for (let i = 1; i < events.length; i++) expect(events[i].loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
    const weights = events.filter((e) => e.file === 'model.safetensors');
    expect(weights.length).toBeGreaterThan(3);
    for (let i = 1; i < weights.length; i++) expect(weights[i].fileLoaded).toBeGreaterThanOrEqual(weights[i - 1].fileLoaded);
    expect(weights.every((e) => e.fileTotal === WEIGHTS.byteLength)).toBe(true);
    expect(weights.at(-1)).toMatchObject({ fileLoaded: WEIGHTS.byteLength, fileDone: true, fromCache: false });

    await expectFixtureWeights(model.folder);
  });

  it('downloads a sharded checkpoint: the index, then every shard it names', async () => {
    const model = await resolveHubFiles('tiny/bert-sharded', undefined, opts());
    expect([...model.folder.keys()]).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'model.safetensors.index.json', S1, S2]);
    expect(requestsFor('tiny/bert-sharded')).toContain('GET /tiny/bert-sharded/resolve/main/model.safetensors');
    await expectFixtureWeights(model.folder);
  });

  it('takes a name without owner and a revision holding "/", escaped as one path segment', async () => {
    const model = await resolveHubFiles('bert-no-owner', 'refs/pr/1', opts());
    expect(model.files[0].url).toBe(`${hub.url}/bert-no-owner/resolve/refs%2Fpr%2F1/config.json`);
    expect(model.folder.has('model.safetensors')).toBe(true);
  });

  it('refuses bad ids, revisions and endpoints before any request', async () => {
    let calls = 0;
    const fetch = (() => {
      calls++;
      throw new Error('no request expected');
    }) as typeof globalThis.fetch;
    const cases: [string, string, string, string][] = [
      ['../../etc', 'main', hub.url, 'HUB_BAD_MODEL_ID'],
      ['a/b/c', 'main', hub.url, 'HUB_BAD_MODEL_ID'],
      ['https://huggingface.co/bert-base-uncased', 'main', hub.url, 'HUB_BAD_MODEL_ID'],
      ['owner/na--me', 'main', hub.url, 'HUB_BAD_MODEL_ID'],
      ['owner/-name', 'main', hub.url, 'HUB_BAD_MODEL_ID'],
      ['owner/name?x=1', 'main', hub.url, 'HUB_BAD_MODEL_ID'],
      ['', 'main', hub.url, 'HUB_BAD_MODEL_ID'],
      [`a/${'x'.repeat(97)}`, 'main', hub.url, 'HUB_BAD_MODEL_ID'],
      ['owner/name', '../../../x', hub.url, 'HUB_BAD_REVISION'],
      ['owner/name', 'main/../x', hub.url, 'HUB_BAD_REVISION'],
      ['owner/name', '', hub.url, 'HUB_BAD_REVISION'],
      ['owner/name', 'main?download=1', hub.url, 'HUB_BAD_REVISION'],
      ['owner/name', 'main', 'ftp://example.com', 'HUB_BAD_ENDPOINT'],
      ['owner/name', 'main', 'javascript:alert(1)', 'HUB_BAD_ENDPOINT'],
      ['owner/name', 'main', 'https://user:pw@example.com', 'HUB_BAD_ENDPOINT'],
      ['owner/name', 'main', 'huggingface.co', 'HUB_BAD_ENDPOINT'],
    ];
    for (const [id, revision, endpoint, code] of cases) {
      expect((await codeOf(resolveHubFiles(id, revision, { endpoint, fetch }))).code, `${id} @ ${revision} on ${endpoint}`).toBe(code);
    }
    expect(calls).toBe(0);
  });

  it('reports a missing model, a missing revision, and gated or private models with the URL', async () => {
    const missing = await codeOf(resolveHubFiles('tiny/does-not-exist', 'main', opts()));
    expect(missing).toMatchObject({ code: 'HUB_NOT_FOUND', location: { file: `${hub.url}/tiny/does-not-exist/resolve/main/config.json` } });
    expect(missing.message).toContain('model tiny/does-not-exist does not exist');
    const revision = await codeOf(resolveHubFiles('tiny/bert-seq-cls', 'v9', opts()));
    expect(revision.code).toBe('HUB_NOT_FOUND');
    expect(revision.message).toContain('revision "v9" of tiny/bert-seq-cls does not exist');
    const gated = await codeOf(resolveHubFiles('tiny/gated', 'main', opts()));
    expect(gated.code).toBe('HUB_GATED_OR_PRIVATE');
    expect(gated.message).toMatch(/answered 401: tiny\/gated is gated/);
    const hidden = await codeOf(resolveHubFiles('tiny/private', 'main', opts()));
    expect(hidden.message).toMatch(/is private or does not exist/);
    // Nothing past config.json was asked for.
    expect(requestsFor('tiny/gated')).toEqual(['GET /tiny/gated/resolve/main/config.json']);
  });

  it('refuses pickle-only and weightless repositories with the loader\'s codes', async () => {
    expect((await codeOf(resolveHubFiles('tiny/pickle-only', 'main', opts()))).code).toBe('CHECKPOINT_PYTORCH_ONLY');
    expect(requestsFor('tiny/pickle-only')).toContain('HEAD /tiny/pickle-only/resolve/main/pytorch_model.bin');
    expect(requestsFor('tiny/pickle-only').some((r) => r.startsWith('GET') && r.endsWith('pytorch_model.bin'))).toBe(false);
    expect((await codeOf(resolveHubFiles('tiny/no-weights', 'main', opts()))).code).toBe('CHECKPOINT_NO_WEIGHTS');
  });

  it('refuses a bad safetensors header from its first bytes, without downloading the rest', async () => {
    const size = 4 << 20;
    for (const [id, code] of [
      ['tiny/too-large-header', 'SAFETENSORS_HEADER_TOO_LARGE'],
      ['tiny/bad-header', 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION'],
    ]) {
      const events: HubProgress[] = [];
      const err = await codeOf(resolveHubFiles(id, 'main', opts({ onProgress: (p) => events.push(p) })));
      expect(err.code).toBe(code);
      const received = Math.max(...events.filter((e) => e.file === 'model.safetensors').map((e) => e.fileLoaded));
      expect(received).toBeLessThan(size / 4);
    }
  });

  it('refuses an index naming a shard outside the model folder, without requesting it', async () => {
    const err = await codeOf(resolveHubFiles('tiny/hostile-index', 'main', opts()));
    expect(err).toMatchObject({ code: 'HUB_BAD_SHARD_NAME', location: { tensor: 'bert.pooler.dense.weight' } });
    expect(hub.requests.some((r) => r.includes('passwd'))).toBe(false);
  });

  it('stops when the signal aborts, with HUB_CANCELLED', async () => {
    const controller = new AbortController();
    const err = codeOf(
      resolveHubFiles('tiny/bert-seq-cls', 'main', opts({ signal: controller.signal, onProgress: (p) => p.file === 'model.safetensors' && controller.abort() })),
    );
    expect((await err).code).toBe('HUB_CANCELLED');
  });
});

describe('the cache', () => {
  it('reuses unchanged files by ETag, serves a complete copy offline with a note, and says when there is none', async () => {
    const cache = dirHubCache(path.join(work, 'cache'));
    const first = await resolveHubFiles('tiny/bert-seq-cls', 'main', opts({ cache }));
    expect(first.files.every((f) => !f.fromCache)).toBe(true);

    const cdnBefore = hub.requests.filter((r) => r.startsWith('GET /cdn/')).length;
    const again = await resolveHubFiles('tiny/bert-seq-cls', 'main', opts({ cache }));
    expect(again.files.every((f) => f.fromCache)).toBe(true);
    expect(again.notes.map((n) => n.code)).toEqual(['HUB_CACHE_REUSED']);
    // The LFS body was not read again: one redirected GET whose body was cancelled, no more.
    expect(hub.requests.filter((r) => r.startsWith('GET /cdn/')).length).toBe(cdnBefore + 1);

    // A commit hash names immutable files: cached, they need no request at all.
    await resolveHubFiles('tiny/bert-seq-cls', COMMIT, opts({ cache }));
    const before = hub.requests.length;
    const pinned = await resolveHubFiles('tiny/bert-seq-cls', COMMIT, opts({ cache }));
    expect(hub.requests.length).toBe(before);
    expect(pinned.notes.map((n) => n.code)).toEqual(['HUB_FROM_CACHE']);

    // The network fails: the cached copy is loaded, and the user is told so.
    const served = await resolveHubFiles('tiny/bert-seq-cls', 'main', {
      endpoint: hub.url,
      cache,
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    expect(served.notes).toEqual([expect.objectContaining({ level: 'warning', code: 'HUB_SERVED_FROM_CACHE' })]);
    expect(served.notes[0].message).toContain('fetch failed');
    await expectFixtureWeights(served.folder);

    const none = await codeOf(resolveHubFiles('tiny/bert-sharded', 'main', { endpoint: hub.url, cache, fetch: () => Promise.reject(new TypeError('fetch failed')) }));
    expect(none.code).toBe('HUB_OFFLINE');
    expect(none.message).toContain('no copy of tiny/bert-sharded@main is cached here');
  });

  it('serves the cached copy when the server is stopped, and has none for another endpoint', async () => {
    const server = await startFakeHub([{ id: 'tiny/bert-seq-cls', revisions: { main: BERT } }]);
    const cache = dirHubCache(path.join(work, 'cache-stopped'));
    await resolveHubFiles('tiny/bert-seq-cls', 'main', { endpoint: server.url, cache });
    await server.close();
    const served = await resolveHubFiles('tiny/bert-seq-cls', 'main', { endpoint: server.url, cache });
    expect(served.notes.map((n) => n.code)).toEqual(['HUB_SERVED_FROM_CACHE']);
    expect(served.files.every((f) => f.fromCache)).toBe(true);
    await expectFixtureWeights(served.folder);
    const elsewhere = await codeOf(resolveHubFiles('tiny/bert-seq-cls', 'main', { endpoint: `${server.url}/mirror`, cache }));
    expect(elsewhere.code).toBe('HUB_OFFLINE');
  });
});
