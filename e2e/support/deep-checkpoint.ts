// A deep copy of the tiny BERT for the layer-tree journey: the fixture's layer 0 repeated `layers` times (a
// 1,000-node tree for 48 layers), written as a valid safetensors file (header padded to 8 bytes, offsets in
// order) with config.json's num_hidden_layers to match. The weights are the fixture's; only the depth is new.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BERT_SEQ_CLS } from './checkpoints';

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export async function deepCheckpoint(into: string, layers: number): Promise<string> {
  const dir = join(into, `bert-${layers}-layers`);
  await mkdir(dir, { recursive: true });
  for (const name of ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) await copyFile(join(BERT_SEQ_CLS, name), join(dir, name));
  const config = JSON.parse(await readFile(join(BERT_SEQ_CLS, 'config.json'), 'utf8')) as Record<string, unknown>;
  config.num_hidden_layers = layers;
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));

  const bytes = await readFile(join(BERT_SEQ_CLS, 'model.safetensors'));
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, Entry>;
  const data = (e: Entry) => bytes.subarray(8 + headerLength + e.data_offsets[0], 8 + headerLength + e.data_offsets[1]);
  const tensors: [string, Entry][] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__' || /^bert\.encoder\.layer\.[1-9]/.test(name)) continue;
    if (name.startsWith('bert.encoder.layer.0.')) {
      for (let i = 0; i < layers; i++) tensors.push([name.replace('layer.0.', `layer.${i}.`), entry]);
    } else tensors.push([name, entry]);
  }
  const out: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, entry] of tensors) {
    const chunk = data(entry);
    out[name] = { dtype: entry.dtype, shape: entry.shape, data_offsets: [offset, offset + chunk.length] };
    chunks.push(chunk);
    offset += chunk.length;
  }
  let json = JSON.stringify(out);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  await writeFile(join(dir, 'model.safetensors'), Buffer.concat([length, Buffer.from(json), ...chunks]));
  return dir;
}
