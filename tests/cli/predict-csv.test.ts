// `layerwise predict --out FILE.csv` (RELIABILITY D16): the predictions of texts as a CSV that a spreadsheet opens
// without running any cell. The file is read back by Python's csv module (the reference reader); the logits and
// probabilities are compared with transformers' (the fixture's reference.json; DistilBERT's, whose logits include
// negative ones, which must stay numbers). bin/layerwise.mjs runs in child processes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, layerwise } from './run-cli';

const FIXTURE = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'distilbert-seq-cls');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-predict-csv-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Cells a spreadsheet runs as formulas (OWASP "CSV injection"), one per leading character. */
const FORMULAS = ["=cmd|' /C calc'!A0", '+1', '-2+3', '@SUM(1)', '\t=1+1', '=HYPERLINK("http://x.invalid","click")'];

/** The rows of a CSV file as Python's csv module reads them. */
function pythonCsvRows(file: string): string[][] {
  const script = 'import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))))';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as string[][];
}

function softmax(logits: number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

describe('predict --out FILE.csv', () => {
  const model = path.join(work, 'model');
  mkdirSync(model);
  for (const f of readdirSync(FIXTURE)) if (!f.startsWith('reference')) copyFileSync(path.join(FIXTURE, f), path.join(model, f));
  const reference = JSON.parse(readFileSync(path.join(FIXTURE, 'reference.json'), 'utf8')) as { sentences: string[]; logits: number[][] };
  const inputs = path.join(work, 'texts.json');
  writeFileSync(inputs, JSON.stringify({ texts: [...reference.sentences, ...FORMULAS] }));
  const labels = ['LABEL_0', 'LABEL_1', 'LABEL_2'];

  it('formula-like texts are neutralised with a leading quote; the numbers, negative ones too, are not', async () => {
    const out = path.join(work, 'out', 'predictions.csv');
    const r = await layerwise('predict', '--model', model, '--inputs', inputs, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(path.dirname(out))).toEqual(['predictions.csv']);
    const [header, ...rows] = pythonCsvRows(out);
    expect(header).toEqual(['text', 'predicted', 'probability', ...labels.map((l) => `logit ${l}`)]);
    expect(rows.map((row) => row[0])).toEqual([...reference.sentences, ...FORMULAS.map((f) => `'${f}`)]);
    reference.logits.forEach((logits, i) => {
      const p = softmax(logits);
      expect(rows[i][1]).toBe(labels[p.indexOf(Math.max(...p))]);
      expect(Number(rows[i][2])).toBeCloseTo(Math.max(...p), 5);
      logits.forEach((l, j) => expect(Number(rows[i][3 + j])).toBeCloseTo(l, 5));
    });
    // Every number cell is a plain number (negative logits keep their minus sign first), never quote-prefixed.
    const numbers = rows.flatMap((row) => row.slice(2));
    expect(numbers.some((n) => n.startsWith('-'))).toBe(true);
    for (const n of numbers) expect(n).toMatch(/^-?\d+(\.\d+)?(e-?\d+)?$/);
  });

  it('an existing file is kept without --overwrite and replaced whole with it; never the model folder or the inputs', async () => {
    const out = path.join(work, 'kept.csv');
    writeFileSync(out, 'my own file\n');
    const refused = await layerwise('predict', '--model', model, '--inputs', inputs, '--out', out);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/CLI_OUT_NOT_EMPTY: --out .*kept\.csv already exists: choose a new file, or pass --overwrite/);
    expect(readFileSync(out, 'utf8')).toBe('my own file\n');

    const replaced = await layerwise('predict', '--model', model, '--inputs', inputs, '--out', out, '--overwrite');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(pythonCsvRows(out)).toHaveLength(1 + reference.sentences.length + FORMULAS.length);
    expect(readdirSync(work).filter((f) => f.includes('.writing-'))).toEqual([]);

    const before = readdirSync(model).sort();
    for (const [target, overwrite] of [[path.join(model, 'predictions.csv'), []], [inputs, ['--overwrite']]] as const) {
      const r = await layerwise('predict', '--model', model, '--inputs', inputs, '--out', target, ...overwrite);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/CLI_OUT_IS_INPUT/);
    }
    expect(readdirSync(model).sort()).toEqual(before);
    expect(JSON.parse(readFileSync(inputs, 'utf8')).texts).toHaveLength(reference.sentences.length + FORMULAS.length);
  });

  it('token ids have no text to write: --out is refused before the model is read', async () => {
    const ids = path.join(work, 'ids.json');
    writeFileSync(ids, JSON.stringify({ input_ids: [[2, 1, 3]] }));
    const out = path.join(work, 'ids.csv');
    const r = await layerwise('predict', '--model', model, '--inputs', ids, '--out', out);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/CLI_BAD_ARGUMENT: --out writes texts with their predictions/);
    expect(readdirSync(work)).not.toContain('ids.csv');
  });
});
