// One run recipe, one model-folder writer (issue #21): the same tiny run through `layerwise train` (a child process)
// and through the studio's worker (src/worker/studio.ts, in this process, with a fake post) writes the same model
// folder: config.json, the weights and the tokenizer files byte for byte, the model card but for its date, and
// metrics.json but for its `train` block (timings, the backend and what each host measured).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import type { FromWorker } from '../../src/protocol/messages';
import { parseTrainConfig } from '../../src/protocol/train-config';
import { RunKeeper } from '../../src/worker/run-keeper';
import { Studio } from '../../src/worker/studio';
import { layerwise } from './run-cli';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const work = mkdtempSync(path.join(os.tmpdir(), 'layerwise-same-folder-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CONFIG = { task: 'seq-cls', epochs: 2, batchSize: 4, maxLength: 16, learningRate: 1e-3, validationSplit: 0.25, seed: 7, augment: { copies: 1, alpha: 0.2, operations: ['swap', 'delete'] } };
const CSV = ['text,label', ...Array.from({ length: 24 }, (_, i) => `"a review with the words ${i} and ${i * 7}",${['good', 'bad', 'good'][i % 3]}`)].join('\n');

/** The studio's export of the same run, as files by name. */
async function studioFolder(): Promise<Map<string, Uint8Array>> {
  await useNodeBackend('wasm');
  const events: FromWorker[] = [];
  let resolveEnded: (e: FromWorker) => void = () => {};
  const ended = new Promise<FromWorker>((resolve) => (resolveEnded = resolve));
  const post = (e: FromWorker) => {
    events.push(e);
    if (e.type === 'trainingFinished' || e.type === 'trainingFailed' || e.type === 'modelExported' || e.type === 'exportFailed') resolveEnded(e);
  };
  const studio = new Studio(post, {
    activate: async () => 1,
    keeper: new RunKeeper(post, async () => ({ storage: null, kind: 'none', reason: 'not kept' })),
    origin: 'http://localhost',
    enqueue: (work) => work(),
  });
  const files = readdirSync(FIXTURE).map((name) => new File([readFileSync(path.join(FIXTURE, name))], name));
  await studio.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files });
  await studio.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: new File([CSV], 'reviews.csv'), choices: {} });
  await studio.startTraining({ type: 'startTraining', runId: 'same', config: parseTrainConfig(CONFIG) });
  expect(await ended).toMatchObject({ type: 'trainingFinished', reason: 'completed' });
  await studio.exportModel({ type: 'exportModel', requestId: 1, format: 'hf', quantize: false, allowNonFinite: false });
  const exported = events.find((e) => e.type === 'modelExported');
  if (exported?.type !== 'modelExported') throw new Error(`no export: ${JSON.stringify(events.at(-1))}`);
  const zip = unzipSync(new Uint8Array(exported.exported.zip));
  return new Map(Object.entries(zip).map(([name, bytes]) => [name.split('/')[1], bytes]));
}

it('the CLI and the studio write the same model folder for the same model, data, config and seed', async () => {
  writeFileSync(path.join(work, 'reviews.csv'), CSV);
  writeFileSync(path.join(work, 'config.json'), JSON.stringify(CONFIG));
  const out = path.join(work, 'cli-out');
  const cli = await layerwise('train', '--model', FIXTURE, '--data', path.join(work, 'reviews.csv'), '--config', path.join(work, 'config.json'), '--out', out, '--json');
  expect(cli.code, cli.stderr).toBe(0);
  const fromCli = new Map(readdirSync(out).map((name) => [name, new Uint8Array(readFileSync(path.join(out, name)))]));
  const fromStudio = await studioFolder();
  expect([...fromStudio.keys()].sort()).toEqual([...fromCli.keys()].sort());
  expect([...fromCli.keys()]).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'README.md', 'metrics.json']));
  const text = (files: Map<string, Uint8Array>, name: string) => new TextDecoder().decode(files.get(name));
  for (const name of fromCli.keys()) {
    if (name === 'README.md') {
      const undated = (t: string) => t.replace(/ on \d{4}-\d\d-\d\d\./, ' on DATE.');
      expect(undated(text(fromStudio, name))).toBe(undated(text(fromCli, name)));
    } else if (name === 'metrics.json') {
      const { train: cliTrain, ...cliRest } = JSON.parse(text(fromCli, name));
      const { train: studioTrain, ...studioRest } = JSON.parse(text(fromStudio, name));
      expect(studioRest).toEqual(cliRest);
      expect(studioTrain.steps).toBe(cliTrain.steps);
    } else {
      if (name.endsWith('.json')) expect(text(fromStudio, name), name).toBe(text(fromCli, name));
      expect(Buffer.from(fromStudio.get(name)!).equals(Buffer.from(fromCli.get(name)!)), name).toBe(true);
    }
  }
}, 180_000);
