// ONNX models as plain objects and their bytes: encoded and decoded with the ONNX schema (onnx.proto of ONNX 1.10,
// IR version 8, compiled for protobufjs by the `onnx-proto` package), never by hand. The graph builder
// (engine/export/onnx/) makes the plain objects; this file only turns them into a ModelProto and back.
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { LayerwiseError } from '../lib/errors';

const { onnx } = onnxProto;

/** TensorProto.DataType values of the element types the exported graphs use. */
export const ONNX_DATA_TYPES = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 } as const;
export type OnnxDataType = keyof typeof ONNX_DATA_TYPES;

const TYPE_OF_CODE = new Map<number, OnnxDataType>(Object.entries(ONNX_DATA_TYPES).map(([k, v]) => [v, k as OnnxDataType]));

export type OnnxTensorData = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

/** An initializer (or a tensor attribute): values in row-major order, stored as raw little-endian bytes. */
export interface OnnxTensor {
  name: string;
  dataType: OnnxDataType;
  dims: number[];
  data: OnnxTensorData;
}

export type OnnxAttribute =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: number[] }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: OnnxTensor };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

/** A graph input or output: a dimension is a size or a symbolic name (a dynamic axis: 'batch_size'). */
export interface OnnxValueInfo {
  name: string;
  dataType: OnnxDataType;
  shape: (number | string)[];
}

export interface OnnxGraphData {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModelData {
  irVersion: number;
  /** The default (ai.onnx) domain's opset. */
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  /** ModelProto.metadata_props. */
  metadata: Record<string, string>;
  graph: OnnxGraphData;
}

const ATTRIBUTE_TYPES = { float: 1, int: 2, string: 3, tensor: 4, ints: 7 } as const;

function bytesOf(data: OnnxTensorData): Uint8Array {
  // Every platform the studio and Node run on is little-endian, as ONNX's raw_data is.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function tensorProto(t: OnnxTensor): InstanceType<typeof onnx.TensorProto> {
  return onnx.TensorProto.create({ name: t.name, dataType: ONNX_DATA_TYPES[t.dataType], dims: t.dims, rawData: bytesOf(t.data) });
}

function attributeProto(name: string, a: OnnxAttribute): InstanceType<typeof onnx.AttributeProto> {
  const type = ATTRIBUTE_TYPES[a.type];
  switch (a.type) {
    case 'int':
      return onnx.AttributeProto.create({ name, type, i: a.value });
    case 'float':
      return onnx.AttributeProto.create({ name, type, f: a.value });
    case 'ints':
      return onnx.AttributeProto.create({ name, type, ints: a.value });
    case 'string':
      return onnx.AttributeProto.create({ name, type, s: new TextEncoder().encode(a.value) });
    case 'tensor':
      return onnx.AttributeProto.create({ name, type, t: tensorProto(a.value) });
  }
}

function valueInfoProto(v: OnnxValueInfo): InstanceType<typeof onnx.ValueInfoProto> {
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return onnx.ValueInfoProto.create({ name: v.name, type: { tensorType: { elemType: ONNX_DATA_TYPES[v.dataType], shape: { dim } } } });
}

/** The model's ModelProto bytes (a .onnx file). */
export function encodeOnnxModel(model: OnnxModelData): Uint8Array {
  const g = model.graph;
  const proto = onnx.ModelProto.create({
    irVersion: model.irVersion,
    opsetImport: [{ domain: '', version: model.opsetVersion }],
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    docString: model.docString,
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: g.name,
      node: g.nodes.map((n) =>
        onnx.NodeProto.create({
          opType: n.opType,
          name: n.name,
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.attributes).map(([name, a]) => attributeProto(name, a)),
        }),
      ),
      initializer: g.initializers.map(tensorProto),
      input: g.inputs.map(valueInfoProto),
      output: g.outputs.map(valueInfoProto),
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

// Decoding: protobufjs gives int64 fields as Long objects (or numbers); sizes and attributes here fit a double.
type Int64 = number | { toNumber(): number };
const num = (v: Int64 | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

function tensorData(dataType: OnnxDataType, raw: Uint8Array, size: number, name: string, file: string): OnnxTensorData {
  // A copy of its own, aligned: under Node the decoder hands out Buffers, whose slice() is a view of a shared pool.
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  const width = { float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8, bool: 1 }[dataType];
  if (copy.byteLength !== size * width) {
    throw new LayerwiseError('ONNX_TENSOR_SIZE_MISMATCH', `initializer ${name} holds ${copy.byteLength} bytes, its dims need ${size * width}`, { file, tensor: name });
  }
  switch (dataType) {
    case 'float32':
      return new Float32Array(copy.buffer);
    case 'int8':
      return new Int8Array(copy.buffer);
    case 'int32':
      return new Int32Array(copy.buffer);
    case 'int64':
      return new BigInt64Array(copy.buffer);
    default:
      return copy;
  }
}

function decodeTensor(t: proto.ITensorProto, file: string): OnnxTensor {
  const name = t.name ?? '';
  const dataType = TYPE_OF_CODE.get(t.dataType ?? 0);
  if (dataType === undefined) throw new LayerwiseError('ONNX_UNSUPPORTED_DTYPE', `initializer ${name} has data type ${t.dataType}, which this reader does not read`, { file, tensor: name });
  const dims = (t.dims ?? []).map(num);
  const raw = t.rawData ?? new Uint8Array(0);
  if (raw.byteLength === 0 && dims.reduce((a, b) => a * b, 1) > 0) {
    throw new LayerwiseError('ONNX_TENSOR_NOT_RAW', `initializer ${name} stores its values in typed fields, not raw_data; this reader reads raw_data only`, { file, tensor: name });
  }
  return { name, dataType, dims, data: tensorData(dataType, raw, dims.reduce((a, b) => a * b, 1), name, file) };
}

function decodeAttribute(a: proto.IAttributeProto, file: string): OnnxAttribute {
  switch (a.type) {
    case ATTRIBUTE_TYPES.int:
      return { type: 'int', value: num(a.i) };
    case ATTRIBUTE_TYPES.float:
      return { type: 'float', value: a.f ?? 0 };
    case ATTRIBUTE_TYPES.ints:
      return { type: 'ints', value: (a.ints ?? []).map(num) };
    case ATTRIBUTE_TYPES.string:
      return { type: 'string', value: new TextDecoder().decode(a.s ?? new Uint8Array(0)) };
    case ATTRIBUTE_TYPES.tensor:
      return { type: 'tensor', value: decodeTensor(a.t ?? {}, file) };
    default:
      throw new LayerwiseError('ONNX_UNSUPPORTED_ATTRIBUTE', `attribute ${a.name} has type ${a.type}, which this reader does not read`, { file, field: a.name ?? '' });
  }
}

function decodeValueInfo(v: proto.IValueInfoProto, file: string): OnnxValueInfo {
  const name = v.name ?? '';
  const tensorType = v.type?.tensorType;
  const dataType = tensorType ? TYPE_OF_CODE.get(tensorType.elemType ?? 0) : undefined;
  if (!tensorType || dataType === undefined) throw new LayerwiseError('ONNX_UNSUPPORTED_VALUE', `graph value ${name} is not a tensor of a type this reader knows`, { file, field: name });
  const shape = (tensorType.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : num(d.dimValue)));
  return { name, dataType, shape };
}

/** A .onnx file's model as plain objects; `file` names it in errors. */
export function decodeOnnxModel(bytes: Uint8Array, file = 'model.onnx'): OnnxModelData {
  let m: proto.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new LayerwiseError('ONNX_UNREADABLE', `not an ONNX model: ${(err as Error).message}`, { file });
  }
  const g = m.graph;
  if (!g) throw new LayerwiseError('ONNX_NO_GRAPH', 'the model has no graph', { file });
  const opset = m.opsetImport.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  return {
    irVersion: num(m.irVersion),
    opsetVersion: opset ? num(opset.version) : 0,
    producerName: m.producerName,
    producerVersion: m.producerVersion,
    docString: m.docString,
    metadata: Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value])),
    graph: {
      name: g.name ?? '',
      nodes: (g.node ?? []).map((n) => ({
        opType: n.opType ?? '',
        name: n.name ?? '',
        inputs: [...(n.input ?? [])],
        outputs: [...(n.output ?? [])],
        attributes: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', decodeAttribute(a, file)])),
      })),
      initializers: (g.initializer ?? []).map((t) => decodeTensor(t, file)),
      inputs: (g.input ?? []).map((v) => decodeValueInfo(v, file)),
      outputs: (g.output ?? []).map((v) => decodeValueInfo(v, file)),
    },
  };
}
