// A sweep run (src/engine/train/sweep.ts) on the tiny BERT fixture and a CSV made here, on wasm: the rungs of
// successive halving train the trials the plan says for the epochs it says, the survivors are the best by the metric,
// a trial whose run fails is a result with its error (the sweep goes on), and a stop ends the sweep.
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { nodeFolder } from '../../../src/cli/node-files';
import { runSweep } from '../../../src/engine/train/sweep';
import { readDataset, type Dataset } from '../../../src/formats/datasets/index';
import { bytesFile } from '../../../src/formats/source-file';
import { parseSweepConfig, rankTrials } from '../../../src/protocol/sweep';

const FIXTURE = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny', 'bert-seq-cls');
let data: Dataset;

beforeAll(async () => {
  await useNodeBackend('wasm');
  const rows = ['text,label', ...Array.from({ length: 24 }, (_, i) => `"text number ${i}",${['good', 'bad'][i % 2]}`)];
  data = await readDataset(bytesFile('two.csv', new TextEncoder().encode(rows.join('\n'))));
});

const sources = () => ({ folder: nodeFolder(FIXTURE), train: data, validation: null });

it('successive halving trains every trial briefly, then the best ones for the full epochs; a failed trial is reported, not fatal', async () => {
  const sweep = parseSweepConfig({
    base: { epochs: 2, batchSize: 4, maxLength: 16, validationSplit: 0.25 },
    method: 'grid',
    trials: 4,
    metric: 'eval_loss',
    // 1e30 overflows the weights: that trial diverges and has no score.
    space: { learningRate: [1e-3, 3e-3, 1e-2, 1e30] },
    halving: { eta: 2, rungs: 2 },
  });
  const started: string[] = [];
  const outcome = await runSweep(sources(), sweep, { onTrialStarted: (t, rung, epochs) => started.push(`${t.id}@${rung}:${epochs}`) });
  const rung0 = outcome.results.filter((r) => r.rung === 0);
  expect(rung0.map((r) => [r.id, r.epochs])).toEqual([[0, 1], [1, 1], [2, 1], [3, 1]]);
  expect(rung0[3]).toMatchObject({ score: null, error: expect.stringContaining('TRAIN_DIVERGED') });
  for (const r of rung0.slice(0, 3)) expect(r.score).toBe(r.metrics?.eval_loss);
  // The two best of rung 0 by eval_loss (lower is better) go on to the full two epochs.
  const survivors = rankTrials(sweep, rung0).slice(0, 2).map((r) => r.id);
  const rung1 = outcome.results.filter((r) => r.rung === 1);
  expect(rung1.map((r) => r.id)).toEqual(survivors);
  expect(rung1.every((r) => r.epochs === 2 && r.score !== null)).toBe(true);
  expect(outcome.best?.id).toBe(rankTrials(sweep, rung1)[0].id);
  expect(started).toHaveLength(6);
  expect(outcome.stopped).toBe(false);
}, 120_000);

it('a stop ends the sweep after the trial in flight, unscored', async () => {
  const sweep = parseSweepConfig({ base: { epochs: 3, batchSize: 4, maxLength: 16 }, trials: 3, space: { learningRate: [1e-3] }, metric: 'accuracy' });
  const controller = new AbortController();
  const outcome = await runSweep(sources(), sweep, {
    signal: controller.signal,
    onStep: async (step) => {
      if (step === 2) controller.abort();
    },
  });
  expect(outcome.stopped).toBe(true);
  expect(outcome.results).toHaveLength(1);
  expect(outcome.results[0]).toMatchObject({ score: null, error: 'the sweep was stopped' });
  expect(outcome.best).toBeNull();
}, 60_000);
