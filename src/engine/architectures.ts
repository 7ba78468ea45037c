// The `architectures` entry of config.json: transformers' class name for a model type and task head
// (BertForSequenceClassification, ...), read when loading and written when exporting.
import { LayerwiseError } from '../lib/errors';
import type { Task } from '../protocol/task';

/** transformers' class-name stem for each model_type that the studio supports (hf-config MODEL_TYPES). */
const CLASS_STEM: Readonly<Record<string, string>> = {
  bert: 'Bert',
  roberta: 'Roberta',
  'xlm-roberta': 'XLMRoberta',
  camembert: 'Camembert',
  distilbert: 'DistilBert',
  electra: 'Electra',
};

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

/** The class transformers loads for this model type and task, e.g. ('bert', 'mlm') -> BertForMaskedLM. */
export function architectureName(modelType: string, task: Task): string {
  if (!Object.hasOwn(CLASS_STEM, modelType)) {
    throw new LayerwiseError('CONFIG_UNSUPPORTED_MODEL_TYPE', `model_type \`${modelType}\` has no transformers class here`, {
      field: 'model_type',
    });
  }
  return CLASS_STEM[modelType] + TASK_SUFFIX[task];
}
