// TrainConfig.headInit for the task-head tensors a run creates (a head the checkpoint lacks, or one sized anew for
// the data's classes), shared by the loader and a fresh initialisation.
import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../protocol/task';
import type { HeadInit } from '../../protocol/train-config';
import type { ModelFamily } from '../models/types';

/**
 * A new task-head tensor under TrainConfig.headInit, or null where transformers' _init_weights stands (for 'normal',
 * and for the tensors the choice does not touch): 'xavier' draws a linear weight [out, in] from U(±√(6/(in+out)))
 * (torch's xavier_uniform_), 'zeros' zeroes the output layer's weight and bias.
 */
export function headInitTensor(family: ModelFamily, task: Task, name: string, shape: readonly number[], headInit: HeadInit, seed: number): tf.Tensor | null {
  if (headInit === 'zeros') return task !== 'mlm' && name.startsWith(`${family.outputLayer(task)}.`) ? tf.zeros([...shape]) : null;
  if (headInit === 'xavier' && family.initKind(name) === 'normal' && shape.length === 2) {
    const bound = Math.sqrt(6 / (shape[0] + shape[1]));
    return tf.randomUniform([...shape], -bound, bound, 'float32', seed);
  }
  return null;
}

