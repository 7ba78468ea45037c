// A PEFT LoRA adapter loaded onto its base model (engine/peft-load.ts, formats/peft-adapter.ts), on hand-made adapter
// folders for the tiny BERT (cpu): each layer merged as PEFT's LoraLayer scales it — alpha / r, alpha_pattern and
// rank_pattern by layer, alpha / √r with use_rslora — the modules_to_save head sized by its tensors (LABEL_i), and
// every kind of bad adapter refused with a coded error that names what is wrong, before any weight changes.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../src/cli/node-files';
import { useNodeBackend } from '../../src/cli/node-backend';
import { writeSafetensors } from '../../src/formats/safetensors';
import { bytesFile, type SourceFolder } from '../../src/formats/source-file';
import { loadModelFolder } from '../../src/engine/load';
import { loadModelWithAdapter } from '../../src/engine/peft-load';
import type { LayerwiseError } from '../../src/lib/errors';
import { createRng } from '../../src/lib/random';

beforeAll(() => useNodeBackend('cpu'));

const BASE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const Q0 = 'bert.encoder.layer.0.attention.self.query';
const V1 = 'bert.encoder.layer.1.attention.self.value';
const rng = createRng(3);
const random = (n: number) => Float32Array.from({ length: n }, () => rng.next() - 0.5);

type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

function adapterFolder(config: Record<string, unknown>, tensors: Tensors, extra: Record<string, Uint8Array> = {}): SourceFolder {
  const folder: SourceFolder = new Map([
    ['adapter_config.json', bytesFile('adapter_config.json', new TextEncoder().encode(JSON.stringify(config)))],
    ['adapter_model.safetensors', bytesFile('adapter_model.safetensors', writeSafetensors(tensors, { format: 'pt' }))],
  ]);
  for (const [name, bytes] of Object.entries(extra)) folder.set(name, bytesFile(name, bytes));
  return folder;
}

const lora = (module: string, r: number): [string, { shape: number[]; data: Float32Array }][] => [
  [`base_model.model.${module}.lora_A.weight`, { shape: [r, 32], data: random(r * 32) }],
  [`base_model.model.${module}.lora_B.weight`, { shape: [32, r], data: random(32 * r) }],
];

async function weight(folder: SourceFolder | null, name: string, adapter?: SourceFolder): Promise<Float32Array> {
  const model = adapter ? await loadModelWithAdapter(folder ?? nodeFolder(BASE), adapter) : await loadModelFolder(nodeFolder(BASE));
  const data = Float32Array.from((await model.params.get(name).data()) as Float32Array);
  model.params.dispose();
  return data;
}

/** W + s·B·A in float64, B [32, r], A [r, 32]. */
function merged(w: Float32Array, a: Float32Array, b: Float32Array, r: number, s: number): Float64Array {
  return Float64Array.from(w, (x, i) => {
    const o = Math.floor(i / 32);
    const j = i % 32;
    let ba = 0;
    for (let k = 0; k < r; k++) ba += b[o * r + k] * a[k * 32 + j];
    return x + s * ba;
  });
}

const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));

async function refusal(adapter: SourceFolder): Promise<LayerwiseError> {
  try {
    const model = await loadModelWithAdapter(nodeFolder(BASE), adapter);
    model.params.dispose();
  } catch (err) {
    return err as LayerwiseError;
  }
  throw new Error('loaded');
}

describe('loadModelWithAdapter', () => {
  it('merges each layer with its own scale and puts the modules_to_save head in place, sized by its tensors', async () => {
    const q = lora(Q0, 4);
    const v = lora(V1, 2);
    const head: Tensors = new Map([
      ['base_model.model.classifier.weight', { shape: [5, 32], data: random(160) }],
      ['base_model.model.classifier.bias', { shape: [5], data: random(5) }],
    ]);
    const config = { peft_type: 'LORA', task_type: 'SEQ_CLS', r: 4, lora_alpha: 8, target_modules: ['query', 'value'], rank_pattern: { 'layer.1.attention.self.value': 2 }, alpha_pattern: { value: 6 }, modules_to_save: ['classifier'] };
    const adapter = adapterFolder(config, new Map([...q, ...v, ...head]));
    const model = await loadModelWithAdapter(nodeFolder(BASE), adapter);
    expect(model.config.id2label).toEqual(['LABEL_0', 'LABEL_1', 'LABEL_2', 'LABEL_3', 'LABEL_4']);
    const read = async (n: string) => (await model.params.get(n).data()) as Float32Array;
    const w0q = await weight(null, `${Q0}.weight`);
    const w0v = await weight(null, `${V1}.weight`);
    expect(worst(await read(`${Q0}.weight`), merged(w0q, q[0][1].data, q[1][1].data, 4, 8 / 4))).toBeLessThanOrEqual(1e-6);
    expect(worst(await read(`${V1}.weight`), merged(w0v, v[0][1].data, v[1][1].data, 2, 6 / 2))).toBeLessThanOrEqual(1e-6);
    expect(worst(await read('classifier.weight'), head.get('base_model.model.classifier.weight')!.data)).toBe(0);
    const k0 = `bert.encoder.layer.0.attention.self.key.weight`;
    expect(worst(await read(k0), await weight(null, k0))).toBe(0);
    model.params.dispose();
  });

  it('scales by alpha / √r with use_rslora', async () => {
    const q = lora(Q0, 4);
    const adapter = adapterFolder({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['query'], use_rslora: true }, new Map(q));
    const got = await weight(null, `${Q0}.weight`, adapter);
    expect(worst(got, merged(await weight(null, `${Q0}.weight`), q[0][1].data, q[1][1].data, 4, 8 / 2))).toBeLessThanOrEqual(1e-6);
  });

  it.each([
    [{ peft_type: 'IA3', target_modules: ['query'] }, 'PEFT_NOT_LORA', 'peft_type'],
    [{ peft_type: 'LORA', target_modules: ['query'], use_dora: true }, 'PEFT_ADAPTER_UNSUPPORTED', 'use_dora'],
    [{ peft_type: 'LORA', target_modules: '.*query' }, 'PEFT_ADAPTER_UNSUPPORTED', 'target_modules'],
    [{ peft_type: 'LORA', target_modules: ['query'], bias: 'all' }, 'PEFT_ADAPTER_UNSUPPORTED', 'bias'],
    [{ peft_type: 'LORA', target_modules: ['query'], r: 0 }, 'PEFT_ADAPTER_CONFIG_INVALID', 'r'],
    [{ peft_type: 'LORA', target_modules: ['query'], task_type: 'CAUSAL_LM' }, 'PEFT_ADAPTER_UNSUPPORTED', 'task_type'],
  ])('refuses adapter_config.json %j with %s', async (config, code, field) => {
    const err = await refusal(adapterFolder(config, new Map(lora(Q0, 8))));
    expect([err.code, err.location?.field, err.location?.file]).toEqual([code, field, 'adapter_config.json']);
  });

  it('lists every tensor that does not fit before changing anything', async () => {
    const tensors: Tensors = new Map([
      ...lora(Q0, 8),
      ['encoder.layer.0.attention.self.value.lora_A.weight', { shape: [8, 32], data: random(256) }],
      ['base_model.model.bert.encoder.layer.9.attention.self.query.lora_A.weight', { shape: [8, 32], data: random(256) }],
      ['base_model.model.bert.encoder.layer.9.attention.self.query.lora_B.weight', { shape: [32, 8], data: random(256) }],
      ['base_model.model.bert.encoder.layer.1.attention.self.key.lora_A.weight', { shape: [8, 16], data: random(128) }],
      ['base_model.model.bert.encoder.layer.1.attention.self.key.lora_B.weight', { shape: [32, 8], data: random(256) }],
      ['base_model.model.bert.encoder.layer.1.attention.self.value.lora_A.weight', { shape: [8, 32], data: random(256) }],
    ]);
    const before = tf.memory().numTensors;
    const err = await refusal(adapterFolder({ peft_type: 'LORA', r: 8, target_modules: ['query', 'key', 'value'] }, tensors));
    expect(tf.memory().numTensors).toBe(before); // the base model loaded for it is disposed
    expect(err.code).toBe('PEFT_ADAPTER_MISMATCH');
    expect(err.message).toContain('4 problems');
    expect(err.message).toContain('encoder.layer.0.attention.self.value.lora_A.weight lacks PEFT');
    expect(err.message).toContain('layer.9.attention.self.query: the model has no linear layer');
    expect(err.message).toContain('layer.1.attention.self.key: lora_A [8, 16] and lora_B [32, 8] do not fit its weight [32, 32]');
    expect(err.message).toContain('layer.1.attention.self.value has lora_B.weight missing');
  });

  it('refuses a rank that disagrees with adapter_config.json, and a folder without the adapter files', async () => {
    expect((await refusal(adapterFolder({ peft_type: 'LORA', r: 8, target_modules: ['query'] }, new Map(lora(Q0, 4))))).code).toBe('PEFT_ADAPTER_SHAPE_MISMATCH');
    const noWeights: SourceFolder = new Map([['adapter_config.json', bytesFile('adapter_config.json', new TextEncoder().encode('{"peft_type":"LORA","target_modules":["query"]}'))], ['adapter_model.bin', bytesFile('adapter_model.bin', new Uint8Array(4))]]);
    const err = await refusal(noWeights);
    expect([err.code, err.message]).toEqual(['PEFT_ADAPTER_MISSING', expect.stringContaining('pickle')]);
    expect((await refusal(new Map())).code).toBe('PEFT_ADAPTER_MISSING');
  });
});
