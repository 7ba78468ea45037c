// A run and the page's life (features/training/page-lifecycle.ts) against a fake window, document and localStorage:
// leaving a running page asks first (F8), hiding or leaving it asks the engine for a checkpoint and says afterwards
// how far the run went meanwhile (F9), and a run this tab checkpointed is remembered so that the next visit says
// when its checkpoint is gone (F12) — and forgotten when it ends, is discarded or another run replaces it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../src/protocol/train-config';
import type { StepTelemetry } from '../../src/protocol/train-events';
import type { UnfinishedRun } from '../../src/protocol/run-checkpoint';
import { createEngineClient } from '../../src/ui/engine-client';
import { REMEMBERED_RUN_KEY, watchPageLifecycle, type PageEnvironment } from '../../src/ui/features/training/page-lifecycle';
import { createAppStore } from '../../src/ui/store/app-store';
import { FakeWorker } from './fake-worker';

const step = (n: number): StepTelemetry => ({ step: n, epoch: 0, loss: 1, penalty: 0, gradNorm: 1, skipped: false, learningRate: 1e-3, groups: [], tokens: 10, seconds: 0.1, tokensPerSecond: 100 });
const plan = { totalSteps: 100, stepsPerEpoch: 100, warmupSteps: 0, epochs: 1, trainExamples: 10, validationExamples: 0, groups: [], trainableParameters: 5, parameters: 9 };

function page(stored: Record<string, string> = {}) {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
  const items = new Map(Object.entries(stored));
  const storage = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) };
  const clock = { ms: 1_000_000 };
  const env = { window: win, document: doc, storage, now: () => clock.ms } as unknown as PageEnvironment;
  let worker!: FakeWorker;
  const store = createAppStore();
  const engine = createEngineClient(store, () => (worker = new FakeWorker()), () => '', () => undefined);
  const stop = watchPageLifecycle(store, engine, env);
  const hide = (state: DocumentVisibilityState) => {
    doc.visibilityState = state;
    doc.dispatchEvent(new Event('visibilitychange'));
  };
  const leave = () => {
    // A BeforeUnloadEvent: its returnValue is writable, as Chrome before 119 needs it set.
    const event = Object.defineProperty(new Event('beforeunload', { cancelable: true }), 'returnValue', { value: undefined, writable: true });
    win.dispatchEvent(event);
    return event.defaultPrevented;
  };
  const dispose = () => {
    stop();
    engine.dispose();
  };
  return { store, engine, worker: () => worker, hide, leave, win, doc, clock, items, dispose };
}

function running(p: ReturnType<typeof page>): string {
  const runId = p.engine.startTraining(DEFAULT_TRAIN_CONFIG);
  p.worker().emit({ type: 'trainingStarted', runId, plan, labels: [], maxLength: 32, dataNotes: [], summary: { labels: [] } as never, baseline: null });
  p.worker().emit({ type: 'trainingProgressed', runId, steps: [step(1), step(2), step(3)] });
  return runId;
}

const checkpoints = (p: ReturnType<typeof page>) => p.worker().sent.filter((m) => m.type === 'checkpointTraining');

describe('page lifecycle', () => {
  it('leaving a running page asks first and asks for a checkpoint; an idle page leaves quietly', () => {
    const p = page();
    expect(p.leave()).toBe(false);
    const runId = running(p);
    expect(p.leave()).toBe(true);
    expect(checkpoints(p)).toEqual([{ type: 'checkpointTraining', runId }]);
    p.worker().emit({ type: 'trainingFinished', runId, reason: 'completed', step: 3, metrics: null, restoredBestStep: null });
    expect(p.leave()).toBe(false);
    p.dispose();
  });

  it('hiding the tab checkpoints the run, which goes on; back, the panel says from which step to which (F9)', () => {
    const p = page();
    const runId = running(p);
    p.hide('hidden');
    expect(checkpoints(p)).toEqual([{ type: 'checkpointTraining', runId }]);
    expect(p.store.getState().checkpoints.hiddenAtStep).toBe(3);
    p.worker().emit({ type: 'trainingProgressed', runId, steps: [step(4), step(5), step(6), step(7)] });
    p.hide('visible');
    expect(p.store.getState().checkpoints).toMatchObject({ hiddenAtStep: null, wentOnHidden: { from: 3, to: 7 } });
    // pagehide (a discard, a closed tab, bfcache) asks too.
    p.win.dispatchEvent(new Event('pagehide'));
    expect(checkpoints(p)).toHaveLength(2);
    p.dispose();
  });

  it('freezing the page checkpoints the run like pagehide; on resume the panel says for how long and from which step to which (F9)', () => {
    const p = page();
    // An idle page freezes quietly.
    p.doc.dispatchEvent(new Event('freeze'));
    expect(checkpoints(p)).toEqual([]);
    p.doc.dispatchEvent(new Event('resume'));
    expect(p.store.getState().checkpoints.wasFrozen).toBeNull();
    const runId = running(p);
    p.doc.dispatchEvent(new Event('freeze'));
    expect(checkpoints(p)).toEqual([{ type: 'checkpointTraining', runId }]);
    p.clock.ms += 65_000;
    p.worker().emit({ type: 'trainingProgressed', runId, steps: [step(4), step(5)] });
    p.doc.dispatchEvent(new Event('resume'));
    expect(p.store.getState().checkpoints).toMatchObject({ frozen: null, wasFrozen: { from: 3, to: 5, ms: 65_000 } });
    // A second resume without a freeze changes nothing; the next run starts without the note.
    p.doc.dispatchEvent(new Event('resume'));
    expect(p.store.getState().checkpoints.wasFrozen).toEqual({ from: 3, to: 5, ms: 65_000 });
    p.worker().emit({ type: 'trainingFinished', runId, reason: 'completed', step: 5, metrics: null, restoredBestStep: null });
    running(p);
    expect(p.store.getState().checkpoints.wasFrozen).toBeNull();
    p.dispose();
  });

  it('remembers the run this tab checkpointed, and says on the next visit when the browser no longer has it (F12)', () => {
    const p = page();
    const runId = running(p);
    p.worker().emit({ type: 'checkpointSaved', runId, step: 3, slot: 'A', bytes: 100, storage: 'opfs' });
    const remembered = JSON.parse(p.items.get(REMEMBERED_RUN_KEY)!);
    expect(remembered).toMatchObject({ runId, step: 3 });
    p.dispose();

    // The next visit: the worker finds nothing in storage.
    const next = page({ [REMEMBERED_RUN_KEY]: JSON.stringify(remembered) });
    next.worker().emit({ type: 'unfinishedRunFound', run: null, storage: 'opfs', storageNote: '' });
    expect(next.store.getState().checkpoints.evicted).toMatchObject({ runId, step: 3 });
    next.dispose();

    // A visit that finds it says nothing.
    const found = page({ [REMEMBERED_RUN_KEY]: JSON.stringify(remembered) });
    const run = { info: { runId, config: DEFAULT_TRAIN_CONFIG }, slot: 'A', storage: 'opfs', notes: [], datasetKept: true } as unknown as UnfinishedRun;
    found.worker().emit({ type: 'unfinishedRunFound', run, storage: 'opfs', storageNote: '' });
    expect(found.store.getState().checkpoints.evicted).toBeNull();
    // Discarding it forgets it.
    found.engine.discardUnfinishedRun(run);
    found.worker().emit({ type: 'unfinishedRunDiscarded', runId });
    expect(found.items.has(REMEMBERED_RUN_KEY)).toBe(false);
    found.dispose();
  });

  it('forgets the run once it finishes, or once another run empties the checkpoints', () => {
    const p = page();
    const runId = running(p);
    p.worker().emit({ type: 'checkpointSaved', runId, step: 3, slot: 'A', bytes: 100, storage: 'opfs' });
    expect(p.items.has(REMEMBERED_RUN_KEY)).toBe(true);
    p.worker().emit({ type: 'trainingFinished', runId, reason: 'stopped', step: 3, metrics: null, restoredBestStep: null });
    expect(p.items.has(REMEMBERED_RUN_KEY)).toBe(false);

    const other = running(p);
    p.worker().emit({ type: 'checkpointSaved', runId: other, step: 2, slot: 'B', bytes: 100, storage: 'opfs' });
    p.worker().emit({ type: 'trainingFailed', runId: other, step: 3, error: { code: 'TRAIN_OUT_OF_MEMORY', message: 'x' } });
    // A failed run keeps its checkpoint: still remembered, until a new run replaces it.
    expect(JSON.parse(p.items.get(REMEMBERED_RUN_KEY)!).runId).toBe(other);
    p.engine.startTraining(DEFAULT_TRAIN_CONFIG);
    expect(p.items.has(REMEMBERED_RUN_KEY)).toBe(false);
    p.dispose();
  });
});
