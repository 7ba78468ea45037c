// Test helpers for the training loop: the hf-tiny fixtures as step models, their reference batches as encoded
// datasets, small seeded synthetic datasets (a label that the tokens decide, so that a model can learn it), and
// comparisons of weight maps.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeFile } from '../../../src/cli/node-files';
import { readSafetensorsHeader, readTensorFloat32 } from '../../../src/formats/safetensors';
import type { EncodedDataset, EncodedExample } from '../../../src/engine/data/encode';
import { getModelFamily, parseModelConfig } from '../../../src/engine/models/index';
import { ParamStore, type ParamValues } from '../../../src/engine/params/store';
import type { StepModel } from '../../../src/engine/train/step';
import { createRng } from '../../../src/lib/random';
import type { Task } from '../../../src/protocol/task';

export const GOLDEN = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');

export interface Reference {
  inputs: { input_ids: number[][]; attention_mask: number[][]; token_type_ids?: number[][] };
  labels: number[] | number[][];
  logits: number[][] | number[][][];
  loss: number;
}

export async function readTensors(file: string): Promise<Map<string, ParamValues>> {
  const source = nodeFile(file);
  const header = await readSafetensorsHeader(source);
  const out = new Map<string, ParamValues>();
  for (const [name, info] of header.tensors) out.set(name, { shape: info.shape.map(Number), data: await readTensorFloat32(source, header, name) });
  return out;
}

export function reference(fixture: string): Reference {
  return JSON.parse(readFileSync(path.join(GOLDEN, fixture, 'reference.json'), 'utf8')) as Reference;
}

/** A fixture's model with a fresh store of its weights; the caller disposes model.params. */
export async function fixtureModel(fixture: string, task: Task): Promise<StepModel> {
  const { config } = parseModelConfig(readFileSync(path.join(GOLDEN, fixture, 'config.json'), 'utf8'));
  const weights = await readTensors(path.join(GOLDEN, fixture, 'model.safetensors'));
  return { family: getModelFamily(config), config, task, params: ParamStore.fromValues(weights) };
}

function encoded(task: Task, examples: EncodedExample[], id2label: string[]): EncodedDataset {
  return {
    task,
    examples,
    source: examples.map((_, i) => i),
    label2id: new Map(id2label.map((l, i) => [l, i])),
    id2label,
    maxLength: 64,
    truncated: 0,
    skipped: [],
    warnings: [],
  };
}

/** The fixture's reference batch as unpadded examples, with its labels. */
export function referenceDataset(fixture: string, task: Task, id2label: string[]): EncodedDataset {
  const ref = reference(fixture);
  const examples = ref.inputs.input_ids.map((row, k): EncodedExample => {
    const len = ref.inputs.attention_mask[k].reduce((a, b) => a + b, 0);
    const types = ref.inputs.token_type_ids?.[k] ?? row.map(() => 0);
    return {
      ids: Int32Array.from(row.slice(0, len)),
      typeIds: Uint8Array.from(types.slice(0, len)),
      label: task === 'seq-cls' ? (ref.labels as number[])[k] : -1,
      tokenLabels: task === 'token-cls' ? Int32Array.from((ref.labels as number[][])[k].slice(0, len)) : undefined,
    };
  });
  return encoded(task, examples, id2label);
}

/**
 * n seeded examples of [CLS] w… [SEP] with words from ids 5..vocab-1. seq-cls: the label is whether more than
 * half of the words are below the middle of the range; token-cls: each word's tag from its id (O / B-X / I-X
 * pattern), with -100 on the special tokens and on every second subword of some words.
 */
export function syntheticDataset(task: Task, n: number, seed: number, vocab = 328, classes = 3): EncodedDataset {
  const rng = createRng(seed, 7);
  const mid = (5 + vocab) / 2;
  const examples: EncodedExample[] = [];
  for (let i = 0; i < n; i++) {
    const words = 3 + rng.int(9);
    const ids = [2];
    for (let w = 0; w < words; w++) ids.push(5 + rng.int(vocab - 5));
    ids.push(3);
    const low = ids.slice(1, -1).filter((id) => id < mid).length;
    const tokenLabels = ids.map((id, j) => (j === 0 || j === ids.length - 1 || (j % 5 === 4) ? -100 : id % classes));
    examples.push({
      ids: Int32Array.from(ids),
      typeIds: new Uint8Array(ids.length),
      label: task === 'seq-cls' ? (low * 2 > words ? 1 : 0) % classes : -1,
      tokenLabels: task === 'token-cls' ? Int32Array.from(tokenLabels) : undefined,
    });
  }
  const id2label = task === 'token-cls' ? ['B-X', 'I-X', 'O'].slice(0, classes) : Array.from({ length: classes }, (_, i) => `LABEL_${i}`);
  return encoded(task, examples, id2label);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = d;
  }
  return worst;
}

/** Largest difference over the tensors of `expected`, and where. */
export function worstDiff(actual: Map<string, ArrayLike<number>>, expected: Map<string, ArrayLike<number>>): { name: string; diff: number } {
  let worst = { name: '(none)', diff: 0 };
  for (const [name, e] of expected) {
    const a = actual.get(name);
    const diff = a === undefined ? Infinity : maxAbsDiff(a, e);
    if (!(diff <= worst.diff)) worst = { name, diff };
  }
  return worst;
}

export function bitEqual(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
