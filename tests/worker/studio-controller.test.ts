// The studio's controller commands of issue #18 (Studio.checkGradients, startSweep/stopSweep, shareRecipe and
// checkRecipeFiles with a fake post), each against the headless path it mirrors: the report `layerwise gradcheck`
// computes for the same run, the trials protocol/sweep.ts plans and ranks, the fingerprints of the files themselves.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import { nodeFolder } from '../../src/cli/node-files';
import { fingerprintFile } from '../../src/engine/file-fingerprint';
import { checkBatch, gradcheck } from '../../src/engine/train/gradcheck';
import { prepareRun } from '../../src/engine/train/recipe';
import { readDataset } from '../../src/formats/datasets/index';
import { blobFile } from '../../src/formats/source-file';
import { STUDIO_GRADCHECK } from '../../src/protocol/gradcheck';
import type { BackendProbe } from '../../src/protocol/messages';
import { parseRunRecipe } from '../../src/protocol/run-recipe';
import { parseSweepConfig, planTrials, rankTrials, type SweepConfig } from '../../src/protocol/sweep';
import { DEFAULT_TRAIN_CONFIG, parseTrainConfig, type TrainConfig } from '../../src/protocol/train-config';
import type { DeviceLoss } from '../../src/worker/studio';
import { recordedStudio } from './studio-harness';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const PROBE: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };
const names = () => readdirSync(FIXTURE).filter((n) => !n.startsWith('reference'));
const files = () => names().map((name) => new File([readFileSync(path.join(FIXTURE, name))], name));
const rows = (n: number) => ['text,label', ...Array.from({ length: n }, (_, i) => `"text number ${i} of the set",${['good', 'bad'][i % 2]}`)].join('\n');
const csv = new File([rows(24)], 'two.csv');
const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, batchSize: 4, maxLength: 16, epochs: 1, learningRate: 1e-3, validationSplit: 0.25 };

function studio() {
  // Node has no WebGPU: "webgpu" is cpu under a fake device, whose loss the test triggers (loseDevice).
  let lost: ((loss: DeviceLoss) => void) | null = null;
  const t = recordedStudio({
    activate: async (name, onDeviceLost) => {
      await useNodeBackend(name === 'webgpu' ? 'cpu' : name);
      if (name === 'webgpu') lost = onDeviceLost;
      return 1;
    },
  });
  const loseDevice = () => lost?.({ reason: 'destroyed', message: 'Device was destroyed.' });
  return { ...t, loseDevice };
}

async function opened(t: ReturnType<typeof studio>, data: File | null = csv, backend: 'cpu' | 'webgpu' = 'cpu') {
  await t.s.start({ ...PROBE });
  await t.s.setBackend(backend);
  await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: files() });
  if (data !== null) await t.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: data, choices: {} });
}

/** Resolves when the sweep has posted its end (it runs beside the command queue). */
async function sweepEnded(t: ReturnType<typeof studio>): Promise<void> {
  while (t.of('sweepFinished').length + t.of('sweepFailed').length === 0) await new Promise((r) => setTimeout(r, 20));
}

describe('Studio.checkGradients', () => {
  it('reports what `layerwise gradcheck` reports for the same run, with progress to the last tensor', async () => {
    const t = studio();
    await opened(t);
    await t.s.checkGradients({ type: 'checkGradients', requestId: 5, config, examples: 2 });
    expect(t.of('gradientCheckFailed')).toEqual([]);
    const [done] = t.of('gradientsChecked');
    expect(done.model).toBe('bert-seq-cls');

    // The CLI's path: the run prepared from the folder and the file, every example training, cut to the check's length.
    const cli = parseTrainConfig({ ...config, validationSplit: 0, maxLength: Math.min(config.maxLength, STUDIO_GRADCHECK.maxLength) });
    const data = await readDataset(blobFile(csv.name, csv), {});
    const prepared = await prepareRun({ folder: nodeFolder(FIXTURE), train: data, validation: null }, cli);
    try {
      expect(done.report).toEqual(gradcheck(prepared.model, checkBatch(prepared, 2)));
    } finally {
      prepared.trainer.dispose();
      prepared.model.params.dispose();
    }
    expect(done.report.pass).toBe(true);
    const progress = t.of('gradientCheckProgressed');
    expect(progress[0]).toMatchObject({ requestId: 5, phase: 'preparing' });
    const last = progress.at(-1);
    expect(last).toMatchObject({ phase: 'checking' });
    expect(last?.done).toBe(last?.total);
  });

  it('a cancel that arrives before the check begins ends it as GRADCHECK_CANCELLED; no dataset is TRAIN_NO_DATASET', async () => {
    const t = studio();
    await opened(t);
    t.s.cancelGradientCheck(6);
    await t.s.checkGradients({ type: 'checkGradients', requestId: 6, config, examples: 2 });
    expect(t.of('gradientCheckFailed')).toEqual([{ type: 'gradientCheckFailed', requestId: 6, error: expect.objectContaining({ code: 'GRADCHECK_CANCELLED' }) }]);
    expect(t.of('gradientsChecked')).toEqual([]);

    const bare = studio();
    await opened(bare, null);
    await bare.s.checkGradients({ type: 'checkGradients', requestId: 7, config, examples: 2 });
    expect(bare.of('gradientCheckFailed')[0].error).toMatchObject({ code: 'TRAIN_NO_DATASET', location: { field: 'data' } });
  });

  it('a lost GPU device ends the check with GPU_DEVICE_LOST, not with a report or its own error (F2)', async () => {
    const t = studio();
    await opened(t, csv, 'webgpu');
    const checking = t.s.checkGradients({ type: 'checkGradients', requestId: 8, config, examples: 2 });
    while (!t.of('gradientCheckProgressed').some((e) => e.phase === 'checking')) await new Promise((r) => setTimeout(r, 5));
    t.loseDevice();
    await checking;
    expect(t.of('gradientsChecked')).toEqual([]);
    expect(t.of('gradientCheckFailed')).toEqual([{ type: 'gradientCheckFailed', requestId: 8, error: expect.objectContaining({ code: 'GPU_DEVICE_LOST', message: expect.stringContaining('(destroyed: Device was destroyed.)') }) }]);
  });
});

describe('Studio.startSweep', () => {
  const sweep: SweepConfig = { base: { ...config, maxSteps: 2 }, method: 'grid', space: { learningRate: [1e-3, 1e-4] }, trials: 2, seed: 1, metric: 'eval_loss', halving: null };

  it('posts the planner\'s trials, each trial\'s result, and the best as the protocol ranks them', async () => {
    const t = studio();
    await opened(t);
    t.s.startSweep({ type: 'startSweep', sweepId: 'w1', sweep });
    // Training is refused while the sweep holds the model.
    await t.s.startTraining({ type: 'startTraining', runId: 'r1', config });
    expect(t.of('trainingFailed')[0].error.code).toBe('SWEEP_IN_PROGRESS');
    await sweepEnded(t);
    expect(t.of('sweepFailed')).toEqual([]);
    const [started] = t.of('sweepStarted');
    expect(started.trials).toEqual(planTrials(parseSweepConfig(sweep)));
    expect(started.rungs).toEqual([{ epochs: 1, trials: 2 }]);
    const results = t.of('sweepTrialFinished').map((e) => e.result);
    expect(results.map((r) => r.id).sort()).toEqual([0, 1]);
    for (const r of results) expect(r.score).toBe(r.metrics?.eval_loss);
    const [finished] = t.of('sweepFinished');
    expect(finished).toMatchObject({ sweepId: 'w1', stopped: false });
    expect(finished.best).toEqual(rankTrials(sweep, results)[0]);
    expect(t.of('sweepTrialStarted').map((e) => e.id)).toEqual(results.map((r) => r.id));
  });

  it('a sweep that is not valid is refused with the field, as `layerwise sweep --config` refuses it', async () => {
    const t = studio();
    await opened(t);
    t.s.startSweep({ type: 'startSweep', sweepId: 'w2', sweep: { ...sweep, space: { learningRate: { min: 1e-5, max: 1e-3 } } } });
    expect(t.of('sweepFailed')).toEqual([{ type: 'sweepFailed', sweepId: 'w2', error: expect.objectContaining({ code: 'SWEEP_CONFIG_INVALID', location: { field: 'space.learningRate' } }) }]);
  });

  it('a lost GPU device ends the sweep with GPU_DEVICE_LOST instead of a best trial (F2)', async () => {
    const t = studio();
    await opened(t, csv, 'webgpu');
    t.s.startSweep({ type: 'startSweep', sweepId: 'w4', sweep: { ...sweep, base: { ...config, maxSteps: 200, epochs: 40 } } });
    while (t.of('sweepProgressed').length === 0) await new Promise((r) => setTimeout(r, 10));
    t.loseDevice();
    await sweepEnded(t);
    expect(t.of('sweepFinished')).toEqual([]);
    expect(t.of('sweepFailed')).toEqual([{ type: 'sweepFailed', sweepId: 'w4', error: expect.objectContaining({ code: 'GPU_DEVICE_LOST' }) }]);
  });

  it('stop ends the sweep after the current step; the trial in flight ends unscored', async () => {
    const t = studio();
    await opened(t);
    t.s.startSweep({ type: 'startSweep', sweepId: 'w3', sweep: { ...sweep, base: { ...config, maxSteps: 200, epochs: 40 } } });
    while (t.of('sweepProgressed').length === 0) await new Promise((r) => setTimeout(r, 10));
    t.s.stopSweep('w3');
    await sweepEnded(t);
    expect(t.of('sweepFinished')).toEqual([{ type: 'sweepFinished', sweepId: 'w3', best: null, stopped: true }]);
    expect(t.of('sweepTrialFinished').map((e) => e.result.score)).toEqual([null]);
  });
});

describe('Studio.shareRecipe and checkRecipeFiles', () => {
  it('the recipe names the open files by their fingerprints; the same files check as the recipe\'s, another file differs', async () => {
    const t = studio();
    await opened(t);
    await t.s.shareRecipe({ type: 'shareRecipe', requestId: 8, config: { ...config, seed: 7 }, choices: { textColumns: ['text'], labelColumn: 'label' } });
    expect(t.of('recipeShareFailed')).toEqual([]);
    const [{ recipe }] = t.of('recipeShared');
    expect(parseRunRecipe(JSON.parse(JSON.stringify(recipe)))).toEqual(recipe);
    expect(recipe.model).toEqual({
      source: 'bert-seq-cls',
      origin: { kind: 'folder' },
      files: await Promise.all(files().map((f) => fingerprintFile(blobFile(f.name, f)))),
    });
    expect(recipe.data).toEqual({ train: await fingerprintFile(blobFile(csv.name, csv)), validation: null, choices: { textColumns: ['text'], labelColumn: 'label' } });
    expect(recipe.config).toEqual(parseTrainConfig({ ...config, seed: 7 }));

    await t.s.checkRecipeFiles({ type: 'checkRecipeFiles', requestId: 9, recipe });
    expect(t.of('recipeFilesChecked')).toEqual([{ type: 'recipeFilesChecked', requestId: 9, check: { model: { status: 'same' }, train: { status: 'same' }, validation: { status: 'same' } } }]);

    const other = new File([rows(25)], 'two.csv');
    await t.s.readDataset({ type: 'readDataset', requestId: 2, role: 'train', file: other, choices: {} });
    await t.s.checkRecipeFiles({ type: 'checkRecipeFiles', requestId: 10, recipe });
    const check = t.of('recipeFilesChecked')[1].check;
    expect(check.train).toMatchObject({ status: 'differs', differences: [{ want: recipe.data.train, have: await fingerprintFile(blobFile(other.name, other)) }], warning: { code: 'RECIPE_DATA_MISMATCH', location: { file: 'two.csv' } } });
  });

  it('without a model or a dataset the recipe is refused with the coded reason', async () => {
    const t = studio();
    await opened(t, null);
    await t.s.shareRecipe({ type: 'shareRecipe', requestId: 11, config, choices: {} });
    expect(t.of('recipeShareFailed')[0].error).toMatchObject({ code: 'TRAIN_NO_DATASET', location: { field: 'data' } });
  });

  it('a damaged recipe from the page is answered with RUN_RECIPE_INVALID for its request, not left unanswered', async () => {
    const t = studio();
    await opened(t);
    await t.s.checkRecipeFiles({ type: 'checkRecipeFiles', requestId: 12, recipe: { kind: 'layerwise-run-recipe' } as never });
    expect(t.of('recipeFilesChecked')).toEqual([]);
    expect(t.of('recipeFilesCheckFailed')).toMatchObject([{ requestId: 12, error: { code: 'RUN_RECIPE_INVALID' } }]);
  });
});
