// `layerwise push` as a user runs it, against the local stand-in for the Hub (commit API): the folder's files are in
// the repository afterwards, byte for byte, the token came from $HF_TOKEN (or stdin) and reached the Hub API only;
// without a token, or for a folder that is not a model, nothing is sent.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../../e2e/support/hub-server';
import { BIN, ROOT, type CliResult } from './run-cli';

const TOKEN = 'hf_cli_push_token_0123456789';
const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'bert-mlm');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-push-'));
const folder = path.join(work, 'model');
let hub: FakeHub;

async function push(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'push', ...args], { cwd: ROOT, env: { ...process.env, HF_TOKEN: '', HF_ENDPOINT: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  hub = await startFakeHub([], { writeToken: TOKEN });
  mkdirSync(folder);
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) copyFileSync(path.join(GOLDEN, f), path.join(folder, f));
  writeFileSync(path.join(folder, 'README.md'), '---\nlibrary_name: transformers\n---\n# card\n');
});
afterAll(async () => {
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

describe('layerwise push', () => {
  it('uploads the folder to a new repository and prints its URL; the token went to the Hub API only', async () => {
    const r = await push({ HF_TOKEN: TOKEN }, '--model', folder, '--repo', 'me/pushed', '--endpoint', hub.url, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { url: string; created: boolean; files: { name: string }[] };
    expect(out.url).toBe(`${hub.url}/me/pushed`);
    expect(out.created).toBe(true);
    const commit = hub.commits.at(-1)!;
    expect([...commit.files.keys()].sort()).toEqual(['README.md', 'config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    expect(hub.seen.filter((s) => s.server === 'hub' && s.method === 'POST').every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(hub.seen.filter((s) => s.server === 'storage').every((s) => s.authorization === null)).toBe(true);
  });

  it('reads the token from stdin with --token-stdin', async () => {
    const child = execFile(process.execPath, [BIN, 'push', '--model', folder, '--repo', 'me/pushed', '--endpoint', hub.url, '--token-stdin'], { cwd: ROOT, env: { ...process.env, HF_TOKEN: '' } });
    child.stdin!.end(`${TOKEN}\n`);
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(code).toBe(0);
    expect(stdout).toContain(`updated ${hub.url}/me/pushed`);
  });

  it('without a token, with a token the Hub refuses, or for a folder that is not a model: a coded error; only the refused token reached the Hub', async () => {
    const before = hub.seen.length;
    const none = await push({}, '--model', folder, '--repo', 'me/x', '--endpoint', hub.url);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('HUB_PUSH_NO_TOKEN');
    const notModel = await push({ HF_TOKEN: TOKEN }, '--model', work, '--repo', 'me/x', '--endpoint', hub.url);
    expect(notModel.stderr).toContain('CHECKPOINT_NO_CONFIG');
    expect(hub.seen.length).toBe(before);
    const refused = await push({ HF_TOKEN: 'hf_not_the_right_one_000' }, '--model', folder, '--repo', 'me/x', '--endpoint', hub.url);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HUB_PUSH_UNAUTHORIZED');
  });
});
