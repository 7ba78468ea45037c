// NaN models never exit 0 (issue #15 item 5), through bin/layerwise.mjs as outside checks call it: a learning rate
// whose update overflows (1e308, the step's loss finite) and one that ends on skipped steps (1e4) stop with
// TRAIN_DIVERGED and write nothing; predict and eval of a model whose outputs are not numbers (finite weights so
// large that the forward pass overflows) are coded errors, not null logits or an accuracy beside eval_loss NaN.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFile } from '../../src/cli/node-files';
import { readSafetensorsHeader, readTensorFloat32, writeSafetensors } from '../../src/formats/safetensors';
import { createRng } from '../../src/lib/random';
import { ROOT, layerwise, type CliResult } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-nan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fixtureCopy(fixture: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(path.join(GOLDEN, fixture))) {
    if (!f.startsWith('reference') && f !== 'tokenizer.json') copyFileSync(path.join(GOLDEN, fixture, f), path.join(to, f));
  }
  return to;
}

/** Seeded rows whose label the words decide, with the fixture's class names. */
function rows(n: number, seed: number): string {
  const rng = createRng(seed, 3);
  const good = ['good', 'great', 'fine', 'nice'];
  const bad = ['bad', 'awful', 'sad', 'slow'];
  const lines = ['text,label'];
  for (let i = 0; i < n; i++) {
    const positive = rng.next() < 0.5;
    lines.push(`the movie was ${(positive ? good : bad)[rng.int(4)]} and ${(positive ? good : bad)[rng.int(4)]},${positive ? 'LABEL_1' : 'LABEL_0'}`);
  }
  return `${lines.join('\n')}\n`;
}

const lastLine = (r: CliResult) => r.stderr.trim().split('\n').at(-1) ?? '';

let model = '';
let data = '';
const runs: Record<string, CliResult> = {};

beforeAll(async () => {
  model = fixtureCopy('bert-seq-cls', path.join(work, 'model'));
  data = path.join(work, 'train.csv');
  writeFileSync(data, rows(96, 1));
  // Finite weights, every one of them, but a saturated pooler and a classifier of 3e38: the logits overflow.
  const huge = fixtureCopy('bert-seq-cls', path.join(work, 'huge'));
  const source = nodeFile(path.join(model, 'model.safetensors'));
  const header = await readSafetensorsHeader(source);
  const tensors: [string, { shape: number[]; data: Float32Array }][] = [];
  for (const [name, info] of header.tensors) {
    let data = await readTensorFloat32(source, header, name);
    if (name === 'bert.pooler.dense.weight') data = data.map((v) => v * 1e6);
    if (name === 'classifier.weight') data = data.map(() => 3e38);
    tensors.push([name, { shape: info.shape.map(Number), data }]);
  }
  writeFileSync(path.join(huge, 'model.safetensors'), writeSafetensors(tensors, { format: 'pt' }));
  writeFileSync(path.join(work, 'texts.json'), JSON.stringify({ texts: ['the movie was good', 'the movie was bad'] }));
  const [overflow, skipped, predicted, evaluated] = await Promise.all([
    layerwise('train', '--model', model, '--data', data, '--lr', '1e308', '--max-steps', '3', '--out', path.join(work, 'out-overflow'), '--json'),
    layerwise('train', '--model', model, '--data', data, '--lr', '1e4', '--max-steps', '12', '--epochs', '10', '--out', path.join(work, 'out-skipped'), '--json'),
    layerwise('predict', '--model', huge, '--inputs', path.join(work, 'texts.json'), '--json'),
    layerwise('eval', '--model', huge, '--data', data, '--json'),
  ]);
  Object.assign(runs, { overflow, skipped, predicted, evaluated });
}, 240_000);

describe('train never writes or reports a non-finite model as done', () => {
  it('--lr 1e308 --max-steps 3: the overflowing update stops the run with TRAIN_DIVERGED, nothing written', () => {
    const r = runs.overflow;
    expect(r.code).toBe(1);
    expect(lastLine(r)).toMatch(/^layerwise train: TRAIN_DIVERGED: Diverged at step \d; try a learning rate <= 1e\+307 \(.*(NaN or infinite|is NaN)/);
    expect(r.stderr).not.toMatch(/completed after/);
    expect(existsSync(path.join(work, 'out-overflow'))).toBe(false);
  });

  it('--lr 1e4 --max-steps 12: the run does not end "completed" on NaN steps; nothing written', () => {
    const r = runs.skipped;
    expect(r.code).toBe(1);
    expect(lastLine(r)).toMatch(/^layerwise train: TRAIN_DIVERGED: Diverged at step \d+; try a learning rate <= 1000 /);
    expect(r.stderr).not.toMatch(/completed after/);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/"code":"TRAIN_DIVERGED"/);
    expect(existsSync(path.join(work, 'out-skipped'))).toBe(false);
  });
});

describe('predict and eval refuse outputs that are not numbers', () => {
  it('predict: PREDICT_NON_FINITE instead of null logits', () => {
    const r = runs.predicted;
    expect(r.code).toBe(1);
    expect(lastLine(r)).toMatch(/^layerwise predict: PREDICT_NON_FINITE: \d+ of 6 logits are NaN or infinite \(first in input row 1\): /);
    expect(r.stdout).not.toMatch(/null/);
  });

  it('eval: EVAL_NON_FINITE instead of an accuracy beside eval_loss NaN', () => {
    const r = runs.evaluated;
    expect(r.code).toBe(1);
    expect(lastLine(r)).toMatch(/^layerwise eval: EVAL_NON_FINITE: eval_loss is (NaN|Infinity) on train\.csv: /);
    expect(r.stdout).not.toMatch(/accuracy/);
  });
});
