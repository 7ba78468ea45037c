// The contract between a model family (bert.ts, ...) and the rest of the engine: parameters by checkpoint name,
// a forward function of (parameters, inputs), and the facts the loader, the optimizer and the layer tree need.
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, ModelFamilyName } from '../../formats/hf-config';
import type { Task } from '../../protocol/task';

export interface ModelInputs {
  /** int32 [B, S], validated by validateInputIds before it becomes a tensor. */
  input_ids: tf.Tensor2D;
  /** int32 [B, S]: 1 for tokens to attend to, 0 for padding. */
  attention_mask: tf.Tensor2D;
  /** int32 [B, S]; zeros where absent. Ignored by families without token types (DistilBERT). */
  token_type_ids?: tf.Tensor2D;
}

export interface ForwardOptions {
  /** Dropout is active only when training (torch's model.train()). */
  training: boolean;
  /** Dropout rates; by default the config's (hidden_dropout_prob, attention_probs_dropout_prob, the head's own). */
  dropout?: { hidden: number; attention: number; classifier: number };
  /** Per-step dropout seed (any integer; each dropout call derives its own nonzero seed from it). */
  seed?: number;
  /**
   * MLM only: int32 [M] flat indices into B·S of the positions whose logits are wanted (the masked ones); the
   * logits are then [M, vocab]. The decoder, the largest matmul of a small model, then runs on ~15% of the rows.
   */
  positions?: tf.Tensor;
}

/** How transformers' _init_weights initialises a parameter. */
export type InitKind = 'normal' | 'zeros' | 'ones';

export interface ModelFamily {
  readonly name: ModelFamilyName;
  /** The base-model prefix of checkpoint names: 'bert' | 'roberta' | 'distilbert' | 'electra'. */
  readonly basePrefix: string;
  /**
   * Every parameter of base model + task head: checkpoint name -> shape ([out, in] for linear weights), in a
   * stable order. Tied weights appear once (under the name the checkpoint stores).
   */
  parameterShapes(config: ModelConfig, task: Task): Map<string, number[]>;
  /** Names of the task head (allowed to be missing at load: freshly initialised). */
  isHeadParam(name: string, task: Task): boolean;
  /**
   * normal(0, initializer_range) for Linear/Embedding weights (padding row zeroed), zeros for biases, ones for
   * LayerNorm weights.
   */
  initKind(name: string): InitKind;
  /**
   * Logits: [B, num_labels] (seq-cls), [B, S, num_labels] (token-cls), [B, S, vocab] (mlm). params holds every
   * name of parameterShapes (Variables for trainable ones, plain tensors for frozen ones).
   */
  forward(params: ReadonlyMap<string, tf.Tensor>, inputs: ModelInputs, config: ModelConfig, task: Task, opts: ForwardOptions): tf.Tensor;
  /** Depth for layer-wise LR decay: 0 = embeddings, 1..L = encoder layer index + 1, L + 1 = pooler/head. */
  depthOf(name: string, config: ModelConfig): number;
}
