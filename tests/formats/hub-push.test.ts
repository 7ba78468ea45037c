// pushToHub (formats/hub-push.ts, @huggingface/hub's createRepo + commit) against the local stand-in for the Hub
// speaking the commit API (e2e/support/hub-server.ts): the repository is created, the weights go through the LFS batch
// to the storage server and the small files in the commit, and the pushed folder downloads again through the studio's
// Hub loader with every byte equal; a second push reuses the repository; the token reaches the Hub API only (never the
// storage); bad tokens and ids are refused before any request; progress ends at its total.
import path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderFiles, startFakeHub, type FakeHub } from '../../e2e/support/hub-server';
import { loadModelFolder } from '../../src/engine/load';
import { resolveHubFiles } from '../../src/formats/hub';
import { endpointOnlyFetch, pushToHub, type PushProgress } from '../../src/formats/hub-push';
import { LayerwiseError } from '../../src/lib/errors';

const GOLDEN = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny');
const TOKEN = 'hf_test_write_token_0123456789';
const FOLDER = folderFiles(path.join(GOLDEN, 'bert-seq-cls'));
const files = [...FOLDER].map(([name, bytes]) => ({ name, bytes }));

let hub: FakeHub;
beforeAll(async () => {
  await tf.setBackend('cpu');
  hub = await startFakeHub([{ id: 'someone/existing', revisions: { main: new Map() } }], { writeToken: TOKEN });
});
afterAll(() => hub.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(LayerwiseError);
    return (err as LayerwiseError).code;
  }
  return 'no error';
}

describe('pushToHub', () => {
  it('creates the repository, uploads the weights by LFS and the rest in the commit; the folder downloads back byte for byte and loads', async () => {
    const progress: PushProgress[] = [];
    const result = await pushToHub({ repo: 'me/tiny-bert', token: TOKEN, files, endpoint: hub.url, onProgress: (p) => progress.push(p) });
    expect(result.created).toBe(true);
    expect(result.url).toBe(`${hub.url}/me/tiny-bert`);
    expect(result.commitUrl).toMatch(new RegExp(`^${hub.url}/me/tiny-bert/commit/[0-9a-f]{40}$`));
    expect(hub.commits.at(-1)!.repo).toBe('me/tiny-bert');
    expect(hub.commits.at(-1)!.title).toBe('Upload model from Layerwise');
    // The weights went to the storage server, not inside the commit.
    expect(hub.seen.filter((r) => r.server === 'storage' && r.method === 'PUT').length).toBe(1);

    const downloaded = await resolveHubFiles('me/tiny-bert', 'main', { endpoint: hub.url });
    for (const [name, bytes] of FOLDER) {
      const got = downloaded.files.find((f) => f.name === name);
      if (name.endsWith('.json') || name.endsWith('.safetensors') || name === 'vocab.txt') {
        expect(Buffer.from(await got!.blob.arrayBuffer()).equals(Buffer.from(bytes)), name).toBe(true);
      }
    }
    const model = await loadModelFolder(downloaded.folder);
    expect(model.params.names().length).toBeGreaterThan(10);
    model.params.dispose();

    const phases = [...new Set(progress.map((p) => p.phase))];
    expect(phases).toEqual(['creating', 'preuploading', 'uploading', 'committing', 'done']);
    const last = progress.at(-1)!;
    expect(last.done).toBe(last.total);
    expect(last.total).toBe(2 * files.reduce((n, f) => n + f.bytes.byteLength, 0));
    for (let i = 1; i < progress.length; i++) expect(progress[i].done).toBeGreaterThanOrEqual(progress[i - 1].done);
  });

  it('the token goes with every Hub API request and never to the storage', () => {
    const api = hub.seen.filter((r) => r.server === 'hub' && r.method === 'POST');
    expect(api.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/repos/create', '/api/models/me/tiny-bert/preupload/main', '/me/tiny-bert.git/info/lfs/objects/batch', '/api/models/me/tiny-bert/commit/main']),
    );
    for (const r of api) expect(r.authorization).toBe(`Bearer ${TOKEN}`);
    const storage = hub.seen.filter((r) => r.server === 'storage');
    expect(storage.length).toBeGreaterThan(0);
    for (const r of storage) expect(r.authorization).toBeNull();
  });

  it('pushes to an existing repository as a new commit (the Hub answers 409 to create), and skips weights it already stores', async () => {
    const before = hub.seen.filter((r) => r.server === 'storage').length;
    const result = await pushToHub({ repo: 'me/tiny-bert', token: TOKEN, files, endpoint: hub.url, commitTitle: 'Second run' });
    expect(result.created).toBe(false);
    expect(hub.commits.at(-1)!.title).toBe('Second run');
    expect(hub.seen.filter((r) => r.server === 'storage').length).toBe(before);
    const other = await pushToHub({ repo: 'someone/existing', token: TOKEN, files: files.filter((f) => f.name === 'config.json'), endpoint: hub.url });
    expect(other.created).toBe(false);
    expect([...hub.commits.at(-1)!.files.keys()]).toEqual(['config.json']);
  });

  it('refuses a token the Hub does not accept (401), a malformed token and an id without owner, the last two before any request', async () => {
    expect(await codeOf(pushToHub({ repo: 'me/other', token: 'hf_wrong_token_abcdefgh', files, endpoint: hub.url }))).toBe('HUB_PUSH_UNAUTHORIZED');
    const count = hub.seen.length;
    expect(await codeOf(pushToHub({ repo: 'me/other', token: 'not-a-token', files, endpoint: hub.url }))).toBe('HUB_PUSH_BAD_TOKEN');
    expect(await codeOf(pushToHub({ repo: 'tiny-bert', token: TOKEN, files, endpoint: hub.url }))).toBe('HUB_BAD_MODEL_ID');
    expect(await codeOf(pushToHub({ repo: '../../etc', token: TOKEN, files, endpoint: hub.url }))).toBe('HUB_BAD_MODEL_ID');
    expect(await codeOf(pushToHub({ repo: 'me/empty', token: TOKEN, files: [], endpoint: hub.url }))).toBe('HUB_PUSH_NO_FILES');
    expect(hub.seen.length).toBe(count);
  });

  it('an unreachable endpoint is HUB_PUSH_OFFLINE', async () => {
    expect(await codeOf(pushToHub({ repo: 'me/x', token: TOKEN, files, endpoint: 'http://127.0.0.1:9' }))).toBe('HUB_PUSH_OFFLINE');
  });
});

describe('endpointOnlyFetch', () => {
  it('sends a request with the token to the endpoint only, and one without it anywhere', async () => {
    const sent: string[] = [];
    const base = (async (input: RequestInfo | URL) => {
      sent.push(String(input));
      return new Response('ok');
    }) as typeof fetch;
    const guarded = endpointOnlyFetch('https://huggingface.co', base);
    await guarded('https://huggingface.co/api/whoami-v2', { headers: { Authorization: 'Bearer hf_x' } });
    await guarded('https://s3.example.com/upload', { method: 'PUT' });
    expect(await codeOf(guarded('https://evil.example.com/steal', { headers: { Authorization: 'Bearer hf_x' } }))).toBe('HUB_PUSH_FOREIGN_HOST');
    expect(sent).toEqual(['https://huggingface.co/api/whoami-v2', 'https://s3.example.com/upload']);
  });
});
