// Output folders (issue #15 items 2-4): every command that writes a folder checks --out before any work, never
// writes into the --model folder, never over files without --overwrite, and writes the folder whole by rename, so
// that kill -9 during the final write leaves the old folder as it was. Commands that only read (eval, predict,
// data) leave the model folder byte-identical; eval and data take no --out, predict's (a CSV file) is never in it. bin/layerwise.mjs runs in child processes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, layerwise } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-out-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of a fixture folder without its reference files (and without tokenizer.json: vocab.txt then builds the full tokenizer). */
function fixtureCopy(fixture: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(path.join(GOLDEN, fixture))) {
    if (!f.startsWith('reference') && !(f === 'tokenizer.json' && fixture.startsWith('bert'))) copyFileSync(path.join(GOLDEN, fixture, f), path.join(to, f));
  }
  return to;
}

/** Every file under dir (relative path -> sha256 and mtime), for "nothing changed" checks. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    out[path.relative(dir, p)] = `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${statSync(p).mtimeMs}`;
  }
  return out;
}

const lastLine = (s: string) => s.trim().split('\n').at(-1) ?? '';

let model = '';
let data = '';
let text = '';
let before: Record<string, string> = {};

beforeAll(() => {
  model = fixtureCopy('bert-seq-cls', path.join(work, 'models', 'bert'));
  before = snapshot(model);
  data = path.join(work, 'train.csv');
  writeFileSync(data, `text,label\n${Array.from({ length: 24 }, (_, i) => (i % 2 ? 'the movie was good,pos' : 'the film was bad,neg')).join('\n')}\n`);
  text = path.join(work, 'text.txt');
  writeFileSync(text, 'the movie was good\nthe film was bad\n'.repeat(8));
  writeFileSync(path.join(work, 'batch.json'), readFileSync(path.join(GOLDEN, 'bert-seq-cls', 'reference.json')));
});

describe('--out is checked before any work', () => {
  it('train, step and pretrain refuse the --model folder, a folder inside it and one around it; the model is untouched', async () => {
    const trainArgs = (out: string) => ['train', '--model', model, '--data', data, '--max-steps', '1', '--out', out];
    const results = await Promise.all([
      layerwise(...trainArgs(model)),
      layerwise(...trainArgs(path.join(model, 'tuned'))),
      layerwise(...trainArgs(path.dirname(model)), '--overwrite'),
      layerwise('step', '--model', model, '--batch', path.join(work, 'batch.json'), '--out', model, '--overwrite'),
      layerwise('pretrain', '--model', model, '--text', text, '--max-steps', '1', '--out', model, '--overwrite'),
    ]);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(1);
      expect(lastLine(r.stderr)).toMatch(/^layerwise (train|step|pretrain): CLI_OUT_IS_INPUT: --out .* is the model folder the command reads/);
      expect(r.stderr).not.toMatch(/step 1\//);
    }
    expect(snapshot(model)).toEqual(before);
    expect(existsSync(path.join(model, 'tuned'))).toBe(false);
  });

  it('a folder holding another model is refused without --overwrite; with it, the folder is replaced whole (no mix of two tokenizers)', async () => {
    const other = fixtureCopy('roberta-seq-cls', path.join(work, 'other-model'));
    const otherBefore = snapshot(other);
    const refused = await layerwise('train', '--model', model, '--data', data, '--max-steps', '1', '--out', other);
    expect(refused.code).toBe(1);
    expect(lastLine(refused.stderr)).toMatch(/^layerwise train: CLI_OUT_NOT_EMPTY: --out .* already holds a model \(config\.json, model\.safetensors, .*vocab\.json\): .*--overwrite/);
    expect(refused.stderr).not.toMatch(/step 1\//);
    expect(snapshot(other)).toEqual(otherBefore);

    const vocab = await layerwise('vocab', '--data', text, '--out', model);
    expect(vocab.code).toBe(1);
    expect(lastLine(vocab.stderr)).toMatch(/^layerwise vocab: CLI_OUT_NOT_EMPTY: --out .* already holds a model \(config\.json, model\.safetensors, .*vocab\.txt\)/);
    expect(snapshot(model)).toEqual(before);

    const replaced = await layerwise('train', '--model', model, '--data', data, '--max-steps', '1', '--out', other, '--overwrite');
    expect(replaced.code, replaced.stderr).toBe(0);
    const files = readdirSync(other).sort();
    expect(files).toEqual(['README.md', 'config.json', 'metrics.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
    expect(JSON.parse(readFileSync(path.join(other, 'config.json'), 'utf8')).model_type).toBe('bert');
    // Made with the umask's mode as any new folder is (a temporary folder's 0700 would stay on it).
    mkdirSync(path.join(work, 'plain'));
    expect((statSync(other).mode & 0o777).toString(8)).toBe((statSync(path.join(work, 'plain')).mode & 0o777).toString(8));
    // Nothing is left beside it: no staging or replaced folder.
    expect(readdirSync(work).filter((f) => f.startsWith('.other-model'))).toEqual([]);
  });

  it('a place that cannot be written is refused before the first step (not after training)', async () => {
    const file = path.join(work, 'a-file');
    writeFileSync(file, 'x');
    const [train, vocab] = await Promise.all([
      layerwise('train', '--model', model, '--data', data, '--max-steps', '1', '--out', path.join(file, 'out')),
      layerwise('vocab', '--data', text, '--out', path.join(file, 'vocab')),
    ]);
    for (const r of [train, vocab]) {
      expect(r.code).toBe(1);
      expect(lastLine(r.stderr)).toMatch(/^layerwise (train|vocab): CLI_OUT_NOT_WRITABLE: --out .*a-file\/(out|vocab) cannot be written: /);
    }
    expect(train.stderr).not.toMatch(/step 1\//);
    const existing = await layerwise('train', '--model', model, '--data', data, '--max-steps', '1', '--out', file);
    expect(lastLine(existing.stderr)).toMatch(/^layerwise train: CLI_OUT_NOT_FOLDER: /);
  });

  it('--checkpoint-dir is never the --model folder (nor inside it), nor the --out folder', async () => {
    const [inside, same] = await Promise.all([
      layerwise('train', '--model', model, '--data', data, '--max-steps', '1', '--out', path.join(work, 'ck-out'), '--checkpoint-dir', path.join(model, 'ck')),
      layerwise('train', '--model', model, '--data', data, '--max-steps', '1', '--out', path.join(work, 'ck-out'), '--checkpoint-dir', path.join(work, 'ck-out')),
    ]);
    expect(lastLine(inside.stderr)).toMatch(/^layerwise train: CLI_OUT_IS_INPUT: --checkpoint-dir .* is the model folder/);
    expect(lastLine(same.stderr)).toMatch(/^layerwise train: CLI_OUT_IS_INPUT: --checkpoint-dir .* is the --out folder/);
    expect(snapshot(model)).toEqual(before);
    expect(existsSync(path.join(work, 'ck-out'))).toBe(false);
  });
});

describe('commands that read a model never write into it', () => {
  it('eval, predict and data leave the model folder byte-identical; eval and data take no --out, predict writes none into it', async () => {
    writeFileSync(path.join(work, 'texts.json'), JSON.stringify({ texts: ['the movie was good'] }));
    // The fixture's classes are LABEL_0..LABEL_2.
    const labelled = path.join(work, 'labelled.csv');
    writeFileSync(labelled, 'text,label\nthe movie was good,LABEL_0\nthe film was bad,LABEL_1\n');
    const runs = await Promise.all([
      layerwise('eval', '--model', model, '--data', labelled, '--json'),
      layerwise('predict', '--model', model, '--inputs', path.join(work, 'texts.json'), '--json'),
      layerwise('data', '--data', labelled, '--json'),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const withOut = await Promise.all([
      layerwise('eval', '--model', model, '--data', data, '--out', model),
      layerwise('predict', '--model', model, '--inputs', path.join(work, 'texts.json'), '--out', model),
      layerwise('data', '--data', data, '--out', model),
    ]);
    expect(withOut.map((r) => lastLine(r.stderr))).toEqual([
      expect.stringMatching(/CLI_BAD_ARGUMENT: .*'--out'/),
      expect.stringMatching(/CLI_OUT_IS_INPUT: --out .* is, or lies inside, an input of the command/),
      expect.stringMatching(/CLI_BAD_ARGUMENT: .*'--out'/),
    ]);
    expect(snapshot(model)).toEqual(before);
  });
});

describe('the final write is whole or not at all', () => {
  it('kill -9 while the new model is written leaves the old --out folder whole', async () => {
    // A random-init model of ~50 MB, so that writing it takes long enough to be interrupted.
    const big = fixtureCopy('bert-seq-cls', path.join(work, 'models', 'big'));
    const config = JSON.parse(readFileSync(path.join(big, 'config.json'), 'utf8'));
    writeFileSync(path.join(big, 'config.json'), JSON.stringify({ ...config, hidden_size: 512, intermediate_size: 2048, num_hidden_layers: 4, num_attention_heads: 8 }));
    rmSync(path.join(big, 'model.safetensors'));
    const out = path.join(work, 'kept');
    cpSync(model, out, { recursive: true });
    const kept = snapshot(out);

    const child = spawn(process.execPath, [BIN, 'train', '--model', big, '--init', 'random', '--data', data, '--max-steps', '1', '--batch-size', '2', '--out', out, '--overwrite'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The first change beside or inside --out is the start of the final write: kill the process right there.
    let killedAt: string | null = null;
    const kill = (what: string) => {
      if (killedAt !== null) return;
      killedAt = what;
      child.kill('SIGKILL');
    };
    const watchers = [watch(out, (_e, name) => kill(`inside: ${name}`))];
    watchers.push(
      watch(work, (_e, name) => {
        if (!name?.startsWith('.kept.') || killedAt !== null) return;
        // The temporary sibling: kill once the weights are being written into it (or at its next change).
        try {
          watchers.push(watch(path.join(work, name), (_e2, file) => kill(`staging: ${file}`)));
        } catch {
          kill(`beside: ${name}`);
        }
      }),
    );
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    watchers.forEach((w) => w.close());
    expect(signal, `${killedAt}\n${stderr}`).toBe('SIGKILL');
    expect(code).toBe(null);
    expect(killedAt).toMatch(/^(staging: |beside: \.kept\.writing-)/);
    expect(snapshot(out)).toEqual(kept);
  }, 120_000);
});
