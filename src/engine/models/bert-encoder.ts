// The embeddings and encoder that BERT, RoBERTa and ELECTRA share, with BERT's module names
// (`embeddings.word_embeddings`, `encoder.layer.N.attention.self.query`, ...), and their config fields, which
// RobertaConfig and ElectraConfig name as BertConfig does. Mirrors transformers' BertConfig, BertEmbeddings,
// BertSelfAttention, BertSelfOutput, BertIntermediate, BertOutput and BertLayer.
import * as tf from '@tensorflow/tfjs-core';
import type { ConfigReader, FamilyFields, ModelConfig } from '../../formats/hf-config';
import { activation } from '../layers/activations';
import { extendedAttentionMask, selfAttention } from '../layers/attention';
import { dropout } from '../layers/dropout';
import { embedding } from '../layers/embedding';
import type { AdapterSite } from '../../protocol/bottleneck';
import { dense, linearShapes, norm, normShapes, param, residualNorm, type Forward, type ShapeList } from './common';
import { encoderLayer } from './recompute';
import type { ModelInputs } from './types';

/** BertConfig's fields with its defaults; padTokenId is the family's default pad_token_id (RoBERTa's is 1). */
export function bertConfig(read: ConfigReader, padTokenId: number): FamilyFields {
  const { width, heads } = read.widthAndHeads('hidden_size', 'num_attention_heads');
  const hiddenAct = read.activation('hidden_act');
  const classifierDropout = read.raw.classifier_dropout == null ? null : read.prob('classifier_dropout', 0);
  return {
    vocab_size: read.size('vocab_size', 'vocabulary'),
    hidden_size: width,
    num_hidden_layers: read.size('num_hidden_layers', 'layers'),
    num_attention_heads: heads,
    intermediate_size: read.size('intermediate_size', 'intermediate'),
    hidden_act: hiddenAct,
    max_position_embeddings: read.size('max_position_embeddings', 'positions', 512),
    type_vocab_size: read.size('type_vocab_size', 'tokenTypes', 2),
    layer_norm_eps: read.positive('layer_norm_eps', 1e-12),
    pad_token_id: read.int('pad_token_id', padTokenId, 0),
    hidden_dropout_prob: read.prob('hidden_dropout_prob', 0.1),
    attention_probs_dropout_prob: read.prob('attention_probs_dropout_prob', 0.1),
    classifier_dropout: classifierDropout,
    initializer_range: read.positive('initializer_range', 0.02),
    embedding_size: width,
    sinusoidal_pos_embds: false,
  };
}

/** `${prefix}` = e.g. `bert.embeddings`; width = embedding_size (ELECTRA) or hidden_size. */
export function embeddingShapes(prefix: string, config: ModelConfig): ShapeList {
  const width = config.embedding_size;
  return [
    [`${prefix}.word_embeddings.weight`, [config.vocab_size, width]],
    [`${prefix}.position_embeddings.weight`, [config.max_position_embeddings, width]],
    [`${prefix}.token_type_embeddings.weight`, [config.type_vocab_size, width]],
    ...normShapes(`${prefix}.LayerNorm`, width),
  ];
}

/** `${prefix}` = e.g. `bert.encoder`. */
export function encoderShapes(prefix: string, config: ModelConfig): ShapeList {
  const h = config.hidden_size;
  const shapes: ShapeList = [];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `${prefix}.layer.${i}`;
    shapes.push(
      ...linearShapes(`${p}.attention.self.query`, h, h),
      ...linearShapes(`${p}.attention.self.key`, h, h),
      ...linearShapes(`${p}.attention.self.value`, h, h),
      ...linearShapes(`${p}.attention.output.dense`, h, h),
      ...normShapes(`${p}.attention.output.LayerNorm`, h),
      ...linearShapes(`${p}.intermediate.dense`, config.intermediate_size, h),
      ...linearShapes(`${p}.output.dense`, h, config.intermediate_size),
      ...normShapes(`${p}.output.LayerNorm`, h),
    );
  }
  return shapes;
}

/**
 * BertEmbeddings: word + position + token type, LayerNorm, dropout -> [B·S, E]. positionIds int32 [B, S]
 * (RoBERTa's); BERT and ELECTRA use positions 0..S-1, read as the first S rows of the table.
 */
export function embeddings(f: Forward, prefix: string, inputs: ModelInputs, positionIds?: tf.Tensor): tf.Tensor {
  const width = f.config.embedding_size;
  const words = embedding(param(f, `${prefix}.word_embeddings.weight`), inputs.input_ids); // [B, S, E]
  const table = param(f, `${prefix}.position_embeddings.weight`);
  const positions =
    positionIds === undefined
      ? tf.slice(table, [0, 0], [f.seq, width]) // [S, E], broadcast over the batch
      : embedding(table, positionIds); // [B, S, E]
  const typeIds = inputs.token_type_ids ?? tf.zeros([f.batch, f.seq], 'int32');
  const types = embedding(param(f, `${prefix}.token_type_embeddings.weight`), typeIds);
  const sum = tf.add(tf.add(words, types), positions);
  const normed = norm(f, `${prefix}.LayerNorm`, tf.reshape(sum, [f.batch * f.seq, width]));
  return dropout(normed, f.rates.hidden, f.dropout);
}

/** BertLayer: hidden [B·S, H] -> [B·S, H]; mask is the additive [B, 1, 1, S]. */
function bertLayer(f: Forward, p: string, h: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const shape = { batch: f.batch, seq: f.seq, numHeads: f.config.num_attention_heads };
  // BertSelfAttention
  const q = dense(f, `${p}.attention.self.query`, h);
  const k = dense(f, `${p}.attention.self.key`, h);
  const v = dense(f, `${p}.attention.self.value`, h);
  const context = selfAttention(q, k, v, mask as tf.Tensor4D, shape, f.rates.attention, f.dropout);
  // BertSelfOutput: dense, dropout, LayerNorm(x + residual)
  const attnOut = dropout(dense(f, `${p}.attention.output.dense`, context), f.rates.hidden, f.dropout);
  const attended = residualNorm(f, `${p}.attention.output`, `${p}.attention.output.LayerNorm`, attnOut, h);
  // BertIntermediate, BertOutput
  const intermediate = activation(f.config.hidden_act)(dense(f, `${p}.intermediate.dense`, attended));
  const out = dropout(dense(f, `${p}.output.dense`, intermediate), f.rates.hidden, f.dropout);
  return residualNorm(f, `${p}.output`, `${p}.output.LayerNorm`, out, attended);
}

/** The adapters library's BottleneckLayers of BERT's encoder: BertSelfOutput (mh_adapter) and BertOutput (output_adapter) of each layer. */
export function encoderAdapterSites(prefix: string, config: ModelConfig): AdapterSite[] {
  return Array.from({ length: config.num_hidden_layers }, (_, i): AdapterSite[] => [
    { module: `${prefix}.layer.${i}.attention.output`, location: 'mh_adapter', layer: i },
    { module: `${prefix}.layer.${i}.output`, location: 'output_adapter', layer: i },
  ]).flat();
}

/** BertEncoder: hidden [B·S, H] through every BertLayer -> [B·S, H]. attentionMask int32 [B, S]. */
export function encoder(f: Forward, prefix: string, hidden: tf.Tensor, attentionMask: tf.Tensor): tf.Tensor {
  const mask = extendedAttentionMask(attentionMask);
  let h = hidden;
  for (let i = 0; i < f.config.num_hidden_layers; i++) {
    const p = `${prefix}.layer.${i}`;
    h = encoderLayer(f, p, h, mask, (lf, x, m) => bertLayer(lf, p, x, m));
  }
  return h;
}
