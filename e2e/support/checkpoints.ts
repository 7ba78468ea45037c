// Checkpoint folders for the e2e journeys: the golden tiny BERT fixture (tests/golden/hf-tiny, made by
// transformers; see its README) and broken copies of it built per test (RELIABILITY M1-M5, M8).
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const BERT_SEQ_CLS = join(REPO_ROOT, 'tests', 'golden', 'hf-tiny', 'bert-seq-cls');
export const BERT_MLM = join(REPO_ROOT, 'tests', 'golden', 'hf-tiny', 'bert-mlm');
export const BERT_TOKEN_CLS = join(REPO_ROOT, 'tests', 'golden', 'hf-tiny', 'bert-token-cls');

/** Sum over the tensors of a safetensors file of the product of their shapes, read from its header. */
export async function tensorValueCount(file: string): Promise<number> {
  const bytes = await readFile(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { shape?: number[] }>;
  let total = 0;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    total += (info.shape ?? []).reduce((a, b) => a * b, 1);
  }
  return total;
}

/** A copy of the fixture folder whose model.safetensors is cut to `keepBytes` (M4: truncated data section). */
export async function truncatedCheckpoint(into: string, keepBytes: number): Promise<string> {
  const dir = join(into, 'truncated-bert');
  await mkdir(dir, { recursive: true });
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) {
    await copyFile(join(BERT_SEQ_CLS, name), join(dir, name));
  }
  const weights = await readFile(join(BERT_SEQ_CLS, 'model.safetensors'));
  await writeFile(join(dir, 'model.safetensors'), weights.subarray(0, keepBytes));
  return dir;
}

/**
 * A copy of the fixture folder whose model.safetensors is abuse_attempt_2 scaled to `entries` tensors, all at
 * data_offsets [0, 16] (RELIABILITY M8): a header of about 68 bytes per entry that the loader must refuse.
 */
export async function overlappingCheckpoint(into: string, entries: number): Promise<{ dir: string; headerBytes: number }> {
  const dir = join(into, 'overlapping-bert');
  await mkdir(dir, { recursive: true });
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) {
    await copyFile(join(BERT_SEQ_CLS, name), join(dir, name));
  }
  const many: string[] = [];
  for (let i = 0; i < entries; i++) many.push(`"weight_${i}":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}`);
  const json = Buffer.from(`{${many.join(',')}}`);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.byteLength));
  await writeFile(join(dir, 'model.safetensors'), Buffer.concat([length, json, Buffer.alloc(16)]));
  return { dir, headerBytes: json.byteLength };
}

/** The fixture's reference.json: sentences and the logits transformers computed for them (eval mode). */
export async function referenceOutputs(dir: string): Promise<{ sentences: string[]; logits: number[][] }> {
  return JSON.parse(await readFile(join(dir, 'reference.json'), 'utf8')) as { sentences: string[]; logits: number[][] };
}

/**
 * The masked-LM fixture relabelled as a 3-label sequence classifier, with a NaN and an Inf written into
 * `nanTensor` (RELIABILITY M17, M19): the loader drops the MLM head, initialises the classifier and reports both.
 */
export async function relabelledCheckpoint(into: string, nanTensor: string): Promise<string> {
  const dir = join(into, 'bert-mlm-as-classifier');
  await mkdir(dir, { recursive: true });
  for (const name of ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) await copyFile(join(BERT_MLM, name), join(dir, name));
  const config = JSON.parse(await readFile(join(BERT_MLM, 'config.json'), 'utf8')) as Record<string, unknown>;
  config.architectures = ['BertForSequenceClassification'];
  config.id2label = { 0: 'negative', 1: 'neutral', 2: 'positive' };
  config.label2id = { negative: 0, neutral: 1, positive: 2 };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const weights = Buffer.from(await readFile(join(BERT_MLM, 'model.safetensors')));
  const headerLength = Number(weights.readBigUInt64LE(0));
  const header = JSON.parse(weights.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { data_offsets: [number, number] }>;
  const start = 8 + headerLength + header[nanTensor].data_offsets[0];
  weights.writeUInt32LE(0x7fc00000, start); // NaN
  weights.writeUInt32LE(0x7f800000, start + 4); // +Inf
  await writeFile(join(dir, 'model.safetensors'), weights);
  return dir;
}
