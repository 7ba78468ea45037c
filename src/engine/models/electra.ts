// ELECTRA and its task heads; mirrors transformers' modeling_electra.py: BERT's embeddings at embedding_size,
// embeddings_project to hidden_size when they differ, BERT's encoder, no pooler. Heads: ElectraClassificationHead
// (dense, gelu, out_proj on the first token), token classification, and the generator's MLM head.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../formats/hf-config';
import type { Task } from '../../protocol/task';
import { gelu } from '../layers/activations';
import { dropout } from '../layers/dropout';
import { allPositions, classificationHead, classificationHeadShapes, classifierOrHidden, decoderShapes, dense, depthOfName, initKindOf, linearShapes, mlmDecoder, mlmRows, neverFixed, noFixedInit, norm, normShapes, startForward, type Forward, type ShapeList } from './common';
import { bertConfig, embeddingShapes, embeddings, encoder, encoderAdapterSites, encoderShapes } from './bert-encoder';
import type { ForwardOptions, ModelFamily, ModelInputs } from './types';

const BASE = 'electra';
const WORDS = `${BASE}.embeddings.word_embeddings.weight`;
/** generator_lm_head's weight is the word embeddings (tied); its bias is a parameter of its own. */
const DECODER = { weight: 'generator_lm_head.weight', bias: null };

function hasProjection(config: ModelConfig): boolean {
  return config.embedding_size !== config.hidden_size;
}

function shapes(config: ModelConfig, task: Task): ShapeList {
  const h = config.hidden_size;
  const e = config.embedding_size;
  const base = [
    ...embeddingShapes(`${BASE}.embeddings`, config),
    ...(hasProjection(config) ? linearShapes(`${BASE}.embeddings_project`, h, e) : []),
    ...encoderShapes(`${BASE}.encoder`, config),
  ];
  switch (task) {
    case 'seq-cls':
      return [...base, ...classificationHeadShapes(config)];
    case 'token-cls':
      return [...base, ...linearShapes('classifier', config.num_labels, h)];
    case 'mlm':
      return [
        ...base,
        ...linearShapes('generator_predictions.dense', e, h),
        ...normShapes('generator_predictions.LayerNorm', e),
        ...decoderShapes(config, DECODER.weight, 'generator_lm_head.bias', e),
      ];
  }
}

/** ElectraGeneratorPredictions (dense to embedding_size, gelu, LayerNorm) and generator_lm_head -> [B, S, V], or [M, V] at f.positions. */
function generatorHead(f: Forward, hidden: tf.Tensor): tf.Tensor {
  const x = norm(f, 'generator_predictions.LayerNorm', gelu(dense(f, 'generator_predictions.dense', mlmRows(f, hidden))));
  return mlmDecoder(f, x, WORDS, DECODER.weight, 'generator_lm_head.bias');
}

function forward(params: ReadonlyMap<string, tf.Tensor>, inputs: ModelInputs, config: ModelConfig, task: Task, opts: ForwardOptions): tf.Tensor {
  const f = startForward(params, inputs, config, opts, classifierOrHidden(config, task, config.hidden_dropout_prob));
  const embedded = embeddings(f, `${BASE}.embeddings`, inputs); // [B·S, E]
  const projected = hasProjection(config) ? dense(f, `${BASE}.embeddings_project`, embedded) : embedded;
  const hidden = encoder(f, `${BASE}.encoder`, projected, inputs.attention_mask);
  switch (task) {
    case 'seq-cls':
      return classificationHead(f, hidden, gelu); // ElectraClassificationHead: gelu, the ELECTRA authors' choice -> [B, C]
    case 'token-cls':
      return tf.reshape(dense(f, 'classifier', dropout(hidden, f.rates.classifier, f.dropout)), [f.batch, f.seq, config.num_labels]);
    case 'mlm':
      return generatorHead(f, hidden);
  }
}

export const electra: ModelFamily = {
  name: 'electra',
  modelTypes: { electra: 'Electra' },
  // ElectraConfig is BertConfig plus embedding_size (hidden_size when absent).
  normaliseConfig: (read) => {
    const config = bertConfig(read, 0);
    return { ...config, embedding_size: read.size('embedding_size', 'width', config.hidden_size) };
  },
  basePrefix: BASE,
  hasTokenTypes: true,
  tiedDecoder: DECODER,
  // ElectraForPreTraining's discriminator head.
  pretrainingHeads: ['discriminator_predictions'],
  positionLimit: allPositions,
  parameterShapes: (config, task) => new Map(shapes(config, task)),
  isHeadParam: (name) => !name.startsWith(`${BASE}.`),
  initKind: initKindOf,
  paddingRow: (name, config) => (name === WORDS ? config.pad_token_id : null),
  fixedInit: noFixedInit,
  adapterSites: (config) => encoderAdapterSites(`${BASE}.encoder`, config),
  outputLayer: (task) => (task === 'seq-cls' ? 'classifier.out_proj' : 'classifier'),
  isFixed: neverFixed,
  headDropout: classifierOrHidden,
  forward,
  depthOf: (name, config) => depthOfName(name, config, BASE, 'encoder.layer'),
};
