// The ONNX graphs and the int8 pass (engine/export/onnx/), run by onnxruntime-web's Node build: each activation
// primitive equals the engine's layer; the graph's inputs, output and initializers (checkpoint names, values bit for
// bit); the quantised graph has every weight matrix and table as int8 and one run-time quantisation per activation;
// ORT's rounding of weights; and wrong graphs — GELU's tanh form for erf, RoBERTa's positions from the wrong pad id —
// move the logits past the 1e-4 the transformers.js test holds the export to, so that test can fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../../src/cli/node-files';
import { checkOnnxSize } from '../../../src/engine/export/onnx-folder';
import { onnxModel, type OnnxModelInput } from '../../../src/engine/export/onnx/families';
import { GRAPH_ACTIVATIONS, GraphBuilder } from '../../../src/engine/export/onnx/graph';
import { quantizeDynamic, quantizeWeight } from '../../../src/engine/export/onnx/quantize';
import { activation } from '../../../src/engine/layers/activations';
import { loadModelFolder, type LoadedModel } from '../../../src/engine/load';
import type { ModelConfig } from '../../../src/formats/hf-config';
import { encodeOnnxModel, type OnnxModelData } from '../../../src/formats/onnx';
import { writeExportCases, type ExportCase } from './onnx-cases';

const root = mkdtempSync(path.join(tmpdir(), 'layerwise-onnx-graph-'));
let cases: ExportCase[] = [];
beforeAll(async () => {
  await tf.setBackend('cpu');
  cases = await writeExportCases(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function load(name: string): Promise<{ model: LoadedModel; input: OnnxModelInput; c: ExportCase }> {
  const c = cases.find((x) => x.name === name) as ExportCase;
  const model = await loadModelFolder(nodeFolder(c.dir));
  const values = await model.params.snapshot();
  const params = new Map([...values].map(([n, data]) => [n, { shape: model.params.shape(n), data }]));
  return { model, input: { config: model.config, task: model.task, hasTokenTypes: model.family.hasTokenTypes, params }, c };
}

async function run(m: OnnxModelData, c: ExportCase, hasTokenTypes: boolean): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeOnnxModel(m));
  const dims = [c.rows.input_ids.length, c.rows.input_ids[0].length];
  const t = (v: number[][]) => new ort.Tensor('int64', BigInt64Array.from(v.flat().map(BigInt)), dims);
  const feeds: Record<string, ort.Tensor> = { input_ids: t(c.rows.input_ids), attention_mask: t(c.rows.attention_mask) };
  if (hasTokenTypes) feeds.token_type_ids = t(c.rows.token_type_ids ?? c.rows.input_ids.map((r) => r.map(() => 0)));
  const out = await session.run(feeds);
  await session.release();
  return out.logits.data as Float32Array;
}

function engine(model: LoadedModel, c: ExportCase): Float32Array {
  return tf.tidy(() => {
    const inputs = {
      input_ids: tf.tensor2d(c.rows.input_ids, undefined, 'int32'),
      attention_mask: tf.tensor2d(c.rows.attention_mask, undefined, 'int32'),
      token_type_ids: c.rows.token_type_ids ? tf.tensor2d(c.rows.token_type_ids, undefined, 'int32') : undefined,
    };
    return model.family.forward(model.params.tensors(), inputs, model.config, model.task, { training: false }).dataSync() as Float32Array;
  });
}

const worst = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('graph primitives', () => {
  it('each activation the graph knows is the engine\'s, on values from -6 to 6 (and the lists are the same)', async () => {
    let supported = '';
    try {
      activation('no-such-activation');
    } catch (err) {
      supported = (err as Error).message.replace(/^.*\(supported: (.*)\)$/, '$1');
    }
    expect([...GRAPH_ACTIVATIONS].sort()).toEqual(supported.split(', ').sort());
    const xs = Float32Array.from({ length: 97 }, (_, i) => -6 + i / 8);
    for (const name of GRAPH_ACTIVATIONS) {
      const g = new GraphBuilder(new Map(), { layer_norm_eps: 1e-12, hidden_size: 1 } as ModelConfig);
      g.output(g.activation(name, g.input('x', 'float32', [xs.length])), 'y', 'float32', [xs.length]);
      const session = await ort.InferenceSession.create(encodeOnnxModel({ irVersion: 8, opsetVersion: 17, producerName: 't', producerVersion: '0', docString: '', metadata: {}, graph: g.build(name) }));
      const got = (await session.run({ x: new ort.Tensor('float32', xs, [xs.length]) })).y.data as Float32Array;
      const want = tf.tidy(() => activation(name)(tf.tensor1d(xs)).dataSync() as Float32Array);
      expect(worst(got, want), name).toBeLessThan(2e-6);
    }
  });

  it('refuses what the engine refuses and what a family graph got wrong, with codes', () => {
    const g = new GraphBuilder(new Map([['a.weight', { shape: [1, 1], data: new Float32Array(1) }]]), { layer_norm_eps: 1e-12, hidden_size: 1 } as ModelConfig);
    expect(() => g.activation('swiglu', 'x')).toThrow(expect.objectContaining({ code: 'CONFIG_UNSUPPORTED_ACTIVATION' }));
    expect(() => g.linear('x', 'missing')).toThrow(expect.objectContaining({ code: 'MODEL_MISSING_PARAMETER', location: { tensor: 'missing.weight' } }));
    expect(() => g.build('g')).toThrow(expect.objectContaining({ code: 'EXPORT_ONNX_UNUSED_PARAMETER', location: { tensor: 'a.weight' } }));
  });
});

describe('onnxModel', () => {
  it('bert-seq-cls: int64 inputs with dynamic axes, logits [batch_size, 3], opset 17, initializers under checkpoint names holding the checkpoint bytes', async () => {
    const { model, input } = await load('bert-seq-cls');
    const m = onnxModel(input);
    expect([m.irVersion, m.opsetVersion]).toEqual([8, 17]);
    expect(m.graph.inputs).toEqual(['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({ name, dataType: 'int64', shape: ['batch_size', 'sequence_length'] })));
    expect(m.graph.outputs).toEqual([{ name: 'logits', dataType: 'float32', shape: ['batch_size', 3] }]);
    for (const [name, p] of input.params) {
      const t = m.graph.initializers.find((i) => i.name === name);
      expect(t?.dims, name).toEqual(p.shape);
      expect(t?.data).toEqual(p.data);
    }
    model.params.dispose();
  });

  it('DistilBERT has no token_type_ids input; token classification gives [batch_size, sequence_length, labels]', async () => {
    const { model, input } = await load('distilbert-token-cls');
    const m = onnxModel(input);
    expect(m.graph.inputs.map((i) => i.name)).toEqual(['input_ids', 'attention_mask']);
    expect(m.graph.outputs[0].shape).toEqual(['batch_size', 'sequence_length', 3]);
    model.params.dispose();
  });

  it('weights past one protobuf message (2 GiB) are EXPORT_ONNX_TOO_LARGE before anything is built; BERT-large fits', () => {
    expect(() => checkOnnxSize(335_000_000)).not.toThrow();
    expect(() => checkOnnxSize(560_000_000)).toThrow(expect.objectContaining({ code: 'EXPORT_ONNX_TOO_LARGE', location: { file: 'onnx/model.onnx' } }));
  });

  it('an unknown family is EXPORT_ONNX_UNSUPPORTED_FAMILY', async () => {
    const { model, input } = await load('bert-seq-cls');
    expect(() => onnxModel({ ...input, config: { ...input.config, family: 'gpt2' } })).toThrow(expect.objectContaining({ code: 'EXPORT_ONNX_UNSUPPORTED_FAMILY' }));
    model.params.dispose();
  });
});

describe('quantizeDynamic', () => {
  it('rounds as ORT does: scale max|w|/127, halves to even, ±127; a zero tensor gets scale 1', () => {
    const { values, scale } = quantizeWeight(Float32Array.from([127, -127, 0.5, 1.5, 2.5, -0.5, -1.5, 63.5, 30.2]));
    expect(scale).toBe(1);
    expect(Array.from(values)).toEqual([127, -127, 0, 2, 2, 0, -2, 64, 30]);
    const small = quantizeWeight(Float32Array.from([-0.02, 0.005]));
    expect(small.scale).toBe(Math.fround(Math.fround(0.04) / 254));
    expect(Array.from(small.values)).toEqual([-127, 32]);
    expect(quantizeWeight(new Float32Array(3))).toEqual({ values: new Int8Array(3), scale: 1 });
  });

  it('bert-seq-cls: every linear layer is MatMulInteger on int8 weights, every table int8 behind DequantizeLinear, one DynamicQuantizeLinear per activation read', async () => {
    const { model, input } = await load('bert-seq-cls');
    const q = quantizeDynamic(onnxModel(input));
    const ops = (type: string) => q.graph.nodes.filter((n) => n.opType === type);
    // 2 layers × (query, key, value, attention output, intermediate, output) + pooler + classifier
    expect(ops('MatMulInteger')).toHaveLength(14);
    // q, k and v read one activation: 2 layers × 4 + pooler + classifier
    expect(ops('DynamicQuantizeLinear')).toHaveLength(10);
    // The attention products (q·kᵀ, probs·v) stay float.
    expect(ops('MatMul')).toHaveLength(4);
    expect(ops('Gather').filter((n) => n.inputs[0].endsWith('_quantized'))).toHaveLength(3);
    expect(ops('DequantizeLinear')).toHaveLength(3);
    expect(q.graph.initializers.filter((t) => t.dataType === 'float32' && t.dims.length === 2)).toEqual([]);
    expect(q.graph.initializers.filter((t) => t.dataType === 'int8' && t.dims.length === 2)).toHaveLength(17);
    model.params.dispose();
  });

  it('bert-mlm: the tied decoder reads the word embeddings\' one int8 copy', async () => {
    const { model, input } = await load('bert-mlm');
    const q = quantizeDynamic(onnxModel(input));
    const words = 'bert.embeddings.word_embeddings.weight_quantized';
    expect(q.graph.initializers.filter((t) => t.name.startsWith('bert.embeddings.word_embeddings.weight'))).toHaveLength(3); // values, scale, zero point
    expect(q.graph.nodes.filter((n) => n.inputs.includes(words)).map((n) => n.opType).sort()).toEqual(['Gather', 'Transpose']);
    model.params.dispose();
  });
});

describe('wrong graphs are caught at 1e-4', () => {
  it('electra-seq-cls (gelu_new): its graph within 1e-5 of the engine; with erf GELU instead, further than 1e-4', async () => {
    const { model, input, c } = await load('electra-seq-cls');
    const want = engine(model, c);
    expect(worst(await run(onnxModel(input), c, true), want)).toBeLessThan(1e-5);
    const wrong = onnxModel({ ...input, config: { ...input.config, hidden_act: 'gelu' } });
    expect(worst(await run(wrong, c, true), want)).toBeGreaterThan(1e-4);
    model.params.dispose();
  });

  it('roberta-token-cls (pad 1): its graph within 1e-5; positions counted from pad id 0 instead, further than 1e-4', async () => {
    const { model, input, c } = await load('roberta-token-cls');
    const want = engine(model, c);
    expect(worst(await run(onnxModel(input), c, true), want)).toBeLessThan(1e-5);
    const wrong = onnxModel({ ...input, config: { ...input.config, pad_token_id: 0 } });
    expect(worst(await run(wrong, c, true), want)).toBeGreaterThan(1e-4);
    model.params.dispose();
  });
});
