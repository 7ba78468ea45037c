// The model registry: one family per ModelConfig.family (hf-config maps model_type to it), and the task loss.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, ModelFamilyName } from '../../formats/hf-config';
import type { Task } from '../../protocol/task';
import { crossEntropy } from '../layers/loss';
import { bert } from './bert';
import { distilbert } from './distilbert';
import { electra } from './electra';
import { roberta } from './roberta';
import type { ModelFamily } from './types';

export type { ForwardOptions, InitKind, ModelFamily, ModelInputs } from './types';

const FAMILIES: Readonly<Record<ModelFamilyName, ModelFamily>> = { bert, roberta, distilbert, electra };

export function getModelFamily(config: ModelConfig): ModelFamily {
  return FAMILIES[config.family];
}

/**
 * The training loss of a task head, as transformers' *For* classes compute it: cross-entropy over
 * logits reshaped to [N, C] and labels to [N], ignoring -100. labels int32: [B] (seq-cls) or [B, S].
 */
export function taskLoss(logits: tf.Tensor, labels: tf.Tensor, _task: Task, opts: { labelSmoothing?: number } = {}): tf.Scalar {
  const classes = logits.shape[logits.rank - 1];
  return crossEntropy(tf.reshape(logits, [-1, classes]), tf.reshape(labels, [-1]), opts.labelSmoothing ?? 0);
}
