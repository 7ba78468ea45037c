// The `predict` and `step` commands as outside checks call them: the real bin/layerwise.mjs in a child process,
// compared with the fixtures' PyTorch references (logits; parameters after one torch.optim.AdamW step), and
// malformed checkpoints ending with a coded one-line message, a non-zero exit and no stack trace.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFile, nodeFolder } from '../../src/cli/node-files';
import { readSafetensorsHeader, readTensorFloat32 } from '../../src/formats/safetensors';
import { parseModelConfig } from '../../src/engine/models/index';
import { loadModelFolder } from '../../src/engine/load';
import { ROOT, layerwise, type CliResult } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny');
const FIXTURES = ['bert-seq-cls', 'bert-token-cls', 'bert-mlm', 'distilbert-seq-cls', 'roberta-seq-cls'];
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-cli-'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function flat(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x as number];
}

function reference(name: string): { logits: unknown; sentences: string[]; inputs: { input_ids: number[][] } } {
  return JSON.parse(readFileSync(path.join(GOLDEN, name, 'reference.json'), 'utf8'));
}

/** A copy of a fixture folder (without the reference files) to byte-edit. */
function copyFixture(name: string, as: string): string {
  const dir = path.join(work, as);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const src = path.join(GOLDEN, name);
  for (const f of readdirSync(src)) if (!f.startsWith('reference')) copyFileSync(path.join(src, f), path.join(dir, f));
  return dir;
}

async function readTensors(file: string): Promise<Map<string, Float32Array>> {
  const source = nodeFile(file);
  const header = await readSafetensorsHeader(source);
  const out = new Map<string, Float32Array>();
  for (const name of header.tensors.keys()) out.set(name, await readTensorFloat32(source, header, name));
  return out;
}

function expectCodedFailure(r: CliResult, code: string): void {
  expect(r.code, r.stderr).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines.at(-1)).toMatch(new RegExp(`^layerwise \\w+: ${code}: `));
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('predict', () => {
  for (const name of FIXTURES) {
    it(`${name}: reference.json ids reproduce the reference logits (<= 1e-4)`, async () => {
      const r = await layerwise('predict', '--model', path.join(GOLDEN, name), '--inputs', path.join(GOLDEN, name, 'reference.json'), '--json');
      expect(r.code, r.stderr).toBe(0);
      const got = flat(JSON.parse(r.stdout).logits);
      const want = flat(reference(name).logits);
      expect(got.length).toBe(want.length);
      const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i])));
      expect(worst).toBeLessThanOrEqual(1e-4);
    });
  }

  it('texts are tokenised with the checkpoint tokenizer (bert-seq-cls, cpu backend)', async () => {
    const file = path.join(work, 'texts.json');
    writeFileSync(file, JSON.stringify({ texts: reference('bert-seq-cls').sentences }));
    const r = await layerwise('predict', '--model', path.join(GOLDEN, 'bert-seq-cls'), '--inputs', file, '--backend', 'cpu', '--json');
    expect(r.code, r.stderr).toBe(0);
    const got = flat(JSON.parse(r.stdout).logits);
    const want = flat(reference('bert-seq-cls').logits);
    expect(Math.max(...got.map((g, i) => Math.abs(g - want[i])))).toBeLessThanOrEqual(1e-4);
  });

  it('a sequence longer than the position table is refused (C6)', async () => {
    const file = path.join(work, 'long.json');
    writeFileSync(file, JSON.stringify({ input_ids: [Array.from({ length: 65 }, () => 5)] }));
    expectCodedFailure(await layerwise('predict', '--model', path.join(GOLDEN, 'bert-seq-cls'), '--inputs', file), 'INPUT_TOO_LONG');
  });
});

describe('step', () => {
  for (const name of FIXTURES) {
    it(`${name}: one AdamW step writes a folder matching reference_after_adamw_step`, async () => {
      const out = path.join(work, `step-${name}`);
      const r = await layerwise('step', '--model', path.join(GOLDEN, name), '--batch', path.join(GOLDEN, name, 'reference.json'), '--out', out, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).out).toBe(out);

      const got = await readTensors(path.join(out, 'model.safetensors'));
      const want = await readTensors(path.join(GOLDEN, name, 'reference_after_adamw_step.safetensors'));
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      const diffs: number[] = [];
      let worst = { name: '', diff: -1 };
      for (const [n, w] of want) {
        const g = got.get(n)!;
        for (let i = 0; i < w.length; i++) {
          const d = Math.abs(g[i] - w[i]);
          diffs.push(d);
          if (d > worst.diff) worst = { name: n, diff: d };
        }
      }
      diffs.sort((a, b) => a - b);
      expect(worst.diff, `worst tensor ${worst.name}`).toBeLessThanOrEqual(3e-4);
      expect(diffs[Math.floor(diffs.length / 2)]).toBeLessThanOrEqual(1e-6);

      // The folder is a checkpoint again: config.json parses, the tokenizer files came along, and it loads.
      const written = nodeFolder(out);
      expect(parseModelConfig(readFileSync(path.join(out, 'config.json'), 'utf8')).config.architectures).toEqual(
        parseModelConfig(readFileSync(path.join(GOLDEN, name, 'config.json'), 'utf8')).config.architectures,
      );
      expect(written.has('tokenizer.json')).toBe(true);
      const again = await loadModelFolder(written);
      expect(again.params.names().sort()).toEqual([...want.keys()].sort());
      again.params.dispose();
    });
  }
});

describe('malformed checkpoints end with a coded one-line message', () => {
  it('hidden_size 48 in config.json: CHECKPOINT_SHAPE_MISMATCH (M19)', async () => {
    const dir = copyFixture('bert-seq-cls', 'hidden48');
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, hidden_size: 48 }));
    const r = await layerwise('predict', '--model', dir, '--inputs', path.join(GOLDEN, 'bert-seq-cls', 'reference.json'), '--json');
    expectCodedFailure(r, 'CHECKPOINT_SHAPE_MISMATCH');
    expect(JSON.parse(r.stdout).error.code).toBe('CHECKPOINT_SHAPE_MISMATCH');
  });

  it('an empty model.safetensors: SAFETENSORS_HEADER_TOO_SMALL (M1)', async () => {
    const dir = copyFixture('bert-seq-cls', 'empty');
    writeFileSync(path.join(dir, 'model.safetensors'), new Uint8Array(0));
    const out = path.join(work, 'empty-out');
    expectCodedFailure(
      await layerwise('step', '--model', dir, '--batch', path.join(GOLDEN, 'bert-seq-cls', 'reference.json'), '--out', out),
      'SAFETENSORS_HEADER_TOO_SMALL',
    );
    expect(() => readdirSync(out)).toThrow();
  });

  it('only pytorch_model.bin: CHECKPOINT_PYTORCH_ONLY', async () => {
    const dir = copyFixture('bert-seq-cls', 'pickle');
    rmSync(path.join(dir, 'model.safetensors'));
    writeFileSync(path.join(dir, 'pytorch_model.bin'), new Uint8Array([0x50, 0x4b, 3, 4]));
    expectCodedFailure(
      await layerwise('predict', '--model', dir, '--inputs', path.join(GOLDEN, 'bert-seq-cls', 'reference.json')),
      'CHECKPOINT_PYTORCH_ONLY',
    );
  });
});
