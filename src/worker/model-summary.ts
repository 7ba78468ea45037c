// A loaded model as the plain data the UI shows (protocol ModelSummary): no tensors cross the worker boundary.
// Field names follow config.json (hidden_size, num_hidden_layers) so the UI and the checkpoint agree.
import { architectureName } from '../engine/architectures';
import type { LoadedModel } from '../engine/load';
import type { SourceFolder } from '../formats/source-file';
import type { AdaptationRecord } from '../protocol/adaptation';
import { MODEL_CARD_MAX_CHARS, type ModelCard, type ModelSummary, type RunParameter } from '../protocol/messages';
import { TASKS, type Task } from '../protocol/task';

/**
 * What the worker knows of a model beyond its tensors: the folder's model card, the adaptations behind its weights,
 * and the task of the folder runs start from (by default the model's own).
 */
export interface ModelProvenance {
  card: ModelCard | null;
  adaptations: AdaptationRecord[];
  baseTask?: Task;
}

export const NO_PROVENANCE: ModelProvenance = { card: null, adaptations: [] };

/** README.md of a folder, cut to MODEL_CARD_MAX_CHARS characters; null when there is none. */
export async function readModelCard(folder: SourceFolder, url: string | null): Promise<ModelCard | null> {
  const file = folder.get('README.md');
  if (!file) return null;
  // UTF-8 takes at most 4 bytes a character, so the bytes read hold the first MODEL_CARD_MAX_CHARS characters
  // whole; a character cut at the end decodes to U+FFFD past them and is sliced off. TextDecoder drops a BOM.
  const bytes = await file.slice(0, Math.min(file.size, 4 * MODEL_CARD_MAX_CHARS));
  const text = new TextDecoder('utf-8').decode(bytes);
  const truncated = text.length > MODEL_CARD_MAX_CHARS || bytes.length < file.size;
  return { text: text.slice(0, MODEL_CARD_MAX_CHARS), truncated, url };
}

/**
 * The parameters a run of each task trains: the family's parameterShapes for that head. A parameter whose first axis
 * follows num_labels (computed at two label counts) is the head's output layer, sized for the data when a run starts.
 */
export function runParameters(model: LoadedModel): Record<Task, RunParameter[]> {
  const { family, config } = model;
  const at = (labels: number, task: Task) => family.parameterShapes({ ...config, num_labels: labels, id2label: Array.from({ length: labels }, (_, i) => `LABEL_${i}`) }, task);
  const entries = TASKS.map((task): [Task, RunParameter[]] => {
    const two = at(2, task);
    const three = at(3, task);
    const list = [...at(config.num_labels, task)].map(([name, shape]) => ({
      name,
      shape: [...shape],
      depth: family.depthOf(name, config),
      perClass: two.get(name)?.[0] === 2 && three.get(name)?.[0] === 3,
    }));
    return [task, list];
  });
  return Object.fromEntries(entries) as Record<Task, RunParameter[]>;
}

/** A loader note that says nothing of this model: a masked-LM head has no labels, so a config without num_labels is as it should be. */
function saysNothing(m: LoadedModel['messages'][number], task: Task): boolean {
  return task === 'mlm' && m.code === 'CONFIG_NORMALISED' && m.message.includes('"num_labels"');
}

export function summarizeModel(
  model: LoadedModel,
  source: string,
  files: readonly { name: string; size: number }[],
  loadMs: number,
  provenance: ModelProvenance = NO_PROVENANCE,
): ModelSummary {
  const { config } = model;
  return {
    source,
    family: model.family.name,
    model_type: config.model_type,
    architectures: [architectureName(config.model_type, model.task)],
    task: model.task,
    baseTask: provenance.baseTask ?? model.task,
    runParameters: runParameters(model),
    adapterSites: model.family.adapterSites(config),
    num_hidden_layers: config.num_hidden_layers,
    hidden_size: config.hidden_size,
    num_attention_heads: config.num_attention_heads,
    intermediate_size: config.intermediate_size,
    vocab_size: config.vocab_size,
    max_position_embeddings: config.max_position_embeddings,
    parameterCount: model.parameterCount,
    labels: model.task === 'mlm' ? [] : [...config.id2label],
    tokenizer: model.tokenizer
      ? {
          kind: model.tokenizer.kind,
          files: [...model.tokenizerFiles],
          maskToken: model.tokenizer.special.mask === null ? null : (model.tokenizer.idToToken(model.tokenizer.special.mask) ?? null),
        }
      : null,
    files: files.map((f) => ({ name: f.name, size: f.size })),
    messages: model.messages.filter((m) => !saysNothing(m, model.task)).map((m) => ({ ...m, tensors: m.tensors ? [...m.tensors] : undefined })),
    parameters: model.params.names().map((name) => ({
      name,
      shape: [...model.params.get(name).shape],
      depth: model.family.depthOf(name, config),
      nonFinite: model.nonFinite.get(name) ?? 0,
    })),
    configJson: JSON.stringify(model.rawConfig, null, 2),
    loadMs,
    modelCard: provenance.card && { ...provenance.card },
    adaptations: provenance.adaptations.map((a) => ({ ...a })),
  };
}
