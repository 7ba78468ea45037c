// The model registry: every family, keyed by ModelConfig.family; config.json read through the family of its
// model_type; and the task loss. A family is registered here and nowhere else.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { parseHfConfig, type ModelConfig, type ParsedConfig } from '../../formats/hf-config';
import type { Task } from '../../protocol/task';
import { crossEntropy } from '../layers/loss';
import { bert } from './bert';
import { distilbert } from './distilbert';
import { electra } from './electra';
import { roberta } from './roberta';
import type { ModelFamily } from './types';

export type { ForwardOptions, InitKind, ModelFamily, ModelInputs } from './types';

const FAMILIES = { bert, roberta, distilbert, electra } satisfies Record<string, ModelFamily>;

export type ModelFamilyName = keyof typeof FAMILIES;

/** model_type -> the family that computes it, in registry order (the supported list an unknown model_type is told). */
export const MODEL_TYPES: ReadonlyMap<string, ModelFamily> = new Map(
  Object.values(FAMILIES).flatMap((family) => Object.keys(family.modelTypes).map((type) => [type, family] as const)),
);

/** config.json (text of `file`) read and normalised by the family of its model_type. */
export function parseModelConfig(text: string, file = 'config.json'): ParsedConfig {
  return parseHfConfig(text, file, MODEL_TYPES);
}

export function getModelFamily(config: ModelConfig): ModelFamily {
  if (!Object.hasOwn(FAMILIES, config.family)) {
    throw new LayerwiseError('CONFIG_UNSUPPORTED_MODEL_TYPE', `no model family is called "${config.family}" (families: ${Object.keys(FAMILIES).join(', ')})`, {
      field: 'family',
    });
  }
  return FAMILIES[config.family as ModelFamilyName];
}

/**
 * The training loss of a task head, as transformers' *For* classes compute it: cross-entropy over
 * logits reshaped to [N, C] and labels to [N], ignoring -100. labels int32: [B] (seq-cls) or [B, S].
 */
export function taskLoss(logits: tf.Tensor, labels: tf.Tensor, _task: Task, opts: { labelSmoothing?: number } = {}): tf.Scalar {
  const classes = logits.shape[logits.rank - 1];
  return crossEntropy(tf.reshape(logits, [-1, classes]), tf.reshape(labels, [-1]), opts.labelSmoothing ?? 0);
}
