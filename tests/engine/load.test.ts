// The strict checkpoint loader on the hf-tiny fixtures and on byte-edited copies of them (RELIABILITY M17, M19,
// M20, C3, C5, C6): every error coded and listing its tensors, renames and drops reported, new heads initialised
// as transformers does, sharded checkpoints, and no tensor left behind by a failed load.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../src/cli/node-files';
import { readSafetensorsHeader, readTensorFloat32, writeSafetensors } from '../../src/formats/safetensors';
import { bytesFile, readAll, type SourceFile, type SourceFolder } from '../../src/formats/source-file';
import { loadModelFolder, type LoadedModel, type LoadOptions } from '../../src/engine/load';
import { LayerwiseError } from '../../src/lib/errors';
import { tensorLimit } from '../../src/protocol/memory-plan';

const GOLDEN = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny');
const FIXTURES = ['bert-seq-cls', 'bert-token-cls', 'bert-mlm', 'distilbert-seq-cls', 'roberta-seq-cls'] as const;
const TASK_OF = { 'bert-seq-cls': 'seq-cls', 'bert-token-cls': 'token-cls', 'bert-mlm': 'mlm', 'distilbert-seq-cls': 'seq-cls', 'roberta-seq-cls': 'seq-cls' };

type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

const fixture = (name: string): SourceFolder => nodeFolder(path.join(GOLDEN, name));

async function tensorsOf(file: SourceFile): Promise<Tensors> {
  const header = await readSafetensorsHeader(file);
  const out: Tensors = new Map();
  for (const [name, info] of header.tensors) out.set(name, { shape: info.shape, data: await readTensorFloat32(file, header, name) });
  return out;
}

function withFile(folder: SourceFolder, name: string, bytes: Uint8Array | null): SourceFolder {
  const copy = new Map(folder);
  if (bytes === null) copy.delete(name);
  else copy.set(name, bytesFile(name, bytes));
  return copy;
}

async function withConfig(folder: SourceFolder, edit: (config: Record<string, unknown>) => void): Promise<SourceFolder> {
  const config = JSON.parse(new TextDecoder().decode(await readAll(folder.get('config.json')!))) as Record<string, unknown>;
  edit(config);
  return withFile(folder, 'config.json', new TextEncoder().encode(JSON.stringify(config)));
}

/** The folder with model.safetensors rewritten from edit's tensors (F32, same metadata as the fixtures). */
async function withWeights(folder: SourceFolder, edit: (tensors: Tensors) => Tensors | void): Promise<SourceFolder> {
  const tensors = await tensorsOf(folder.get('model.safetensors')!);
  const edited = edit(tensors) ?? tensors;
  return withFile(folder, 'model.safetensors', writeSafetensors(edited, { format: 'pt' }));
}

function renamed(tensors: Tensors, rename: (name: string) => string): Tensors {
  return new Map([...tensors].map(([n, t]) => [rename(n), t]));
}

async function values(model: LoadedModel, name: string): Promise<Float32Array> {
  return (await model.params.get(name).data()) as Float32Array;
}

function std(data: Float32Array): number {
  const mean = data.reduce((a, b) => a + b, 0) / data.length;
  return Math.sqrt(data.reduce((a, b) => a + (b - mean) ** 2, 0) / data.length);
}

async function expectLoadError(folder: SourceFolder, code: string, opts: LoadOptions = {}): Promise<string> {
  const before = tf.memory().numTensors;
  const err = (await loadModelFolder(folder, opts).then(
    () => null,
    (e: unknown) => e,
  )) as { code?: string; message: string } | null;
  expect(err, `expected ${code}`).not.toBeNull();
  expect(err!.code, err!.message).toBe(code);
  expect(tf.memory().numTensors).toBe(before);
  return err!.message;
}

/**
 * The bert-seq-cls folder with its word embedding declared `[rows, width]` in the header of a file whose data is never
 * there: `reads` records every slice read, and one past the header throws.
 */
async function hugeEmbeddingFolder(rows: number, width: number): Promise<{ folder: SourceFolder; headerBytes: number; reads: [number, number][] }> {
  const folder = fixture('bert-seq-cls');
  const real = folder.get('model.safetensors')!;
  const header = await readSafetensorsHeader(real);
  const huge = rows * width * 4;
  const entries: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, info] of header.tensors) {
    const shape = name === 'bert.embeddings.word_embeddings.weight' ? [rows, width] : info.shape;
    const bytes = name === 'bert.embeddings.word_embeddings.weight' ? huge : info.data_offsets[1] - info.data_offsets[0];
    entries[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(entries).padEnd(8 * Math.ceil(JSON.stringify(entries).length / 8)));
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(json, 8);
  const reads: [number, number][] = [];
  const fake: SourceFile = {
    name: 'model.safetensors',
    size: head.length + offset,
    slice: async (start, end) => {
      reads.push([start, end]);
      if (end > head.length) throw new Error(`read past the header: [${start}, ${end})`);
      return head.slice(start, end);
    },
  };
  const edited = await withConfig(withFile(folder, 'model.safetensors', null), (c) => (c.vocab_size = rows));
  edited.set('model.safetensors', fake);
  return { folder: edited, headerBytes: head.length, reads };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loading the fixtures', () => {
  for (const name of FIXTURES) {
    it(`${name}: every tensor of the file, bit for bit, task from architectures, nothing to report`, async () => {
      const folder = fixture(name);
      const file = await tensorsOf(folder.get('model.safetensors')!);
      const model = await loadModelFolder(folder);
      expect(model.task).toBe(TASK_OF[name]);
      expect(model.params.names().sort()).toEqual([...file.keys()].sort());
      for (const [n, t] of file) {
        expect(model.params.shape(n)).toEqual(t.shape);
        expect(Buffer.from((await values(model, n)).buffer).equals(Buffer.from(t.data.buffer)), n).toBe(true);
      }
      expect(model.parameterCount).toBe([...file.values()].reduce((a, t) => a + t.data.length, 0));
      expect(model.messages.filter((m) => m.level === 'warning')).toEqual([]);
      expect(model.nonFinite.size).toBe(0);
      expect(model.params.trainableNames().length).toBe(file.size);
      model.params.dispose();
    });
  }
});

describe('weights that do not match the config (M19)', () => {
  it('hidden_size 48: every tensor listed with expected and found shape', async () => {
    const folder = await withConfig(fixture('bert-seq-cls'), (c) => (c.hidden_size = 48));
    const message = await expectLoadError(folder, 'CHECKPOINT_SHAPE_MISMATCH');
    expect(message).toContain('bert.embeddings.word_embeddings.weight: expected [328, 48], found [328, 32]');
    expect(message).toContain('bert.encoder.layer.1.intermediate.dense.weight: expected [64, 48], found [64, 32]');
    expect(message).toContain('classifier.weight: expected [3, 48], found [3, 32]');
    expect(message).not.toContain('give the labels');
  });

  it('a missing backbone tensor is an error naming it', async () => {
    const folder = await withWeights(fixture('bert-seq-cls'), (t) => {
      t.delete('bert.encoder.layer.1.output.dense.weight');
      t.delete('bert.embeddings.LayerNorm.bias');
    });
    const message = await expectLoadError(folder, 'CHECKPOINT_MISSING_TENSORS');
    expect(message).toContain('bert.encoder.layer.1.output.dense.weight');
    expect(message).toContain('bert.embeddings.LayerNorm.bias');
  });

  it('a bert. prefix added to every name: unexpected tensors listed with their shapes', async () => {
    const folder = await withWeights(fixture('bert-seq-cls'), (t) => renamed(t, (n) => `bert.${n}`));
    const message = await expectLoadError(folder, 'CHECKPOINT_UNEXPECTED_TENSORS');
    expect(message).toContain('bert.bert.encoder.layer.0.attention.self.query.weight [32, 32]');
    expect(message).toContain('bert.classifier.weight [3, 32]');
  });

  it('an extra tensor is unexpected, even when everything else is there', async () => {
    const folder = await withWeights(fixture('bert-seq-cls'), (t) => {
      t.set('bert.encoder.layer.2.output.dense.weight', { shape: [32, 64], data: new Float32Array(32 * 64) });
    });
    const message = await expectLoadError(folder, 'CHECKPOINT_UNEXPECTED_TENSORS');
    expect(message).toContain('bert.encoder.layer.2.output.dense.weight [32, 64]');
  });

  it('hostile unexpected names (M14): one with U+202E is set in U+2068…U+2069 so it cannot reverse the sentence; the others stay as written', async () => {
    const names = ['<img src=x onerror=alert(1)>', 'exe.\u202Egnp', 'zero\u200Bwidth', '../../x'];
    const folder = await withWeights(fixture('bert-seq-cls'), (t) => {
      for (const name of names) t.set(name, { shape: [1], data: new Float32Array(1) });
    });
    const message = await expectLoadError(folder, 'CHECKPOINT_UNEXPECTED_TENSORS');
    // U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE (Unicode UAX #9): the plain-text <bdi>.
    expect(message).toContain('\u2068exe.\u202Egnp\u2069 [1]');
    for (const name of [names[0], names[2], names[3]]) {
      expect(message).toContain(`${name} [1]`);
      expect(message).not.toContain(`\u2068${name}`);
    }
  });

  it('a missing head is initialised as transformers does and listed', async () => {
    const folder = await withWeights(fixture('bert-seq-cls'), (t) => {
      t.delete('classifier.weight');
      t.delete('classifier.bias');
    });
    const model = await loadModelFolder(folder);
    const note = model.messages.find((m) => m.code === 'CHECKPOINT_HEAD_INITIALISED');
    expect(note?.level).toBe('warning');
    expect(note?.tensors?.sort()).toEqual(['classifier.bias', 'classifier.weight']);
    const weight = await values(model, 'classifier.weight');
    expect(model.params.shape('classifier.weight')).toEqual([3, 32]);
    // normal(0, initializer_range = 0.02): 96 draws, so the sample std is within ~15% of 0.02.
    expect(std(weight)).toBeGreaterThan(0.015);
    expect(std(weight)).toBeLessThan(0.025);
    expect(Array.from(await values(model, 'classifier.bias'))).toEqual([0, 0, 0]);
    model.params.dispose();
  });

  it('an MLM checkpoint loaded for seq-cls: its head dropped with a note, the new head initialised', async () => {
    const model = await loadModelFolder(fixture('bert-mlm'), { task: 'seq-cls' });
    const dropped = model.messages.find((m) => m.code === 'CHECKPOINT_DROPPED_OTHER_HEAD');
    expect(dropped?.tensors).toContain('cls.predictions.transform.dense.weight');
    expect(model.params.has('cls.predictions.bias')).toBe(false);
    const init = model.messages.find((m) => m.code === 'CHECKPOINT_HEAD_INITIALISED');
    expect(init?.tensors).toContain('classifier.weight');
    model.params.dispose();
  });
});

describe('renames and drops at the loader edge, all reported', () => {
  it('legacy LayerNorm gamma/beta are read as weight/bias', async () => {
    const folder = await withWeights(fixture('bert-seq-cls'), (t) =>
      renamed(t, (n) => n.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')),
    );
    const original = await tensorsOf(fixture('bert-seq-cls').get('model.safetensors')!);
    const model = await loadModelFolder(folder);
    const note = model.messages.find((m) => m.code === 'CHECKPOINT_RENAMED_LEGACY_LAYERNORM');
    expect(note?.tensors).toContain('bert.embeddings.LayerNorm.gamma -> bert.embeddings.LayerNorm.weight');
    expect(note?.tensors).toHaveLength(10);
    expect(Array.from(await values(model, 'bert.encoder.layer.1.output.LayerNorm.bias'))).toEqual(
      Array.from(original.get('bert.encoder.layer.1.output.LayerNorm.bias')!.data),
    );
    model.params.dispose();
  });

  it('a bare BertModel checkpoint gets the bert. prefix; its position_ids buffer is dropped', async () => {
    const folder = await withConfig(
      await withWeights(fixture('bert-seq-cls'), (t) => {
        const bare = renamed(t, (n) => n.replace(/^bert\./, ''));
        bare.delete('classifier.weight');
        bare.delete('classifier.bias');
        bare.set('embeddings.position_ids', { shape: [1, 64], data: Float32Array.from({ length: 64 }, (_, i) => i) });
        return bare;
      }),
      (c) => (c.architectures = ['BertModel']),
    );
    await expectLoadError(folder, 'CHECKPOINT_TASK_UNKNOWN');
    const model = await loadModelFolder(folder, { task: 'seq-cls' });
    const prefixed = model.messages.find((m) => m.code === 'CHECKPOINT_ADDED_BASE_PREFIX');
    expect(prefixed?.tensors).toContain('embeddings.word_embeddings.weight -> bert.embeddings.word_embeddings.weight');
    expect(prefixed?.tensors).toHaveLength(39);
    expect(model.messages.find((m) => m.code === 'CHECKPOINT_DROPPED_BUFFERS')?.tensors).toEqual(['embeddings.position_ids']);
    expect(model.params.has('bert.pooler.dense.weight')).toBe(true);
    expect(model.messages.find((m) => m.code === 'CHECKPOINT_HEAD_INITIALISED')?.tensors?.sort()).toEqual([
      'classifier.bias',
      'classifier.weight',
    ]);
    model.params.dispose();
  });

  it('a legacy name and its new name both present: both named, nothing loaded', async () => {
    const folder = await withWeights(fixture('bert-seq-cls'), (t) => {
      t.set('bert.embeddings.LayerNorm.gamma', t.get('bert.embeddings.LayerNorm.weight')!);
    });
    const message = await expectLoadError(folder, 'CHECKPOINT_DUPLICATE_TENSORS');
    expect(message).toContain('bert.embeddings.LayerNorm');
  });

  it('a tied MLM decoder saved in the file is dropped as tied, never loaded twice', async () => {
    const folder = await withWeights(fixture('bert-mlm'), (t) => {
      t.set('cls.predictions.decoder.weight', t.get('bert.embeddings.word_embeddings.weight')!);
    });
    const model = await loadModelFolder(folder);
    expect(model.messages.find((m) => m.code === 'CHECKPOINT_DROPPED_TIED')?.tensors).toEqual(['cls.predictions.decoder.weight']);
    expect(model.params.has('cls.predictions.decoder.weight')).toBe(false);
    model.params.dispose();
  });
});

describe('labels and the head (C5)', () => {
  it('config id2label that disagrees with the head shape: an error with a hint', async () => {
    const folder = await withConfig(fixture('bert-seq-cls'), (c) => {
      c.id2label = { 0: 'a', 1: 'b', 2: 'c', 3: 'd', 4: 'e' };
      delete c.label2id;
    });
    const message = await expectLoadError(folder, 'CHECKPOINT_SHAPE_MISMATCH');
    expect(message).toContain('classifier.weight: expected [5, 32], found [3, 32]');
    expect(message).toContain('give the labels to re-initialise the head');
  });

  it('labels of another count re-initialise the head, reported; id2label changes in the normalised view only', async () => {
    const labels = ['neg', 'neu', 'pos', 'mixed', '__proto__'];
    const model = await loadModelFolder(fixture('bert-seq-cls'), { labels });
    const note = model.messages.find((m) => m.code === 'CHECKPOINT_HEAD_REINITIALISED');
    expect(note?.tensors?.sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(model.params.shape('classifier.weight')).toEqual([5, 32]);
    expect(Array.from(await values(model, 'classifier.bias'))).toEqual([0, 0, 0, 0, 0]);
    expect(model.config.id2label).toEqual(labels);
    expect(model.config.num_labels).toBe(5);
    expect(model.rawConfig.id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' });
    model.params.dispose();
  });

  it('labels of the same count keep the trained head', async () => {
    const original = await tensorsOf(fixture('bert-seq-cls').get('model.safetensors')!);
    const model = await loadModelFolder(fixture('bert-seq-cls'), { labels: ['neg', 'neu', 'pos'] });
    expect(model.messages.some((m) => m.code === 'CHECKPOINT_HEAD_REINITIALISED')).toBe(false);
    expect(Array.from(await values(model, 'classifier.weight'))).toEqual(Array.from(original.get('classifier.weight')!.data));
    expect(model.config.id2label).toEqual(['neg', 'neu', 'pos']);
    model.params.dispose();
  });

  it('duplicate labels are refused', async () => {
    await expectLoadError(fixture('bert-seq-cls'), 'CHECKPOINT_BAD_LABELS', { labels: ['a', 'b', 'a'] });
  });
});

describe('vocabulary and positions (C3, C6)', () => {
  it('config vocab_size 330 against a 328-row embedding: all the numbers named', async () => {
    const folder = await withConfig(fixture('bert-seq-cls'), (c) => (c.vocab_size = 330));
    const message = await expectLoadError(folder, 'CHECKPOINT_VOCAB_MISMATCH');
    expect(message).toMatch(/328 rows, config\.json vocab_size is 330, the tokenizer has \d+ tokens/);
  });

  it('vocab.txt with 330 tokens against config and embedding of 328 (the RELIABILITY C3 case)', async () => {
    const folder = fixture('bert-seq-cls');
    const vocab = new TextDecoder().decode(await readAll(folder.get('vocab.txt')!)) + 'extra1\nextra2\n';
    const edited = withFile(withFile(folder, 'tokenizer.json', null), 'vocab.txt', new TextEncoder().encode(vocab));
    const message = await expectLoadError(edited, 'CHECKPOINT_VOCAB_MISMATCH');
    expect(message).toContain('328 rows, config.json vocab_size is 328, the tokenizer has 330 tokens');
  });

  it('a tokenizer with fewer tokens than the embedding rows is fine (tables are often padded)', async () => {
    const model = await loadModelFolder(fixture('bert-seq-cls'));
    expect(model.tokenizer!.vocabSize).toBeLessThan(328);
    model.params.dispose();
  });

  it('max_position_embeddings smaller than the position table: a shape error', async () => {
    const folder = await withConfig(fixture('bert-seq-cls'), (c) => (c.max_position_embeddings = 32));
    const message = await expectLoadError(folder, 'CHECKPOINT_SHAPE_MISMATCH');
    expect(message).toContain('bert.embeddings.position_embeddings.weight: expected [32, 32], found [64, 32]');
  });
});

describe('non-finite weights (M17) and tensor budget (M20)', () => {
  it('a NaN loads, counted per tensor and reported', async () => {
    const folder = await withWeights(fixture('bert-seq-cls'), (t) => {
      t.get('bert.encoder.layer.0.attention.self.key.weight')!.data[5] = Number.NaN;
      t.get('classifier.bias')!.data[0] = Number.POSITIVE_INFINITY;
      t.get('classifier.bias')!.data[1] = Number.NEGATIVE_INFINITY;
    });
    const model = await loadModelFolder(folder);
    expect([...model.nonFinite]).toEqual(
      expect.arrayContaining([
        ['bert.encoder.layer.0.attention.self.key.weight', 1],
        ['classifier.bias', 2],
      ]),
    );
    expect(model.nonFinite.size).toBe(2);
    expect(model.messages.find((m) => m.code === 'CHECKPOINT_NON_FINITE')?.level).toBe('warning');
    model.params.dispose();
  });

  it('a tensor above maxTensorBytes is refused before it is read', async () => {
    const message = await expectLoadError(fixture('bert-seq-cls'), 'CHECKPOINT_TENSOR_TOO_LARGE', { tensorLimit: { bytes: 40_000, label: 'a test limit' } });
    expect(message).toContain('bert.embeddings.word_embeddings.weight [328, 32] is 41,984 bytes');
  });

  it('a declared [250000, 8192] embedding is refused by the default budget from its header alone', async () => {
    const { folder, headerBytes, reads } = await hugeEmbeddingFolder(250_000, 8192);
    const message = await expectLoadError(folder, 'CHECKPOINT_TENSOR_TOO_LARGE');
    expect(message).toContain('[250000, 8192] is 8,192,000,000 bytes');
    expect(message).toContain('the 4 GiB a wasm32 heap can address');
    expect(Math.max(...reads.map(([, end]) => end))).toBeLessThanOrEqual(headerBytes);
  });

  it('a declared [250000, 1024] embedding (1 GB) is refused against a WebGPU adapter\'s buffer limits from its header alone, WASM offered', async () => {
    // Chrome's default limits (the spec's defaults: 128 MiB binding, 256 MiB buffer).
    const limits = { maxStorageBufferBindingSize: 134_217_728, maxBufferSize: 268_435_456 };
    const { folder, headerBytes, reads } = await hugeEmbeddingFolder(250_000, 1024);
    const before = tf.memory().numTensors;
    const err = (await loadModelFolder(folder, { tensorLimit: tensorLimit('webgpu', { limits }) }).catch((e: unknown) => e)) as LayerwiseError;
    expect(err).toBeInstanceOf(LayerwiseError);
    expect(err.code).toBe('CHECKPOINT_TENSOR_TOO_LARGE');
    expect(err.message).toContain('[250000, 1024] is 1,024,000,000 bytes as float32');
    expect(err.message).toContain("134,217,728-byte limit per tensor of this WebGPU adapter's maxStorageBufferBindingSize (maxBufferSize 268,435,456)");
    expect(err.message).toContain('it fits on WASM');
    expect(err.retryWith).toEqual({ backend: 'wasm' });
    expect(err.location).toEqual({ file: 'model.safetensors', tensor: 'bert.embeddings.word_embeddings.weight' });
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.max(...reads.map(([, end]) => end))).toBeLessThanOrEqual(headerBytes);
    // A maxBufferSize below the binding size is the one named; on wasm the same tensor passes the size check.
    const small = tensorLimit('webgpu', { limits: { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 29 } });
    expect(small).toMatchObject({ bytes: 2 ** 29, label: "this WebGPU adapter's maxBufferSize (maxStorageBufferBindingSize 2,147,483,648)" });
    const onWasm = (await loadModelFolder(folder, { tensorLimit: tensorLimit('wasm', { limits }) }).catch((e: unknown) => e)) as LayerwiseError;
    expect(onWasm.code).not.toBe('CHECKPOINT_TENSOR_TOO_LARGE');
  });

  it('a tensor above every backend is refused with no offer', async () => {
    const { folder } = await hugeEmbeddingFolder(250_000, 8192);
    const err = (await loadModelFolder(folder, { tensorLimit: tensorLimit('webgpu', { limits: { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28 } }) }).catch((e: unknown) => e)) as LayerwiseError;
    expect(err.code).toBe('CHECKPOINT_TENSOR_TOO_LARGE');
    expect(err.retryWith).toBeUndefined();
    expect(err.message).not.toContain('fits on');
  });
});

describe('checkpoint files', () => {
  async function sharded(): Promise<SourceFolder> {
    const folder = fixture('bert-seq-cls');
    const tensors = [...(await tensorsOf(folder.get('model.safetensors')!))];
    const half = Math.floor(tensors.length / 2);
    const shards = [tensors.slice(0, half), tensors.slice(half)];
    const names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    const weight_map = Object.fromEntries(shards.flatMap((s, i) => s.map(([n]) => [n, names[i]])));
    let out = withFile(folder, 'model.safetensors', null);
    out = withFile(out, 'model.safetensors.index.json', new TextEncoder().encode(JSON.stringify({ metadata: {}, weight_map })));
    shards.forEach((s, i) => (out = withFile(out, names[i], writeSafetensors(s, { format: 'pt' }))));
    return out;
  }

  it('a checkpoint split in two shards loads the same parameters as the single file', async () => {
    const single = await loadModelFolder(fixture('bert-seq-cls'));
    const split = await loadModelFolder(await sharded());
    expect(split.params.names().sort()).toEqual(single.params.names().sort());
    for (const n of single.params.names()) expect(Array.from(await values(split, n)), n).toEqual(Array.from(await values(single, n)));
    single.params.dispose();
    split.params.dispose();
  });

  it('a missing shard is named', async () => {
    const message = await expectLoadError(withFile(await sharded(), 'model-00002-of-00002.safetensors', null), 'SAFETENSORS_INDEX_MISSING_SHARD');
    expect(message).toContain('model-00002-of-00002.safetensors');
  });

  it('pytorch_model.bin alone: convert to safetensors', async () => {
    const folder = withFile(withFile(fixture('bert-seq-cls'), 'model.safetensors', null), 'pytorch_model.bin', new Uint8Array([0x50, 0x4b, 3, 4]));
    const message = await expectLoadError(folder, 'CHECKPOINT_PYTORCH_ONLY');
    expect(message).toContain('convert them to safetensors');
  });

  it('no config.json', async () => {
    await expectLoadError(withFile(fixture('bert-seq-cls'), 'config.json', null), 'CHECKPOINT_NO_CONFIG');
  });
});

describe('a failed load costs nothing', () => {
  it('a read failure after some variables were made disposes them all; a loaded model stays intact', async () => {
    const kept = await loadModelFolder(fixture('bert-seq-cls'));
    const keptValues = Array.from(await values(kept, 'classifier.weight'));
    const folder = fixture('bert-seq-cls');
    const real = folder.get('model.safetensors')!;
    const header = await readSafetensorsHeader(real);
    const lastBegin = header.dataStart + Math.max(...[...header.tensors.values()].map((t) => t.data_offsets[0]));
    const failing: SourceFile = {
      name: real.name,
      size: real.size,
      slice: async (start, end) => {
        if (start >= lastBegin) throw new Error('disk unplugged');
        return real.slice(start, end);
      },
    };
    const before = tf.memory().numTensors;
    await expect(loadModelFolder(new Map([...folder, ['model.safetensors', failing]]))).rejects.toThrow('disk unplugged');
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(await values(kept, 'classifier.weight'))).toEqual(keptValues);
    kept.params.dispose();
  });
});
