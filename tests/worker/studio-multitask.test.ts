// A multi-task run in the studio (#18): one CSV with two label columns, a head on each. The worker reads each head's
// data from the open file with its own label column, as `layerwise train --config` reads --data (cli/train-data.ts
// columnOptions with labelSep none), so every evaluation of every head equals the engine's run of the same heads;
// the trained model predicts as its primary head; the export's zip holds the primary head's folder and heads/<name>/;
// a sweep of the config trains the heads in every trial; Check gradients and a head naming a file of its own are refused.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import { nodeFolder } from '../../src/cli/node-files';
import { columnOptions } from '../../src/cli/train-data';
import { prepareRun } from '../../src/engine/train/recipe';
import { runSweep } from '../../src/engine/train/sweep';
import { readDataset } from '../../src/formats/datasets/index';
import { blobFile } from '../../src/formats/source-file';
import type { BackendProbe } from '../../src/protocol/messages';
import { parseSweepConfig, type SweepConfig } from '../../src/protocol/sweep';
import { parseTrainConfig } from '../../src/protocol/train-config';
import type { EvalRecord } from '../../src/protocol/train-events';
import { recordedStudio } from './studio-harness';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const PROBE: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };
const names = () => readdirSync(FIXTURE).filter((n) => !n.startsWith('reference'));
const files = () => names().map((name) => new File([readFileSync(path.join(FIXTURE, name))], name));
const WORDS = ['paris', 'music', 'man'];
const text = ['text,sentiment,topic', ...Array.from({ length: 32 }, (_, i) => `"${WORDS[i % 3]} was ${i % 2 ? 'great' : 'awful'} number ${i}",${i % 2 ? 'pos' : 'neg'},${['place', 'arts', 'people'][i % 3]}`)].join('\n');
const csv = () => new File([text], 'two-labels.csv');
const heads = [
  { name: 'sentiment', task: 'seq-cls', labelColumn: 'sentiment' },
  { name: 'topic', task: 'seq-cls', labelColumn: 'topic', weight: 2 },
];
const input = { tasks: heads, maxSteps: 8, evalEvery: 4, batchSize: 4, maxLength: 16, learningRate: 1e-2, validationSplit: 0.25, multiTask: { sampler: 'round-robin', temperature: 2, watch: 'topic' } };

const studio = () => recordedStudio();

async function opened(t: ReturnType<typeof studio>) {
  await t.s.start({ ...PROBE });
  await t.s.setBackend('cpu');
  await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: files() });
  await t.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: csv(), choices: {} });
}

/** Each head's files as the CLI reads --data for a head without a file of its own. */
async function cliSources() {
  const sources = [];
  for (const h of heads) sources.push({ train: await readDataset(blobFile('two-labels.csv', csv()), columnOptions(undefined, h.labelColumn, { labelSep: 'none' })), validation: null });
  return { folder: nodeFolder(FIXTURE), ...sources[0], heads: sources };
}

/** The same heads through the engine's run recipe. */
async function engineRun(): Promise<EvalRecord[]> {
  const run = await prepareRun(await cliSources(), parseTrainConfig(input), { evaluateOnStop: true });
  const out: EvalRecord[] = [];
  try {
    for await (const e of run.trainer.run()) {
      if (e.type === 'evaluated') out.push(e.record);
      if (e.type === 'failed') throw new Error(e.error.message);
    }
  } finally {
    run.trainer.dispose();
    run.model.params.dispose();
  }
  return out;
}

beforeAll(() => useNodeBackend('cpu'));

describe('Studio multi-task run', () => {
  it('trains a head per label column of the open file, its evaluations the engine run\'s, and exports heads/<name>/', async () => {
    const t = studio();
    await opened(t);
    await t.s.startTraining({ type: 'startTraining', runId: 'mt', config: parseTrainConfig(input) });
    await t.ended();
    expect(t.of('trainingFailed')).toEqual([]);
    const records = t.of('trainingEvaluated').map((e) => e.record);
    expect(records.map((r) => Object.keys(r.tasks ?? {}))).toEqual([
      ['sentiment', 'topic'],
      ['sentiment', 'topic'],
    ]);
    const reference = await engineRun();
    expect(records.map((r) => r.tasks)).toEqual(reference.map((r) => r.tasks));
    expect(records.map((r) => r.accuracy)).toEqual(reference.map((r) => r.tasks?.topic.accuracy));

    // The trained model answers as its primary head, as the exported folder does.
    await t.s.predict({ type: 'predict', requestId: 3, text: 'paris was great' });
    const [predicted] = t.of('predicted');
    expect(predicted.prediction.task === 'seq-cls' && predicted.prediction.labels.map((l) => l.label)).toEqual(['neg', 'pos']);

    await t.s.exportModel({ type: 'exportModel', requestId: 2, format: 'hf', quantize: false, allowNonFinite: false });
    const [exported] = t.of('modelExported');
    expect(t.of('exportFailed')).toEqual([]);
    const entries = Object.keys(unzipSync(new Uint8Array(exported.exported.zip)));
    const folder = entries[0].split('/')[0];
    expect(entries).toContain(`${folder}/config.json`);
    expect(entries).toContain(`${folder}/heads/topic/config.json`);
    expect(entries).toContain(`${folder}/heads/topic/model.safetensors`);
    const topic = JSON.parse(new TextDecoder().decode(unzipSync(new Uint8Array(exported.exported.zip))[`${folder}/heads/topic/config.json`]));
    expect(Object.values(topic.id2label).sort()).toEqual(['arts', 'people', 'place']);
  }, 120_000);

  it('sweeps a multi-task config: every trial trains the heads, scored as the engine\'s sweep scores them', async () => {
    const t = studio();
    await opened(t);
    const sweep: SweepConfig = { base: { ...input, maxSteps: 2, evalEvery: 2 }, method: 'grid', space: { learningRate: [1e-2, 1e-3] }, trials: 2, seed: 1, metric: 'accuracy', halving: null };
    t.s.startSweep({ type: 'startSweep', sweepId: 's', sweep });
    while (t.of('sweepFinished').length + t.of('sweepFailed').length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(t.of('sweepFailed')).toEqual([]);
    const scores = t.of('sweepTrialFinished').map((e) => [e.result.id, e.result.score]);
    const reference = await runSweep(await cliSources(), parseSweepConfig(sweep));
    expect(scores).toEqual(reference.results.map((r) => [r.id, r.score]));
    expect(scores.every(([, score]) => typeof score === 'number')).toBe(true);
  }, 120_000);

  it('refuses to check the gradients of a multi-task config, naming the field', async () => {
    const t = studio();
    await opened(t);
    await t.s.checkGradients({ type: 'checkGradients', requestId: 4, config: parseTrainConfig(input), examples: 2 });
    expect(t.of('gradientCheckFailed').map((e) => e.error)).toEqual([expect.objectContaining({ code: 'GRADCHECK_MULTI_TASK', location: { field: 'tasks' } })]);
  });

  it('refuses a head that names a file of its own, naming the field', async () => {
    const t = studio();
    await opened(t);
    const bad = parseTrainConfig({ ...input, tasks: [heads[0], { ...heads[1], data: 'other.csv' }] });
    await t.s.startTraining({ type: 'startTraining', runId: 'bad', config: bad });
    await t.ended();
    const [failed] = t.of('trainingFailed');
    expect(failed.error).toMatchObject({ code: 'TRAIN_TASKS_DATA', location: { field: 'tasks[1].data' } });
  }, 60_000);
});
