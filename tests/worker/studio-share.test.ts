// The studio's ways out besides a model export (Studio.exportRecipe, Studio.pushToHub with a fake post): the recipe
// zip carries the finished run's TrainConfig (or, before a run, the command's), the model runs start from and the data
// split as the run split it; a push writes and checks the Hugging Face folder, creates the repository on the local
// Hub stand-in and commits it with progress, and the token appears in no event; a refused token is hubPushFailed.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../../e2e/support/hub-server';
import type { RecipeRun } from '../../src/engine/export/recipe';
import type { BackendProbe } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/protocol/train-config';
import { recordedStudio } from './studio-harness';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const PROBE: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };
const TOKEN = 'hf_studio_push_token_123456';
const files = () => readdirSync(FIXTURE).filter((n) => !n.startsWith('reference')).map((name) => new File([readFileSync(path.join(FIXTURE, name))], name));
const csv = new File([['text,label', ...Array.from({ length: 24 }, (_, i) => `"text number ${i} of the set",${['good', 'bad'][i % 2]}`)].join('\n')], 'two.csv');
const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, batchSize: 4, maxLength: 16, epochs: 1, learningRate: 1e-3, validationSplit: 0.25, layerDecay: 0.9 };

let hub: FakeHub;
beforeAll(async () => {
  hub = await startFakeHub([], { writeToken: TOKEN });
});
afterAll(() => hub.close());

const studio = () => recordedStudio();

async function opened(t: ReturnType<typeof studio>) {
  await t.s.start({ ...PROBE });
  await t.s.setBackend('cpu');
  await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: files() });
  await t.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: csv, choices: {} });
}

const text = (zip: Record<string, Uint8Array>, name: string) => new TextDecoder().decode(zip[name]);

describe('Studio.exportRecipe', () => {
  it('before a run: the command\'s config, the opened folder under model/, the data split as a run would', async () => {
    const t = studio();
    await opened(t);
    await t.s.exportRecipe({ type: 'exportRecipe', requestId: 3, config: { ...config, seed: 9 } });
    expect(t.of('recipeExportFailed')).toEqual([]);
    const [{ exported }] = t.of('recipeExported');
    expect(exported.fileName).toBe('bert-seq-cls-recipe.zip');
    const zip = unzipSync(new Uint8Array(exported.zip));
    const run = JSON.parse(text(zip, 'bert-seq-cls-recipe/layerwise_run.json')) as RecipeRun;
    expect(run.config.seed).toBe(9);
    expect(run.labels).toEqual(['bad', 'good']);
    expect([run.data.train_examples, run.data.validation_examples]).toEqual([18, 6]);
    expect(Buffer.from(zip['bert-seq-cls-recipe/model/model.safetensors']).equals(readFileSync(path.join(FIXTURE, 'model.safetensors')))).toBe(true);
    expect(Object.keys(zip)).toContain('bert-seq-cls-recipe/train.py');
  });

  it('after a run: the run\'s own config, whatever the command carries', async () => {
    const t = studio();
    await opened(t);
    await t.s.startTraining({ type: 'startTraining', runId: 'r', config });
    await t.ended();
    await t.s.exportRecipe({ type: 'exportRecipe', requestId: 4, config: { ...config, seed: 1234, layerDecay: 0.5 } });
    const [{ exported }] = t.of('recipeExported');
    const run = JSON.parse(text(unzipSync(new Uint8Array(exported.zip)), 'bert-seq-cls-recipe/layerwise_run.json')) as RecipeRun;
    expect(run.config.layerDecay).toBe(0.9);
    expect(run.config.seed).toBe(config.seed);
  }, 60_000);
});

describe('Studio.pushToHub', () => {
  it('writes and checks the folder, creates the repository and commits it, with progress; the token is in no event', async () => {
    const t = studio();
    await opened(t);
    await t.s.pushToHub({ type: 'pushToHub', requestId: 5, repo: 'me/studio-model', token: TOKEN, endpoint: hub.url, private: true, withOnnx: false });
    expect(t.of('hubPushFailed')).toEqual([]);
    const [{ result }] = t.of('hubPushed');
    expect(result).toMatchObject({ repo: 'me/studio-model', url: `${hub.url}/me/studio-model`, created: true });
    const phases = [...new Set(t.of('hubPushProgressed').map((e) => e.progress.phase))];
    expect(phases[0]).toBe('verifying');
    expect(phases).toContain('uploading');
    const commit = hub.commits.at(-1)!;
    expect(commit.repo).toBe('me/studio-model');
    expect([...commit.files.keys()].sort()).toEqual(result.files.map((f) => f.name).sort());
    expect(commit.files.get('config.json')).toBeDefined();
    expect(JSON.stringify(t.events)).not.toContain(TOKEN);
  });

  it('a token the Hub refuses is hubPushFailed with HUB_PUSH_UNAUTHORIZED', async () => {
    const t = studio();
    await opened(t);
    await t.s.pushToHub({ type: 'pushToHub', requestId: 6, repo: 'me/x', token: 'hf_wrong_token_0000000', endpoint: hub.url, private: false, withOnnx: false });
    expect(t.of('hubPushed')).toEqual([]);
    expect(t.of('hubPushFailed').map((e) => e.error.code)).toEqual(['HUB_PUSH_UNAUTHORIZED']);
  });
});
