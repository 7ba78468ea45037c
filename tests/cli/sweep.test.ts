// `layerwise sweep` as outside checks call it: a child process writes one JSON line per trial and prints the best
// trial with its TrainConfig; an --out that exists is refused before any training unless --overwrite.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, layerwise } from './run-cli';

const FIXTURE = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'bert-seq-cls');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-sweep-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('writes a JSONL of trials and prints the best one; refuses an existing --out', async () => {
  const data = path.join(work, 'two.csv');
  writeFileSync(data, ['text,label', ...Array.from({ length: 16 }, (_, i) => `"text number ${i}",${['good', 'bad'][i % 2]}`)].join('\n'));
  const config = path.join(work, 'sweep.json');
  writeFileSync(config, JSON.stringify({ base: { epochs: 1, batchSize: 4, maxLength: 16, validationSplit: 0.25 }, method: 'grid', trials: 2, metric: 'eval_loss', space: { learningRate: [1e-3, 5e-3] } }));
  const out = path.join(work, 'trials.jsonl');
  const result = await layerwise('sweep', '--model', FIXTURE, '--data', data, '--config', config, '--out', out, '--json');
  expect(result.code, result.stderr).toBe(0);
  const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number; score: number; values: { learningRate: number } });
  expect(lines.map((l) => l.values.learningRate)).toEqual([1e-3, 5e-3]);
  const summary = JSON.parse(result.stdout) as { best: { id: number; score: number; config: { learningRate: number } } };
  const best = lines.reduce((a, b) => (b.score < a.score ? b : a));
  expect(summary.best).toMatchObject({ id: best.id, score: best.score, config: { learningRate: best.values.learningRate } });

  const again = await layerwise('sweep', '--model', FIXTURE, '--data', data, '--config', config, '--out', out);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('CLI_OUT_NOT_EMPTY');
  expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
});
