// The one model-folder writer (engine/export/model-folder.ts): config.json as transformers reads it, weights readable
// again bit for bit, tied MLM weights written once (RELIABILITY X1, X2), hostile label names kept as data (D15),
// tokenizer files copied byte for byte but for model_max_length, which is capped at the model's positions; with a run,
// the TrainConfig in the safetensors metadata, a model card with the baseline, and metrics.json.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../../src/cli/node-files';
import { parseModelConfig } from '../../../src/engine/models/index';
import { parseSafetensorsHeader, readTensorFloat32 } from '../../../src/formats/safetensors';
import { bytesFile, readAll } from '../../../src/formats/source-file';
import { exportedConfig, writeModelFolder, type RunRecord } from '../../../src/engine/export/model-folder';
import { loadModelFolder, type LoadedModel } from '../../../src/engine/load';
import { DEFAULT_TRAIN_CONFIG } from '../../../src/protocol/train-config';
import { LAYERWISE_VERSION } from '../../../src/protocol/version';

const GOLDEN = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');

async function exportModel(model: LoadedModel, dir: string, run?: RunRecord) {
  return writeModelFolder({ model, source: nodeFolder(path.join(GOLDEN, dir)), run, date: new Date('2026-12-07T12:00:00Z') });
}

const text = (files: { name: string; bytes: Uint8Array }[], name: string) => new TextDecoder().decode(files.find((f) => f.name === name)!.bytes);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('writeModelFolder', () => {
  it('bert-mlm: the tied decoder is written once (as the word embedding), every tensor round-trips bit for bit', async () => {
    const model = await loadModelFolder(nodeFolder(path.join(GOLDEN, 'bert-mlm')));
    const files = await exportModel(model, 'bert-mlm');
    const weights = files.find((f) => f.name === 'model.safetensors')!.bytes;
    const header = parseSafetensorsHeader(weights, 'model.safetensors');
    expect(header.metadata).toEqual(new Map([['format', 'pt'], ['layerwise.version', LAYERWISE_VERSION]]));
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

  it('tokenizer files are copied byte for byte but for model_max_length; config.json names the class and num_labels and keeps every other field', async () => {
    const model = await loadModelFolder(nodeFolder(path.join(GOLDEN, 'roberta-seq-cls')));
    const files = await exportModel(model, 'roberta-seq-cls');
    const source = nodeFolder(path.join(GOLDEN, 'roberta-seq-cls'));
    expect(model.tokenizerFiles.length).toBeGreaterThan(0);
    for (const name of model.tokenizerFiles.filter((n) => n !== 'tokenizer_config.json')) {
      const written = files.find((f) => f.name === name)!.bytes;
      expect(Buffer.from(written).equals(Buffer.from(await readAll(source.get(name)!))), name).toBe(true);
    }
    // The fixture's tokenizer allows transformers' VERY_LARGE_INTEGER tokens; its 66 positions hold 65 (RoBERTa loses padding_idx + 1, and its pad_token_id is 0).
    const tokenizerConfig = JSON.parse(new TextDecoder().decode(await readAll(source.get('tokenizer_config.json')!)));
    expect(JSON.parse(text(files, 'tokenizer_config.json'))).toEqual({ ...tokenizerConfig, model_max_length: 65 });
    const config = JSON.parse(text(files, 'config.json'));
    expect(config).toEqual({ ...model.rawConfig, architectures: ['RobertaForSequenceClassification'], num_labels: model.config.id2label.length, dtype: 'float32' });
    expect(files.map((f) => f.name)).not.toContain('README.md');
    model.params.dispose();
  });

  it('a folder without tokenizer_config.json gets one that carries only the position limit', async () => {
    const source = nodeFolder(path.join(GOLDEN, 'bert-seq-cls'));
    source.delete('tokenizer_config.json');
    const model = await loadModelFolder(source);
    const files = await writeModelFolder({ model, source });
    expect(JSON.parse(text(files, 'tokenizer_config.json'))).toEqual({ model_max_length: 64 });
    model.params.dispose();
  });

  it('with a run: the TrainConfig in the weights metadata, a model card with the results beside the baseline, metrics.json', async () => {
    const model = await loadModelFolder(nodeFolder(path.join(GOLDEN, 'bert-seq-cls')), { labels: ['neg', 'pos'] });
    const config = { ...DEFAULT_TRAIN_CONFIG, epochs: 2, learningRate: 1e-4 };
    const record = { step: 10, epoch: 2, learning_rate: 0, eval_loss: 0.5, accuracy: 0.8, eval_samples: 50, f1_macro: 0.75 } as RunRecord['history'][number];
    const run: RunRecord = {
      baseModel: 'hub:google/bert_uncased_L-2_H-128_A-2@main',
      init: 'pretrained',
      train: { name: 'reviews.csv', bytes: 12_345, examples: 200 },
      validation: null,
      validationSource: 'split',
      config,
      metrics: record,
      history: [{ ...record, step: 5, epoch: 1, accuracy: 0.7 }, record],
      restoredBestStep: null,
      baseline: { label: 'pos', accuracy: 0.6, f1_macro: 0.375 },
      summary: { steps: 10, finish_reason: 'completed' },
    };
    const files = await exportModel(model, 'bert-seq-cls', run);
    expect(files.map((f) => f.name).slice(-2)).toEqual(['README.md', 'metrics.json']);
    const weights = files.find((f) => f.name === 'model.safetensors')!.bytes;
    const header = parseSafetensorsHeader(weights, 'model.safetensors');
    expect(JSON.parse(header.metadata!.get('layerwise.train_config')!)).toEqual(config);
    const card = text(files, 'README.md');
    expect(card.split('\n').slice(0, 8)).toEqual(['---', 'library_name: transformers', 'pipeline_tag: text-classification', 'tags:', '- layerwise', 'base_model: google/bert_uncased_L-2_H-128_A-2', '---', '']);
    expect(card).toContain('2026-12-07');
    expect(card).toContain('`reviews.csv` (12,345 bytes, 200 examples)');
    expect(card).toContain('a seeded, stratified 0.1 share of the training file');
    expect(card).toContain('Labels (2): `neg`, `pos`');
    expect(card).toContain('Evaluated after step 10 (epoch 2.00). The majority-class baseline always predicts `pos`.');
    expect(card).toContain('| accuracy | 0.8000 | 0.6000 |');
    expect(card).toContain('| F1 (macro) | 0.7500 | 0.3750 |');
    const json = card.slice(card.indexOf('```json') + 7, card.indexOf('```', card.indexOf('```json') + 7));
    expect(JSON.parse(json)).toEqual(config);
    const metrics = JSON.parse(text(files, 'metrics.json'));
    expect(metrics).toMatchObject({ accuracy: 0.8, f1_macro: 0.75, majority_baseline: run.baseline, train: run.summary, config });
    expect(metrics.history).toHaveLength(2);
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
    expect(out.num_labels).toBe(5);
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
