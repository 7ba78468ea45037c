// The worker's fault paths during a studio run (RELIABILITY F6; src/worker/worker-faults.ts as engine.worker.ts wires
// it, around src/worker/studio.ts on wasm and the tiny BERT fixture): a throw inside a training step ends the run with
// its step; an uncaught error, an unhandled rejection, an undecodable command and an event that cannot be cloned each
// become a `failed` event naming the run and its step. The scope is an EventTarget whose postMessage clones as a
// worker's does (structuredClone), so a function in an event fails as it would in a browser.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import type { BackendProbe, FromWorker } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG } from '../../src/protocol/train-config';
import { Studio } from '../../src/worker/studio';
import { faultSafePost, listenForFaults, type FaultScope } from '../../src/worker/worker-faults';
import { MemoryStorage } from './memory-storage';
import { inOrder, studioHost } from './studio-harness';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const PROBE: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };
const files = () => readdirSync(FIXTURE).map((name) => new File([readFileSync(path.join(FIXTURE, name))], name));
const csv = new File(['text,label\n' + Array.from({ length: 32 }, (_, i) => `"text number ${i}",${i % 2 ? 'good' : 'bad'}`).join('\n')], 'two.csv');

/** A worker scope in Node: events dispatched by the test, posts cloned as postMessage clones them. */
class TestScope extends EventTarget implements FaultScope {
  readonly posted: FromWorker[] = [];
  postMessage(message: FromWorker): void {
    this.posted.push(structuredClone(message));
  }
  /** Dispatches `type` with `fields` (an ErrorEvent's message and place, a PromiseRejectionEvent's reason); true if the default was prevented. */
  fire(type: string, fields: Record<string, unknown> = {}): boolean {
    const event = Object.assign(new Event(type, { cancelable: true }), fields);
    this.dispatchEvent(event);
    return event.defaultPrevented;
  }
}

async function until<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 2400; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}

beforeAll(() => useNodeBackend('wasm'));

it('a throw in a training step, an uncaught error, an unhandled rejection, an undecodable command and an uncloneable event, each with the run\'s step (F6)', async () => {
  const scope = new TestScope();
  const runAt = () => studio.runInFlight();
  const post = faultSafePost(scope, runAt);
  const studio: Studio = new Studio(post, studioHost(post, { storage: new MemoryStorage(), enqueue: inOrder() }));
  listenForFaults(scope, post, runAt);
  const of = <T extends FromWorker['type']>(type: T) => scope.posted.filter((e): e is Extract<FromWorker, { type: T }> => e.type === type);
  const stepsDone = () => of('trainingProgressed').flatMap((e) => e.steps.map((s) => s.step)).at(-1) ?? 0;
  await studio.start(PROBE);
  await studio.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: files() });
  await studio.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: csv, choices: {} });
  await studio.startTraining({ type: 'startTraining', runId: 'r1', config: { ...DEFAULT_TRAIN_CONFIG, batchSize: 4, maxLength: 16, epochs: 200, learningRate: 1e-3, validationSplit: 0 } });

  // With the run paused, the step it is at is known exactly.
  await until(() => (stepsDone() >= 2 ? true : undefined));
  studio.pauseTraining('r1');
  const paused = (await until(() => of('trainingPaused')[0])).step;
  const run = { runId: 'r1', step: paused };

  expect(scope.fire('error', { message: 'Uncaught TypeError: x is not a function', filename: 'engine.worker.js', lineno: 12, colno: 5 })).toBe(true);
  expect(scope.fire('unhandledrejection', { reason: new Error('a promise nobody awaited') })).toBe(true);
  scope.fire('messageerror');
  // An event holding a function cannot be cloned: said as a failure, not thrown into whoever posted it.
  expect(() => post({ type: 'trainingPaused', runId: 'r1', step: paused, note: () => 1 } as unknown as FromWorker)).not.toThrow();
  expect(of('failed')).toEqual([
    { type: 'failed', error: { code: 'WORKER_UNCAUGHT', message: 'Uncaught TypeError: x is not a function', location: { file: 'engine.worker.js', line: 12, column: 5 } }, run },
    { type: 'failed', error: { code: 'INTERNAL', message: 'a promise nobody awaited' }, run },
    { type: 'failed', error: { code: 'WORKER_MESSAGE_UNREADABLE', message: 'The engine received a message it could not decode.' }, run },
    { type: 'failed', error: { code: 'WORKER_EVENT_UNCLONEABLE', message: expect.stringMatching(/^The engine could not send its trainingPaused event: .*could not be cloned/), location: { field: 'trainingPaused' } }, run },
  ]);

  // A throw inside the next step (the pooler's tanh kernel) ends the run there, with its step and its checkpoint kept.
  const kernel = tf.getKernel('Tanh', 'wasm')!;
  const real = kernel.kernelFunc;
  kernel.kernelFunc = () => {
    kernel.kernelFunc = real;
    throw new Error('a kernel bug');
  };
  studio.resumeTraining('r1');
  const ended = await until(() => of('trainingFailed')[0]);
  expect(ended).toEqual({ type: 'trainingFailed', runId: 'r1', step: paused, error: { code: 'INTERNAL', message: 'a kernel bug' } });
  expect((await until(() => of('unfinishedRunFound').find((e) => e.run !== null)))!.run!.info).toMatchObject({ runId: 'r1', step: paused });
  // With no run in flight, a fault names none.
  scope.fire('unhandledrejection', { reason: 'later' });
  expect(of('failed').at(-1)).toEqual({ type: 'failed', error: { code: 'INTERNAL', message: 'later' } });
}, 120_000);
