// BERT and its task heads; mirrors transformers' modeling_bert.py: BertModel (embeddings, encoder, pooler),
// BertForSequenceClassification, BertForTokenClassification, BertForMaskedLM (decoder tied to the word embeddings).
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../formats/hf-config';
import type { Task } from '../../protocol/task';
import { activation } from '../layers/activations';
import { dropout } from '../layers/dropout';
import { allPositions, classifierOrHidden, decoderShapes, dense, depthOfName, firstToken, initKindOf, linearShapes, mlmDecoder, mlmRows, neverFixed, noFixedInit, norm, normShapes, startForward, type Forward, type ShapeList } from './common';
import { bertConfig, embeddingShapes, embeddings, encoder, encoderAdapterSites, encoderShapes } from './bert-encoder';
import type { ForwardOptions, ModelFamily, ModelInputs } from './types';

const BASE = 'bert';
const WORDS = `${BASE}.embeddings.word_embeddings.weight`;
/** BertLMPredictionHead's decoder: its weight is the word embeddings (tied), its bias cls.predictions.bias. */
const DECODER = { weight: 'cls.predictions.decoder.weight', bias: 'cls.predictions.decoder.bias' };

function shapes(config: ModelConfig, task: Task): ShapeList {
  const h = config.hidden_size;
  const base = [...embeddingShapes(`${BASE}.embeddings`, config), ...encoderShapes(`${BASE}.encoder`, config)];
  switch (task) {
    case 'seq-cls':
      // BertModel with its pooler; the other heads use BertModel(add_pooling_layer=False).
      return [...base, ...linearShapes(`${BASE}.pooler.dense`, h, h), ...linearShapes('classifier', config.num_labels, h)];
    case 'token-cls':
      return [...base, ...linearShapes('classifier', config.num_labels, h)];
    case 'mlm':
      return [
        ...base,
        ...linearShapes('cls.predictions.transform.dense', h, h),
        ...normShapes('cls.predictions.transform.LayerNorm', h),
        ...decoderShapes(config, DECODER.weight, 'cls.predictions.bias', h),
      ];
  }
}

/** BertPooler: dense + tanh over the [CLS] token -> [B, H]. */
function pooler(f: Forward, hidden: tf.Tensor): tf.Tensor {
  return tf.tanh(dense(f, `${BASE}.pooler.dense`, firstToken(f, hidden)));
}

/** BertLMPredictionHead: transform (dense, hidden_act, LayerNorm), then the tied decoder -> [B, S, V], or [M, V] at f.positions. */
function lmHead(f: Forward, hidden: tf.Tensor): tf.Tensor {
  const transformed = norm(f, 'cls.predictions.transform.LayerNorm', activation(f.config.hidden_act)(dense(f, 'cls.predictions.transform.dense', mlmRows(f, hidden))));
  return mlmDecoder(f, transformed, WORDS, DECODER.weight, 'cls.predictions.bias');
}

function forward(params: ReadonlyMap<string, tf.Tensor>, inputs: ModelInputs, config: ModelConfig, task: Task, opts: ForwardOptions): tf.Tensor {
  const f = startForward(params, inputs, config, opts, classifierOrHidden(config, task, config.hidden_dropout_prob));
  const hidden = encoder(f, `${BASE}.encoder`, embeddings(f, `${BASE}.embeddings`, inputs), inputs.attention_mask); // [B·S, H]
  switch (task) {
    case 'seq-cls':
      return dense(f, 'classifier', dropout(pooler(f, hidden), f.rates.classifier, f.dropout)); // [B, C]
    case 'token-cls':
      return tf.reshape(dense(f, 'classifier', dropout(hidden, f.rates.classifier, f.dropout)), [f.batch, f.seq, config.num_labels]);
    case 'mlm':
      return lmHead(f, hidden);
  }
}

export const bert: ModelFamily = {
  name: 'bert',
  modelTypes: { bert: 'Bert' },
  normaliseConfig: (read) => bertConfig(read, 0),
  basePrefix: BASE,
  hasTokenTypes: true,
  tiedDecoder: DECODER,
  // BertForPreTraining's next-sentence head.
  pretrainingHeads: ['cls.seq_relationship'],
  positionLimit: allPositions,
  parameterShapes: (config, task) => new Map(shapes(config, task)),
  // The pooler belongs to the sequence head: token-cls and MLM checkpoints have none.
  isHeadParam: (name) => !name.startsWith(`${BASE}.`) || name.startsWith(`${BASE}.pooler.`),
  initKind: initKindOf,
  paddingRow: (name, config) => (name === WORDS ? config.pad_token_id : null),
  fixedInit: noFixedInit,
  adapterSites: (config) => encoderAdapterSites(`${BASE}.encoder`, config),
  outputLayer: () => 'classifier',
  isFixed: neverFixed,
  headDropout: classifierOrHidden,
  forward,
  depthOf: (name, config) => depthOfName(name, config, BASE, 'encoder.layer', ['pooler']),
};
