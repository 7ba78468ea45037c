// The exported Hugging Face folder: config.json as transformers reads it, weights readable again bit for bit,
// tied MLM weights written once (RELIABILITY X1, X2), hostile label names kept as data (D15), tokenizer files
// copied byte for byte.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../../src/cli/node-files';
import { parseModelConfig } from '../../../src/engine/models/index';
import { parseSafetensorsHeader, readTensorFloat32 } from '../../../src/formats/safetensors';
import { bytesFile, readAll } from '../../../src/formats/source-file';
import { exportedConfig, writeHfFolder } from '../../../src/engine/export/hf-folder';
import { loadModelFolder, type LoadedModel } from '../../../src/engine/load';

const GOLDEN = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');

async function exportModel(model: LoadedModel, dir: string) {
  const snapshot = await model.params.snapshot();
  const source = nodeFolder(path.join(GOLDEN, dir));
  return writeHfFolder({
    rawConfig: model.rawConfig,
    config: model.config,
    task: model.task,
    weights: model.params.names().map((n) => [n, { shape: model.params.shape(n), data: snapshot.get(n)! }]),
    tokenizerFiles: model.tokenizerFiles.map((n) => source.get(n)!),
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('writeHfFolder', () => {
  it('bert-mlm: the tied decoder is written once (as the word embedding), every tensor round-trips bit for bit', async () => {
    const model = await loadModelFolder(nodeFolder(path.join(GOLDEN, 'bert-mlm')));
    const files = await exportModel(model, 'bert-mlm');
    const weights = files.find((f) => f.name === 'model.safetensors')!.bytes;
    const header = parseSafetensorsHeader(weights, 'model.safetensors');
    expect(header.metadata).toEqual(new Map([['format', 'pt']]));
    expect(header.headerSize % 8).toBe(0);
    expect([...header.tensors.keys()].filter((n) => n.includes('decoder'))).toEqual([]);
    expect([...header.tensors.keys()].sort()).toEqual(model.params.names().sort());
    const original = await readAll(nodeFolder(path.join(GOLDEN, 'bert-mlm')).get('model.safetensors')!);
    const originalHeader = parseSafetensorsHeader(original, 'model.safetensors');
    for (const name of header.tensors.keys()) {
      const got = await readTensorFloat32(bytesFile('model.safetensors', weights), header, name);
      const want = await readTensorFloat32(bytesFile('model.safetensors', original), originalHeader, name);
      expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer)), name).toBe(true);
    }
    model.params.dispose();
  });

  it('tokenizer files are copied byte for byte; config.json names the class and keeps every other field', async () => {
    const model = await loadModelFolder(nodeFolder(path.join(GOLDEN, 'roberta-seq-cls')));
    const files = await exportModel(model, 'roberta-seq-cls');
    const source = nodeFolder(path.join(GOLDEN, 'roberta-seq-cls'));
    expect(model.tokenizerFiles.length).toBeGreaterThan(0);
    for (const name of model.tokenizerFiles) {
      const written = files.find((f) => f.name === name)!.bytes;
      expect(Buffer.from(written).equals(Buffer.from(await readAll(source.get(name)!))), name).toBe(true);
    }
    const config = JSON.parse(new TextDecoder().decode(files.find((f) => f.name === 'config.json')!.bytes));
    expect(config).toEqual({ ...model.rawConfig, architectures: ['RobertaForSequenceClassification'], dtype: 'float32' });
    model.params.dispose();
  });

  it('labels, including hostile names, are written as id2label/label2id and read back the same', async () => {
    const raw = JSON.parse(new TextDecoder().decode(await readAll(nodeFolder(path.join(GOLDEN, 'bert-token-cls')).get('config.json')!)));
    const labels = ['O', '__proto__', '<img src=x onerror=alert(1)>', 'constructor', 'B-\u202eLOC'];
    const { config } = parseModelConfig(JSON.stringify(raw));
    const out = exportedConfig({ ...raw, num_labels: 3 }, { ...config, id2label: labels, num_labels: labels.length }, 'token-cls');
    const text = JSON.stringify(out);
    const reparsed = parseModelConfig(text);
    expect(reparsed.config.id2label).toEqual(labels);
    expect(reparsed.raw.num_labels).toBe(5);
    expect(Object.keys(JSON.parse(text).label2id)).toEqual(labels);
    expect(JSON.parse(text).label2id.__proto__).toBe(1);
    expect(out.architectures).toEqual(['BertForTokenClassification']);
  });

  it('a transformers 4.x config keeps torch_dtype and gets no dtype field', () => {
    const raw = { model_type: 'distilbert', vocab_size: 10, dim: 8, n_layers: 1, n_heads: 2, hidden_dim: 16, torch_dtype: 'float16' };
    const { config } = parseModelConfig(JSON.stringify(raw));
    const out = exportedConfig(raw, config, 'seq-cls');
    expect(out.torch_dtype).toBe('float32');
    expect(Object.hasOwn(out, 'dtype')).toBe(false);
    expect(out.architectures).toEqual(['DistilBertForSequenceClassification']);
    expect(out.id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1' });
  });
});
