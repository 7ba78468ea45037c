// `layerwise export --format recipe` as a user runs it: the TrainConfig of the folder's own run (metrics.json) or of
// --config goes into layerwise_run.json, the data is split as `layerwise train` splits it, the folder's files travel
// under model/; a bad prefix is refused and nothing is written; recipe-only flags are refused for the other formats.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecipeRun } from '../../src/engine/export/recipe';
import { parseTrainConfig } from '../../src/protocol/train-config';
import { layerwise, ROOT } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'bert-seq-cls');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-export-recipe-'));
const model = path.join(work, 'finetuned');
const data = path.join(work, 'train.csv');
const RUN = { epochs: 4, learningRate: 2e-4, freeze: ['bert.embeddings'], layerDecay: 0.9, seed: 11, validationSplit: 0.2 };

beforeAll(() => {
  mkdirSync(model);
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) copyFileSync(path.join(GOLDEN, f), path.join(model, f));
  writeFileSync(path.join(model, 'metrics.json'), JSON.stringify({ eval_loss: 0.5, history: [], config: RUN }));
  writeFileSync(data, `text,label\n${Array.from({ length: 20 }, (_, i) => `row ${i},${i % 2 ? 'yes' : 'no'}`).join('\n')}\n`);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const runOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'layerwise_run.json'), 'utf8')) as RecipeRun;

describe('layerwise export --format recipe', () => {
  it('takes the folder\'s own run config from metrics.json, splits --data, and copies the folder under model/', async () => {
    const out = path.join(work, 'recipe');
    const r = await layerwise('export', '--model', model, '--format', 'recipe', '--out', out, '--data', data, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).config_from).toBe(path.join(model, 'metrics.json'));
    const run = runOf(out);
    expect(run.config).toEqual(parseTrainConfig({ ...RUN, task: 'seq-cls' }));
    expect(run.labels).toEqual(['no', 'yes']);
    expect(run.data.train_examples + run.data.validation_examples).toBe(20);
    expect(run.data.validation_examples).toBe(4);
    for (const f of ['config.json', 'model.safetensors', 'vocab.txt', 'metrics.json']) {
      expect(readFileSync(path.join(out, 'model', f)).equals(readFileSync(path.join(model, f))), f).toBe(true);
    }
    for (const f of ['train.py', 'README.md', 'ds_zero3.json', 'accelerate_config.fsdp.yaml', 'requirements.txt']) expect(existsSync(path.join(out, f)), f).toBe(true);
  });

  it('--config replaces the folder\'s config; without --data no data is written', async () => {
    const out = path.join(work, 'recipe-config');
    const config = path.join(work, 'config.json');
    writeFileSync(config, JSON.stringify({ task: 'token-cls', epochs: 1, gradualUnfreeze: 1 }));
    const r = await layerwise('export', '--model', model, '--format', 'recipe', '--out', out, '--config', config);
    expect(r.code, r.stderr).toBe(0);
    const run = runOf(out);
    expect(run.config.task).toBe('token-cls');
    expect(run.config.gradualUnfreeze).toBe(1);
    // No learningRate given: the studio's default for the model's width (hidden 32).
    expect(run.config.learningRate).toBe(5e-4);
    expect(run.data.train).toBeNull();
    expect(existsSync(path.join(out, 'data'))).toBe(false);
  });

  it('a prefix that names no parameter is refused and nothing is written; recipe flags are refused for hf', async () => {
    const out = path.join(work, 'recipe-bad');
    const config = path.join(work, 'bad.json');
    writeFileSync(config, JSON.stringify({ lrMultipliers: { 'bert.encoder.layer.12': 2 } }));
    const bad = await layerwise('export', '--model', model, '--format', 'recipe', '--out', out, '--config', config);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('TRAIN_CONFIG_UNKNOWN_PREFIX');
    expect(existsSync(out)).toBe(false);
    const hf = await layerwise('export', '--model', model, '--format', 'hf', '--out', path.join(work, 'hf'), '--data', data);
    expect(hf.code).toBe(1);
    expect(hf.stderr).toContain('--data is for --format recipe');
  });
});
