// A LoRA run end to end through the one run recipe and the one model-folder writer (wasm, the tiny BERT and
// DistilBERT): the base stays frozen (no gradient, no AdamW state; the trainable share is adapters + head), the folder
// holds PEFT's adapter_config.json and adapter_model.safetensors under PEFT's key names beside model.safetensors with
// the merged weights — the adapted W equal to W₀ + (alpha/r)·B·A in float64, every other base tensor bit-identical to
// the checkpoint's, the head the trained one — and both ways back give the trained model's logits: the folder as a
// plain model, and the base folder with the adapter loaded onto it (engine/peft-load.ts).
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../../src/cli/node-files';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { readDataset } from '../../../src/formats/datasets/index';
import { parseSafetensorsHeader, readTensorFloat32 } from '../../../src/formats/safetensors';
import { bytesFile, readAll, type SourceFolder } from '../../../src/formats/source-file';
import { writeModelFolder } from '../../../src/engine/export/model-folder';
import { loadModelFolder, type LoadedModel } from '../../../src/engine/load';
import { loadModelWithAdapter } from '../../../src/engine/peft-load';
import { prepareRun } from '../../../src/engine/train/recipe';
import { loraAName, loraBName } from '../../../src/protocol/lora';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { GOLDEN } from '../train/helpers';

beforeAll(() => useNodeBackend('wasm'));

const csv = (rows: string[][]) => readDataset(bytesFile('train.csv', new TextEncoder().encode(`text,label\n${rows.map((r) => r.join(',')).join('\n')}\n`)));
const rows = [['good film', 'pos'], ['great film', 'pos'], ['bad film', 'neg'], ['dull film', 'neg'], ['nice film', 'pos'], ['awful film', 'neg']];

async function tensorsOf(bytes: Uint8Array, name: string): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const header = parseSafetensorsHeader(bytes, name);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [n, info] of header.tensors) out.set(n, { shape: info.shape, data: await readTensorFloat32(bytesFile(name, bytes), header, n) });
  return out;
}

const bitEqual = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

async function logitsOf(model: LoadedModel, ids: number[][]): Promise<Float32Array> {
  const inputs = { input_ids: tf.tensor2d(ids, undefined, 'int32'), attention_mask: tf.onesLike(tf.tensor2d(ids, undefined, 'int32')) as tf.Tensor2D };
  const logits = model.family.forward(model.params.tensors(), inputs, model.config, model.task, { training: false, lora: model.lora });
  const out = (await logits.data()) as Float32Array;
  tf.dispose([logits, inputs.input_ids, inputs.attention_mask]);
  return out;
}

describe.each([
  ['bert-seq-cls', ['classifier', 'bert.pooler'], 'query'],
  ['distilbert-seq-cls', ['pre_classifier', 'classifier'], 'q_lin'],
])('a LoRA run of %s', (fixture, headModules, target) => {
  it('trains adapters and head only, and writes PEFT\'s files beside the merged weights, both loading back to its logits', async () => {
    const folder: SourceFolder = nodeFolder(path.join(GOLDEN, fixture));
    const train = await csv(rows);
    const lora = { r: 4, alpha: 8, targetModules: ['query', 'value', 'q_lin', 'v_lin'] };
    const config = parseTrainConfig({ task: 'seq-cls', learningRate: 5e-2, maxSteps: 3, batchSize: 3, maxLength: 16, validationSplit: 0, lora });
    const run = await prepareRun({ folder, train, validation: null }, config);
    const started: { trainable: number; all: number }[] = [];
    for await (const e of run.trainer.run()) {
      if (e.type === 'started') started.push({ trainable: e.plan.trainableParameters, all: e.plan.parameters });
      if (e.type === 'failed') throw new Error(e.error.message);
    }
    const model = run.model;
    const adapters = model.lora!;
    const state = (await run.trainer.checkpoint()).optimizer;
    run.trainer.dispose();
    const moments = [...state.params.keys()];
    const trained = model.params.names().filter((n) => n.includes('.lora_') || headModules.some((m) => n.startsWith(`${m}.`)));
    expect(moments.sort()).toEqual(trained.sort());
    const headSize = trained.filter((n) => !n.includes('.lora_')).reduce((s, n) => s + model.params.get(n).size, 0);
    const adapterSize = adapters.modules.reduce((s, m) => s + m.r * (m.inFeatures + m.outFeatures), 0);
    expect(started).toEqual([{ trainable: headSize + adapterSize, all: model.params.parameterCount() }]);

    const files = await writeModelFolder({ model, source: folder });
    const file = (name: string) => files.find((f) => f.name === name)?.bytes as Uint8Array;
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'adapter_config.json', 'adapter_model.safetensors']));
    const adapterConfig = JSON.parse(new TextDecoder().decode(file('adapter_config.json')));
    expect(adapterConfig).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_CLS', r: 4, lora_alpha: 8, lora_dropout: 0, bias: 'none', fan_in_fan_out: false, use_rslora: false, use_dora: false, rank_pattern: {} });
    expect(adapterConfig.target_modules).toEqual(target === 'query' ? ['query', 'value'] : ['q_lin', 'v_lin']);
    expect(adapterConfig.modules_to_save.sort()).toEqual([...headModules].sort());

    const base = await tensorsOf(await readAll(folder.get('model.safetensors')!), 'model.safetensors');
    const saved = await tensorsOf(file('adapter_model.safetensors'), 'adapter_model.safetensors');
    const merged = await tensorsOf(file('model.safetensors'), 'model.safetensors');
    const expectedKeys = [...adapters.modules.flatMap((m) => [loraAName(m.module), loraBName(m.module)]), ...trained.filter((n) => !n.includes('.lora_'))].map((n) => `base_model.model.${n}`);
    expect([...saved.keys()].sort()).toEqual(expectedKeys.sort());
    expect([...saved.keys()].filter((k) => k.endsWith('.lora_A.weight'))).toContain(`base_model.model.${adapters.modules[0].module}.lora_A.weight`);
    expect([...merged.keys()].sort()).toEqual(model.params.names().filter((n) => !n.includes('.lora_')).sort());
    const adapted = new Set(adapters.modules.map((m) => `${m.module}.weight`));
    for (const [name, t] of merged) {
      if (adapted.has(name)) {
        const m = adapters.modules.find((x) => `${x.module}.weight` === name)!;
        const a = saved.get(`base_model.model.${m.module}.lora_A.weight`)!.data;
        const b = saved.get(`base_model.model.${m.module}.lora_B.weight`)!.data;
        const w0 = base.get(name)!.data;
        let worst = 0;
        let moved = 0;
        for (let o = 0; o < m.outFeatures; o++) {
          for (let j = 0; j < m.inFeatures; j++) {
            let ba = 0;
            for (let k = 0; k < m.r; k++) ba += b[o * m.r + k] * a[k * m.inFeatures + j];
            const want = w0[o * m.inFeatures + j] + (8 / 4) * ba;
            worst = Math.max(worst, Math.abs(t.data[o * m.inFeatures + j] - want));
            moved = Math.max(moved, Math.abs(ba));
          }
        }
        expect(worst, name).toBeLessThanOrEqual(1e-7);
        expect(moved, `${name}: B moved off zero`).toBeGreaterThan(1e-4);
      } else if (saved.has(`base_model.model.${name}`)) {
        expect(bitEqual(t.data, saved.get(`base_model.model.${name}`)!.data), name).toBe(true);
        expect(bitEqual(t.data, base.get(name)?.data ?? new Float32Array()), `${name} trained`).toBe(false);
      } else {
        expect(bitEqual(t.data, base.get(name)!.data), name).toBe(true);
      }
    }

    const ids = [[2, 5, 9, 3, 0], [2, 7, 3, 1, 4]];
    const want = await logitsOf(model, ids);
    const written: SourceFolder = new Map(files.map((f) => [f.name, bytesFile(f.name, f.bytes)]));
    const plain = await loadModelFolder(written);
    const onBase = await loadModelWithAdapter(folder, written);
    for (const other of [plain, onBase]) {
      const got = await logitsOf(other, ids);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5);
    }
    expect(onBase.config.id2label).toEqual(model.config.id2label);
    expect(onBase.messages.at(-1)?.code).toBe('PEFT_ADAPTER_MERGED');
    for (const m of [plain, onBase, model]) m.params.dispose();
  });
});
