// "Evaluate now" and the baseline through the engine client and the store, against a fake worker: the command goes
// while a run trains or waits paused, not when the paused step has been evaluated already or an evaluation is on its
// way; the answer clears the wait; trainingStarted's majority-class baseline is kept for the result card.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../src/protocol/train-config';
import type { EvalRecord, RunPlan, StepTelemetry } from '../../src/protocol/train-events';
import { createEngineClient } from '../../src/ui/engine-client';
import { createAppStore } from '../../src/ui/store/app-store';
import { canEvaluateNow } from '../../src/ui/store/training-slice';
import { FakeWorker } from './fake-worker';

const plan: RunPlan = { totalSteps: 100, stepsPerEpoch: 50, warmupSteps: 0, epochs: 2, trainExamples: 10, validationExamples: 4, groups: [], trainableParameters: 5, parameters: 9 };
const step = (n: number): StepTelemetry => ({ step: n, epoch: n / 50, loss: 1, penalty: 0, gradNorm: 1, skipped: false, learningRate: 1e-3, groups: [], tokens: 10, seconds: 0.1, tokensPerSecond: 100 });
const record = (n: number): EvalRecord => ({ step: n, epoch: n / 50, learning_rate: 1e-3, eval_loss: 0.5, accuracy: 0.75, eval_samples: 4 });

describe('Evaluate now', () => {
  it('asks the worker while the run trains or waits, once, and not for a step already evaluated', () => {
    const store = createAppStore();
    const worker = new FakeWorker();
    const client = createEngineClient(store, () => worker);
    const sent = () => worker.sent.filter((m) => m.type === 'evaluateTraining');
    const runId = client.startTraining(DEFAULT_TRAIN_CONFIG);
    client.evaluateTraining();
    expect(sent()).toHaveLength(0); // preparing: nothing to measure yet
    const baseline = { label: 'ham', accuracy: 0.75, f1_macro: 0.43 };
    worker.emit({ type: 'trainingStarted', runId, plan, labels: ['ham', 'spam'], maxLength: 32, dataNotes: [], summary: { labels: ['ham', 'spam'] } as never, baseline });
    expect(store.getState().training.baseline).toEqual(baseline);
    worker.emit({ type: 'trainingProgressed', runId, steps: [step(1), step(2)] });
    expect(canEvaluateNow(store.getState().training)).toBe(true);
    client.evaluateTraining();
    client.evaluateTraining();
    expect(sent()).toEqual([{ type: 'evaluateTraining', runId }]);
    expect(store.getState().training.evaluationAsked).toBe(2);
    worker.emit({ type: 'trainingEvaluated', runId, record: record(3), isBest: true, lrReduced: false });
    expect(store.getState().training.evaluationAsked).toBeNull();
    // Paused at the step just evaluated: nothing new to measure.
    worker.emit({ type: 'trainingProgressed', runId, steps: [step(3)] });
    client.pauseTraining();
    worker.emit({ type: 'trainingPaused', runId, step: 3 });
    expect(canEvaluateNow(store.getState().training)).toBe(false);
    client.evaluateTraining();
    expect(sent()).toHaveLength(1);
    // Resumed and paused a step later: it may be measured again.
    client.resumeTraining();
    worker.emit({ type: 'trainingResumed', runId });
    worker.emit({ type: 'trainingProgressed', runId, steps: [step(4)] });
    client.pauseTraining();
    worker.emit({ type: 'trainingPaused', runId, step: 4 });
    client.evaluateTraining();
    expect(sent()).toHaveLength(2);
    client.dispose();
  });
});
