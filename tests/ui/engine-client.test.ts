// The engine client against a fake worker: commands sent, events written into the store, the heartbeat watchdog,
// and a crash that must not leave a load spinning (src/ui/engine-client.ts; RELIABILITY F5, R3).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModelSummary, ToWorker } from '../../src/protocol/messages';
import { HEARTBEAT_TIMEOUT_MS } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG } from '../../src/protocol/train-config';
import { LoaderMessages } from '../../src/ui/features/model/loader-messages';
import { createEngineClient } from '../../src/ui/engine-client';
import { createAppStore } from '../../src/ui/store/app-store';
import { FakeWorker } from './fake-worker';

function summary(source: string): ModelSummary {
  return {
    source,
    family: 'bert',
    model_type: 'bert',
    architectures: ['BertForSequenceClassification'],
    task: 'seq-cls',
    baseTask: 'seq-cls',
    runParameters: { 'seq-cls': [], 'token-cls': [], mlm: [] },
    adapterSites: [],
    num_hidden_layers: 2,
    hidden_size: 32,
    num_attention_heads: 4,
    intermediate_size: 64,
    vocab_size: 328,
    max_position_embeddings: 64,
    parameterCount: 100,
    labels: ['a', 'b'],
    tokenizer: null,
    files: [],
    messages: [],
    parameters: [],
    configJson: '{}',
    loadMs: 1,
    modelCard: null,
    adaptations: [],
  };
}

const probe = { webgpuApi: false, adapter: null, crossOriginIsolated: true, hardwareConcurrency: 2 };

describe('engine client', () => {
  let workers: FakeWorker[];
  beforeEach(() => {
    vi.useFakeTimers();
    workers = [];
  });
  afterEach(() => vi.useRealTimers());

  function setup() {
    const store = createAppStore();
    const client = createEngineClient(store, () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    });
    return { store, client, worker: () => workers[workers.length - 1] };
  }

  it('records the backend the worker reports', () => {
    const { store, worker } = setup();
    expect(store.getState().engine.status).toBe('starting');
    worker().emit({ type: 'ready', backend: 'wasm', reason: 'r', chosenBy: 'auto', threads: 1, notices: [], probe });
    expect(store.getState().engine).toMatchObject({ status: 'ready', backend: 'wasm', reason: 'r' });
  });

  it('keeps the loaded model when a later load fails, and clears progress only for the newest load', () => {
    const { store, client, worker } = setup();
    const file = new File(['{}'], 'config.json');
    client.loadModel('good', [file]);
    const first = worker().sent[0];
    expect(first).toMatchObject({ type: 'loadModel', source: 'good', files: [file] });
    expect(store.getState().model.pending).toMatchObject({ source: 'good', fileCount: 1, bytes: 2 });
    if (first.type !== 'loadModel') throw new Error('expected loadModel');
    worker().emit({ type: 'modelLoaded', loadId: first.loadId, summary: summary('good') });
    expect(store.getState().model).toMatchObject({ current: { source: 'good' }, pending: null, error: null });

    client.loadModel('bad', []);
    client.loadModel('newer', []);
    const [bad, newer] = worker().sent.slice(1) as Extract<ToWorker, { type: 'loadModel' }>[];
    worker().emit({ type: 'loadFailed', loadId: bad.loadId, source: 'bad', error: { code: 'X', message: 'm' } });
    expect(store.getState().model.current?.source).toBe('good');
    expect(store.getState().model.error).toEqual({ source: 'bad', error: { code: 'X', message: 'm' } });
    expect(store.getState().model.pending?.loadId).toBe(newer.loadId);
  });

  it('calls the engine unresponsive after missed heartbeats, and ready again when they resume', () => {
    const { store, worker } = setup();
    worker().emit({ type: 'ready', backend: 'cpu', reason: 'r', chosenBy: 'auto', threads: 1, notices: [], probe });
    vi.advanceTimersByTime(HEARTBEAT_TIMEOUT_MS - 1000);
    expect(store.getState().engine.status).toBe('ready');
    vi.advanceTimersByTime(3000);
    expect(store.getState().engine.status).toBe('unresponsive');
    worker().emit({ type: 'heartbeat' });
    expect(store.getState().engine.status).toBe('ready');
  });

  it('turns a worker crash into a coded error and fails the load in flight, then restarts fresh', () => {
    const { store, client, worker } = setup();
    client.loadModel('big', []);
    worker().fail('out of memory');
    expect(store.getState().engine).toMatchObject({ status: 'crashed', error: { code: 'WORKER_CRASHED', message: 'out of memory' } });
    expect(store.getState().model).toMatchObject({ pending: null, error: { source: 'big', error: { code: 'ENGINE_CRASHED' } } });

    const old = worker();
    client.restart();
    expect(old.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    expect(store.getState().engine.status).toBe('starting');
  });

  it('reports a start-up failure as a stopped engine, and a later failure as an error only', () => {
    const { store, worker } = setup();
    worker().emit({ type: 'failed', error: { code: 'BACKEND_NONE_STARTED', message: 'none' } });
    expect(store.getState().engine).toMatchObject({ status: 'crashed', error: { code: 'BACKEND_NONE_STARTED' } });

    const second = setup();
    second.worker().emit({ type: 'ready', backend: 'wasm', reason: 'r', chosenBy: 'auto', threads: 1, notices: [], probe });
    second.worker().emit({ type: 'failed', error: { code: 'WORKER_UNCAUGHT', message: 'x' } });
    expect(second.store.getState().engine).toMatchObject({ status: 'ready', error: { code: 'WORKER_UNCAUGHT' } });
  });

  it('a worker fault during a run is shown with the step the run was at (F6)', () => {
    const { store, worker } = setup();
    worker().emit({ type: 'ready', backend: 'wasm', reason: 'r', chosenBy: 'auto', threads: 1, notices: [], probe });
    worker().emit({ type: 'failed', error: { code: 'WORKER_EVENT_UNCLONEABLE', message: 'The engine could not send its trainingPaused event: x' }, run: { runId: 'r1', step: 7 } });
    expect(store.getState().engine).toMatchObject({ status: 'ready', error: { code: 'WORKER_EVENT_UNCLONEABLE', message: 'The engine could not send its trainingPaused event: x (while a run was at step 7)' } });
  });

  it('shows only the answer to the latest prediction, and clears it when another model loads', () => {
    const { store, client, worker } = setup();
    client.predict('first');
    client.predict('second');
    const [first, second] = worker().sent as Extract<ToWorker, { type: 'predict' }>[];
    expect(second).toMatchObject({ type: 'predict', text: 'second' });
    const result = (label: string) => ({ task: 'seq-cls' as const, tokens: [], labels: [{ label, logit: 0, probability: 1 }], truncated: false });
    worker().emit({ type: 'predicted', requestId: first.requestId, prediction: result('stale') });
    expect(store.getState().prediction).toMatchObject({ requestId: second.requestId, result: null });
    worker().emit({ type: 'predicted', requestId: second.requestId, prediction: result('fresh') });
    expect(store.getState().prediction).toMatchObject({ requestId: null, result: { labels: [{ label: 'fresh' }] } });
    worker().emit({ type: 'modelLoaded', loadId: 99, summary: summary('other') });
    expect(store.getState().prediction.result).toBeNull();
  });

  it('sends the backend override and shows it as pending until the worker answers', () => {
    const { store, client, worker } = setup();
    client.setBackend('cpu');
    expect(worker().sent).toEqual([{ type: 'setBackend', backend: 'cpu' }]);
    expect(store.getState().engine.requestedBackend).toBe('cpu');
    worker().emit({ type: 'backendFailed', backend: 'cpu', error: { code: 'BACKEND_UNAVAILABLE', message: 'no' } });
    expect(store.getState().engine).toMatchObject({ requestedBackend: null, error: { code: 'BACKEND_UNAVAILABLE' } });
  });

  it('"Train anyway" under the non-finite weights table: shown only for such weights, sent as allowNonFinite, asked again for the next model (M17)', () => {
    const { store, client, worker } = setup();
    const nan = { ...summary('nan'), parameters: [{ name: 'bert.embeddings.word_embeddings.weight', shape: [328, 32], depth: 0, nonFinite: 1 }] };
    const card = (s: ModelSummary) =>
      renderToStaticMarkup(
        createElement(LoaderMessages, { messages: s.messages, parameters: s.parameters, trainNonFinite: store.getState().model.trainNonFinite, onTrainNonFinite: store.getState().trainNonFiniteChosen }),
      );
    expect(card(summary('clean'))).not.toContain('Train anyway');
    worker().emit({ type: 'modelLoaded', loadId: 1, summary: nan });
    expect(card(nan)).toMatch(/<input type="checkbox"\/><span>Train anyway: runs start from these weights, NaN and infinite values included/);

    client.startTraining(DEFAULT_TRAIN_CONFIG);
    expect(worker().sent.at(-1)).toMatchObject({ type: 'startTraining', allowNonFinite: false });
    store.getState().trainNonFiniteChosen(true);
    expect(card(nan)).toContain('<input type="checkbox" checked=""/>');
    client.startTraining(DEFAULT_TRAIN_CONFIG);
    expect(worker().sent.at(-1)).toMatchObject({ type: 'startTraining', allowNonFinite: true });

    worker().emit({ type: 'modelLoaded', loadId: 2, summary: nan });
    expect(store.getState().model.trainNonFinite).toBe(false);
    client.startTraining(DEFAULT_TRAIN_CONFIG);
    expect(worker().sent.at(-1)).toMatchObject({ type: 'startTraining', allowNonFinite: false });
  });
});
