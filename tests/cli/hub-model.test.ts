// `--model hub:ORG/NAME[@REV]`: argv rewritten to the model's folder in the CLI's Hub cache (a local stand-in for
// the Hub serves the golden fixture), stale files of an earlier download removed, flag errors coded, and the real
// bin/layerwise.mjs predicting from a Hub model with the fixture's reference logits (transformers, <= 1e-4).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderFiles, startFakeHub, type FakeHub } from '../../e2e/support/hub-server';
import { defaultHubCacheDir, dirHubCache } from '../../src/cli/hub-cache';
import { resolveHubArgs } from '../../src/cli/hub-model';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'bert-seq-cls');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-hub-cli-'));
const files = folderFiles(GOLDEN);
let hub: FakeHub;

beforeAll(async () => {
  hub = await startFakeHub([{ id: 'tiny/bert', revisions: { v2: files } }]);
});
afterAll(async () => {
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

describe('resolveHubArgs', () => {
  it('rewrites --model hub:... to the cached folder and drops --hub-endpoint; other argv is untouched', async () => {
    const cache = dirHubCache(path.join(work, 'a'));
    const argv = await resolveHubArgs(['--inputs', 'x.json', '--model=hub:tiny/bert@v2', '--hub-endpoint', hub.url, '--json'], {}, cache);
    const dir = cache.folderOf({ endpoint: hub.url, id: 'tiny/bert', revision: 'v2' });
    expect(argv).toEqual(['--inputs', 'x.json', '--model', dir, '--json']);
    expect(readdirSync(dir).sort()).toEqual([...files.keys(), '.layerwise'].sort());
    expect(new Uint8Array(readFileSync(path.join(dir, 'model.safetensors')))).toEqual(files.get('model.safetensors'));

    // $HF_ENDPOINT stands in for the flag; a folder path passes through.
    expect(await resolveHubArgs(['--model', 'hub:tiny/bert@v2'], { HF_ENDPOINT: hub.url }, cache)).toEqual(['--model', dir]);
    expect(await resolveHubArgs(['--model', 'some/dir', '--json'], {}, cache)).toEqual(['--model', 'some/dir', '--json']);
  });

  it('removes the files a newer download of the revision no longer has', async () => {
    const main = new Map(files);
    const repo = await startFakeHub([{ id: 'tiny/bert', revisions: { main } }]);
    try {
      const cache = dirHubCache(path.join(work, 'b'));
      const [, first] = await resolveHubArgs(['--model', 'hub:tiny/bert'], { HF_ENDPOINT: repo.url }, cache);
      expect(readdirSync(first)).toContain('vocab.txt');
      main.delete('vocab.txt');
      const [, second] = await resolveHubArgs(['--model', 'hub:tiny/bert'], { HF_ENDPOINT: repo.url }, cache);
      expect(second).toBe(first);
      expect(readdirSync(second).sort()).toEqual([...main.keys(), '.layerwise'].sort());
    } finally {
      await repo.close();
    }
  });

  it('codes flag errors: --hub-endpoint without a Hub model, a bad id', async () => {
    const cache = dirHubCache(path.join(work, 'd'));
    await expect(resolveHubArgs(['--model', 'dir', '--hub-endpoint', hub.url], {}, cache)).rejects.toMatchObject({ code: 'CLI_BAD_ARGUMENT' });
    await expect(resolveHubArgs(['--model', 'hub:../etc/passwd'], {}, cache)).rejects.toMatchObject({ code: 'HUB_BAD_MODEL_ID' });
  });

  it('puts the cache under $LAYERWISE_CACHE, else $XDG_CACHE_HOME/layerwise/hub, else ~/.cache/layerwise/hub', () => {
    expect(defaultHubCacheDir({ LAYERWISE_CACHE: '/tmp/lw' })).toBe('/tmp/lw');
    expect(defaultHubCacheDir({ XDG_CACHE_HOME: '/tmp/xdg' })).toBe('/tmp/xdg/layerwise/hub');
    expect(defaultHubCacheDir({})).toMatch(/\.cache\/layerwise\/hub$/);
  });
});

describe('layerwise predict --model hub:...', () => {
  it('downloads the model and reproduces the reference logits; run again with the Hub gone, it uses the cache', async () => {
    const server = await startFakeHub([{ id: 'tiny/bert', revisions: { main: files } }]);
    const env = { ...process.env, LAYERWISE_CACHE: path.join(work, 'bin-cache') };
    const predict = async () => {
      const args = ['predict', '--model', 'hub:tiny/bert', '--hub-endpoint', server.url, '--inputs', path.join(GOLDEN, 'reference.json'), '--json'];
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin', 'layerwise.mjs'), ...args], { cwd: ROOT, env });
      return { logits: flat((JSON.parse(stdout) as { logits: unknown }).logits), stderr };
    };
    const want = flat((JSON.parse(readFileSync(path.join(GOLDEN, 'reference.json'), 'utf8')) as { logits: unknown }).logits);
    const worst = (got: number[]) => Math.max(...want.map((w, i) => Math.abs(got[i] - w)));

    const online = await predict();
    expect(online.logits.length).toBe(want.length);
    expect(worst(online.logits)).toBeLessThanOrEqual(1e-4);
    expect(online.stderr).toContain('model.safetensors done');
    await server.close();
    const offline = await predict();
    expect(worst(offline.logits)).toBeLessThanOrEqual(1e-4);
    expect(offline.stderr).toContain('HUB_SERVED_FROM_CACHE');
  });
});
