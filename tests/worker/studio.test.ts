// The studio's rules (src/worker/studio.ts) with a fake post and an in-memory checkpoint store, on the wasm backend
// and the tiny BERT fixture: a failed load keeps the model loaded before; loads and backend switches are refused
// while a run trains; a config from the page is validated; a resumed run must find the same model and data files;
// and an export after a run carries the run's model card. (The same run through the CLI: same-folder.test.ts.)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import type { BackendProbe, FromWorker, ToWorker } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/protocol/train-config';
import { RunKeeper } from '../../src/worker/run-keeper';
import { Studio } from '../../src/worker/studio';
import { MemoryStorage } from './memory-storage';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const MLM_FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-mlm');
const DEFAULT_MODEL = path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'default');
const PROBE: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };

const folderFiles = (dir: string) => readdirSync(dir).map((name) => new File([readFileSync(path.join(dir, name))], name));
const csv = (name: string, rows: number, labels = ['good', 'bad']) =>
  new File([['text,label', ...Array.from({ length: rows }, (_, i) => `"text number ${i}",${labels[i % labels.length]}`)].join('\n')], name);

/** A studio with a fake post that records every event and can wait for one; `storage` survives a "reload". */
function studio(storage = new MemoryStorage()) {
  const events: FromWorker[] = [];
  const waiting: { test: (e: FromWorker) => boolean; resolve: (e: FromWorker) => void }[] = [];
  const post = (event: FromWorker) => {
    events.push(event);
    for (const w of waiting.filter((w) => w.test(event))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(event);
    }
  };
  let queue: Promise<unknown> = Promise.resolve();
  const s = new Studio(post, {
    activate: async (name) => {
      await useNodeBackend(name);
      return 1;
    },
    keeper: new RunKeeper(post, async () => ({ storage, kind: 'indexeddb', reason: 'memory' })),
    origin: 'http://localhost',
    enqueue: (work) => {
      const done = queue.then(work);
      queue = done.catch(() => undefined);
      return done;
    },
  });
  const next = <T extends FromWorker['type']>(type: T, also: (e: Extract<FromWorker, { type: T }>) => boolean = () => true) =>
    new Promise<Extract<FromWorker, { type: T }>>((resolve) => {
      const found = events.find((e) => e.type === type && also(e as Extract<FromWorker, { type: T }>));
      if (found) resolve(found as Extract<FromWorker, { type: T }>);
      else waiting.push({ test: (e) => e.type === type && also(e as Extract<FromWorker, { type: T }>), resolve: (e) => resolve(e as Extract<FromWorker, { type: T }>) });
    });
  const of = <T extends FromWorker['type']>(type: T) => events.filter((e): e is Extract<FromWorker, { type: T }> => e.type === type);
  return { s, events, next, of, storage };
}

async function ready(t: ReturnType<typeof studio>, train = csv('two.csv', 24)) {
  await t.s.start(PROBE);
  await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: folderFiles(FIXTURE) });
  expect(t.of('modelLoaded')).toHaveLength(1);
  await t.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: train, choices: {} });
  expect(t.of('datasetRead')).toHaveLength(1);
}

const config = (over: Partial<TrainConfig> = {}): TrainConfig => ({ ...DEFAULT_TRAIN_CONFIG, batchSize: 4, maxLength: 16, epochs: 2, learningRate: 1e-3, validationSplit: 0.25, ...over });
const start = (runId: string, c: unknown): Extract<ToWorker, { type: 'startTraining' }> => ({ type: 'startTraining', runId, config: c as TrainConfig });

beforeAll(() => useNodeBackend('wasm'));

describe('Studio', () => {
  it('keeps the current model when a replacement fails to load', async () => {
    const t = studio();
    await ready(t);
    const broken = [new File(['{"model_type": "bert", "hidden_size": 48'], 'config.json')];
    await t.s.loadModel({ type: 'loadModel', loadId: 2, source: 'broken', files: broken });
    expect(t.of('loadFailed')[0]).toMatchObject({ loadId: 2, error: { code: 'CONFIG_INVALID_JSON' } });
    await t.s.predict({ type: 'predict', requestId: 1, text: 'still here' });
    expect(t.of('predicted')).toHaveLength(1);
  });

  it('refuses a config the parser refuses, naming every bad field', async () => {
    const t = studio();
    await ready(t);
    await t.s.startTraining(start('bad', { ...config(), batchSize: -1, surprise: true }));
    const failed = t.of('trainingFailed')[0];
    expect(failed.error.code).toBe('TRAIN_CONFIG_INVALID');
    expect(failed.error.message).toMatch(/batchSize.*surprise|surprise.*batchSize/);
    expect(t.of('trainingPreparing')).toHaveLength(0);
  });

  it('refuses loads, backend switches and discards while a run trains, and acts on pause and stop at once', async () => {
    const t = studio();
    await ready(t);
    await t.s.startTraining(start('r1', config({ epochs: 50 })));
    await t.next('trainingStarted');
    await t.s.loadModel({ type: 'loadModel', loadId: 2, source: 'other', files: folderFiles(FIXTURE) });
    expect(t.of('loadFailed')[0].error.code).toBe('TRAINING_IN_PROGRESS');
    await t.s.setBackend('cpu');
    expect(t.of('backendFailed')[0].error.code).toBe('TRAINING_IN_PROGRESS');
    await expect(t.s.discardUnfinishedRun('r1')).rejects.toMatchObject({ code: 'TRAINING_IN_PROGRESS' });
    await t.s.startTraining(start('r2', config()));
    expect(t.of('trainingFailed').find((e) => e.runId === 'r2')?.error.code).toBe('TRAINING_IN_PROGRESS');
    t.s.pauseTraining('r1');
    const paused = await t.next('trainingPaused');
    expect(paused.step).toBeGreaterThan(0);
    // "Evaluate now" on a paused run evaluates its weights at once, and it stays paused.
    t.s.evaluateTraining('r1');
    const now = await t.next('trainingEvaluated', (e) => e.record.step === paused.step);
    expect(now.record.accuracy).toBeGreaterThanOrEqual(0);
    t.s.resumeTraining('r1');
    t.s.stopTraining('r1');
    const finished = await t.next('trainingFinished');
    expect(finished.reason).toBe('stopped');
    // A stopped run ends with an evaluation of the weights it stopped with: there is always an outcome.
    expect(t.of('trainingEvaluated').at(-1)?.record.step).toBe(finished.step);
    expect(finished.metrics).toEqual(expect.objectContaining({ accuracy: t.of('trainingEvaluated').at(-1)?.record.accuracy }));
    // After the run the model can change again.
    await t.s.loadModel({ type: 'loadModel', loadId: 3, source: 'again', files: folderFiles(FIXTURE) });
    expect(t.of('modelLoaded').at(-1)?.loadId).toBe(3);
  }, 120_000);

  it('resumes a stored run only on the same model and data files', async () => {
    const storage = new MemoryStorage();
    const first = studio(storage);
    await ready(first);
    await first.s.startTraining(start('r1', config({ epochs: 50 })));
    await first.next('trainingStarted');
    first.s.pauseTraining('r1');
    await first.next('checkpointSaved');
    // A reload: a new studio over the same storage finds the run; with other data it refuses to resume.
    const other = studio(storage);
    await ready(other, csv('two.csv', 24, ['pos', 'neg']));
    await other.s.findUnfinishedRun();
    expect(other.of('unfinishedRunFound')[0].run?.info).toMatchObject({ runId: 'r1', name: 'two.csv on bert-seq-cls' });
    await other.s.startTraining({ type: 'continueRun', runId: 'r1' });
    expect(other.of('trainingFailed')[0].error.code).toBe('TRAIN_RESUME_DATA_MISMATCH');
    // With the same files it continues from the stored step.
    const same = studio(storage);
    await ready(same);
    await same.s.startTraining({ type: 'continueRun', runId: 'r1' });
    const restored = await same.next('trainingRestored');
    expect(restored.history.step).toBeGreaterThan(0);
    same.s.stopTraining('r1');
    await same.next('trainingFinished');
    first.s.stopTraining('r1');
    await first.next('trainingFinished');
  }, 120_000);

  it('exports the trained model with the card, metrics and baseline of its run', async () => {
    const t = studio();
    await ready(t, csv('skewed.csv', 24, ['good', 'good', 'bad']));
    await t.s.startTraining(start('r1', config({ epochs: 1 })));
    const ended = await Promise.race([t.next('trainingFinished'), t.next('trainingFailed')]);
    expect(ended).toMatchObject({ type: 'trainingFinished', reason: 'completed' });
    await t.s.exportModel({ type: 'exportModel', requestId: 1, format: 'hf', quantize: false, allowNonFinite: false });
    const { exported } = await t.next('modelExported');
    const files = unzipSync(new Uint8Array(exported.zip));
    const text = (name: string) => new TextDecoder().decode(files[`bert-seq-cls-finetuned/${name}`]);
    const card = text('README.md');
    expect(card).toContain('Fine-tuned from `bert-seq-cls`');
    expect(card).toContain('`skewed.csv`');
    expect(card).toContain('The majority-class baseline always predicts `good`.');
    const metrics = JSON.parse(text('metrics.json')) as { majority_baseline: { label: string; accuracy: number }; config: TrainConfig; history: unknown[] };
    expect(metrics.majority_baseline.label).toBe('good');
    expect(metrics.config.batchSize).toBe(4);
    expect(metrics.history.length).toBeGreaterThan(0);
    expect(JSON.parse(text('config.json'))).toMatchObject({ architectures: ['BertForSequenceClassification'], num_labels: 2, id2label: { 0: 'bad', 1: 'good' } });
  }, 120_000);

  it('describes a masked-LM checkpoint by its own head, lists what a run of each task trains, and a run by the head it made', async () => {
    const t = studio();
    await t.s.start(PROBE);
    await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-mlm', files: folderFiles(MLM_FIXTURE) });
    const { summary } = t.of('modelLoaded')[0];
    expect(summary).toMatchObject({ task: 'mlm', baseTask: 'mlm', architectures: ['BertForMaskedLM'], labels: [] });
    const names = (task: 'seq-cls' | 'token-cls' | 'mlm') => summary.runParameters[task].map((p) => p.name);
    // A classification run trains the encoder, a new pooler and classifier, and none of the masked-LM head.
    expect(names('seq-cls')).toEqual(expect.arrayContaining(['bert.pooler.dense.weight', 'classifier.weight', 'classifier.bias']));
    expect(names('seq-cls').some((n) => n.startsWith('cls.'))).toBe(false);
    expect(names('token-cls')).toContain('classifier.weight');
    expect(names('token-cls').some((n) => n.startsWith('bert.pooler'))).toBe(false);
    expect(names('mlm').sort()).toEqual(summary.parameters.map((p) => p.name).sort());
    expect(summary.runParameters['seq-cls'].filter((p) => p.perClass).map((p) => p.name)).toEqual(['classifier.weight', 'classifier.bias']);

    await t.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: csv('three.csv', 24, ['good', 'bad', 'bad', 'meh']), choices: {} });
    await t.s.startTraining(start('r1', config({ epochs: 1, task: 'seq-cls', freeze: ['bert.embeddings', 'bert.encoder'] })));
    const started = await t.next('trainingStarted');
    // The run trains exactly what the list says, its head sized for the data's three classes.
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    const head = summary.runParameters['seq-cls'].filter((p) => !p.name.startsWith('bert.embeddings') && !p.name.startsWith('bert.encoder'));
    expect(started.plan.trainableParameters).toBe(head.reduce((n, p) => n + size(p.perClass ? [3, ...p.shape.slice(1)] : p.shape), 0));
    expect(started.summary).toMatchObject({ task: 'seq-cls', baseTask: 'mlm', architectures: ['BertForSequenceClassification'], labels: ['bad', 'good', 'meh'] });
    // Always guessing the validation split's commonest class: what the run has to beat.
    expect(started.baseline).toMatchObject({ label: 'bad', accuracy: expect.any(Number) });
    await t.next('trainingFinished');
  }, 120_000);

  it('says nothing of a label count that a masked-LM checkpoint does not have (the built-in model has no num_labels)', async () => {
    const t = studio();
    await t.s.start(PROBE);
    await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'default', files: folderFiles(DEFAULT_MODEL) });
    const { summary } = t.of('modelLoaded')[0];
    expect(summary.task).toBe('mlm');
    expect(summary.messages.filter((m) => m.message.includes('num_labels'))).toEqual([]);
  }, 120_000);
});
