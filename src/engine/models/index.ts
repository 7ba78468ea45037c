// The model registry: every family, keyed by ModelConfig.family; config.json read through the family of its
// model_type; and the task loss. A family is registered here and nowhere else.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { parseHfConfig, type ModelConfig, type ModelTypeGuess, type ParsedConfig } from '../../formats/hf-config';
import type { Task } from '../../protocol/task';
import { classificationLoss, type LossOptions } from '../layers/loss';
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

/**
 * The model_type of a config.json that has none (some older BERT checkpoints): from a transformers class in its
 * architectures (BertForMaskedLM, XLMRobertaModel, ...), else from the base-model prefix of the weights' tensor
 * names (bert., roberta., ...: RoBERTa-shaped names are read as roberta, whose xlm-roberta and camembert are the
 * same model). Bare names without a prefix tell BERT, RoBERTa and ELECTRA apart no more than they do to a person.
 */
function guessModelType(tensorNames: readonly string[]): ModelTypeGuess {
  return (raw) => {
    const architectures = Array.isArray(raw.architectures) ? raw.architectures.filter((a): a is string => typeof a === 'string') : [];
    // The longest class-name stem first: DistilBertFor... is DistilBert, not Bert.
    const stems = [...MODEL_TYPES].flatMap(([type, family]) => [[type, family.modelTypes[type]] as const]).sort((a, b) => b[1].length - a[1].length);
    for (const arch of architectures) {
      const hit = stems.find(([, stem]) => arch.startsWith(stem) && /^(For|Model|PreTrained)/.test(arch.slice(stem.length)));
      if (hit) return { modelType: hit[0], reason: `its architectures name ${arch}` };
    }
    for (const family of Object.values(FAMILIES)) {
      const name = tensorNames.find((n) => n.startsWith(`${family.basePrefix}.`));
      if (name !== undefined) return { modelType: Object.keys(family.modelTypes)[0], reason: `the weights' tensor names start with ${family.basePrefix}., e.g. ${name}` };
    }
    return null;
  };
}

/**
 * config.json (text of `file`) read and normalised by the family of its model_type; without one, the family its
 * architectures or `tensorNames` (the weights' headers) show, noted.
 */
export function parseModelConfig(text: string, file = 'config.json', opts: { tensorNames?: readonly string[] } = {}): ParsedConfig {
  return parseHfConfig(text, file, MODEL_TYPES, guessModelType(opts.tensorNames ?? []));
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
 * The training loss of a task head, as transformers' *For* classes compute it: cross-entropy over logits reshaped to
 * [N, C] and labels to [N], ignoring -100 (with class weights or the focal loss when asked); a multi-label head
 * (opts.multiLabel) binary cross-entropy over logits [B, C] and 0/1 labels float32 [B, C]. labels int32: [B] (seq-cls)
 * or [B, S].
 */
export function taskLoss(logits: tf.Tensor, labels: tf.Tensor, _task: Task, opts: LossOptions = {}): tf.Scalar {
  const classes = logits.shape[logits.rank - 1];
  if (opts.multiLabel) return classificationLoss(logits, labels, opts);
  return classificationLoss(tf.reshape(logits, [-1, classes]), tf.reshape(labels, [-1]), opts);
}
