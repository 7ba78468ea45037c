// The ONNX graph of a model, built from the same checkpoint-named tensors the engine's forward reads. The families
// describe their graph beside their forward (`ModelFamily.graph` in models/<family>.ts, shared pieces in
// bert-encoder.ts and common.ts) with the primitives here, each the ONNX twin of an engine layer: `linear` of
// layers/linear.ts, `layerNorm` of layers/layer-norm.ts, `activation` of layers/activations.ts, `selfAttention` and
// `attentionMask` of layers/attention.ts. No tfjs: values are names in the graph, weights are plain arrays.
// Initializers keep checkpoint names and layouts ([out, in] for linear weights, transposed by a Transpose node that
// ONNX Runtime folds at load), so the tied MLM decoder shares the word embeddings as the checkpoint does.
import type { ModelConfig } from '../../../formats/hf-config';
import type { OnnxAttribute, OnnxDataType, OnnxGraphData, OnnxNode, OnnxTensor, OnnxValueInfo } from '../../../formats/onnx';
import { LayerwiseError } from '../../../lib/errors';
import type { ParamValues } from '../../params/store';

/** A tensor of the graph, by name. */
export type Value = string;

/** The graph inputs a family's graph reads, as transformers.js feeds them (int64 [batch_size, sequence_length]). */
export interface GraphInputs {
  input_ids: Value;
  attention_mask: Value;
  /** Absent for families without token types (DistilBERT). */
  token_type_ids?: Value;
}

/** torch.finfo(torch.float32).min, the additive mask of padding (layers/attention.ts FLOAT32_MIN). */
const FLOAT32_MIN = -3.4028234663852886e38;
const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const int = (value: number): OnnxAttribute => ({ type: 'int', value });
export const float = (value: number): OnnxAttribute => ({ type: 'float', value });
export const ints = (value: number[]): OnnxAttribute => ({ type: 'ints', value });

/** The activations by their transformers name: the keys of layers/activations.ts ACTIVATIONS, with the same formulas. */
const ACTIVATIONS: Readonly<Record<string, (g: GraphBuilder, x: Value) => Value>> = {
  // torch's exact GELU, as geluPlain: (x·0.5)·(erf(x·√½) + 1)
  gelu: (g, x) => g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [g.op('Erf', [g.op('Mul', [x, g.scalar(SQRT_HALF)])]), g.scalar(1)])]),
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_fast: geluTanh,
  relu: (g, x) => g.op('Relu', [x]),
  silu: (g, x) => g.op('Mul', [x, g.op('Sigmoid', [x])]),
  swish: (g, x) => g.op('Mul', [x, g.op('Sigmoid', [x])]),
  tanh: (g, x) => g.op('Tanh', [x]),
};

/** As geluTanh: (x·0.5)·(tanh((x + x²·x·0.044715)·√(2/π)) + 1). */
function geluTanh(g: GraphBuilder, x: Value): Value {
  const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [cube, g.scalar(0.044715)])]), g.scalar(SQRT_2_OVER_PI)]);
  return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.scalar(1)])]);
}

export const GRAPH_ACTIVATIONS: readonly string[] = Object.keys(ACTIVATIONS);

export class GraphBuilder {
  readonly config: ModelConfig;
  private readonly params: ReadonlyMap<string, ParamValues>;
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers = new Map<string, OnnxTensor>();
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly counts = new Map<string, number>();

  constructor(params: ReadonlyMap<string, ParamValues>, config: ModelConfig) {
    this.params = params;
    this.config = config;
  }

  input(name: string, dataType: OnnxDataType, shape: (number | string)[]): Value {
    this.inputs.push({ name, dataType, shape });
    return name;
  }

  /** Names `value` as a graph output (an Identity node, which ONNX Runtime removes). */
  output(value: Value, name: string, dataType: OnnxDataType, shape: (number | string)[]): void {
    this.nodes.push({ opType: 'Identity', name: `${name}_output`, inputs: [value], outputs: [name], attributes: {} });
    this.outputs.push({ name, dataType, shape });
  }

  /** One node with one output; returns the output's name. */
  op(opType: string, inputs: Value[], attributes: Record<string, OnnxAttribute> = {}): Value {
    const n = (this.counts.get(opType) ?? 0) + 1;
    this.counts.set(opType, n);
    const name = `/${opType}_${n}`;
    this.nodes.push({ opType, name, inputs, outputs: [`${name}_output`], attributes });
    return `${name}_output`;
  }

  private constant(name: string, tensor: Omit<OnnxTensor, 'name'>): Value {
    if (!this.initializers.has(name)) this.initializers.set(name, { name, ...tensor });
    return name;
  }

  /** A float32 scalar constant. */
  scalar(value: number): Value {
    return this.constant(`const_f32_${value}`, { dataType: 'float32', dims: [], data: new Float32Array([value]) });
  }

  /** An int64 constant: a scalar, or a 1-D tensor. */
  int64(values: number | number[]): Value {
    const list = Array.isArray(values) ? values : [values];
    const name = `const_i64_${Array.isArray(values) ? `[${list.join(',')}]` : list[0]}`;
    return this.constant(name, { dataType: 'int64', dims: Array.isArray(values) ? [list.length] : [], data: BigInt64Array.from(list.map(BigInt)) });
  }

  /** A checkpoint tensor, under its checkpoint name and in its checkpoint layout. */
  param(name: string): Value {
    if (!this.initializers.has(name)) {
      const p = this.params.get(name);
      if (p === undefined) throw new LayerwiseError('MODEL_MISSING_PARAMETER', `the model has no parameter ${name}`, { tensor: name });
      this.initializers.set(name, { name, dataType: 'float32', dims: [...p.shape], data: p.data });
    }
    return name;
  }

  /** nn.Linear at `prefix`: x [..., in] · weightᵀ + bias -> [..., out]. */
  linear(x: Value, prefix: string): Value {
    return this.linearWith(x, `${prefix}.weight`, `${prefix}.bias`);
  }

  /** A linear layer whose weight [out, in] and bias are named separately (the tied MLM decoder). */
  linearWith(x: Value, weight: string, bias: string): Value {
    const transposed = this.op('Transpose', [this.param(weight)], { perm: ints([1, 0]) });
    return this.op('Add', [this.op('MatMul', [x, transposed]), this.param(bias)]);
  }

  /** nn.LayerNorm at `prefix` over the last axis, with the config's eps (LayerNormalization, opset 17). */
  layerNorm(x: Value, prefix: string): Value {
    const inputs = [x, this.param(`${prefix}.weight`), this.param(`${prefix}.bias`)];
    return this.op('LayerNormalization', inputs, { axis: int(-1), epsilon: float(this.config.layer_norm_eps) });
  }

  /** The activation a config names (hidden_act), refused as layers/activations.ts refuses it. */
  activation(name: string, x: Value): Value {
    const fn = Object.hasOwn(ACTIVATIONS, name) ? ACTIVATIONS[name] : undefined;
    if (fn === undefined) {
      throw new LayerwiseError('CONFIG_UNSUPPORTED_ACTIVATION', `activation "${name}" is not supported (supported: ${GRAPH_ACTIVATIONS.join(', ')})`, { field: 'hidden_act' });
    }
    return fn(this, x);
  }

  /** Rows of an embedding table by id: table [V, E], ids int64 [...] -> [..., E]. */
  embedding(table: string, ids: Value): Value {
    return this.op('Gather', [this.param(table), ids], { axis: int(0) });
  }

  /** hidden [B, S, H] -> [B, H]: the first token of each sequence. */
  firstToken(hidden: Value): Value {
    return this.op('Gather', [hidden, this.int64(0)], { axis: int(1) });
  }

  /** The sequence length of int64 ids [B, S], as an int64 scalar. */
  sequenceLength(ids: Value): Value {
    return this.op('Gather', [this.op('Shape', [ids]), this.int64(1)], { axis: int(0) });
  }

  /** extendedAttentionMask: attention_mask int64 [B, S] -> (1 - mask)·float32 min as [B, 1, 1, S]. */
  attentionMask(mask: Value): Value {
    const keep = this.op('Cast', [mask], { to: int(1) });
    const additive = this.op('Mul', [this.op('Sub', [this.scalar(1), keep]), this.scalar(FLOAT32_MIN)]);
    return this.op('Unsqueeze', [additive, this.int64([1, 2])]);
  }

  /**
   * selfAttention: q, k, v [B, S, H] -> context [B, S, H] with `numHeads` heads; mask from attentionMask. q is
   * scaled by 1/√headDim before the product, as the engine does.
   */
  selfAttention(q: Value, k: Value, v: Value, mask: Value, numHeads: number): Value {
    const hidden = this.config.hidden_size;
    const headDim = hidden / numHeads;
    const split = (t: Value) => this.op('Reshape', [t, this.int64([0, 0, numHeads, headDim])]); // [B, S, heads, headDim]
    const qh = this.op('Transpose', [split(this.op('Mul', [q, this.scalar(1 / Math.sqrt(headDim))]))], { perm: ints([0, 2, 1, 3]) });
    const kt = this.op('Transpose', [split(k)], { perm: ints([0, 2, 3, 1]) }); // [B, heads, headDim, S]
    const vh = this.op('Transpose', [split(v)], { perm: ints([0, 2, 1, 3]) });
    const probs = this.op('Softmax', [this.op('Add', [this.op('MatMul', [qh, kt]), mask])], { axis: int(-1) }); // [B, heads, S, S]
    const context = this.op('Transpose', [this.op('MatMul', [probs, vh])], { perm: ints([0, 2, 1, 3]) }); // [B, S, heads, headDim]
    return this.op('Reshape', [context, this.int64([0, 0, hidden])]);
  }

  /** The graph; every parameter of the model must have been read (a family's graph that skips one is wrong). */
  build(name: string): OnnxGraphData {
    const unused = [...this.params.keys()].filter((p) => !this.initializers.has(p));
    if (unused.length > 0) {
      throw new LayerwiseError('EXPORT_ONNX_UNUSED_PARAMETER', `the ONNX graph does not use ${unused.length} of the model's parameters (${unused.slice(0, 3).join(', ')}${unused.length > 3 ? ', …' : ''})`, {
        tensor: unused[0],
      });
    }
    return { name, nodes: [...this.nodes], initializers: [...this.initializers.values()], inputs: [...this.inputs], outputs: [...this.outputs] };
  }
}
