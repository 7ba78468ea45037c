// tfjs-wasm failing inside its own module during a studio run (RELIABILITY F4; src/worker/studio.ts with a fake post,
// the tiny BERT fixture on wasm): an allocation of its C code that the heap cannot hold ends in emscripten's abort,
// a WebAssembly.RuntimeError "Aborted(OOM)", which no memory guard sees. Injected as that error from the wasm kernel
// of the pooler's tanh, once, after a checkpoint: the run ends with WASM_HEAP_FAILED at its step, its checkpoint is
// kept and offered, WASM starts on a new module with the model loaded again, and the run resumes from the checkpoint.
// A prediction, which no guard watches, on a heap really exhausted renews WASM as well.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import type { BackendProbe, FromWorker } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG } from '../../src/protocol/train-config';
import { MemoryStorage } from './memory-storage';
import { inOrder, recordedStudio } from './studio-harness';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const PROBE: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };
const files = () => readdirSync(FIXTURE).map((name) => new File([readFileSync(path.join(FIXTURE, name))], name));
const csv = new File(['text,label\n' + Array.from({ length: 32 }, (_, i) => `"text number ${i}",${i % 2 ? 'good' : 'bad'}`).join('\n')], 'two.csv');

/** The next call of wasm's Tanh kernel throws what emscripten's abort throws when malloc cannot grow the heap. */
function abortNextTanh(): void {
  const kernel = tf.getKernel('Tanh', 'wasm')!;
  const real = kernel.kernelFunc;
  kernel.kernelFunc = () => {
    kernel.kernelFunc = real;
    throw new WebAssembly.RuntimeError('Aborted(OOM). Build with -sASSERTIONS for more info.');
  };
}

beforeAll(() => useNodeBackend('wasm'));

/** A studio on wasm with a fake post that records every event and can wait for one. */
const studio = () => recordedStudio({ storage: new MemoryStorage(), enqueue: inOrder() });

it('an Aborted(OOM) inside tfjs-wasm ends the run with WASM_HEAP_FAILED at its step, keeps its checkpoint, and WASM starts anew with the model; the run resumes (F4)', async () => {
  const { s, events, next } = studio();
  await s.start(PROBE);
  await s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: files() });
  await s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: csv, choices: {} });
  const since = (mark: number) => (e: FromWorker) => events.indexOf(e) >= mark;

  const module = tf.backend();
  await s.startTraining({ type: 'startTraining', runId: 'r1', config: { ...DEFAULT_TRAIN_CONFIG, batchSize: 4, maxLength: 16, epochs: 200, learningRate: 1e-3, validationSplit: 0 } });
  await next('trainingProgressed');
  const asked = events.length;
  s.checkpointTraining('r1');
  const saved = await next('checkpointSaved', since(asked));
  await next('trainingProgressed', (e) => since(asked)(e) && e.steps.some((st) => st.step > saved.step));
  const before = events.length;
  abortNextTanh();

  const failed = await next('trainingFailed', since(before));
  const lastStep = events.flatMap((e) => (e.type === 'trainingProgressed' ? e.steps.map((st) => st.step) : [])).at(-1)!;
  // The step that was running: the one after the last step completed.
  expect(failed.step).toBe(lastStep);
  expect(failed.error).toMatchObject({ code: 'WASM_HEAP_FAILED', location: { field: 'microBatchSize' } });
  expect(failed.error.message).toContain(`in step ${lastStep + 1} (Aborted(OOM). Build with -sASSERTIONS for more info.)`);
  expect(failed.error.message).toContain('a wasm32 heap addresses at most 4 GiB');
  // The checkpoint taken before is kept and offered.
  const offer = await next('unfinishedRunFound', (e) => since(before)(e) && e.run !== null);
  expect(offer.run?.info).toMatchObject({ runId: 'r1', step: saved.step });
  // WASM on a new module, and the model loaded again on it.
  const renewed = await next('ready', since(before));
  expect(renewed).toMatchObject({ backend: 'wasm', chosenBy: 'auto' });
  expect(renewed.notices[0]).toMatch(/^WASM failed inside its own code and was started anew: bert-seq-cls was loaded again from its files/);
  expect(tf.getBackend()).toBe('wasm');
  expect(tf.backend()).not.toBe(module);
  await s.predict({ type: 'predict', requestId: 1, text: 'still here' });
  const { prediction } = await next('predicted');
  expect(prediction.task === 'seq-cls' && prediction.labels.every((l) => Number.isFinite(l.probability))).toBe(true);

  const resumed = events.length;
  await s.startTraining({ type: 'continueRun', runId: 'r1' });
  expect((await next('trainingRestored', since(resumed))).history.step).toBe(saved.step);
  await next('trainingProgressed', (e) => since(resumed)(e) && e.steps.some((st) => st.step > lastStep));
  s.stopTraining('r1');
  expect(await next('trainingFinished')).toMatchObject({ reason: 'stopped' });
}, 120_000);

it('a prediction on a heap really exhausted (no growth, every block taken) aborts tfjs-wasm: WASM_HEAP_FAILED, and WASM starts anew with the model, which predicts again (F4)', async () => {
  const { s, next } = studio();
  await s.start(PROBE);
  await s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: files() });
  const module = tf.backend();
  // Predictions run outside any memory guard: the module's own code meets the full heap.
  const heap = (module as unknown as { wasm: { _malloc(n: number): number; _free(p: number): void; wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } } }).wasm;
  const memory = (heap.wasmMemory ?? heap.asm?.memory)!;
  memory.grow = () => {
    throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
  };
  for (let size = 1 << 26; size >= 8; size >>= 1) while (heap._malloc(size) !== 0);
  await s.predict({ type: 'predict', requestId: 1, text: 'hello' });
  const failed = await next('predictFailed');
  expect(failed.error.code).toBe('WASM_HEAP_FAILED');
  expect(failed.error.message).toMatch(/in a prediction \(Aborted\(/);
  expect((await next('ready', (e) => e.reason.startsWith('WASM, started anew'))).notices[0]).toMatch(/bert-seq-cls was loaded again from its files/);
  // The old module, full, is gone with its blocks.
  expect(tf.backend()).not.toBe(module);
  await s.predict({ type: 'predict', requestId: 2, text: 'hello' });
  expect((await next('predicted')).requestId).toBe(2);
});
