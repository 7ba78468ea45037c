// Each family's ONNX graph, by family name, and the ONNX model of a checkpoint built from them.
// The graphs live here, one file per family mirroring models/<family>.ts, rather than beside each forward: the
// graph is a second description of the same model in another op set (int64 ids, [B, S, H] values, Transpose
// nodes), which the engine's forward never needs; the `satisfies` below makes the compiler demand a graph for every
// family registered in models/index.ts, and tests/engine/export/onnx-*.test.ts compare each graph with the forward.
import type { ModelConfig } from '../../../formats/hf-config';
import type { OnnxModelData } from '../../../formats/onnx';
import { LayerwiseError } from '../../../lib/errors';
import type { Task } from '../../../protocol/task';
import { LAYERWISE_VERSION } from '../../../protocol/version';
import type { ModelFamilyName } from '../../models/index';
import type { ParamValues } from '../../params/store';
import { bertGraph } from './bert';
import { distilbertGraph } from './distilbert';
import { electraGraph } from './electra';
import { GraphBuilder, type GraphInputs, type Value } from './graph';
import { robertaGraph } from './roberta';

/** A family's model as a graph: the logits value for the task head, from the graph inputs. */
export type FamilyGraph = (g: GraphBuilder, inputs: GraphInputs, task: Task) => Value;

const GRAPHS = { bert: bertGraph, roberta: robertaGraph, distilbert: distilbertGraph, electra: electraGraph } satisfies Record<ModelFamilyName, FamilyGraph>;

/**
 * ONNX IR version 8 with opset 17 (ONNX 1.12): LayerNormalization is a standard op there, and every op used is
 * older; ONNX Runtime (Web and Node) runs opsets far beyond it.
 */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

/** Dynamic axes, named as Optimum's exports name them. */
const BATCH = 'batch_size';
const SEQUENCE = 'sequence_length';

export interface OnnxModelInput {
  config: ModelConfig;
  task: Task;
  /** Whether token_type_ids reach the model (ModelFamily.hasTokenTypes). */
  hasTokenTypes: boolean;
  /** Every parameter of the model by checkpoint name, in checkpoint layout. */
  params: ReadonlyMap<string, ParamValues>;
}

/**
 * The fp32 model: inputs input_ids, attention_mask (and token_type_ids where the family has them), int64
 * [batch_size, sequence_length], as transformers.js feeds them; output `logits` float32.
 */
export function onnxModel(input: OnnxModelInput): OnnxModelData {
  const { config, task } = input;
  if (!Object.hasOwn(GRAPHS, config.family)) {
    throw new LayerwiseError('EXPORT_ONNX_UNSUPPORTED_FAMILY', `no ONNX graph for the model family "${config.family}"`, { field: 'model_type' });
  }
  const g = new GraphBuilder(input.params, config);
  const ids = (name: string) => g.input(name, 'int64', [BATCH, SEQUENCE]);
  const inputs: GraphInputs = { input_ids: ids('input_ids'), attention_mask: ids('attention_mask') };
  if (input.hasTokenTypes) inputs.token_type_ids = ids('token_type_ids');
  const logits = GRAPHS[config.family as ModelFamilyName](g, inputs, task);
  const classes = task === 'mlm' ? config.vocab_size : config.num_labels;
  g.output(logits, 'logits', 'float32', task === 'seq-cls' ? [BATCH, classes] : [BATCH, SEQUENCE, classes]);
  return {
    irVersion: ONNX_IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: 'layerwise',
    producerVersion: LAYERWISE_VERSION,
    docString: `${config.model_type} ${task}, exported by Layerwise ${LAYERWISE_VERSION}`,
    metadata: { 'layerwise.task': task, 'layerwise.model_type': config.model_type },
    graph: g.build(`${config.model_type}-${task}`),
  };
}
