// The heads of a multi-task run on its one encoder (protocol/multitask.ts names them): what each head's forward pass
// reads — the encoder's parameters and its own head's, under the family's names — so that a family's forward()
// computes any head unchanged.
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../formats/hf-config';
import { headPrefix, HEADS_PREFIX } from '../../protocol/multitask';
import type { LossOptions } from '../layers/loss';
import { ParamStore } from '../params/store';

export interface TaskHead {
  name: string;
  task: 'seq-cls' | 'token-cls';
  /** The model's config with this head's classes (num_labels, id2label). */
  config: ModelConfig;
  /** Its loss beyond cross-entropy: class weights from its own data, focal γ. */
  loss: LossOptions;
  /** Its loss is multiplied by this (TaskHeadConfig.weight). */
  weight: number;
  /** The family's head names it has, each stored as `heads.<name>.<family name>`. */
  names: readonly string[];
}

/** [family name, store name] of every parameter a head's forward reads: the encoder's (as stored) and the head's own. */
export function headEntries(params: ParamStore, head: TaskHead): [string, string][] {
  const encoder = params.names().filter((n) => !n.startsWith(`${HEADS_PREFIX}.`));
  return [...encoder.map((n): [string, string] => [n, n]), ...head.names.map((n): [string, string] => [n, `${headPrefix(head.name)}${n}`])];
}

/** The tensors a head's forward pass reads, by the family's names (the store's variables themselves). */
export function headTensors(params: ParamStore, head: TaskHead): Map<string, tf.Tensor> {
  const all = params.tensors();
  return new Map(headEntries(params, head).map(([name, stored]) => [name, all.get(stored) as tf.Tensor]));
}

/** The model of one head as a store of its own names over the run's variables (ParamStore.view): evaluation, export. */
export function headStore(params: ParamStore, head: TaskHead): ParamStore {
  return ParamStore.view(params, headEntries(params, head));
}

/**
 * What a forward pass of the model as it stands reads: a multi-task model answers with its primary head (the first,
 * whose config and task are the model's, as its exported folder does), any other model with its own tensors.
 */
export function modelTensors(model: { params: ParamStore; heads?: readonly TaskHead[] | null }): ReadonlyMap<string, tf.Tensor> {
  return model.heads && model.heads.length > 0 ? headTensors(model.params, model.heads[0]) : model.params.tensors();
}
