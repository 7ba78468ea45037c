// A loaded model as the plain data the UI shows (protocol ModelSummary): no tensors cross the worker boundary.
// Field names follow config.json (hidden_size, num_hidden_layers) so the UI and the checkpoint agree.
import type { LoadedModel } from '../engine/load';
import type { ModelSummary } from '../protocol/messages';

export function summarizeModel(
  model: LoadedModel,
  source: string,
  files: readonly { name: string; size: number }[],
  loadMs: number,
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
  };
}
