// What the studio's worker side (src/worker/studio.ts with a fake post, the tiny BERT fixture) refuses before any
// upload or step, and the way past each refusal: a checkpoint with a NaN weight trains only with the Model panel's
// "Train anyway" (allowNonFinite, RELIABILITY M17); a tensor above the WebGPU adapter's buffer limits is refused from
// the header with WASM offered (M20). Node has no WebGPU: "webgpu" is wasm here, with the fake adapter's limits.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import { readSafetensorsHeader, readTensorFloat32, writeSafetensors } from '../../src/formats/safetensors';
import { bytesFile } from '../../src/formats/source-file';
import type { BackendProbe, FromWorker } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/protocol/train-config';
import { MemoryStorage } from './memory-storage';
import { inOrder, recordedStudio } from './studio-harness';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const EMBEDDING = 'bert.embeddings.word_embeddings.weight';
const NO_GPU: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };
/**
 * A hardware adapter whose storage-buffer binding holds 40,000 bytes: below the fixture's [328, 32] word embedding
 * (41,984 bytes as float32), above every other tensor of it.
 */
const SMALL_GPU: BackendProbe = {
  ...NO_GPU,
  webgpuApi: true,
  adapter: { vendor: 'test', architecture: 'fake', description: '', isFallbackAdapter: false },
  limits: { maxBufferSize: 1 << 20, maxStorageBufferBindingSize: 40_000 },
};

const fixtureFiles = () => readdirSync(FIXTURE).map((name) => new File([readFileSync(path.join(FIXTURE, name))], name));
const csv = new File(['text,label\n' + Array.from({ length: 24 }, (_, i) => `"text number ${i}",${i % 2 ? 'good' : 'bad'}`).join('\n')], 'two.csv');
const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, batchSize: 4, maxLength: 16, epochs: 1, learningRate: 1e-3, validationSplit: 0.25 };

/** The fixture with 0x7fc00000 (a quiet NaN) in one float of row 327 of the word embedding, a row the data never reads. */
async function nanFiles(): Promise<File[]> {
  const source = bytesFile('model.safetensors', readFileSync(path.join(FIXTURE, 'model.safetensors')));
  const header = await readSafetensorsHeader(source);
  const tensors: [string, { shape: number[]; data: Float32Array }][] = [];
  for (const [name, info] of header.tensors) {
    const data = await readTensorFloat32(source, header, name);
    if (name === EMBEDDING) new Uint32Array(data.buffer, data.byteOffset, data.length)[327 * 32] = 0x7fc00000;
    tensors.push([name, { shape: info.shape.map(Number), data }]);
  }
  const weights = new File([writeSafetensors(tensors, { format: 'pt' }) as Uint8Array<ArrayBuffer>], 'model.safetensors');
  return [...fixtureFiles().filter((f) => f.name !== 'model.safetensors'), weights];
}

const studio = () =>
  recordedStudio({
    activate: async (name) => {
      await useNodeBackend(name === 'webgpu' ? 'wasm' : name);
      return 1;
    },
    storage: new MemoryStorage(),
    enqueue: inOrder(),
  });

beforeAll(() => useNodeBackend('wasm'));

describe('non-finite weights at training time (M17)', () => {
  it('a run on a checkpoint with a NaN is refused with CHECKPOINT_NON_FINITE; with allowNonFinite ("Train anyway") it trains to the end', async () => {
    const t = studio();
    await t.s.start(NO_GPU);
    await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'nan', files: await nanFiles() });
    const loaded = t.of('modelLoaded')[0].summary;
    expect(loaded.messages.find((m) => m.code === 'CHECKPOINT_NON_FINITE')?.tensors).toEqual([EMBEDDING]);
    await t.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: csv, choices: {} });

    await t.s.startTraining({ type: 'startTraining', runId: 'refused', config });
    const refused = await t.ended('refused');
    expect(refused).toMatchObject({ type: 'trainingFailed', step: 0, error: { code: 'CHECKPOINT_NON_FINITE', location: { tensor: EMBEDDING } } });
    expect((refused as Extract<FromWorker, { type: 'trainingFailed' }>).error.message).toContain('"Train anyway"');
    expect(t.of('trainingStarted')).toHaveLength(0);

    await t.s.startTraining({ type: 'startTraining', runId: 'anyway', config, allowNonFinite: true });
    expect(await t.ended('anyway')).toMatchObject({ type: 'trainingFinished', reason: 'completed' });
    const started = t.of('trainingStarted')[0];
    // The run's model still holds the NaN it was allowed to train on, where it was.
    expect(started.summary.parameters.find((p) => p.name === EMBEDDING)?.nonFinite).toBe(1);
    const steps = t.of('trainingProgressed').flatMap((e) => e.steps);
    expect(steps.length).toBe(started.plan.totalSteps);
    expect(steps.every((s) => Number.isFinite(s.loss) && !s.skipped)).toBe(true);
  });
});

describe('a tensor above the backend\'s limit per tensor (M20)', () => {
  it('on WebGPU a tensor above maxStorageBufferBindingSize is refused from the header, WASM offered; on WASM the same folder loads', async () => {
    const t = studio();
    await t.s.start(SMALL_GPU);
    expect(t.of('ready')[0].backend).toBe('webgpu');
    await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: fixtureFiles() });
    const failed = t.of('loadFailed')[0];
    expect(failed.error).toMatchObject({ code: 'CHECKPOINT_TENSOR_TOO_LARGE', location: { file: 'model.safetensors', tensor: EMBEDDING }, retryWith: { backend: 'wasm' } });
    expect(failed.error.message).toContain("40,000-byte limit per tensor of this WebGPU adapter's maxStorageBufferBindingSize (maxBufferSize 1,048,576)");
    expect(failed.error.message).toContain(`${EMBEDDING} [328, 32] is 41,984 bytes as float32`);
    expect(t.of('modelLoaded')).toHaveLength(0);

    // The offer taken: the same files on WASM.
    await t.s.setBackend(failed.error.retryWith!.backend as 'wasm');
    await t.s.loadModel({ type: 'loadModel', loadId: 2, source: 'bert-seq-cls', files: fixtureFiles() });
    expect(t.of('modelLoaded').map((e) => e.loadId)).toEqual([2]);

    // Back on the small GPU, a run loads the folder again and is refused the same way before its first step.
    await t.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: csv, choices: {} });
    await t.s.setBackend('webgpu');
    await t.s.startTraining({ type: 'startTraining', runId: 'r1', config });
    expect(await t.ended('r1')).toMatchObject({ type: 'trainingFailed', step: 0, error: { code: 'CHECKPOINT_TENSOR_TOO_LARGE', retryWith: { backend: 'wasm' } } });
    expect(t.of('trainingStarted')).toHaveLength(0);
  });
});
