// `layerwise gradcheck` as outside checks call it: a child process on a tiny fixture and a CSV written here prints the
// per-module report as JSON and exits 0 when the gradients agree; bad flags end with a coded error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, layerwise } from './run-cli';

const FIXTURE = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'distilbert-seq-cls');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-gradcheck-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('prints the worst relative error per module and exits 0 when every module agrees', async () => {
  const data = path.join(work, 'reviews.csv');
  writeFileSync(data, 'text,label\n"a great film",pos\n"a dull film",neg\n"fine",pos\n');
  const result = await layerwise('gradcheck', '--model', FIXTURE, '--data', data, '--examples', '3', '--samples', '2', '--json');
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as { pass: boolean; examples: number; modules: { module: string; checked: number; worst: { relativeError: number } }[] };
  expect(report.pass).toBe(true);
  expect(report.examples).toBe(3);
  expect(report.modules.map((m) => m.module).sort()).toEqual(['LayerNorm', 'attention', 'embeddings', 'feed-forward', 'head']);
  for (const m of report.modules) expect(m.worst.relativeError).toBeLessThan(0.05);
});

it('refuses a bad --step with a coded error', async () => {
  const result = await layerwise('gradcheck', '--model', FIXTURE, '--data', path.join(work, 'reviews.csv'), '--step=-1');
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('CLI_BAD_ARGUMENT: --step must be a number > 0');
});
