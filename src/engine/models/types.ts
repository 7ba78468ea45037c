// The contract between a model family (bert.ts, ...) and the rest of the engine: parameters by checkpoint name,
// a forward function of (parameters, inputs), and every fact about the family that the config reader, the loader,
// initialisation, input checks, training and export need, so that a family is one file and its registration.
import type * as tf from '@tensorflow/tfjs-core';
import type { ConfigFamily, ModelConfig } from '../../formats/hf-config';
import type { AdapterSite } from '../../protocol/bottleneck';
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
  /** Dropout rates; by default the config's (hidden_dropout_prob, attention_probs_dropout_prob, ModelFamily.headDropout). */
  dropout?: { hidden: number; attention: number; classifier: number };
  /** Per-step dropout seed (any integer; each dropout call derives its own nonzero seed from it). */
  seed?: number;
  /**
   * MLM only: int32 [M] flat indices into B·S of the positions whose logits are wanted (the masked ones); the
   * logits are then [M, vocab]. The decoder, the largest matmul of a small model, then runs on ~15% of the rows.
   */
  positions?: tf.Tensor;
  /**
   * Gradient checkpointing (models/recompute.ts): each encoder layer keeps only its input and is computed again in
   * the backward pass. The same values and gradients; less memory, one more forward pass. Training only.
   */
  checkpoint?: boolean;
  /** LoRA adapters in params (`${layer}.lora_A.weight`, `.lora_B.weight`): each layer's scale, and the adapters' input dropout. */
  lora?: LoraForward | null;
  /** Bottleneck adapters in params (`${site}.adapters.<name>.adapter_down.0.weight`, ...): where they are and how they compute. */
  adapters?: BottleneckForward | null;
}

/** What the forward pass needs of bottleneck adapters (params/bottleneck.ts BottleneckAdapters has these fields). */
export interface BottleneckForward {
  /** 'pfeiffer' feeds the adapter the block's LayerNorm output (original_ln_before), 'houlsby' the block's output. */
  kind: 'houlsby' | 'pfeiffer';
  /** The bottleneck's activation, a transformers name (layers/activations.ts). */
  nonLinearity: string;
  /** Site modules (AdapterSite.module) that hold an adapter; the rest compute as without adapters. */
  sites: ReadonlySet<string>;
}

/** What the forward pass needs of LoRA (params/lora.ts LoraAdapters has these fields). */
export interface LoraForward {
  /** Linear layer (checkpoint name without `.weight`) -> alpha / r; layers not listed have no adapter. */
  scaling: ReadonlyMap<string, number>;
  /** Dropout on the adapter's input in training (PEFT's lora_dropout). */
  dropout: number;
}

/** How transformers' _init_weights initialises a parameter. */
export type InitKind = 'normal' | 'zeros' | 'ones';

export interface ModelFamily extends ConfigFamily {
  /** The registry key (models/index.ts), also ModelConfig.family. */
  readonly name: string;
  /**
   * Each model_type this module computes -> transformers' class-name stem ('xlm-roberta' -> 'XLMRoberta'): the
   * supported list, and the architectures (stem + ForSequenceClassification, ...) read and exported.
   */
  readonly modelTypes: Readonly<Record<string, string>>;
  /** The base-model prefix of checkpoint names: 'bert' | 'roberta' | 'distilbert' | 'electra'. */
  readonly basePrefix: string;
  /** Whether token_type_ids reach the model (DistilBERT has no token type embedding and ignores them). */
  readonly hasTokenTypes: boolean;
  /**
   * The MLM decoder tensors transformers ties and save_pretrained may still write: the weight (the word embeddings
   * when tie_word_embeddings; a parameter of its own otherwise) and, where the decoder has a bias attribute of its
   * own, that bias (always the head's bias). The loader drops them as tied copies.
   */
  readonly tiedDecoder: { weight: string; bias: string | null };
  /** Module prefixes of pre-training heads that no task of the studio has; the loader drops their tensors. */
  readonly pretrainingHeads: readonly string[];
  /**
   * The longest sequence the position table covers, and what the table loses to padding where it is shorter
   * than max_position_embeddings (said in INPUT_TOO_LONG).
   */
  positionLimit(config: ModelConfig): { length: number; lost: string | null };
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
  /** The row of an embedding built with padding_idx = pad_token_id, which transformers zeroes at init; null elsewhere. */
  paddingRow(name: string, config: ModelConfig): number | null;
  /** The values of a parameter transformers initialises to a fixed table (DistilBERT's sinusoidal positions), or null. */
  fixedInit(name: string, shape: readonly number[], config: ModelConfig): Float32Array | null;
  /** A parameter transformers never trains, whatever the run says (a fixed table: DistilBERT's sinusoidal positions). */
  isFixed(name: string, config: ModelConfig): boolean;
  /**
   * Where the adapters library puts a bottleneck adapter in each encoder layer (its BottleneckLayer modules): after
   * the attention output ('mh_adapter') and after the feed-forward block ('output_adapter'), in layer order.
   */
  adapterSites(config: ModelConfig): AdapterSite[];
  /** The module prefix of the linear layer that gives a classification head's logits ('classifier', 'classifier.out_proj'). */
  outputLayer(task: 'seq-cls' | 'token-cls'): string;
  /**
   * The dropout before the task head's last linear layer, given the hidden dropout rate in force (the config's,
   * or a run's override), as transformers' *For* classes choose it.
   */
  headDropout(config: ModelConfig, task: Task, hidden: number): number;
  /**
   * Logits: [B, num_labels] (seq-cls), [B, S, num_labels] (token-cls), [B, S, vocab] (mlm). params holds every
   * name of parameterShapes (Variables for trainable ones, plain tensors for frozen ones).
   */
  forward(params: ReadonlyMap<string, tf.Tensor>, inputs: ModelInputs, config: ModelConfig, task: Task, opts: ForwardOptions): tf.Tensor;
  /** Depth for layer-wise LR decay: 0 = embeddings, 1..L = encoder layer index + 1, L + 1 = pooler/head. */
  depthOf(name: string, config: ModelConfig): number;
}
