// Friendlier refusals (issue #15 item 8): a config.json without model_type is read by the family its architectures
// or tensor names show (or the error says which field to add); a folder or a symbolic link that loops, named
// model.safetensors, is said to be that rather than missing; a header that is not JSON is not "a boolean"; the same
// tensor name twice is a duplicate, not an offset overlap; a short CoNLL file, or one saved as .tsv, is read as CoNLL.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../src/cli/node-files';
import { exportedConfig } from '../../src/engine/export/model-folder';
import { loadModelFolder } from '../../src/engine/load';
import { readModelConfig } from '../../src/engine/model-folder-files';
import { detectFormat, readDataset } from '../../src/formats/datasets/index';
import { parseSafetensorsHeader } from '../../src/formats/safetensors';
import { bytesFile, type SourceFolder } from '../../src/formats/source-file';

const GOLDEN = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-refusals-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => tf.setBackend('cpu'));

const weights = new Uint8Array(readFileSync(path.join(GOLDEN, 'model.safetensors')));
const headerLength = Number(new DataView(weights.buffer, weights.byteOffset).getBigUint64(0, true));
const header = JSON.parse(new TextDecoder().decode(weights.subarray(8, 8 + headerLength))) as Record<string, unknown>;

/** A safetensors file of the fixture's data with this header text (padded to a multiple of 8). */
function withHeader(text: string): Uint8Array {
  const padded = text + ' '.repeat((8 - (text.length % 8)) % 8);
  const bytes = new TextEncoder().encode(padded);
  const out = new Uint8Array(8 + bytes.length + weights.length - 8 - headerLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
  out.set(bytes, 8);
  out.set(weights.subarray(8 + headerLength), 8 + bytes.length);
  return out;
}

/** The fixture folder in memory with config.json edited and, optionally, the tensors renamed. */
function folderWith(config: (c: Record<string, unknown>) => void, rename?: (name: string) => string): SourceFolder {
  const folder = new Map(nodeFolder(GOLDEN));
  const c = JSON.parse(readFileSync(path.join(GOLDEN, 'config.json'), 'utf8')) as Record<string, unknown>;
  config(c);
  folder.set('config.json', bytesFile('config.json', new TextEncoder().encode(JSON.stringify(c))));
  if (rename) {
    const renamed = Object.fromEntries(Object.entries(header).map(([k, v]) => [k === '__metadata__' ? k : rename(k), v]));
    folder.set('model.safetensors', bytesFile('model.safetensors', withHeader(JSON.stringify(renamed))));
  }
  return folder;
}

describe('config.json without model_type', () => {
  it('its architectures name the family: read as bert, with a note; the exported config.json carries model_type', async () => {
    const model = await loadModelFolder(folderWith((c) => delete c.model_type));
    try {
      expect(model.config.model_type).toBe('bert');
      expect(model.messages.map((m) => m.message)).toContain('config.json has no "model_type": read as bert (its architectures name BertForSequenceClassification)');
      expect(exportedConfig(model.rawConfig, model.config, model.task).model_type).toBe('bert');
    } finally {
      model.params.dispose();
    }
  });

  it('no architectures either: the tensor names\' base prefix tells it', async () => {
    const parsed = await readModelConfig(folderWith((c) => {
      delete c.model_type;
      delete c.architectures;
    }));
    expect(parsed.config.family).toBe('bert');
    expect(parsed.notes).toContain('config.json has no "model_type": read as bert (the weights\' tensor names start with bert., e.g. bert.embeddings.LayerNorm.bias)');
    const distil = JSON.parse(readFileSync(path.join(GOLDEN, '..', 'distilbert-seq-cls', 'config.json'), 'utf8')) as Record<string, unknown>;
    delete distil.model_type;
    const fromArch = await readModelConfig(new Map([['config.json', bytesFile('config.json', new TextEncoder().encode(JSON.stringify(distil)))]]));
    expect(fromArch.config.family).toBe('distilbert');
  });

  it('nothing tells (bare tensor names): CONFIG_MODEL_TYPE_MISSING says which field to add', async () => {
    const folder = folderWith(
      (c) => {
        delete c.model_type;
        delete c.architectures;
      },
      (name) => name.replace(/^bert\./, ''),
    );
    await expect(loadModelFolder(folder, { task: 'seq-cls' })).rejects.toMatchObject({
      code: 'CONFIG_MODEL_TYPE_MISSING',
      message: expect.stringMatching(/^config\.json has no "model_type", .*: add "model_type": "bert" \(or roberta, xlm-roberta, camembert, distilbert, electra\) to config\.json$/),
      location: { file: 'config.json', field: 'model_type' },
    });
  });
});

describe('model.safetensors that is not a file', () => {
  function folderOnDisk(name: string, make: (weights: string) => void): string {
    const dir = path.join(work, name);
    mkdirSync(dir);
    for (const f of ['config.json', 'vocab.txt', 'tokenizer_config.json']) copyFileSync(path.join(GOLDEN, f), path.join(dir, f));
    make(path.join(dir, 'model.safetensors'));
    return dir;
  }

  it('a folder, a link that loops and a link to nothing are named as such, never "no model.safetensors"', async () => {
    const cases: [string, (p: string) => void, RegExp][] = [
      ['folder', (p) => mkdirSync(p), /^model\.safetensors is a folder, not a file \(in .*folder\)$/],
      ['loop', (p) => symlinkSync('model.safetensors', p), /^model\.safetensors is a symbolic link that loops \(ELOOP\)/],
      ['dangling', (p) => symlinkSync('gone.safetensors', p), /^model\.safetensors is a symbolic link to gone\.safetensors, which does not exist/],
    ];
    for (const [name, make, message] of cases) {
      await expect(loadModelFolder(nodeFolder(folderOnDisk(name, make))), name).rejects.toMatchObject({ code: 'CHECKPOINT_FILE_UNREADABLE', message: expect.stringMatching(message), location: { file: 'model.safetensors' } });
    }
  });

  it('a link to a real file is followed (the Hugging Face cache links snapshot files to blobs)', async () => {
    const blob = path.join(work, 'blob');
    writeFileSync(blob, weights);
    const model = await loadModelFolder(nodeFolder(folderOnDisk('linked', (p) => symlinkSync(blob, p))));
    expect(model.params.names()).toContain('classifier.weight');
    model.params.dispose();
  });
});

describe('safetensors headers', () => {
  it('text that is not JSON is said to be that, not "a boolean"; true still is a boolean', () => {
    expect(() => parseSafetensorsHeader(withHeader('this is not json'), 'model.safetensors')).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION', message: 'model.safetensors: the header must be a JSON object; found text that is not JSON: "this is not json"' }),
    );
    expect(() => parseSafetensorsHeader(withHeader('true'), 'model.safetensors')).toThrow(expect.objectContaining({ message: 'model.safetensors: the header must be a JSON object; found a boolean' }));
  });

  it('a tensor entry written twice, offsets and all, is SAFETENSORS_DUPLICATE_NAME, not an overlap', () => {
    const [first] = Object.keys(header).filter((k) => k !== '__metadata__');
    const text = JSON.stringify(header).slice(0, -1) + `,${JSON.stringify(first)}:${JSON.stringify(header[first])}}`;
    expect(() => parseSafetensorsHeader(withHeader(text), 'model.safetensors')).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_DUPLICATE_NAME', message: `model.safetensors: tensor ${JSON.stringify(first)} is declared twice in the header; the safetensors format forbids duplicate names` }),
    );
  });
});

describe('CoNLL without --format conll', () => {
  const read = (name: string, text: string) => readDataset(bytesFile(name, new TextEncoder().encode(text)));

  it('one short sentence, no blank line, no final newline: CoNLL', async () => {
    for (const text of ['John B-PER\nlives O\nin O\nParis B-LOC', 'John B-PER\nlives O\n\n']) {
      const ds = await read('ner.txt', text);
      expect(ds.format, text).toBe('conll');
      expect(ds.kind === 'tokens' && ds.sentences.map((s) => s.tags)).toEqual([text.startsWith('John B-PER\nlives O\nin') ? ['B-PER', 'O', 'O', 'B-LOC'] : ['B-PER', 'O']]);
    }
  });

  it('tokens and IOB tags in blank-line-separated sentences saved as .tsv: CoNLL, with the reason', async () => {
    const ds = await read('ner.tsv', 'John\tB-PER\nlives\tO\n\nMary\tB-PER\nsleeps\tO\n');
    expect(ds.format).toBe('conll');
    expect(ds.warnings[0].message).toMatch(/the \.tsv file holds tokens and IOB tags in sentences separated by blank lines/);
  });

  it('text lines and classification rows are not taken for CoNLL', () => {
    expect(detectFormat('notes.txt', 'hello world\nhow are you\n', true).format).toBe('txt');
    expect(detectFormat('rows.tsv', 'great film\tpos\nawful film\tneg\nfine\tpos\n', true).format).toBe('tsv');
    expect(detectFormat('rows.tsv', 'text\tlabel\ngreat film\tO\nawful film\tB-X\n', true).format).toBe('tsv');
  });
});
