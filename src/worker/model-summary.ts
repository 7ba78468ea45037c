// A loaded model as the plain data the UI shows (protocol ModelSummary): no tensors cross the worker boundary.
// Field names follow config.json (hidden_size, num_hidden_layers) so the UI and the checkpoint agree.
import type { LoadedModel } from '../engine/load';
import type { SourceFolder } from '../formats/source-file';
import type { AdaptationRecord } from '../protocol/adaptation';
import { MODEL_CARD_MAX_CHARS, type ModelCard, type ModelSummary } from '../protocol/messages';

/** What the worker knows of a model beyond its tensors: the folder's model card, the adaptations behind its weights. */
export interface ModelProvenance {
  card: ModelCard | null;
  adaptations: AdaptationRecord[];
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
    architectures: [...config.architectures],
    task: model.task,
    num_hidden_layers: config.num_hidden_layers,
    hidden_size: config.hidden_size,
    num_attention_heads: config.num_attention_heads,
    intermediate_size: config.intermediate_size,
    vocab_size: config.vocab_size,
    max_position_embeddings: config.max_position_embeddings,
    parameterCount: model.parameterCount,
    labels: [...config.id2label],
    tokenizer: model.tokenizer
      ? {
          kind: model.tokenizer.kind,
          files: [...model.tokenizerFiles],
          maskToken: model.tokenizer.special.mask === null ? null : (model.tokenizer.idToToken(model.tokenizer.special.mask) ?? null),
        }
      : null,
    files: files.map((f) => ({ name: f.name, size: f.size })),
    messages: model.messages.map((m) => ({ ...m, tensors: m.tensors ? [...m.tensors] : undefined })),
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
