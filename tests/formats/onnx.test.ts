// ONNX bytes ⇄ plain objects (formats/onnx.ts, through onnx-proto): a model with every attribute kind and tensor type
// the exporter writes decodes to what was encoded; bytes that are not a model, and initializers this reader cannot
// read, are coded errors naming the file and tensor.
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { decodeOnnxModel, encodeOnnxModel, type OnnxModelData } from '../../src/formats/onnx';

const model: OnnxModelData = {
  irVersion: 8,
  opsetVersion: 17,
  producerName: 'layerwise',
  producerVersion: '0.1.0',
  docString: 'a test',
  metadata: { 'layerwise.task': 'seq-cls' },
  graph: {
    name: 'g',
    inputs: [{ name: 'ids', dataType: 'int64', shape: ['batch_size', 'sequence_length'] }],
    outputs: [{ name: 'logits', dataType: 'float32', shape: ['batch_size', 3] }],
    nodes: [
      { opType: 'Gather', name: '/Gather_1', inputs: ['table', 'ids'], outputs: ['x'], attributes: { axis: { type: 'int', value: 0 } } },
      { opType: 'LayerNormalization', name: '/LN', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { axis: { type: 'int', value: -1 }, epsilon: { type: 'float', value: Math.fround(1e-12) } } },
      { opType: 'Transpose', name: '/T', inputs: ['y'], outputs: ['z'], attributes: { perm: { type: 'ints', value: [1, 0, 2] } } },
      { opType: 'Cast', name: '/C', inputs: ['z'], outputs: ['logits'], attributes: { note: { type: 'string', value: 'ünïcode' }, t: { type: 'tensor', value: { name: 'k', dataType: 'int64', dims: [2], data: BigInt64Array.from([1n, -2n]) } } } },
    ],
    initializers: [
      { name: 'table', dataType: 'float32', dims: [2, 3], data: Float32Array.from([1, 2, 3, -4, 5.5, Number.NaN]) },
      { name: 'w', dataType: 'int8', dims: [3], data: Int8Array.from([-127, 0, 127]) },
      { name: 'b', dataType: 'uint8', dims: [], data: Uint8Array.from([255]) },
    ],
  },
};

describe('ONNX model bytes', () => {
  it('decode(encode(model)) is the model: dims, symbolic axes, raw data, every attribute kind', () => {
    expect(decodeOnnxModel(encodeOnnxModel(model))).toEqual(model);
  });

  it('bytes that are not a model are ONNX_UNREADABLE naming the file', () => {
    expect(() => decodeOnnxModel(Uint8Array.from([0xff, 0xff, 0xff, 0x0f, 0x01]), 'x.onnx')).toThrow(expect.objectContaining({ code: 'ONNX_UNREADABLE', location: { file: 'x.onnx' } }));
  });

  it('an initializer in typed fields instead of raw_data, or with too few bytes, is refused by name', () => {
    const { onnx } = onnxProto;
    const typed = onnx.ModelProto.encode({ irVersion: 8, graph: { name: 'g', initializer: [{ name: 'w', dataType: 1, dims: [2], floatData: [1, 2] }] } }).finish();
    expect(() => decodeOnnxModel(typed)).toThrow(expect.objectContaining({ code: 'ONNX_TENSOR_NOT_RAW', location: { file: 'model.onnx', tensor: 'w' } }));
    const short = onnx.ModelProto.encode({ irVersion: 8, graph: { name: 'g', initializer: [{ name: 'v', dataType: 1, dims: [2], rawData: new Uint8Array(4) }] } }).finish();
    expect(() => decodeOnnxModel(short)).toThrow(expect.objectContaining({ code: 'ONNX_TENSOR_SIZE_MISMATCH', location: { file: 'model.onnx', tensor: 'v' } }));
  });
});
