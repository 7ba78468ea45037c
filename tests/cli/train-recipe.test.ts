// `layerwise train --recipe FILE` as outside checks call it: a recipe made here (as the studio makes one) reruns with
// its TrainConfig and its columns on the files it fingerprints; other data, a model that lacks its files, or config
// flags beside it are refused before any training.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nodeFile } from '../../src/cli/node-files';
import { fingerprintFile } from '../../src/engine/file-fingerprint';
import type { RunRecipe } from '../../src/protocol/run-recipe';
import { parseTrainConfig } from '../../src/protocol/train-config';
import { ROOT, layerwise } from './run-cli';

const FIXTURE = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'bert-seq-cls');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-recipe-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const data = path.join(work, 'reviews.csv');
const recipeFile = path.join(work, 'recipe.json');
const config = parseTrainConfig({ task: 'seq-cls', epochs: 1, batchSize: 4, maxLength: 16, learningRate: 2e-3, seed: 11, validationSplit: 0.25, freeze: ['bert.embeddings'] });

beforeAll(async () => {
  // The label column is "verdict" and the text column "review": only the recipe's choices find them.
  writeFileSync(data, ['id,review,verdict', ...Array.from({ length: 16 }, (_, i) => `${i},"text number ${i}",${['good', 'bad'][i % 2]}`)].join('\n'));
  const recipe: RunRecipe = {
    kind: 'layerwise-run-recipe',
    version: 1,
    name: 'reviews.csv on bert-seq-cls',
    model: { source: 'bert-seq-cls', origin: { kind: 'folder' }, files: await Promise.all(['config.json', 'model.safetensors'].map((f) => fingerprintFile(nodeFile(path.join(FIXTURE, f))))) },
    data: { train: await fingerprintFile(nodeFile(data)), validation: null, choices: { textColumns: ['review'], labelColumn: 'verdict' } },
    config,
  };
  writeFileSync(recipeFile, JSON.stringify(recipe));
});

it('reruns the recipe with its config and columns', async () => {
  const out = path.join(work, 'out');
  const result = await layerwise('train', '--model', FIXTURE, '--data', data, '--recipe', recipeFile, '--out', out, '--json');
  expect(result.code, result.stderr).toBe(0);
  const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')) as { config: unknown };
  expect(metrics.config).toEqual(config);
  expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).id2label).toEqual({ 0: 'bad', 1: 'good' });
}, 60_000);

it('refuses other data, a model without the recipe\'s files, and config flags beside it', async () => {
  const other = path.join(work, 'other.csv');
  writeFileSync(other, readFileSync(data, 'utf8').replace('text number 3', 'text number 33'));
  const a = await layerwise('train', '--model', FIXTURE, '--data', other, '--recipe', recipeFile, '--out', path.join(work, 'a'));
  expect(a.code).toBe(1);
  expect(a.stderr).toContain('TRAIN_RECIPE_DATA_MISMATCH');
  const model = path.join(work, 'model');
  mkdirSync(model);
  for (const f of readdirSync(FIXTURE)) if (f !== 'model.safetensors') copyFileSync(path.join(FIXTURE, f), path.join(model, f));
  const b = await layerwise('train', '--model', model, '--data', data, '--recipe', recipeFile, '--out', path.join(work, 'b'));
  expect(b.code).toBe(1);
  expect(b.stderr).toContain('TRAIN_RECIPE_MODEL_MISMATCH');
  expect(b.stderr).toContain('model.safetensors');
  const c = await layerwise('train', '--model', FIXTURE, '--data', data, '--recipe', recipeFile, '--lr', '1e-3', '--out', path.join(work, 'c'));
  expect(c.code).toBe(1);
  expect(c.stderr).toContain('--recipe reruns the recipe with its own config and columns; drop --lr');
}, 60_000);
