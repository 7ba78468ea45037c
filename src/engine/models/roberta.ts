// RoBERTa and its task heads; mirrors transformers' modeling_roberta.py: BERT's encoder with position ids that
// count non-padding tokens from padding_idx + 1, RobertaClassificationHead on <s>, RobertaLMHead for MLM.
// Every RoBERTa head uses RobertaModel(add_pooling_layer=False), so there is no pooler.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../formats/hf-config';
import type { Task } from '../../protocol/task';
import { gelu } from '../layers/activations';
import { dropout } from '../layers/dropout';
import { classificationHead, classificationHeadShapes, classifierOrHidden, decoderShapes, dense, depthOfName, initKindOf, linearShapes, mlmDecoder, mlmRows, neverFixed, noFixedInit, norm, normShapes, startForward, type Forward, type ShapeList } from './common';
import { bertConfig, embeddingShapes, embeddings, encoder, encoderAdapterSites, encoderShapes } from './bert-encoder';
import type { ForwardOptions, ModelFamily, ModelInputs } from './types';

const BASE = 'roberta';
const WORDS = `${BASE}.embeddings.word_embeddings.weight`;
const POSITIONS = `${BASE}.embeddings.position_embeddings.weight`;
/** RobertaLMHead's decoder: its weight is the word embeddings (tied), its bias lm_head.bias. */
const DECODER = { weight: 'lm_head.decoder.weight', bias: 'lm_head.decoder.bias' };

function shapes(config: ModelConfig, task: Task): ShapeList {
  const h = config.hidden_size;
  const base = [...embeddingShapes(`${BASE}.embeddings`, config), ...encoderShapes(`${BASE}.encoder`, config)];
  switch (task) {
    case 'seq-cls':
      return [...base, ...classificationHeadShapes(config)];
    case 'token-cls':
      return [...base, ...linearShapes('classifier', config.num_labels, h)];
    case 'mlm':
      return [
        ...base,
        ...linearShapes('lm_head.dense', h, h),
        ...normShapes('lm_head.layer_norm', h),
        ...decoderShapes(config, DECODER.weight, 'lm_head.bias', h),
      ];
  }
}

/**
 * create_position_ids_from_input_ids: non-padding tokens are numbered padding_idx + 1, padding_idx + 2, ...;
 * padding tokens get padding_idx. input_ids int32 [B, S] -> int32 [B, S].
 */
export function positionIdsFromInputIds(inputIds: tf.Tensor, paddingIdx: number): tf.Tensor {
  const notPad = tf.cast(tf.notEqual(inputIds, paddingIdx), 'int32');
  return tf.add(tf.mul(tf.cumsum(notPad, 1), notPad), tf.scalar(paddingIdx, 'int32'));
}

/** RobertaLMHead: dense, gelu (erf, whatever hidden_act says), layer_norm, tied decoder + bias -> [B, S, V], or [M, V] at f.positions. */
function lmHead(f: Forward, hidden: tf.Tensor): tf.Tensor {
  const x = norm(f, 'lm_head.layer_norm', gelu(dense(f, 'lm_head.dense', mlmRows(f, hidden))));
  return mlmDecoder(f, x, WORDS, DECODER.weight, 'lm_head.bias');
}

function forward(params: ReadonlyMap<string, tf.Tensor>, inputs: ModelInputs, config: ModelConfig, task: Task, opts: ForwardOptions): tf.Tensor {
  const f = startForward(params, inputs, config, opts, classifierOrHidden(config, task, config.hidden_dropout_prob));
  const positionIds = positionIdsFromInputIds(inputs.input_ids, config.pad_token_id);
  const hidden = encoder(f, `${BASE}.encoder`, embeddings(f, `${BASE}.embeddings`, inputs, positionIds), inputs.attention_mask);
  switch (task) {
    case 'seq-cls':
      return classificationHead(f, hidden, tf.tanh); // RobertaClassificationHead: <s> token, dense, tanh, out_proj -> [B, C]
    case 'token-cls':
      return tf.reshape(dense(f, 'classifier', dropout(hidden, f.rates.classifier, f.dropout)), [f.batch, f.seq, config.num_labels]);
    case 'mlm':
      return lmHead(f, hidden);
  }
}

export const roberta: ModelFamily = {
  name: 'roberta',
  // XLM-RoBERTa and CamemBERT are RoBERTa in structure, under their own class names.
  modelTypes: { roberta: 'Roberta', 'xlm-roberta': 'XLMRoberta', camembert: 'Camembert' },
  normaliseConfig: (read) => bertConfig(read, 1),
  basePrefix: BASE,
  hasTokenTypes: true,
  tiedDecoder: DECODER,
  pretrainingHeads: [],
  // Positions are numbered from padding_idx + 1 (positionIdsFromInputIds): rows 0..padding_idx hold no token.
  positionLimit: (config) => ({ length: config.max_position_embeddings - config.pad_token_id - 1, lost: 'minus pad_token_id + 1 for RoBERTa' }),
  parameterShapes: (config, task) => new Map(shapes(config, task)),
  isHeadParam: (name) => !name.startsWith(`${BASE}.`),
  initKind: initKindOf,
  // RobertaEmbeddings builds the position table with padding_idx too.
  paddingRow: (name, config) => (name === WORDS || name === POSITIONS ? config.pad_token_id : null),
  fixedInit: noFixedInit,
  adapterSites: (config) => encoderAdapterSites(`${BASE}.encoder`, config),
  outputLayer: (task) => (task === 'seq-cls' ? 'classifier.out_proj' : 'classifier'),
  isFixed: neverFixed,
  headDropout: classifierOrHidden,
  forward,
  depthOf: (name, config) => depthOfName(name, config, BASE, 'encoder.layer'),
};
