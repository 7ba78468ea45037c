// Pieces every model family shares: reading a parameter by name, dense and LayerNorm modules addressed by their
// checkpoint prefix, dropout rates, the tied MLM decoder, init kinds and layer depths, and the facts most families
// state alike (head dropout, position limit, no fixed tables).
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import type { ModelConfig } from '../../formats/hf-config';
import { dropout, dropoutContext, type DropoutContext } from '../layers/dropout';
import { embedding } from '../layers/embedding';
import { layerNorm } from '../layers/layer-norm';
import { linear } from '../layers/linear';
import { activation } from '../layers/activations';
import type { BottleneckForward, ForwardOptions, InitKind, LoraForward, ModelFamily, ModelInputs } from './types';
import { bottleneckModule } from '../../protocol/bottleneck';

export interface DropoutRates {
  hidden: number;
  attention: number;
  /** The dropout right before the task head's last linear layer. */
  classifier: number;
}

/** What a forward pass reads everywhere: parameters, config, batch shape, dropout. */
export interface Forward {
  params: ReadonlyMap<string, tf.Tensor>;
  config: ModelConfig;
  batch: number;
  seq: number;
  rates: DropoutRates;
  dropout: DropoutContext;
  /** ForwardOptions.positions: the rows the MLM head runs on; null for all of them. */
  positions: tf.Tensor | null;
  /** ForwardOptions.checkpoint: encoder layers recomputed in the backward pass (recompute.ts). */
  checkpoint: boolean;
  /** ForwardOptions.lora: the adapted layers' scales; null without adapters. */
  lora: LoraForward | null;
  /** ForwardOptions.adapters: the bottleneck adapters' sites and kind; null without them. */
  adapters: BottleneckForward | null;
}

/** classifierDefault: the family's headDropout at the config's rates, for when opts.dropout does not set one. */
export function startForward(
  params: ReadonlyMap<string, tf.Tensor>,
  inputs: ModelInputs,
  config: ModelConfig,
  opts: ForwardOptions,
  classifierDefault: number,
): Forward {
  const [batch, seq] = inputs.input_ids.shape;
  const rates = opts.dropout ?? {
    hidden: config.hidden_dropout_prob,
    attention: config.attention_probs_dropout_prob,
    classifier: classifierDefault,
  };
  // Without a seed, training dropout is not reproducible; the step loop passes one per step.
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  return { params, config, batch, seq, rates, dropout: dropoutContext(opts.training, seed), positions: opts.positions ?? null, checkpoint: opts.checkpoint === true, lora: opts.lora ?? null, adapters: opts.adapters ?? null };
}

export function param(f: Forward, name: string): tf.Tensor {
  const t = f.params.get(name);
  if (t === undefined) throw new LayerwiseError('MODEL_MISSING_PARAMETER', `the model has no parameter ${name}`, { tensor: name });
  return t;
}

/**
 * The nn.Linear module at `prefix` (`prefix.weight` [out, in], `prefix.bias` [out]); with a LoRA adapter, PEFT's
 * lora.Linear: W·x + b + scaling · B·A·dropout(x), A [r, in], B [out, r].
 */
export function dense(f: Forward, prefix: string, x: tf.Tensor): tf.Tensor {
  const y = linear(x, param(f, `${prefix}.weight`), param(f, `${prefix}.bias`));
  const scaling = f.lora?.scaling.get(prefix);
  if (scaling === undefined) return y;
  const down = linear(dropout(x, (f.lora as LoraForward).dropout, f.dropout), param(f, `${prefix}.lora_A.weight`)); // [N, r]
  return tf.add(y, tf.mul(linear(down, param(f, `${prefix}.lora_B.weight`)), scaling));
}

/** The nn.LayerNorm module at `prefix`. DistilBERT passes its fixed 1e-12 through config.layer_norm_eps. */
export function norm(f: Forward, prefix: string, x: tf.Tensor): tf.Tensor {
  return layerNorm(x, param(f, `${prefix}.weight`), param(f, `${prefix}.bias`), f.config.layer_norm_eps);
}

/**
 * LayerNorm(hidden + input) where a sub-block's output h [B·S, H] meets its residual `input`, with the bottleneck
 * adapter of `site` when the run has one there: the adapters library's BottleneckLayer.bottleneck_layer_forward with
 * one Adapter (pre_forward, forward, post_forward; scaling 1, no adapter LayerNorms, residual_before_ln True):
 *   houlsby (original_ln_before False): LN(h + up(act(down(h))) + input)
 *   pfeiffer (original_ln_before True):  LN(h + up(act(down(LN(h + input)))) + input), the same LN twice.
 */
export function residualNorm(f: Forward, site: string, ln: string, hidden: tf.Tensor, input: tf.Tensor): tf.Tensor {
  const a = f.adapters;
  if (a === null || !a.sites.has(site)) return norm(f, ln, tf.add(hidden, input));
  const m = bottleneckModule(site);
  const x = a.kind === 'pfeiffer' ? norm(f, ln, tf.add(hidden, input)) : hidden;
  const down = activation(a.nonLinearity)(linear(x, param(f, `${m}.adapter_down.0.weight`), param(f, `${m}.adapter_down.0.bias`))); // [B·S, d]
  const adapted = tf.add(linear(down, param(f, `${m}.adapter_up.weight`), param(f, `${m}.adapter_up.bias`)), hidden); // [B·S, H]
  return norm(f, ln, tf.add(adapted, input));
}

/** hidden [B·S, H] -> [B, H]: the first token of each sequence ([CLS] / <s>). */
export function firstToken(f: Forward, hidden: tf.Tensor): tf.Tensor2D {
  const width = hidden.shape[1] as number;
  return tf.reshape(tf.slice(tf.reshape(hidden, [f.batch, f.seq, width]), [0, 0, 0], [f.batch, 1, width]), [f.batch, width]);
}

/**
 * The two-layer classification head on the first token that RoBERTa and ELECTRA share (RobertaClassificationHead,
 * ElectraClassificationHead): dropout, classifier.dense, act, dropout, classifier.out_proj -> [B, C].
 */
export function classificationHead(f: Forward, hidden: tf.Tensor, act: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const x = dropout(firstToken(f, hidden), f.rates.classifier, f.dropout);
  const y = dropout(act(dense(f, 'classifier.dense', x)), f.rates.classifier, f.dropout);
  return dense(f, 'classifier.out_proj', y);
}

/** Its parameters: classifier.dense [H, H] and classifier.out_proj [C, H]. */
export function classificationHeadShapes(config: ModelConfig): ShapeList {
  const h = config.hidden_size;
  return [...linearShapes('classifier.dense', h, h), ...linearShapes('classifier.out_proj', config.num_labels, h)];
}

/**
 * The MLM output layer: x [B·S, E] -> logits [B, S, V] with the decoder tied to the word embeddings (the
 * checkpoint stores only the bias), or its own weight `untiedWeight` when config.tie_word_embeddings is false.
 */
export function mlmDecoder(f: Forward, x: tf.Tensor, wordEmbeddings: string, untiedWeight: string, bias: string): tf.Tensor {
  const weight = param(f, f.config.tie_word_embeddings ? wordEmbeddings : untiedWeight);
  const logits = linear(x, weight, param(f, bias));
  return f.positions === null ? tf.reshape(logits, [f.batch, f.seq, f.config.vocab_size]) : logits;
}

/** hidden [B·S, H] -> the rows the MLM head runs on: [M, H] at f.positions, or all of them. */
export function mlmRows(f: Forward, hidden: tf.Tensor): tf.Tensor {
  // A row lookup whose gradient is a ScatterNd (layers/embedding.ts): tf.gather's needs a kernel wasm lacks.
  return f.positions === null ? hidden : embedding(hidden, f.positions);
}

export type ShapeList = [string, number[]][];

export function linearShapes(prefix: string, outFeatures: number, inFeatures: number): ShapeList {
  return [
    [`${prefix}.weight`, [outFeatures, inFeatures]],
    [`${prefix}.bias`, [outFeatures]],
  ];
}

export function normShapes(prefix: string, width: number): ShapeList {
  return [
    [`${prefix}.weight`, [width]],
    [`${prefix}.bias`, [width]],
  ];
}

/** The MLM decoder's own weight when it is not tied, then its bias. */
export function decoderShapes(config: ModelConfig, untiedWeight: string, bias: string, width: number): ShapeList {
  const weight: ShapeList = config.tie_word_embeddings ? [] : [[untiedWeight, [config.vocab_size, width]]];
  return [...weight, [bias, [config.vocab_size]]];
}

/** Shared by every family: checkpoint names say what kind of module a parameter belongs to. */
export function initKindOf(name: string): InitKind {
  if (name.endsWith('.bias')) return 'zeros';
  if (/(LayerNorm|layer_norm)\.weight$/.test(name)) return 'ones';
  return 'normal';
}

/**
 * Depth for layer-wise LR decay: names under `${base}.${layers}.N.` are layer N + 1, the rest of the base model
 * is the embeddings (0), everything else (pooler, heads) is L + 1.
 */
export function depthOfName(name: string, config: ModelConfig, base: string, layers: string, head: readonly string[] = []): number {
  const top = config.num_hidden_layers + 1;
  if (!name.startsWith(`${base}.`) || head.some((h) => name.startsWith(`${base}.${h}.`))) return top;
  const m = new RegExp(`^${base}\\.${layers.replace(/\./g, '\\.')}\\.(\\d+)\\.`).exec(name);
  return m ? Number(m[1]) + 1 : 0;
}

/** transformers' *For* heads of BERT, RoBERTa and ELECTRA: classifier_dropout, else the hidden dropout. */
export const classifierOrHidden: ModelFamily['headDropout'] = (config, _task, hidden) => config.classifier_dropout ?? hidden;

/** A position table whose every row is a position (positions 0..S-1). */
export const allPositions: ModelFamily['positionLimit'] = (config) => ({ length: config.max_position_embeddings, lost: null });

/** Every parameter is drawn as its init kind says. */
export const noFixedInit: ModelFamily['fixedInit'] = () => null;
export const neverFixed: ModelFamily['isFixed'] = () => false;
