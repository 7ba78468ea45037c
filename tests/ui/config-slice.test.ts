// The config draft follows the loaded model: an untouched learning rate becomes the default for the model's width
// (defaultLearningRate), a rate the user typed stays, and Reset goes back to the model's default.
import { describe, expect, it } from 'vitest';
import type { ModelSummary } from '../../src/protocol/messages';
import { defaultLearningRate } from '../../src/protocol/train-config';
import { createEngineClient } from '../../src/ui/engine-client';
import { createAppStore } from '../../src/ui/store/app-store';
import { FakeWorker } from './fake-worker';

const runParameters = { 'seq-cls': [], 'token-cls': [], mlm: [] };
const model = (hidden: number) => ({ source: 'm', task: 'mlm', baseTask: 'mlm', runParameters, hidden_size: hidden, parameters: [], adaptations: [], modelCard: null, tokenizer: null }) as unknown as ModelSummary;

describe('defaultLearningRate', () => {
  it("is BERT's 5e-5 from hidden size 768 up, 768/hidden times that below, at most 5e-4", () => {
    expect(defaultLearningRate(768)).toBe(5e-5);
    expect(defaultLearningRate(1024)).toBe(5e-5);
    expect(defaultLearningRate(384)).toBe(1e-4);
    expect(defaultLearningRate(256)).toBe(1.5e-4);
    expect(defaultLearningRate(128)).toBe(3e-4);
    expect(defaultLearningRate(32)).toBe(5e-4);
  });
});

describe('the learning rate of the draft', () => {
  it('follows each model loaded until the user types one; Reset returns to the model default', () => {
    const store = createAppStore();
    const worker = new FakeWorker();
    const client = createEngineClient(store, () => worker);
    const s = () => store.getState();
    worker.emit({ type: 'modelLoaded', loadId: 1, summary: model(128) });
    expect(s().config.draft.learningRate).toBe(3e-4);
    worker.emit({ type: 'modelLoaded', loadId: 2, summary: model(768) });
    expect(s().config.draft.learningRate).toBe(5e-5);
    s().configFieldChanged('learningRate', 2e-4);
    worker.emit({ type: 'modelLoaded', loadId: 3, summary: model(128) });
    expect(s().config.draft.learningRate).toBe(2e-4);
    s().configReset();
    expect(s().config.draft.learningRate).toBe(3e-4);
    client.dispose();
  });
});
