// A PEFT LoRA adapter opened in the studio (worker/studio.ts): an adapter folder (adapter_config.json and
// adapter_model.safetensors, no config.json) is merged onto the model open now and becomes a model folder of its own,
// so that its predictions are the merged model's and runs start from it; without a model open first it is refused.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import { writeSafetensors } from '../../src/formats/safetensors';
import { createRng } from '../../src/lib/random';
import type { BackendProbe, FromWorker } from '../../src/protocol/messages';
import { MemoryStorage } from './memory-storage';
import { recordedStudio } from './studio-harness';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const PROBE: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };

const studio = () => recordedStudio({ storage: new MemoryStorage() });

/** An adapter on layer 0's query (B random, so that it changes the logits) and a 2-class head. */
function adapter(): File[] {
  const rng = createRng(8);
  const random = (n: number) => Float32Array.from({ length: n }, () => rng.next() - 0.5);
  const m = 'base_model.model.bert.encoder.layer.0.attention.self.query';
  const tensors = new Map([
    [`${m}.lora_A.weight`, { shape: [4, 32], data: random(128) }],
    [`${m}.lora_B.weight`, { shape: [32, 4], data: random(128) }],
    ['base_model.model.classifier.weight', { shape: [2, 32], data: random(64) }],
    ['base_model.model.classifier.bias', { shape: [2], data: random(2) }],
  ]);
  const config = { peft_type: 'LORA', task_type: 'SEQ_CLS', r: 4, lora_alpha: 8, target_modules: ['query'], modules_to_save: ['classifier'] };
  return [new File([JSON.stringify(config)], 'adapter_config.json'), new File([new Uint8Array(writeSafetensors(tensors, { format: 'pt' }))], 'adapter_model.safetensors')];
}

beforeAll(() => useNodeBackend('wasm'));

it('merges an adapter folder onto the model open now, which then predicts with it', async () => {
  const { s, events } = studio();
  await s.start(PROBE);
  await s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: readdirSync(FIXTURE).map((n) => new File([readFileSync(path.join(FIXTURE, n))], n)) });
  await s.predict({ type: 'predict', requestId: 1, text: 'hello world' });
  await s.loadModel({ type: 'loadModel', loadId: 2, source: 'my-adapter', files: adapter() });
  const loaded = events.filter((e) => e.type === 'modelLoaded');
  expect(loaded).toHaveLength(2);
  const summary = (loaded[1] as Extract<FromWorker, { type: 'modelLoaded' }>).summary;
  expect(summary.labels).toEqual(['LABEL_0', 'LABEL_1']);
  expect(JSON.stringify(summary)).toContain('PEFT_ADAPTER_MERGED');
  await s.predict({ type: 'predict', requestId: 2, text: 'hello world' });
  const [before, after] = events.filter((e): e is Extract<FromWorker, { type: 'predicted' }> => e.type === 'predicted').map((e) => e.prediction);
  expect(JSON.stringify(before)).not.toEqual(JSON.stringify(after));
});

it('refuses an adapter folder with no model open', async () => {
  const { s, events } = studio();
  await s.start(PROBE);
  await s.loadModel({ type: 'loadModel', loadId: 1, source: 'my-adapter', files: adapter() });
  expect(events.find((e) => e.type === 'loadFailed')).toMatchObject({ error: { code: 'PEFT_ADAPTER_NO_BASE', location: { file: 'adapter_config.json' } } });
});
