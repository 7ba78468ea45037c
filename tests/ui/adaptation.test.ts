// "Adapt to my text" in the studio, against a fake worker: the commands sent, the events in the store (late events
// of an older adaptation dropped, a crash ends it), the adapted model replacing the current one; the fine-tuning task
// a masked-LM checkpoint gets from the data; and the card's status line and blockers (features/training/adapt-progress).
import { describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../src/protocol/dataset-summary';
import { DEFAULT_ADAPT_SETTINGS, type AdaptationRecord, type AdaptPlan, type AdaptSettings } from '../../src/protocol/adaptation';
import type { ModelSummary } from '../../src/protocol/messages';
import type { EvalRecord, StepTelemetry } from '../../src/protocol/train-events';
import { createEngineClient } from '../../src/ui/engine-client';
import { adaptBlockers, adaptStatusText } from '../../src/ui/features/training/adapt-progress';
import { describeAdaptation } from '../../src/ui/format';
import { createAppStore } from '../../src/ui/store/app-store';
import { fineTuneTask } from '../../src/ui/store/config-slice';
import { FakeWorker } from './fake-worker';

function setup() {
  const store = createAppStore();
  let worker = new FakeWorker();
  const client = createEngineClient(store, () => (worker = new FakeWorker()));
  return { store, client, worker: () => worker };
}

const runParameters = { 'seq-cls': [], 'token-cls': [], mlm: [] };
const model = (task: ModelSummary['task'], adaptations: AdaptationRecord[] = [], baseTask = task) =>
  ({ source: 'Layerwise default', task, baseTask, runParameters, parameters: [], adaptations, modelCard: null, tokenizer: { kind: 'wordpiece', files: [], maskToken: '[MASK]' } }) as unknown as ModelSummary;
const csv = { role: 'train', kind: 'examples', file: 'reviews.csv', labelColumn: 'label' } as unknown as DatasetSummary;
const conll = { role: 'train', kind: 'tokens', file: 'places.conll' } as unknown as DatasetSummary;
const step = (n: number, loss: number): StepTelemetry => ({ step: n, epoch: n / 10, loss, penalty: 0, gradNorm: 1, skipped: false, learningRate: 1e-4, groups: [], tokens: 100, seconds: 0.05, tokensPerSecond: 2000 });
const plan: AdaptPlan = { text: 'notes.txt', lines: 200, heldOutLines: 10, trainExamples: 190, validationExamples: 10, totalSteps: 12, stepsPerEpoch: 12, capped: false, maxLength: 128 };
const evaluation = { step: 6, epoch: 0.5, learning_rate: 1e-4, eval_loss: 3.5, accuracy: 0.234, eval_samples: 10, perplexity: 33.1 } satisfies EvalRecord;
const record: AdaptationRecord = { text: 'notes.txt', lines: 200, steps: 12, totalSteps: 12, trainLoss: 3.21, evalLoss: 3.305, maskedAccuracy: 0.412, heldOutLines: 10, learningRate: 1e-4, wholeWord: true, stopped: false };

describe('adaptation through the engine client', () => {
  it('sends the text and settings, follows the events, and adopts the adapted model', () => {
    const { store, client, worker } = setup();
    const file = new File(['a line\n'], 'notes.txt');
    const settings: AdaptSettings = { ...DEFAULT_ADAPT_SETTINGS, length: { unit: 'steps', steps: 12 } };
    const adaptId = client.startAdaptation({ kind: 'file', file, choices: {} }, settings);
    expect(worker().sent.at(-1)).toEqual({ type: 'startAdaptation', adaptId, text: { kind: 'file', file, choices: {} }, settings });
    expect(store.getState().adaptation).toMatchObject({ adaptId, status: 'preparing' });

    worker().emit({ type: 'adaptationPreparing', adaptId, phase: 'tokenise', done: 50, total: 200 });
    expect(adaptStatusText(store.getState().adaptation)).toBe('Preparing: tokenising 200 lines…');
    worker().emit({ type: 'adaptationStarted', adaptId, plan });
    worker().emit({ type: 'adaptationProgressed', adaptId, steps: [step(1, 5.5), step(2, 5.25)] });
    worker().emit({ type: 'adaptationEvaluated', adaptId, record: evaluation });
    worker().emit({ type: 'adaptationProgressed', adaptId, steps: Array.from({ length: 9 }, (_, i) => step(i + 3, 4)) });
    // The last ten steps are kept for the status line.
    expect(store.getState().adaptation.recent.map((s) => s.step)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // Late events of another adaptation are dropped.
    worker().emit({ type: 'adaptationProgressed', adaptId: 'older', steps: [step(99, 1)] });
    expect(store.getState().adaptation.recent.at(-1)?.step).toBe(11);
    // 100 tokens in 0.05 s per step: 2,000 tokens/s.
    expect(adaptStatusText(store.getState().adaptation)).toBe('Step 11/12 · MLM loss 4.000 · 2,000 tokens/s · held out: masked-token accuracy 23.4%');

    client.stopAdaptation(true);
    expect(worker().sent.at(-1)).toEqual({ type: 'stopAdaptation', adaptId, keep: true });
    expect(adaptStatusText(store.getState().adaptation)).toMatch(/^Stopping after this step, keeping the weights so far… · Step 11\/12/);

    worker().emit({ type: 'adaptationFinished', adaptId, record, summary: model('mlm', [record]) });
    expect(store.getState().adaptation).toMatchObject({ status: 'finished', record });
    expect(store.getState().model.current?.adaptations).toEqual([record]);
    // A masked-LM checkpoint fine-tunes the data's task: sequence classification without a dataset.
    expect(store.getState().config.draft.task).toBe('seq-cls');
    expect(adaptStatusText(store.getState().adaptation)).toBe('Adapted: 12 steps, MLM loss 3.210. Fine-tuning now starts from these weights.');
    client.dispose();
  });

  it('stopping without keeping, a failure, and a crashed engine leave the model as it was', () => {
    const { store, client, worker } = setup();
    const first = client.startAdaptation({ kind: 'dataset' }, DEFAULT_ADAPT_SETTINGS as AdaptSettings);
    client.stopAdaptation(false);
    expect(store.getState().adaptation).toMatchObject({ status: 'stopping', keepOnStop: false });
    worker().emit({ type: 'adaptationDiscarded', adaptId: first, step: 3 });
    expect(adaptStatusText(store.getState().adaptation)).toBe('Stopped: the adapted weights were discarded, and the model is as it was.');
    // Nothing is in flight: a second stop sends nothing.
    const sent = worker().sent.length;
    client.stopAdaptation(true);
    expect(worker().sent).toHaveLength(sent);

    const second = client.startAdaptation({ kind: 'dataset' }, DEFAULT_ADAPT_SETTINGS as AdaptSettings);
    worker().emit({ type: 'adaptationFailed', adaptId: second, step: 0, error: { code: 'ADAPT_NO_TEXT', message: 'Open a dataset.' } });
    expect(store.getState().adaptation).toMatchObject({ status: 'failed', error: { code: 'ADAPT_NO_TEXT' } });
    expect(adaptStatusText(store.getState().adaptation)).toBe('Failed (ADAPT_NO_TEXT): the model is as it was.');

    client.startAdaptation({ kind: 'dataset' }, DEFAULT_ADAPT_SETTINGS as AdaptSettings);
    worker().fail('boom');
    expect(store.getState().adaptation).toMatchObject({ status: 'failed', error: { code: 'ENGINE_CRASHED' } });
    client.dispose();
  });
});

describe('the fine-tuning task', () => {
  it('is the task of the checkpoint runs start from when the data fits it, else the data\'s', () => {
    expect(fineTuneTask('mlm', null)).toBe('seq-cls');
    expect(fineTuneTask('mlm', csv)).toBe('seq-cls');
    expect(fineTuneTask('mlm', conll)).toBe('token-cls');
    expect(fineTuneTask('seq-cls', null)).toBe('seq-cls');
    expect(fineTuneTask('seq-cls', csv)).toBe('seq-cls');
    expect(fineTuneTask('seq-cls', conll)).toBe('token-cls');
    expect(fineTuneTask('token-cls', csv)).toBe('seq-cls');
  });

  it('switches with a training file the task cannot use, says so, and keeps a chosen mlm task that fits', () => {
    const { store, client, worker } = setup();
    const s = () => store.getState();
    worker().emit({ type: 'modelLoaded', loadId: 1, summary: model('mlm') });
    expect(s().config.draft.task).toBe('seq-cls');
    worker().emit({ type: 'datasetRead', requestId: 2, summary: conll });
    expect(s().config.draft.task).toBe('token-cls');
    expect(s().config.taskSwitch).toEqual({ from: 'seq-cls', to: 'token-cls', file: 'places.conll' });
    s().configFieldChanged('task', 'mlm');
    expect(s().config.taskSwitch).toBeNull();
    worker().emit({ type: 'datasetRead', requestId: 3, summary: csv });
    expect(s().config.draft.task).toBe('mlm');
    // A classifier checkpoint keeps its task for data that fits it, and follows data that does not.
    worker().emit({ type: 'modelLoaded', loadId: 4, summary: model('seq-cls') });
    expect(s().config.draft.task).toBe('seq-cls');
    worker().emit({ type: 'datasetRead', requestId: 5, summary: conll });
    expect(s().config.draft.task).toBe('token-cls');
    client.dispose();
  });

  it('after a run on rows, a CoNLL file switches the next run to token classification (the run started from a masked-LM checkpoint)', () => {
    const { store, client, worker } = setup();
    const s = () => store.getState();
    worker().emit({ type: 'modelLoaded', loadId: 1, summary: model('mlm') });
    worker().emit({ type: 'datasetRead', requestId: 2, summary: csv });
    const runId = client.startTraining(s().config.draft);
    const runPlan = { totalSteps: 3, stepsPerEpoch: 1, warmupSteps: 0, epochs: 3, trainExamples: 3, validationExamples: 1, groups: [], trainableParameters: 1, parameters: 1 };
    worker().emit({ type: 'trainingStarted', runId, plan: runPlan, labels: ['a', 'b'], maxLength: 8, dataNotes: [], summary: model('seq-cls', [], 'mlm'), baseline: null });
    worker().emit({ type: 'trainingFinished', runId, reason: 'completed', step: 3, metrics: null, restoredBestStep: null });
    expect(s().model.current?.task).toBe('seq-cls');
    worker().emit({ type: 'datasetRead', requestId: 3, summary: conll });
    expect(s().config.draft.task).toBe('token-cls');
    expect(s().config.taskSwitch).toEqual({ from: 'seq-cls', to: 'token-cls', file: 'places.conll' });
    client.dispose();
  });
});

describe('adaptBlockers and describeAdaptation', () => {
  const ready = { hasModel: true, maskToken: true, source: 'dataset' as const, hasDataset: true, hasFile: false, settings: DEFAULT_ADAPT_SETTINGS as AdaptSettings, training: false };

  it('says what is missing before an adaptation can start', () => {
    expect(adaptBlockers(ready)).toEqual([]);
    expect(adaptBlockers({ ...ready, source: 'file' })).toEqual(['Choose or drop a text file.']);
    expect(adaptBlockers({ ...ready, hasModel: false, hasDataset: false, training: true, settings: { ...ready.settings, learningRate: 0, batchSize: 0 } })).toEqual([
      'Load a model in the Model panel.',
      'Open a dataset in the Dataset panel, or choose a separate text file.',
      '2 settings need attention.',
      'A fine-tuning run is in progress.',
    ]);
    expect(adaptBlockers({ ...ready, maskToken: false })).toEqual(['This model’s tokenizer has no mask token, which masked-LM training needs.']);
  });

  it('writes an adaptation as one line', () => {
    expect(describeAdaptation(record)).toBe(
      'on notes.txt: 12 of 12 steps over 200 lines · MLM loss 3.210 · held out (10 lines): MLM loss 3.305, masked-token accuracy 41.2% · learning rate 0.0001, whole-word masking',
    );
    expect(describeAdaptation({ ...record, steps: 5, stopped: true, evalLoss: null, maskedAccuracy: null, wholeWord: false })).toBe(
      'on notes.txt: 5 of 12 steps over 200 lines (stopped, weights kept) · MLM loss 3.210 · learning rate 0.0001',
    );
  });
});
