// The engine client and the store along the studio's journey, against a fake worker: a dataset read with progress,
// Cancel and a failure that keeps the dataset before; a run's commands and events (pause, resume, stop, steps
// appended, a crash that fails the run); playground answers kept apart from the Model panel's; the export handed to
// the download; and the History record a run leaves (features/history/run-recorder runRecord).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DatasetSummary } from '../../src/protocol/dataset-summary';
import { HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS, type Prediction, type ToWorker } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG } from '../../src/protocol/train-config';
import type { RunPlan, StepTelemetry } from '../../src/protocol/train-events';
import { createEngineClient } from '../../src/ui/engine-client';
import { RUN_CURVE_POINTS, runRecord } from '../../src/ui/features/history/run-recorder';
import { createAppStore } from '../../src/ui/store/app-store';
import { isActive } from '../../src/ui/store/training-slice';
import { runEtaSeconds, trainedMs } from '../../src/ui/features/training/run-progress';
import { FakeWorker } from './fake-worker';

const plan: RunPlan = { totalSteps: 3000, stepsPerEpoch: 1000, warmupSteps: 0, epochs: 3, trainExamples: 10, validationExamples: 2, groups: [], trainableParameters: 5, parameters: 9 };
const step = (n: number): StepTelemetry => ({ step: n, epoch: n / 1000, loss: 1 / n, penalty: 0, gradNorm: 1, skipped: false, learningRate: 1e-3, groups: [], tokens: 10, seconds: 0.1, tokensPerSecond: 100 });

function summary(file: string): DatasetSummary {
  return {
    role: 'train', file, size: 10, format: 'csv', labels: { items: [], total: 0 }, warnings: { items: [], total: 0 }, skipped: { items: [], total: 0 },
    decode: { encoding: 'utf-8', bom: false, lineEndings: { lf: 1, crlf: 0, cr: 0 } }, choices: {}, readMs: 1,
    kind: 'examples', columns: ['text', 'label'], textColumns: ['text'], labelColumn: 'label', otherLabelColumns: [], reasons: { textColumns: '', labelColumn: '' },
    hasHeader: true, renamedHeaders: [], rowCount: 1, preview: [],
  };
}

let worker: FakeWorker;
let saved: { blob: Blob; name: string }[];
function setup() {
  const store = createAppStore();
  saved = [];
  const client = createEngineClient(
    store,
    () => (worker = new FakeWorker()),
    (blob, name) => {
      saved.push({ blob, name });
      return `blob:test/${saved.length}`;
    },
  );
  return { store, client };
}
const last = <T extends ToWorker['type']>(type: T) => worker.sent.filter((m) => m.type === type).at(-1) as Extract<ToWorker, { type: T }>;

describe('dataset reads', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => (env = setup()));

  it('tracks progress and the early preview, keeps the dataset loaded before when a read fails, and cancels by id', () => {
    const { store, client } = env;
    client.readDataset('train', new File(['a'], 'first.csv'));
    const first = last('readDataset');
    worker.emit({ type: 'datasetRead', requestId: first.requestId, summary: summary('first.csv') });
    client.readDataset('train', new File(['abc'], 'second.csv'));
    const second = last('readDataset');
    worker.emit({ type: 'datasetReadProgressed', requestId: second.requestId, bytesRead: 2, total: 3 });
    worker.emit({ type: 'datasetPreviewed', requestId: second.requestId, preview: { format: 'csv', columns: ['a'], rows: [['1']] } });
    expect(store.getState().dataset.pending).toMatchObject({ file: 'second.csv', bytesRead: 2, preview: { rows: [['1']] } });
    client.cancelDatasetRead();
    expect(last('cancelDatasetRead').requestId).toBe(second.requestId);
    worker.emit({ type: 'datasetReadFailed', requestId: second.requestId, role: 'train', file: 'second.csv', error: { code: 'DATASET_READ_CANCELLED', message: 'x' } });
    expect(store.getState().dataset).toMatchObject({ train: { file: 'first.csv' }, pending: null, error: { file: 'second.csv' } });
  });
});

describe('a training run', () => {
  it('sends start, pause, resume and stop, and writes the events into the store', () => {
    const { store, client } = setup();
    const runId = client.startTraining(DEFAULT_TRAIN_CONFIG);
    expect(last('startTraining')).toMatchObject({ runId, config: DEFAULT_TRAIN_CONFIG });
    expect(store.getState().training.status).toBe('preparing');
    client.pauseTraining();
    expect(worker.sent.some((m) => m.type === 'pauseTraining')).toBe(false); // nothing to pause yet
    worker.emit({ type: 'trainingStarted', runId, plan, labels: ['a', 'b'], maxLength: 32, dataNotes: [], summary: { labels: ['a', 'b'] } as never, baseline: null });
    expect(store.getState().model.current?.labels).toEqual(['a', 'b']);
    worker.emit({ type: 'trainingProgressed', runId, steps: [step(1), step(2)] });
    worker.emit({ type: 'trainingProgressed', runId, steps: [step(3)] });
    expect(store.getState().training).toMatchObject({ status: 'running', steps: { count: 3 } });
    client.pauseTraining();
    expect(store.getState().training.status).toBe('pausing');
    worker.emit({ type: 'trainingPaused', runId, step: 3 });
    expect(store.getState().training.status).toBe('paused');
    client.resumeTraining();
    expect(last('resumeTraining').runId).toBe(runId);
    worker.emit({ type: 'trainingResumed', runId });
    client.stopTraining();
    expect(store.getState().training.status).toBe('stopping');
    // Events of an older run are ignored.
    worker.emit({ type: 'trainingProgressed', runId: 'old', steps: [step(99)] });
    expect(store.getState().training.steps.count).toBe(3);
    worker.emit({ type: 'trainingFinished', runId, reason: 'stopped', step: 3, metrics: null, restoredBestStep: null });
    expect(store.getState().training).toMatchObject({ status: 'finished', finish: { reason: 'stopped' } });
  });

  it('continues an unfinished run: the offer goes once it runs, its settings come back, its stored steps and evaluations come first', () => {
    const { store, client } = setup();
    const config = { ...DEFAULT_TRAIN_CONFIG, epochs: 7, learningRate: 0.0123, batchSize: 4 };
    const info = {
      runId: 'r1',
      name: 'reviews.csv on tiny',
      step: 20,
      totalSteps: 3000,
      savedAt: 0,
      startedAt: 0,
      trainedMs: 60_000,
      config,
      model: { source: 'tiny', fromSite: true, adapted: false, files: [] },
      dataset: { train: { name: 'reviews.csv', size: 10, hash: 1 }, validation: null },
    };
    const run = { info, slot: 'A' as const, storage: 'opfs' as const, notes: [], datasetKept: true };
    worker.emit({ type: 'unfinishedRunFound', run, storage: 'opfs', storageNote: '' });
    // The run's settings come back with it (RELIABILITY F8), and a model loaded afterwards does not change them.
    expect(store.getState().config.draft).toEqual(config);
    worker.emit({ type: 'modelLoaded', loadId: 1, summary: { source: 'tiny', hidden_size: 768, baseTask: 'mlm', task: 'mlm', runParameters: { 'seq-cls': [], 'token-cls': [], mlm: [] } } as never });
    expect(store.getState().config.draft).toEqual(config);
    client.continueRun(run);
    expect(last('continueRun')).toEqual({ type: 'continueRun', runId: 'r1', allowNonFinite: false });
    // The dataset need not be open: the run names its own file.
    expect(store.getState().training.datasetFile).toBe('reviews.csv');
    expect(store.getState().checkpoints.unfinished).not.toBeNull();
    worker.emit({ type: 'trainingStarted', runId: 'r1', plan, labels: [], maxLength: 32, dataNotes: [], summary: { labels: [] } as never, baseline: null });
    expect(store.getState().checkpoints.unfinished).toBeNull();
    const evaluation = { record: { step: 10, epoch: 0.01, learning_rate: 1e-3, eval_loss: 0.5, accuracy: 0.5, eval_samples: 2 }, isBest: true };
    worker.emit({ type: 'trainingRestored', runId: 'r1', history: { step: 20, trainedMs: 60_000, steps: [step(1), step(10), step(20)], evals: [evaluation] } });
    worker.emit({ type: 'trainingProgressed', runId: 'r1', steps: [step(21)] });
    const t = store.getState().training;
    expect(t.steps.curve.map((s) => s.step)).toEqual([1, 10, 20, 21]);
    expect(t.steps.count).toBe(4);
    expect(t.evals).toEqual([{ ...evaluation, lrReduced: false }]);
  });

  it('continues in smaller passes when asked (an out-of-memory failure proposes them)', () => {
    const { store, client } = setup();
    const info = { runId: 'r2', config: DEFAULT_TRAIN_CONFIG, dataset: { train: { name: 'big.csv', size: 1, hash: 1 }, validation: null } } as never;
    client.continueRun({ info, slot: 'B', storage: 'opfs', notes: [], datasetKept: false }, { microBatchSize: 2, gradientCheckpointing: true });
    expect(last('continueRun')).toEqual({ type: 'continueRun', runId: 'r2', passes: { microBatchSize: 2, gradientCheckpointing: true }, allowNonFinite: false });
    expect(store.getState().training.config).toMatchObject({ microBatchSize: 2, gradientCheckpointing: true });
  });

  it('a resumed run counts its ETA from the resume and its time taken from the first session', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const { store, client } = setup();
      const info = { runId: 'r3', config: DEFAULT_TRAIN_CONFIG, dataset: { train: { name: 'a.csv', size: 1, hash: 1 }, validation: null } } as never;
      client.continueRun({ info, slot: 'A', storage: 'opfs', notes: [], datasetKept: true });
      worker.emit({ type: 'trainingStarted', runId: 'r3', plan, labels: [], maxLength: 32, dataNotes: [], summary: { labels: [] } as never, baseline: null });
      worker.emit({ type: 'trainingRestored', runId: 'r3', history: { step: 20, trainedMs: 60_000, steps: [step(20)], evals: [] } });
      vi.setSystemTime(1_010_000);
      worker.emit({ type: 'trainingProgressed', runId: 'r3', steps: Array.from({ length: 10 }, (_, i) => step(21 + i)) });
      const t = store.getState().training;
      // 10 steps in this session's 10 s: 2,970 steps left take 2,970 s (not 990 s, as 30 steps in 10 s would say).
      expect(runEtaSeconds(t, 30, 3000, Date.now())).toBeCloseTo(2970, 6);
      // Trained: the first session's 60 s and this one's 10 s.
      expect(trainedMs(t, Date.now())).toBe(70_000);
      worker.emit({ type: 'trainingFinished', runId: 'r3', reason: 'completed', step: 3000, metrics: null, restoredBestStep: null });
      vi.setSystemTime(1_500_000);
      expect(runRecord(store.getState().training, null)?.trainingMs).toBe(70_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an engine that stops answering mid-run stops the run on the screen, and a heartbeat that comes back undoes it (F5)', () => {
    vi.useFakeTimers();
    try {
      const { store, client } = setup();
      const runId = client.startTraining(DEFAULT_TRAIN_CONFIG);
      worker.emit({ type: 'trainingStarted', runId, plan, labels: [], maxLength: 32, dataNotes: [], summary: { labels: [] } as never, baseline: null });
      vi.advanceTimersByTime(HEARTBEAT_TIMEOUT_MS + 2 * HEARTBEAT_MS);
      expect(store.getState().engine.status).toBe('unresponsive');
      expect(store.getState().training).toMatchObject({ status: 'failed', error: { code: 'ENGINE_UNRESPONSIVE' } });
      worker.emit({ type: 'heartbeat' });
      expect(store.getState().training).toMatchObject({ status: 'running', error: null, stalledFrom: null });
    } finally {
      vi.useRealTimers();
    }
  });

  it('a run stopped while the engine looked stalled ends as finished, and the next heartbeat leaves it so', () => {
    vi.useFakeTimers();
    try {
      const { store, client } = setup();
      const runId = client.startTraining(DEFAULT_TRAIN_CONFIG);
      worker.emit({ type: 'trainingStarted', runId, plan, labels: [], maxLength: 32, dataNotes: [], summary: { labels: [] } as never, baseline: null });
      client.stopTraining();
      expect(store.getState().training.status).toBe('stopping');
      // The worker is busy ending the run (its evaluation on a loaded machine) past the heartbeat timeout.
      vi.advanceTimersByTime(HEARTBEAT_TIMEOUT_MS + 2 * HEARTBEAT_MS);
      expect(store.getState().training).toMatchObject({ status: 'failed', error: { code: 'ENGINE_UNRESPONSIVE' } });
      worker.emit({ type: 'trainingFinished', runId, reason: 'stopped', step: 5, metrics: null, restoredBestStep: null });
      expect(store.getState().training).toMatchObject({ status: 'finished', error: null, stalledFrom: null });
      worker.emit({ type: 'heartbeat' });
      expect(store.getState().training.status).toBe('finished');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a lost GPU device: the run is paused with it, not failed; the engine says so while it asks for a new device, and the resumed run is on the new device, or on WASM when none comes (F2)', () => {
    const { store, client } = setup();
    const info = (runId: string) => ({ info: { runId, config: DEFAULT_TRAIN_CONFIG, dataset: { train: { name: 'a.csv', size: 1, hash: 1 }, validation: null } } as never, slot: 'A' as const, storage: 'opfs' as const, notes: [], datasetKept: true });
    const runId = client.startTraining(DEFAULT_TRAIN_CONFIG);
    worker.emit({ type: 'ready', backend: 'webgpu', reason: '', chosenBy: 'user', threads: 1, notices: [], probe: null as never });
    worker.emit({ type: 'trainingStarted', runId, plan, labels: [], maxLength: 32, dataNotes: [], summary: { labels: [] } as never, baseline: null });
    const error = { code: 'GPU_DEVICE_LOST', message: 'The GPU device was lost (destroyed).', location: { field: 'backend' }, retryWith: { backend: 'wasm' } };
    worker.emit({ type: 'trainingInterrupted', runId, step: 7, error });
    worker.emit({ type: 'deviceLost', error });
    expect(store.getState().engine).toMatchObject({ lost: error, renewal: { status: 'asking' } });
    expect(store.getState().training).toMatchObject({ status: 'interrupted', error });
    // Paused by the loss, not active: nothing to stop, and the page may be left without asking.
    expect(isActive(store.getState().training.status)).toBe(false);
    // The new device the engine asked for: ready on WebGPU, the loss over; the run resumes there with no switch.
    worker.emit({ type: 'ready', backend: 'webgpu', reason: 'WebGPU on a new device', chosenBy: 'auto', threads: 1, notices: [], probe: null as never });
    expect(store.getState().engine).toMatchObject({ lost: null, renewal: null, backend: 'webgpu' });
    expect(store.getState().training.status).toBe('interrupted');
    client.continueRun(info(runId));
    expect(worker.sent.at(-1)?.type).toBe('continueRun');
    expect(store.getState().training).toMatchObject({ status: 'preparing', backend: 'webgpu' });
    worker.emit({ type: 'trainingStarted', runId, plan, labels: [], maxLength: 32, dataNotes: [], summary: { labels: [] } as never, baseline: null });
    // A second loss, and no new device: WASM is what is left; "Resume on WASM" switches, then resumes, in that order.
    worker.emit({ type: 'trainingInterrupted', runId, step: 9, error });
    worker.emit({ type: 'deviceLost', error });
    const none = { code: 'GPU_DEVICE_RENEWAL_FAILED', message: 'No new GPU device could be started after the loss (requestAdapter() returned null).', location: { field: 'backend' }, retryWith: { backend: 'wasm' } };
    worker.emit({ type: 'deviceRenewalFailed', error: none });
    expect(store.getState().engine).toMatchObject({ lost: error, renewal: { status: 'failed', error: none } });
    client.setBackend('wasm');
    client.continueRun(info(runId));
    expect(worker.sent.slice(-2).map((m) => m.type)).toEqual(['setBackend', 'continueRun']);
    expect(store.getState().training.backend).toBe('wasm');
    worker.emit({ type: 'ready', backend: 'wasm', reason: '', chosenBy: 'user', threads: 1, notices: [], probe: null as never });
    expect(store.getState().engine).toMatchObject({ lost: null, renewal: null });
  });

  it('a crashed worker fails the run in flight: no perpetual spinner', () => {
    const { store, client } = setup();
    const runId = client.startTraining(DEFAULT_TRAIN_CONFIG);
    worker.emit({ type: 'trainingStarted', runId, plan, labels: [], maxLength: 32, dataNotes: [], summary: { labels: [] } as never, baseline: null });
    worker.fail('gone');
    expect(store.getState().training).toMatchObject({ status: 'failed', error: { code: 'ENGINE_CRASHED' } });
  });

  it('leaves a History record with a thinned curve', () => {
    const { store, client } = setup();
    const runId = client.startTraining(DEFAULT_TRAIN_CONFIG);
    worker.emit({ type: 'trainingStarted', runId, plan, labels: [], maxLength: 32, dataNotes: [], summary: { labels: [], source: 'tiny', family: 'bert' } as never, baseline: null });
    worker.emit({ type: 'trainingProgressed', runId, steps: Array.from({ length: 3000 }, (_, i) => step(i + 1)) });
    const record = runRecord(store.getState().training, store.getState().model.current)!;
    expect(record).toMatchObject({ id: runId, outcome: 'running', stepsDone: 3000, totalSteps: 3000, model: { source: 'tiny' } });
    expect(record.curve.step).toHaveLength(RUN_CURVE_POINTS);
    expect(record.curve.step[0]).toBe(1);
    expect(record.curve.step.at(-1)).toBe(3000);
  });
});

describe('predictions and export', () => {
  it('sends playground answers to the playground, Model panel answers to the Model panel', () => {
    const { store, client } = setup();
    const result: Prediction = { task: 'seq-cls', tokens: [], labels: [], truncated: false };
    client.predict('a');
    client.predict('b', 'playground');
    const [a, b] = worker.sent.filter((m) => m.type === 'predict') as Extract<ToWorker, { type: 'predict' }>[];
    worker.emit({ type: 'predicted', requestId: b.requestId, prediction: result });
    expect(store.getState().playground.result).toBe(result);
    expect(store.getState().prediction.result).toBeNull();
    worker.emit({ type: 'predictFailed', requestId: a.requestId, error: { code: 'E', message: 'm' } });
    expect(store.getState().prediction.error?.code).toBe('E');
    expect(store.getState().playground.error).toBeNull();
  });

  it('hands the predictions CSV to the download as UTF-8 text; a refusal or a crashed engine ends the request with its error', async () => {
    const { store, client } = setup();
    client.exportPredictions();
    const command = last('exportPredictions');
    expect(store.getState().predictionsCsv.requestId).toBe(command.requestId);
    const csv = "text,label,predicted,probability\r\n'=1+1,'+pos,'+pos,0.75\r\n";
    worker.emit({ type: 'predictionsExported', requestId: command.requestId, fileName: 'm-finetuned-predictions.csv', csv, rows: 1 });
    expect(saved.map((f) => [f.name, f.blob.type])).toEqual([['m-finetuned-predictions.csv', 'text/csv;charset=utf-8']]);
    expect(await saved[0].blob.text()).toBe(csv);
    expect(store.getState().predictionsCsv).toEqual({ requestId: null, last: { fileName: 'm-finetuned-predictions.csv', rows: 1 }, error: null });

    client.exportPredictions();
    worker.emit({ type: 'predictionsExportFailed', requestId: last('exportPredictions').requestId, error: { code: 'EXPORT_DURING_TRAINING', message: 'm' } });
    expect(store.getState().predictionsCsv).toMatchObject({ requestId: null, error: { code: 'EXPORT_DURING_TRAINING' } });
    client.exportPredictions();
    expect(store.getState().predictionsCsv).toMatchObject({ requestId: last('exportPredictions').requestId, error: null });
    worker.fail('gone');
    expect(store.getState().predictionsCsv).toMatchObject({ requestId: null, error: { code: 'ENGINE_CRASHED' } });
    expect(saved).toHaveLength(1);
  });

  it('hands the transferred zip to the download and keeps its URL and check, one per format', async () => {
    const { store, client } = setup();
    const verification = { examples: 4, source: 'validation' as const, checks: [{ file: 'onnx/model.onnx', reader: 'onnxruntime-web', maxAbsDiff: 1e-7, tolerance: 1e-4, agree: 4, compared: 4, passed: true }] };
    client.exportModel({ format: 'onnx', quantize: true });
    const command = last('exportModel');
    expect(command).toMatchObject({ format: 'onnx', quantize: true, allowNonFinite: false });
    worker.emit({ type: 'exportProgressed', requestId: command.requestId, phase: 'verifying' });
    expect(store.getState().exporting).toMatchObject({ format: 'onnx', phase: 'verifying' });
    const zip = new Uint8Array([80, 75, 5, 6]).buffer;
    worker.emit({ type: 'modelExported', requestId: command.requestId, exported: { fileName: 'm-finetuned-onnx.zip', zip, files: [{ name: 'config.json', size: 2 }], format: 'onnx', verification } });
    expect(saved).toHaveLength(1);
    expect(saved[0].name).toBe('m-finetuned-onnx.zip');
    expect(new Uint8Array(await saved[0].blob.arrayBuffer())).toEqual(new Uint8Array([80, 75, 5, 6]));
    expect(store.getState().exporting.results.onnx).toMatchObject({ fileName: 'm-finetuned-onnx.zip', size: 4, url: 'blob:test/1', verification });
    client.exportModel({ format: 'hf' });
    const hf = last('exportModel');
    worker.emit({ type: 'modelExported', requestId: hf.requestId, exported: { fileName: 'm-finetuned.zip', zip: new ArrayBuffer(2), files: [], format: 'hf', verification } });
    expect(Object.keys(store.getState().exporting.results).sort()).toEqual(['hf', 'onnx']);
    expect(store.getState().exporting.results.onnx?.url).toBe('blob:test/1');
  });
});
