// The readers' warnings reach every command, as `layerwise data` shows them (issue #15 item 6): a JSONL file with a
// bad line, a Latin-1 file and a one-class file, through bin/layerwise.mjs. train and pretrain print the skipped
// line and the Latin-1 decoding, eval prints them too, and train refuses a single class before any work (it used to
// train to loss 0 and accuracy 1.0 without a word).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, layerwise, type CliResult } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-warn-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const runs: Record<string, CliResult> = {};
const file = (name: string) => path.join(work, name);

beforeAll(async () => {
  const model = file('model');
  mkdirSync(model);
  for (const f of readdirSync(path.join(GOLDEN, 'bert-seq-cls'))) {
    if (!f.startsWith('reference') && f !== 'tokenizer.json') copyFileSync(path.join(GOLDEN, 'bert-seq-cls', f), path.join(model, f));
  }
  const rows = ['good film', 'bad film', 'great film', 'awful film', 'nice film', 'sad film'];
  const jsonl = rows.map((t, i) => JSON.stringify({ text: t, label: `LABEL_${i % 2}` }));
  jsonl.splice(2, 0, '{"text": "broken');
  writeFileSync(file('bad-line.jsonl'), `${jsonl.join('\n')}\n`);
  // "café" in Latin-1: the byte 0xE9 alone is not UTF-8.
  writeFileSync(file('latin1.csv'), Buffer.concat([Buffer.from('text,label\ncaf'), Buffer.from([0xe9]), Buffer.from(` film,LABEL_0\n${rows.map((t, i) => `${t},LABEL_${i % 2}`).join('\n')}\n`)]));
  writeFileSync(file('one-class.csv'), `text,label\n${rows.map((t) => `${t},LABEL_0`).join('\n')}\n`);
  const train = (data: string, out: string) => layerwise('train', '--model', model, '--data', file(data), '--max-steps', '1', '--out', file(out));
  const [badLine, latin1, oneClass, evalBad, evalLatin1, pretrain, data] = await Promise.all([
    train('bad-line.jsonl', 'out-bad-line'),
    train('latin1.csv', 'out-latin1'),
    train('one-class.csv', 'out-one-class'),
    layerwise('eval', '--model', model, '--data', file('bad-line.jsonl')),
    layerwise('eval', '--model', model, '--data', file('latin1.csv')),
    layerwise('pretrain', '--model', model, '--text', file('bad-line.jsonl'), '--text', file('latin1.csv'), '--max-steps', '1', '--out', file('out-pretrain')),
    layerwise('data', '--data', file('bad-line.jsonl')),
  ]);
  Object.assign(runs, { badLine, latin1, oneClass, evalBad, evalLatin1, pretrain, data });
}, 240_000);

const SKIPPED = /warning: DATASET_ROWS_SKIPPED: 1 row of 7 skipped: 1 not a usable JSON record \(rows 3\)/;
const LATIN1 = /warning: DATASET_DECODED_LATIN1: The file is not UTF-8\. It was read as Latin-1/;

describe('train, eval and pretrain say what the reader said', () => {
  it('`data` reports the bad line (the reference for the others)', () => {
    expect(runs.data.stdout).toMatch(/warning DATASET_ROWS_SKIPPED: 1 row of 7 skipped/);
  });

  it('train: the skipped JSONL line and the Latin-1 decoding are printed, and the runs go on', () => {
    expect(runs.badLine.code, runs.badLine.stderr).toBe(0);
    expect(runs.badLine.stderr).toMatch(new RegExp(`layerwise train: ${SKIPPED.source}`));
    expect(runs.latin1.code, runs.latin1.stderr).toBe(0);
    expect(runs.latin1.stderr).toMatch(new RegExp(`layerwise train: ${LATIN1.source}`));
  });

  it('eval prints them too', () => {
    expect(runs.evalBad.code, runs.evalBad.stderr).toBe(0);
    expect(runs.evalBad.stderr).toMatch(new RegExp(`layerwise eval: ${SKIPPED.source}`));
    expect(runs.evalLatin1.code, runs.evalLatin1.stderr).toBe(0);
    expect(runs.evalLatin1.stderr).toMatch(new RegExp(`layerwise eval: ${LATIN1.source}`));
  });

  it('pretrain prints every text file\'s warnings, naming the file', () => {
    expect(runs.pretrain.code, runs.pretrain.stderr).toBe(0);
    expect(runs.pretrain.stderr).toMatch(/layerwise pretrain: warning: DATASET_ROWS_SKIPPED: bad-line\.jsonl: 1 row of 7 skipped/);
    expect(runs.pretrain.stderr).toMatch(/layerwise pretrain: warning: DATASET_DECODED_LATIN1: latin1\.csv: The file is not UTF-8/);
  });

  it('train refuses a single class before any work', () => {
    const r = runs.oneClass;
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^layerwise train: DATA_ONE_CLASS: Every row of one-class\.csv for training has the label "LABEL_0": a classifier needs at least two classes/);
    expect(r.stderr).not.toMatch(/step 1\//);
  });
});
