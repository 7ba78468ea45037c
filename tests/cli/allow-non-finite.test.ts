// A checkpoint holding a NaN (RELIABILITY M17: 0x7fc00000 written into one float of the tiny BERT's word embedding,
// a row no input uses) through bin/layerwise.mjs: `train` and `step` refuse it with CHECKPOINT_NON_FINITE and write
// nothing; with --allow-non-finite they train and write. The references: the same run on the clean checkpoint (an
// unused row changes no other number, so every other weight is equal) and torch's reference_after_adamw_step.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFile } from '../../src/cli/node-files';
import { readSafetensorsHeader, readTensorFloat32, writeSafetensors } from '../../src/formats/safetensors';
import { ROOT, layerwise, readTensors, type CliResult } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'bert-seq-cls');
const EMBEDDING = 'bert.embeddings.word_embeddings.weight';
/** Row 327 ("sure") of the [328, 32] embedding: no token of the data or of reference.json reads it. */
const NAN_AT = 327 * 32;
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-allow-nan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const lastLine = (r: CliResult) => r.stderr.trim().split('\n').at(-1) ?? '';
const runs: Record<string, CliResult> = {};
const nanModel = path.join(work, 'nan-model');
const out = (name: string) => path.join(work, name);

beforeAll(async () => {
  mkdirSync(nanModel);
  for (const f of readdirSync(GOLDEN)) if (!f.startsWith('reference')) copyFileSync(path.join(GOLDEN, f), path.join(nanModel, f));
  const source = nodeFile(path.join(GOLDEN, 'model.safetensors'));
  const header = await readSafetensorsHeader(source);
  const tensors: [string, { shape: number[]; data: Float32Array }][] = [];
  for (const [name, info] of header.tensors) {
    const data = await readTensorFloat32(source, header, name);
    if (name === EMBEDDING) new Uint32Array(data.buffer, data.byteOffset, data.length)[NAN_AT] = 0x7fc00000;
    tensors.push([name, { shape: info.shape.map(Number), data }]);
  }
  writeFileSync(path.join(nanModel, 'model.safetensors'), writeSafetensors(tensors, { format: 'pt' }));
  const data = path.join(work, 'train.csv');
  writeFileSync(data, ['text,label', ...Array.from({ length: 24 }, (_, i) => `the film was ${i % 2 ? 'good' : 'bad'} ${i},${i % 2 ? 'LABEL_1' : 'LABEL_0'}`)].join('\n'));
  const batch = path.join(GOLDEN, 'reference.json');
  const train = (model: string, to: string, ...extra: string[]) =>
    layerwise('train', '--model', model, '--data', data, '--max-steps', '3', '--batch-size', '4', '--seed', '7', '--backend', 'cpu', '--out', out(to), ...extra);
  const [trainRefused, trainAllowed, trainClean, stepRefused, stepAllowed] = await Promise.all([
    train(nanModel, 'train-refused'),
    train(nanModel, 'train-allowed', '--allow-non-finite'),
    train(GOLDEN, 'train-clean'),
    layerwise('step', '--model', nanModel, '--batch', batch, '--out', out('step-refused')),
    layerwise('step', '--model', nanModel, '--batch', batch, '--out', out('step-allowed'), '--allow-non-finite'),
  ]);
  Object.assign(runs, { trainRefused, trainAllowed, trainClean, stepRefused, stepAllowed });
}, 240_000);

describe('a checkpoint with a NaN weight (M17)', () => {
  it('train and step refuse it with CHECKPOINT_NON_FINITE naming the tensor, and write nothing', () => {
    for (const [r, command, folder] of [
      [runs.trainRefused, 'train', 'train-refused'],
      [runs.stepRefused, 'step', 'step-refused'],
    ] as const) {
      expect(r.code, r.stderr).toBe(1);
      expect(lastLine(r)).toMatch(new RegExp(`^layerwise ${command}: .*CHECKPOINT_NON_FINITE: .*${EMBEDDING.replace(/\./g, '\\.')}.*--allow-non-finite`));
      expect(existsSync(out(folder))).toBe(false);
    }
  });

  it('train --allow-non-finite trains and writes: the NaN stays where it was, every other weight as the clean run wrote it', async () => {
    expect(runs.trainAllowed.code, runs.trainAllowed.stderr).toBe(0);
    expect(runs.trainClean.code, runs.trainClean.stderr).toBe(0);
    const got = await readTensors(path.join(out('train-allowed'), 'model.safetensors'));
    const clean = await readTensors(path.join(out('train-clean'), 'model.safetensors'));
    const before = await readTensors(path.join(GOLDEN, 'model.safetensors'));
    expect([...got.keys()].sort()).toEqual([...clean.keys()].sort());
    for (const [name, want] of clean) {
      const g = got.get(name)!;
      if (name === EMBEDDING) {
        expect(Number.isNaN(g[NAN_AT])).toBe(true);
        g[NAN_AT] = want[NAN_AT];
      }
      expect(g, name).toEqual(want);
    }
    // It trained: the encoder moved from the checkpoint it started from.
    expect(got.get('bert.encoder.layer.0.attention.self.query.weight')).not.toEqual(before.get('bert.encoder.layer.0.attention.self.query.weight'));
  });

  it('step --allow-non-finite writes the AdamW step: torch reference_after_adamw_step everywhere but the NaN, which stays NaN', async () => {
    expect(runs.stepAllowed.code, runs.stepAllowed.stderr).toBe(0);
    const got = await readTensors(path.join(out('step-allowed'), 'model.safetensors'));
    const want = await readTensors(path.join(GOLDEN, 'reference_after_adamw_step.safetensors'));
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    let worst = 0;
    for (const [name, w] of want) {
      const g = got.get(name)!;
      for (let i = 0; i < w.length; i++) {
        if (name === EMBEDDING && i === NAN_AT) expect(Number.isNaN(g[i])).toBe(true);
        else worst = Math.max(worst, Math.abs(g[i] - w[i]));
      }
    }
    // The tolerance of predict-step.test.ts's clean step against the same reference.
    expect(worst).toBeLessThanOrEqual(3e-4);
  });
});
