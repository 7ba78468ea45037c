// Test helper: the hf-tiny golden fixtures (tests/golden/hf-tiny, made by transformers 5.17 + PyTorch) read
// straight from their files, and the comparisons the golden tests make against them.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { nodeFile } from '../../../src/cli/node-files';
import type { ModelConfig } from '../../../src/formats/hf-config';
import { parseModelConfig, type ModelFamilyName } from '../../../src/engine/models/index';
import { readSafetensorsHeader, readTensorFloat32 } from '../../../src/formats/safetensors';
import type { Task } from '../../../src/protocol/task';

export const FIXTURE_ROOT = resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');
export const FIXTURES = ['bert-seq-cls', 'bert-token-cls', 'bert-mlm', 'distilbert-seq-cls', 'roberta-seq-cls'] as const;

const TASKS: Record<string, Task> = { seq: 'seq-cls', tok: 'token-cls', mlm: 'mlm' };

export interface Reference {
  inputs: { input_ids: number[][]; attention_mask: number[][]; token_type_ids?: number[][] };
  labels: number[] | number[][];
  logits: number[][] | number[][][];
  loss: number;
  task: string;
}

export interface Fixture {
  name: string;
  config: ModelConfig;
  task: Task;
  reference: Reference;
  /** model.safetensors: checkpoint name -> [shape, values]. */
  weights: Map<string, { shape: number[]; data: Float32Array }>;
  /** reference_grads.safetensors: checkpoint name -> [shape, values]. */
  grads: Map<string, { shape: number[]; data: Float32Array }>;
}

async function readAllTensors(path: string): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const file = nodeFile(path);
  const header = await readSafetensorsHeader(file);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, info] of header.tensors) out.set(name, { shape: info.shape, data: await readTensorFloat32(file, header, name) });
  return out;
}

export async function loadFixture(name: string): Promise<Fixture> {
  const dir = join(FIXTURE_ROOT, name);
  const { config } = parseModelConfig(readFileSync(join(dir, 'config.json'), 'utf8'));
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  return {
    name,
    config,
    task: TASKS[reference.task],
    reference,
    weights: await readAllTensors(join(dir, 'model.safetensors')),
    grads: await readAllTensors(join(dir, 'reference_grads.safetensors')),
  };
}

/** One trainable variable per checkpoint tensor, by name. The caller disposes them. */
export function toVariables(weights: Map<string, { shape: number[]; data: Float32Array }>): Map<string, tf.Variable> {
  return new Map([...weights].map(([name, w]) => [name, tf.variable(tf.tensor(w.data, w.shape, 'float32'), true)]));
}

export function inputTensors(inputs: Reference['inputs']) {
  return {
    input_ids: tf.tensor2d(inputs.input_ids, undefined, 'int32'),
    attention_mask: tf.tensor2d(inputs.attention_mask, undefined, 'int32'),
    token_type_ids: inputs.token_type_ids ? tf.tensor2d(inputs.token_type_ids, undefined, 'int32') : undefined,
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = d; // NaN counts as worst
  }
  return worst;
}

/** The largest |ours - reference| over every tensor, and the tensor where it occurs. */
export function worstTensor(
  ours: Map<string, Float32Array>,
  reference: Map<string, { shape: number[]; data: Float32Array }>,
): { name: string; diff: number } {
  let worst = { name: '(none)', diff: 0 };
  for (const [name, ref] of reference) {
    const mine = ours.get(name);
    const diff = mine === undefined ? Infinity : maxAbsDiff(mine, ref.data);
    if (!(diff <= worst.diff)) worst = { name, diff };
  }
  return worst;
}

/** A tiny normalised config of any family (vocabulary 20, hidden 8, 2 layers), for tests of shapes and paths. */
export function tinyConfig(family: ModelFamilyName, extra: Partial<ModelConfig> = {}): ModelConfig {
  return {
    model_type: family,
    family,
    vocab_size: 20,
    hidden_size: 8,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 12,
    hidden_act: 'gelu',
    max_position_embeddings: 16,
    type_vocab_size: family === 'distilbert' ? 0 : 2,
    layer_norm_eps: 1e-12,
    pad_token_id: family === 'roberta' ? 1 : 0,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    classifier_dropout: null,
    initializer_range: 0.02,
    embedding_size: 8,
    sinusoidal_pos_embds: false,
    num_labels: 3,
    id2label: ['A', 'B', 'C'],
    architectures: [],
    tie_word_embeddings: true,
    ...extra,
  };
}
