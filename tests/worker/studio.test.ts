// The studio's rules (src/worker/studio.ts) with a fake post and an in-memory checkpoint store, on the wasm backend
// and the tiny BERT fixture: a failed load keeps the model loaded before; loads and backend switches are refused
// while a run trains; a config from the page is validated; a resumed run must find the same model and data files,
// which it reads from the copy kept beside its checkpoint when they are not open (a multi-task run's heads too), in smaller passes when asked; the
// page's call for a checkpoint is answered at the next step; and an export after a run carries the run's model card. (The same run through the CLI: same-folder.test.ts.)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import type { BackendProbe, FromWorker, ToWorker } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/protocol/train-config';
import type { DeviceLoss } from '../../src/worker/studio';
import { MemoryStorage } from './memory-storage';
import { inOrder, recordedStudio } from './studio-harness';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const MLM_FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-mlm');
const DEFAULT_MODEL = path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'default');
const PROBE: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };

const folderFiles = (dir: string) => readdirSync(dir).map((name) => new File([readFileSync(path.join(dir, name))], name));
const csv = (name: string, rows: number, labels = ['good', 'bad']) =>
  new File([['text,label', ...Array.from({ length: rows }, (_, i) => `"text number ${i}",${labels[i % labels.length]}`)].join('\n')], name);

/** A studio with a fake post that records every event and can wait for one; `storage` survives a "reload". */
function studio(storage = new MemoryStorage()) {
  // Node has no WebGPU: "webgpu" is wasm under a fake device, whose loss the test triggers (loseDevice).
  let lost: ((loss: DeviceLoss) => void) | null = null;
  // Set by refuseNewDevice: WebGPU then fails to start, as when the browser gives no adapter after a loss.
  let noDevice = false;
  const t = recordedStudio({
    activate: async (name, onDeviceLost) => {
      if (name === 'webgpu' && noDevice) throw new Error('requestAdapter() returned null');
      await useNodeBackend(name === 'webgpu' ? 'wasm' : name);
      if (name === 'webgpu') lost = onDeviceLost;
      return 1;
    },
    storage,
    enqueue: inOrder(),
  });
  const loseDevice = (loss: DeviceLoss) => lost?.(loss);
  const refuseNewDevice = () => (noDevice = true);
  return { ...t, storage, loseDevice, refuseNewDevice };
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
    await first.next('datasetKept');
    // A reload: a new studio over the same storage finds the run. With other data open and no whole copy of the
    // run's own kept, it refuses to resume.
    const kept = storage.files.get('data/train')!;
    storage.files.set('data/train', kept.subarray(0, kept.length - 1));
    const other = studio(storage);
    await ready(other, csv('two.csv', 24, ['pos', 'neg']));
    await other.s.findUnfinishedRun();
    expect(other.of('unfinishedRunFound')[0].run).toMatchObject({ info: { runId: 'r1', name: 'two.csv on bert-seq-cls' }, datasetKept: false });
    await other.s.startTraining({ type: 'continueRun', runId: 'r1' });
    expect(other.of('trainingFailed')[0].error.code).toBe('TRAIN_RESUME_DATA_MISMATCH');
    storage.files.set('data/train', kept);
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

  it('keeps a copy of the run’s dataset: a resume after a reload reads it again as it was read, without asking for the file (F8)', async () => {
    const storage = new MemoryStorage();
    const first = studio(storage);
    await first.s.start(PROBE);
    await first.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: folderFiles(FIXTURE) });
    // Read with a choice the file's own detection would not make: the copy must be read the same way.
    const semicolons = new File([['text;label', ...Array.from({ length: 24 }, (_, i) => `text number ${i};${i % 2 ? 'good' : 'bad'}`)].join('\n')], 'semi.txt');
    await first.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: semicolons, choices: { format: 'csv', delimiter: ';' } });
    expect(first.of('datasetRead')).toHaveLength(1);
    await first.s.startTraining(start('r1', config({ epochs: 50 })));
    expect(await first.next('datasetKept')).toMatchObject({ runId: 'r1', files: ['semi.txt'], error: null });
    first.s.pauseTraining('r1');
    const saved = await first.next('checkpointSaved');

    // The reload: the model comes back (the built-in one does by itself), no dataset is opened.
    const again = studio(storage);
    await again.s.start(PROBE);
    await again.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: folderFiles(FIXTURE) });
    await again.s.findUnfinishedRun();
    expect(again.of('unfinishedRunFound')[0].run).toMatchObject({ datasetKept: true, info: { dataset: { choices: { train: { format: 'csv', delimiter: ';' }, validation: null } } } });
    await again.s.startTraining({ type: 'continueRun', runId: 'r1' });
    const read = await again.next('datasetRead');
    expect(read.summary).toMatchObject({ role: 'train', file: 'semi.txt', rowCount: 24, choices: { format: 'csv', delimiter: ';' } });
    const restored = await again.next('trainingRestored');
    expect(restored.history.step).toBe(saved.step);
    // The time trained before the reload comes back with it, for the ETA and the time taken.
    expect(restored.history.trainedMs).toBeGreaterThan(0);
    again.s.stopTraining('r1');
    await again.next('trainingFinished');
    // The run's end removed the copy; the dataset it was read from stays open, and the next run starts on it.
    expect(storage.files.has('data/train')).toBe(false);
    await again.s.startTraining(start('r2', config({ epochs: 50 })));
    expect(again.of('trainingFailed')).toEqual([]);
    expect(await again.next('datasetKept', (e) => e.runId === 'r2')).toMatchObject({ files: ['semi.txt'], error: null });
    await again.next('trainingStarted', (e) => e.runId === 'r2');
    again.s.stopTraining('r2');
    await again.next('trainingFinished', (e) => e.runId === 'r2');
    first.s.stopTraining('r1');
    await first.next('trainingFinished');
  }, 120_000);

  it('resumes a multi-task run after a reload: each head read again from the kept copy with its own label column', async () => {
    const storage = new MemoryStorage();
    const first = studio(storage);
    await first.s.start(PROBE);
    await first.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: folderFiles(FIXTURE) });
    const rows = ['text,sentiment,topic', ...Array.from({ length: 24 }, (_, i) => `"text number ${i}",${i % 2 ? 'pos' : 'neg'},${['a', 'b', 'c'][i % 3]}`)];
    await first.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: new File([rows.join('\n')], 'two.csv'), choices: {} });
    const heads = [
      { name: 'sentiment', task: 'seq-cls', labelColumn: 'sentiment' },
      { name: 'topic', task: 'seq-cls', labelColumn: 'topic' },
    ];
    await first.s.startTraining(start('r1', { ...config({ epochs: 50 }), tasks: heads }));
    await first.next('trainingStarted');
    first.s.pauseTraining('r1');
    const saved = await first.next('checkpointSaved');

    const again = studio(storage);
    await again.s.start(PROBE);
    await again.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: folderFiles(FIXTURE) });
    await again.s.findUnfinishedRun();
    await again.s.startTraining({ type: 'continueRun', runId: 'r1' });
    expect(again.of('trainingFailed')).toEqual([]);
    expect((await again.next('trainingRestored')).history.step).toBe(saved.step);
    again.s.stopTraining('r1');
    const finished = await again.next('trainingFinished');
    expect(Object.keys(finished.metrics?.tasks ?? {})).toEqual(['sentiment', 'topic']);
    expect(finished.metrics?.tasks?.topic.labels).toEqual(['a', 'b', 'c']);
    first.s.stopTraining('r1');
    await first.next('trainingFinished');
  }, 120_000);

  it('a copy that does not fit is said (CHECKPOINT_DATA_NOT_KEPT) and the run goes on', async () => {
    const t = studio();
    await ready(t);
    t.storage.failOn = { key: 'data/train', name: 'QuotaExceededError' };
    await t.s.startTraining(start('r1', config({ epochs: 50 })));
    const kept = await t.next('datasetKept');
    expect(kept.error).toMatchObject({ code: 'CHECKPOINT_DATA_NOT_KEPT', location: { file: 'two.csv' } });
    expect(kept.error?.message).toMatch(/the storage is full.*resuming it after a reload will ask for the file again/);
    expect(t.storage.files.has('data/train')).toBe(false);
    await t.next('trainingProgressed');
    t.s.stopTraining('r1');
    expect((await t.next('trainingFinished')).reason).toBe('stopped');
  }, 120_000);

  it('resumes in the smaller passes an out-of-memory failure proposes (F3, F4)', async () => {
    const storage = new MemoryStorage();
    const first = studio(storage);
    await ready(first);
    await first.s.startTraining(start('r1', config({ epochs: 50 })));
    await first.next('trainingStarted');
    first.s.pauseTraining('r1');
    const saved = await first.next('checkpointSaved');
    const again = studio(storage);
    await ready(again);
    await again.s.startTraining({ type: 'continueRun', runId: 'r1', passes: { microBatchSize: 2, gradientCheckpointing: true } });
    expect((await again.next('trainingRestored')).history.step).toBe(saved.step);
    again.s.pauseTraining('r1');
    await again.next('checkpointSaved', (e) => e.step > saved.step);
    // The run goes on in passes of 2: its checkpoints say so, for the next resume.
    const run = JSON.parse(new TextDecoder().decode(storage.files.get(`${again.of('checkpointSaved').at(-1)!.slot}/run.json`)!)) as { info: { config: TrainConfig } };
    expect(run.info.config).toMatchObject({ microBatchSize: 2, gradientCheckpointing: true, batchSize: 4 });
    again.s.stopTraining('r1');
    await again.next('trainingFinished');
    first.s.stopTraining('r1');
    await first.next('trainingFinished');
  }, 120_000);

  it('checkpoints at the next step when the page asks (the tab is hidden or left, F9)', async () => {
    const t = studio();
    await ready(t);
    // No validation data, so no evaluation checkpoints; the 30 s interval is far away.
    await t.s.startTraining(start('r1', config({ epochs: 200, validationSplit: 0 })));
    await t.next('trainingProgressed');
    expect(t.of('checkpointSaved')).toEqual([]);
    t.s.checkpointTraining('r1');
    const saved = await t.next('checkpointSaved');
    expect(saved.step).toBeGreaterThan(0);
    // The run goes on after it.
    await t.next('trainingProgressed', (e) => e.steps.some((s) => s.step > saved.step));
    t.s.stopTraining('r1');
    await t.next('trainingFinished');
  }, 120_000);

  it('a lost GPU device pauses the run at once on its last checkpoint and the engine asks for a new device by itself: the run resumes there; after a second loss with no new device, on WASM (F2)', async () => {
    const t = studio();
    await ready(t);
    await t.s.setBackend('webgpu');
    await t.s.startTraining(start('r1', config({ epochs: 200, validationSplit: 0 })));
    /** Events from the `mark`-th on (earlier sessions of the run posted the same types). */
    const since = (mark: number) => (e: FromWorker) => t.events.indexOf(e) >= mark;
    /** Trains past a checkpoint asked for, loses the device; returns the checkpoint's step (the one offered) and the mark of the loss. */
    const loseAfterCheckpoint = async (mark: number, message: string) => {
      await t.next('trainingProgressed', since(mark));
      const asked = t.events.length;
      t.s.checkpointTraining('r1');
      const saved = await t.next('checkpointSaved', since(asked));
      await t.next('trainingProgressed', (e) => since(asked)(e) && e.steps.some((s) => s.step > saved.step));
      const before = t.events.length;
      t.loseDevice({ reason: 'unknown', message });
      // Paused, not failed: the run is interrupted at the step it had, with the loss as its reason.
      const paused = await t.next('trainingInterrupted', since(before));
      expect(paused.step).toBeGreaterThan(saved.step);
      expect(paused.error).toMatchObject({ code: 'GPU_DEVICE_LOST', location: { field: 'backend' }, retryWith: { backend: 'wasm' } });
      expect(paused.error.message).toContain(`(unknown: ${message})`);
      // The checkpoint taken before the loss is the one offered; nothing the trainer yields after reaches the page.
      const offer = await t.next('unfinishedRunFound', (e) => since(before)(e) && e.run !== null);
      expect(offer.run?.info).toMatchObject({ runId: 'r1', step: saved.step });
      return { step: saved.step, before };
    };
    /** Resumes the run from `step` on the backend the engine is on; returns the mark of its new session's events. */
    const resume = async (step: number) => {
      const mark = t.events.length;
      await t.s.startTraining({ type: 'continueRun', runId: 'r1' });
      expect((await t.next('trainingRestored', since(mark))).history.step).toBe(step);
      await t.next('trainingProgressed', (e) => since(mark)(e) && e.steps.some((s) => s.step > step));
      return mark;
    };
    const loadedAgain = /^The GPU device was lost: bert-seq-cls was loaded again from its files/;

    // First loss: a new device is asked for at once, unasked, and the model is loaded again on it.
    const first = await loseAfterCheckpoint(0, 'GPU process exited');
    const renewed = await t.next('ready', since(first.before));
    expect(renewed).toMatchObject({ backend: 'webgpu', chosenBy: 'auto', reason: expect.stringContaining('new device') });
    expect(renewed.notices.at(-1)).toMatch(loadedAgain);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(t.events.slice(first.before).map((e) => e.type).sort()).toEqual(['deviceLost', 'ready', 'trainingInterrupted', 'unfinishedRunFound']);
    const onNewDevice = await resume(first.step);

    // Second loss, and the browser gives no new device: WebGPU is refused, WASM takes the run on.
    t.refuseNewDevice();
    const second = await loseAfterCheckpoint(onNewDevice, 'GPU process exited again');
    expect(second.step).toBeGreaterThan(first.step);
    const none = await t.next('deviceRenewalFailed', since(second.before));
    expect(none.error).toMatchObject({ code: 'GPU_DEVICE_RENEWAL_FAILED', location: { field: 'backend' }, retryWith: { backend: 'wasm' } });
    expect(none.error.message).toContain('requestAdapter() returned null');
    expect(t.of('deviceLost')).toHaveLength(2);
    expect(t.events.slice(second.before).some((e) => e.type === 'ready')).toBe(false);
    // No run on the lost device.
    await t.s.startTraining({ type: 'continueRun', runId: 'r1' });
    expect(t.of('trainingFailed').at(-1)?.error.code).toBe('GPU_DEVICE_LOST');
    const switched = t.events.length;
    await t.s.setBackend('wasm');
    expect(t.events.slice(switched).find((e) => e.type === 'ready')).toMatchObject({ backend: 'wasm', chosenBy: 'user', notices: expect.arrayContaining([expect.stringMatching(loadedAgain)]) });
    await resume(second.step);
    t.s.stopTraining('r1');
    await t.next('trainingFinished');
  }, 120_000);

  it('after a GPU device loss the exports are refused with GPU_DEVICE_LOST; resumed on WASM from the last checkpoint and paused, the run exports (X3)', async () => {
    const t = studio();
    await ready(t);
    await t.s.setBackend('webgpu');
    await t.s.startTraining(start('r1', config({ epochs: 200, validationSplit: 0 })));
    await t.next('trainingProgressed');
    const asked = t.events.length;
    t.s.checkpointTraining('r1');
    const saved = await t.next('checkpointSaved', (e) => t.events.indexOf(e) >= asked);
    t.loseDevice({ reason: 'destroyed', message: 'device.destroy()' });
    await t.next('unfinishedRunFound', (e) => e.run !== null);
    // The weights went with the device: nothing is read back from it, and nothing is sent.
    await t.s.exportModel({ type: 'exportModel', requestId: 1, format: 'hf', quantize: false, allowNonFinite: false });
    await t.s.exportPredictions({ type: 'exportPredictions', requestId: 2 });
    expect(t.of('exportFailed').map((e) => e.error)).toEqual([expect.objectContaining({ code: 'GPU_DEVICE_LOST', retryWith: { backend: 'wasm' } })]);
    expect(t.of('predictionsExportFailed').map((e) => e.error.code)).toEqual(['GPU_DEVICE_LOST']);
    expect(t.of('modelExported')).toEqual([]);

    const mark = t.events.length;
    await t.s.setBackend('wasm');
    await t.s.startTraining({ type: 'continueRun', runId: 'r1' });
    expect((await t.next('trainingRestored', (e) => t.events.indexOf(e) >= mark)).history.step).toBe(saved.step);
    t.s.pauseTraining('r1');
    await t.next('trainingPaused', (e) => t.events.indexOf(e) >= mark);
    await t.s.exportModel({ type: 'exportModel', requestId: 3, format: 'hf', quantize: false, allowNonFinite: false });
    expect(t.of('modelExported').map((e) => e.exported.verification.checks.every((c) => c.passed))).toEqual([true]);
    t.s.stopTraining('r1');
    await t.next('trainingFinished');
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
