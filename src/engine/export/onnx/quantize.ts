// Dynamic int8 quantization of an fp32 graph, in the form ONNX Runtime's quantize_dynamic (IntegerOps, QInt8 weights,
// per tensor: what transformers.js publishes as model_quantized.onnx) gives it: each weight matrix becomes int8 with
// a float scale (symmetric, zero point 0, scale = max|w| / 127, numpy's round-half-to-even), and
//   MatMul(x, W)     -> DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q, x_zp, W_zp) -> Cast -> Mul(x_scale·W_scale)
//   Gather(T, ids)   -> Gather(T_q, ids) -> DequantizeLinear(·, T_scale, T_zp)
// so activations are quantised at run time and only the weights are stored as int8. One difference: a weight reached
// through Transpose (our graphs keep checkpoint layouts) is quantised once and transposed as int8, and an embedding
// table shared by a Gather and the tied MLM decoder keeps one int8 copy (ORT would quantise the table as uint8 for
// the Gather and a transposed copy as int8 for the MatMul).
import type { OnnxGraphData, OnnxModelData, OnnxNode, OnnxTensor } from '../../../formats/onnx';

interface QuantizedWeight {
  /** int8 values, then the float32 scale and the int8 zero point. */
  q: string;
  scale: string;
  zeroPoint: string;
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ORT's symmetric int8 quantization of one tensor (compute_scale_zp with qmin -127, qmax 127; quantize_nparray). */
export function quantizeWeight(data: Float32Array): { values: Int8Array; scale: number } {
  let absMax = 0;
  for (const x of data) absMax = Math.max(absMax, Math.abs(x));
  const scale = absMax === 0 ? 1 : Math.fround(Math.fround(2 * absMax) / 254);
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = Math.max(-127, Math.min(127, roundHalfEven(Math.fround(data[i] / scale))));
  return { values, scale };
}

export function quantizeDynamic(model: OnnxModelData): OnnxModelData {
  return { ...model, docString: `${model.docString}; weights dynamically quantised to int8`, graph: quantizeGraph(model.graph) };
}

function quantizeGraph(graph: OnnxGraphData): OnnxGraphData {
  const floats = new Map(graph.initializers.filter((t) => t.dataType === 'float32' && t.dims.length === 2).map((t) => [t.name, t]));
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const isMatMulB = (value: string) => (consumers.get(value) ?? []).every((c) => c.opType === 'MatMul' && c.inputs[1] === value);
  // Transposes of a weight that only MatMuls read as B: quantised as int8 before the Transpose.
  const weightTransposes = new Set(graph.nodes.filter((n) => n.opType === 'Transpose' && floats.has(n.inputs[0]) && isMatMulB(n.outputs[0])).map((n) => n.outputs[0]));

  const added: OnnxTensor[] = [];
  const weights = new Map<string, QuantizedWeight>();
  const quantized = (name: string): QuantizedWeight => {
    const done = weights.get(name);
    if (done) return done;
    const t = floats.get(name) as OnnxTensor;
    const { values, scale } = quantizeWeight(t.data as Float32Array);
    const w = { q: `${name}_quantized`, scale: `${name}_scale`, zeroPoint: `${name}_zero_point` };
    added.push({ name: w.q, dataType: 'int8', dims: t.dims, data: values });
    added.push({ name: w.scale, dataType: 'float32', dims: [], data: new Float32Array([scale]) });
    added.push({ name: w.zeroPoint, dataType: 'int8', dims: [], data: new Int8Array([0]) });
    weights.set(name, w);
    return w;
  };

  const nodes: OnnxNode[] = [];
  const transposed = new Map<string, QuantizedWeight>();
  const activations = new Map<string, { q: string; scale: string; zeroPoint: string }>();
  for (const n of graph.nodes) {
    if (n.opType === 'Transpose' && weightTransposes.has(n.outputs[0])) {
      const w = quantized(n.inputs[0]);
      const out = `${n.outputs[0]}_quantized`;
      nodes.push({ ...n, inputs: [w.q], outputs: [out] });
      transposed.set(n.outputs[0], { ...w, q: out });
    } else if (n.opType === 'Gather' && floats.has(n.inputs[0])) {
      const w = quantized(n.inputs[0]);
      const out = `${n.outputs[0]}_quantized`;
      nodes.push({ ...n, inputs: [w.q, n.inputs[1]], outputs: [out] });
      nodes.push({ opType: 'DequantizeLinear', name: `${n.name}_dequantize`, inputs: [out, w.scale, w.zeroPoint], outputs: n.outputs, attributes: {} });
    } else if (n.opType === 'MatMul' && (transposed.has(n.inputs[1]) || (floats.has(n.inputs[1]) && isMatMulB(n.inputs[1])))) {
      const w = transposed.get(n.inputs[1]) ?? quantized(n.inputs[1]);
      const x = n.inputs[0];
      let a = activations.get(x);
      if (a === undefined) {
        // One run-time quantisation per activation, shared by the MatMuls that read it (query, key, value).
        a = { q: `${x}_quantized`, scale: `${x}_scale`, zeroPoint: `${x}_zero_point` };
        nodes.push({ opType: 'DynamicQuantizeLinear', name: `${x}_dynamic_quantize`, inputs: [x], outputs: [a.q, a.scale, a.zeroPoint], attributes: {} });
        activations.set(x, a);
      }
      const out = n.outputs[0];
      nodes.push({ opType: 'MatMulInteger', name: `${n.name}_quant`, inputs: [a.q, w.q, a.zeroPoint, w.zeroPoint], outputs: [`${out}_integer`], attributes: {} });
      nodes.push({ opType: 'Cast', name: `${n.name}_cast`, inputs: [`${out}_integer`], outputs: [`${out}_cast`], attributes: { to: { type: 'int', value: 1 } } });
      nodes.push({ opType: 'Mul', name: `${n.name}_scales_mul`, inputs: [a.scale, w.scale], outputs: [`${out}_scales`], attributes: {} });
      nodes.push({ opType: 'Mul', name: `${n.name}_output_scale_mul`, inputs: [`${out}_cast`, `${out}_scales`], outputs: [out], attributes: {} });
    } else {
      nodes.push(n);
    }
  }
  const read = new Set(nodes.flatMap((n) => n.inputs));
  const initializers = [...graph.initializers.filter((t) => read.has(t.name)), ...added];
  return { ...graph, nodes, initializers };
}
