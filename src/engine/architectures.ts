// The `architectures` entry of config.json: transformers' class name for a model type and task head
// (BertForSequenceClassification, ...), read when loading and written when exporting.
import { LayerwiseError } from '../lib/errors';
import type { Task } from '../protocol/task';
import { MODEL_TYPES } from './models/index';

const TASK_SUFFIX: Readonly<Record<Task, string>> = {
  'seq-cls': 'ForSequenceClassification',
  'token-cls': 'ForTokenClassification',
  mlm: 'ForMaskedLM',
};

/** The task of the first architecture that names a head we support, or null (e.g. a bare BertModel). */
export function taskOfArchitectures(architectures: readonly string[]): Task | null {
  for (const arch of architectures) {
    for (const [task, suffix] of Object.entries(TASK_SUFFIX) as [Task, string][]) {
      if (arch.endsWith(suffix)) return task;
    }
  }
  return null;
}

/** The class transformers loads for this model type and task, e.g. ('bert', 'mlm') -> BertForMaskedLM (the family's class-name stem). */
export function architectureName(modelType: string, task: Task): string {
  const family = MODEL_TYPES.get(modelType);
  if (family === undefined) {
    throw new LayerwiseError('CONFIG_UNSUPPORTED_MODEL_TYPE', `model_type \`${modelType}\` has no transformers class here`, {
      field: 'model_type',
    });
  }
  return family.modelTypes[modelType] + TASK_SUFFIX[task];
}
