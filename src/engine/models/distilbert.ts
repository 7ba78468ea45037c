// DistilBERT and its task heads; mirrors transformers' modeling_distilbert.py: Embeddings (word + position, no
// token types), Transformer of TransformerBlocks (q_lin/k_lin/v_lin/out_lin, sa_layer_norm, ffn.lin1/lin2,
// output_layer_norm), and the heads pre_classifier + ReLU + classifier, classifier, vocab_transform/projector.
// DistilBertConfig names its fields differently (dim, n_layers, seq_classif_dropout, ...); they are read here.
import * as tf from '@tensorflow/tfjs-core';
import type { ConfigReader, FamilyFields, ModelConfig } from '../../formats/hf-config';
import type { Task } from '../../protocol/task';
import { activation } from '../layers/activations';
import { extendedAttentionMask, selfAttention } from '../layers/attention';
import { dropout } from '../layers/dropout';
import { embedding } from '../layers/embedding';
import type { AdapterSite } from '../../protocol/bottleneck';
import { allPositions, decoderShapes, dense, depthOfName, firstToken, initKindOf, linearShapes, mlmDecoder, mlmRows, norm, normShapes, param, residualNorm, startForward, type Forward, type ShapeList } from './common';
import { encoderLayer } from './recompute';
import type { ForwardOptions, ModelFamily, ModelInputs } from './types';

const BASE = 'distilbert';
const WORDS = `${BASE}.embeddings.word_embeddings.weight`;
const POSITIONS = `${BASE}.embeddings.position_embeddings.weight`;

/** sinusoidal_pos_embds: a fixed position table that transformers creates with requires_grad False. */
const isFixed = (name: string, config: ModelConfig) => config.sinusoidal_pos_embds && name === POSITIONS;
/** vocab_projector's weight is the word embeddings (tied); its bias is a parameter of its own. */
const DECODER = { weight: 'vocab_projector.weight', bias: null };

/** DistilBertConfig's fields, with its defaults, under BERT's names. It has no token types and a fixed LayerNorm eps. */
function distilbertConfig(read: ConfigReader): FamilyFields {
  const { width, heads } = read.widthAndHeads('dim', 'n_heads');
  const hiddenAct = read.activation('activation');
  const seqClassifDropout = read.prob('seq_classif_dropout', 0.2);
  return {
    vocab_size: read.size('vocab_size', 'vocabulary'),
    hidden_size: width,
    num_hidden_layers: read.size('n_layers', 'layers'),
    num_attention_heads: heads,
    intermediate_size: read.size('hidden_dim', 'intermediate'),
    hidden_act: hiddenAct,
    max_position_embeddings: read.size('max_position_embeddings', 'positions', 512),
    type_vocab_size: 0,
    layer_norm_eps: 1e-12,
    pad_token_id: read.int('pad_token_id', 0, 0),
    hidden_dropout_prob: read.prob('dropout', 0.1),
    attention_probs_dropout_prob: read.prob('attention_dropout', 0.1),
    classifier_dropout: seqClassifDropout,
    initializer_range: read.positive('initializer_range', 0.02),
    embedding_size: width,
    sinusoidal_pos_embds: read.raw.sinusoidal_pos_embds === true,
  };
}

/** create_sinusoidal_embeddings: [n_pos, dim], sin on even columns, cos on odd, angle pos / 10000^(2⌊j/2⌋/dim). */
function sinusoidalTable(rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let pos = 0; pos < rows; pos++) {
    for (let j = 0; j < dim; j++) {
      const angle = pos / 10000 ** ((2 * Math.floor(j / 2)) / dim);
      out[pos * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

/** seq_classif_dropout (normalised into classifier_dropout) before the sequence classifier; `dropout` elsewhere. */
function headDropout(config: ModelConfig, task: Task, hidden: number): number {
  return task === 'seq-cls' ? (config.classifier_dropout ?? hidden) : hidden;
}

function shapes(config: ModelConfig, task: Task): ShapeList {
  const dim = config.hidden_size;
  const base: ShapeList = [
    [WORDS, [config.vocab_size, dim]],
    [POSITIONS, [config.max_position_embeddings, dim]],
    ...normShapes(`${BASE}.embeddings.LayerNorm`, dim),
  ];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `${BASE}.transformer.layer.${i}`;
    base.push(
      ...linearShapes(`${p}.attention.q_lin`, dim, dim),
      ...linearShapes(`${p}.attention.k_lin`, dim, dim),
      ...linearShapes(`${p}.attention.v_lin`, dim, dim),
      ...linearShapes(`${p}.attention.out_lin`, dim, dim),
      ...normShapes(`${p}.sa_layer_norm`, dim),
      ...linearShapes(`${p}.ffn.lin1`, config.intermediate_size, dim),
      ...linearShapes(`${p}.ffn.lin2`, dim, config.intermediate_size),
      ...normShapes(`${p}.output_layer_norm`, dim),
    );
  }
  switch (task) {
    case 'seq-cls':
      return [...base, ...linearShapes('pre_classifier', dim, dim), ...linearShapes('classifier', config.num_labels, dim)];
    case 'token-cls':
      return [...base, ...linearShapes('classifier', config.num_labels, dim)];
    case 'mlm':
      return [
        ...base,
        ...linearShapes('vocab_transform', dim, dim),
        ...normShapes('vocab_layer_norm', dim),
        ...decoderShapes(config, DECODER.weight, 'vocab_projector.bias', dim),
      ];
  }
}

/**
 * Embeddings: word + position, LayerNorm, dropout -> [B·S, dim]. A sinusoidal position table
 * (sinusoidal_pos_embds) is read like a learned one; transformers never trains it, so the caller freezes it.
 */
function embeddings(f: Forward, inputs: ModelInputs): tf.Tensor {
  const dim = f.config.hidden_size;
  const words = embedding(param(f, WORDS), inputs.input_ids); // [B, S, dim]
  const table = param(f, POSITIONS);
  const positions = tf.slice(table, [0, 0], [f.seq, dim]); // [S, dim], broadcast over the batch
  const sum = tf.reshape(tf.add(words, positions), [f.batch * f.seq, dim]);
  return dropout(norm(f, `${BASE}.embeddings.LayerNorm`, sum), f.rates.hidden, f.dropout);
}

/** TransformerBlock (post-LN: sa_layer_norm(attn + x), output_layer_norm(ffn + sa)): x [B·S, dim] -> [B·S, dim]. */
function transformerBlock(f: Forward, p: string, x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const shape = { batch: f.batch, seq: f.seq, numHeads: f.config.num_attention_heads };
  // MultiHeadSelfAttention
  const q = dense(f, `${p}.attention.q_lin`, x);
  const k = dense(f, `${p}.attention.k_lin`, x);
  const v = dense(f, `${p}.attention.v_lin`, x);
  const context = selfAttention(q, k, v, mask as tf.Tensor4D, shape, f.rates.attention, f.dropout);
  const sa = residualNorm(f, `${p}.attention_adapters`, `${p}.sa_layer_norm`, dense(f, `${p}.attention.out_lin`, context), x);
  // FFN: lin1, activation, lin2, dropout
  const act = activation(f.config.hidden_act);
  const ffn = dropout(dense(f, `${p}.ffn.lin2`, act(dense(f, `${p}.ffn.lin1`, sa))), f.rates.hidden, f.dropout);
  return residualNorm(f, `${p}.output_adapters`, `${p}.output_layer_norm`, ffn, sa);
}

/**
 * The adapters library's BottleneckLayers of DistilBERT (its TransformerBlock gains attention_adapters and
 * output_adapters, models/distilbert/mixin_distilbert.py), around sa_layer_norm and output_layer_norm.
 */
function adapterSites(config: ModelConfig): AdapterSite[] {
  return Array.from({ length: config.num_hidden_layers }, (_, i): AdapterSite[] => [
    { module: `${BASE}.transformer.layer.${i}.attention_adapters`, location: 'mh_adapter', layer: i },
    { module: `${BASE}.transformer.layer.${i}.output_adapters`, location: 'output_adapter', layer: i },
  ]).flat();
}

/** Transformer: every TransformerBlock -> [B·S, dim]. attentionMask int32 [B, S]. */
function transformer(f: Forward, hidden: tf.Tensor, attentionMask: tf.Tensor): tf.Tensor {
  const mask = extendedAttentionMask(attentionMask);
  let x = hidden;
  for (let i = 0; i < f.config.num_hidden_layers; i++) {
    const p = `${BASE}.transformer.layer.${i}`;
    x = encoderLayer(f, p, x, mask, (lf, input, m) => transformerBlock(lf, p, input, m));
  }
  return x;
}

/** DistilBertForMaskedLM: vocab_transform, activation, vocab_layer_norm, vocab_projector (tied) -> [B, S, V], or [M, V] at f.positions. */
function lmHead(f: Forward, hidden: tf.Tensor): tf.Tensor {
  const x = norm(f, 'vocab_layer_norm', activation(f.config.hidden_act)(dense(f, 'vocab_transform', mlmRows(f, hidden))));
  return mlmDecoder(f, x, WORDS, DECODER.weight, 'vocab_projector.bias');
}

function forward(params: ReadonlyMap<string, tf.Tensor>, inputs: ModelInputs, config: ModelConfig, task: Task, opts: ForwardOptions): tf.Tensor {
  const f = startForward(params, inputs, config, opts, headDropout(config, task, config.hidden_dropout_prob));
  const hidden = transformer(f, embeddings(f, inputs), inputs.attention_mask); // [B·S, dim]
  switch (task) {
    case 'seq-cls': {
      // DistilBertForSequenceClassification: pre_classifier, ReLU, dropout, classifier on the first token.
      const pooled = tf.relu(dense(f, 'pre_classifier', firstToken(f, hidden)));
      return dense(f, 'classifier', dropout(pooled, f.rates.classifier, f.dropout));
    }
    case 'token-cls':
      return tf.reshape(dense(f, 'classifier', dropout(hidden, f.rates.classifier, f.dropout)), [f.batch, f.seq, config.num_labels]);
    case 'mlm':
      return lmHead(f, hidden);
  }
}

export const distilbert: ModelFamily = {
  name: 'distilbert',
  modelTypes: { distilbert: 'DistilBert' },
  normaliseConfig: distilbertConfig,
  basePrefix: BASE,
  hasTokenTypes: false,
  tiedDecoder: DECODER,
  pretrainingHeads: [],
  positionLimit: allPositions,
  parameterShapes: (config, task) => new Map(shapes(config, task)),
  isHeadParam: (name) => !name.startsWith(`${BASE}.`),
  initKind: initKindOf,
  paddingRow: (name, config) => (name === WORDS ? config.pad_token_id : null),
  fixedInit: (name, shape, config) => (isFixed(name, config) ? sinusoidalTable(shape[0], shape[1]) : null),
  adapterSites,
  outputLayer: () => 'classifier',
  isFixed,
  headDropout,
  forward,
  depthOf: (name, config) => depthOfName(name, config, BASE, 'transformer.layer'),
};
