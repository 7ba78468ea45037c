// RELIABILITY F4 with a really full wasm heap: tfjs-wasm's WebAssembly.Memory may not grow (grow throws, as at the
// 4 GiB of wasm32) and every free block is taken with the module's own malloc. A run, whose heap blocks pass the
// memory guard, ends with TRAIN_OUT_OF_MEMORY; a forward pass outside any guard makes tfjs-wasm abort with a real
// RuntimeError, which wasmHeapFailure names WASM_HEAP_FAILED. Either way the weights are as they were, and once the
// blocks are freed the backend computes the logits it computed before.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { wasmHeapFailure } from '../../../src/engine/backend/memory-guard';
import { Trainer, type TrainEvent } from '../../../src/engine/train/trainer';
import type { StepModel } from '../../../src/engine/train/step';
import { memoryLimits } from '../../../src/protocol/memory-plan';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { bitEqual, fixtureModel, syntheticDataset } from './helpers';

interface WasmModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

let model: StepModel | null = null;
beforeAll(() => useNodeBackend('wasm'));
afterEach(() => {
  model?.params.dispose();
  model = null;
});

/** Runs `work` with the heap full and unable to grow; then gives the memory back. */
async function withFullHeap<T>(work: () => Promise<T>): Promise<T> {
  const heap = (tf.backend() as unknown as { wasm: WasmModule }).wasm;
  const memory = (heap.wasmMemory ?? heap.asm?.memory)!;
  heap._free(heap._malloc(8)); // Emscripten binds an export on its first call: take the bound one.
  const malloc = heap._malloc;
  const grow = memory.grow;
  memory.grow = () => {
    throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
  };
  const blocks: number[] = [];
  for (let size = 1 << 26; size >= 8; size >>= 1) {
    for (let p = malloc.call(heap, size); p !== 0; p = malloc.call(heap, size)) blocks.push(p);
  }
  try {
    return await work();
  } finally {
    memory.grow = grow;
    for (const p of blocks) heap._free(p);
  }
}

const logits = (m: StepModel) =>
  tf.tidy(() => {
    const inputs = { input_ids: tf.tensor2d([[2, 5, 7, 3]], undefined, 'int32'), attention_mask: tf.tensor2d([[1, 1, 1, 1]], undefined, 'int32') };
    return Array.from(m.family.forward(m.params.tensors(), inputs, m.config, 'seq-cls', { training: false }).dataSync());
  });

it('a run on a full heap that cannot grow ends with TRAIN_OUT_OF_MEMORY before any update; freed, the backend computes as before', async () => {
  model = await fixtureModel('bert-seq-cls', 'seq-cls');
  const before = await model.params.snapshot();
  const clean = logits(model);
  const config = parseTrainConfig({ batchSize: 4, maxSteps: 2, epochs: 1, learningRate: 1e-3 });
  const events = await withFullHeap(async () => {
    const trainer = new Trainer({ model: model!, train: syntheticDataset('seq-cls', 16, 9), validation: null, config, padId: 0, memory: memoryLimits('wasm', null), groupTelemetryEvery: 0 });
    const out: TrainEvent[] = [];
    try {
      for await (const e of trainer.run()) out.push(e);
    } finally {
      trainer.dispose();
    }
    return out;
  });
  expect(events.map((e) => e.type)).toEqual(['started', 'epochStarted', 'failed']);
  const { error, step } = events[2] as Extract<TrainEvent, { type: 'failed' }>;
  expect(step).toBe(0);
  expect(error.code).toBe('TRAIN_OUT_OF_MEMORY');
  expect(error.message).toContain('(the heap could not grow)');
  const after = await model.params.snapshot();
  expect([...before].filter(([n, w]) => !bitEqual(w, after.get(n) as Float32Array))).toEqual([]);
  expect(logits(model)).toEqual(clean);
});

it('outside the guard, the same full heap makes tfjs-wasm abort with a real RuntimeError, named WASM_HEAP_FAILED; freed, the backend computes as before', async () => {
  model = await fixtureModel('bert-seq-cls', 'seq-cls');
  const clean = logits(model);
  const thrown = await withFullHeap(async () => {
    try {
      logits(model!);
      return null;
    } catch (err) {
      return err;
    }
  });
  expect(thrown).toBeInstanceOf(WebAssembly.RuntimeError);
  expect((thrown as Error).message).toMatch(/^Aborted\(/);
  const named = wasmHeapFailure(thrown, 'step 7');
  expect(named?.code).toBe('WASM_HEAP_FAILED');
  expect(named?.message).toContain(`in step 7 (${(thrown as Error).message})`);
  expect(wasmHeapFailure(new Error('a kernel bug'), 'step 7')).toBeNull();
  expect(logits(model)).toEqual(clean);
});
