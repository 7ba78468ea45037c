// The folder transformers.js loads (from disk or the Hub): config.json and the tokenizer files as the model folder
// has them (model-folder.ts), onnx/model.onnx (fp32) and, quantised, onnx/model_quantized.onnx (dynamic int8, the
// file transformers.js picks for dtype 'q8'). The graphs come from export/onnx/, one per family.
import { encodeOnnxModel } from '../../formats/onnx';
import type { SourceFolder } from '../../formats/source-file';
import { LayerwiseError } from '../../lib/errors';
import type { LoadedModel } from '../load';
import type { ParamValues } from '../params/store';
import { configAndTokenizerFiles, refuseNonFinite, type ModelFile } from './model-folder';
import { onnxModel } from './onnx/families';
import { quantizeDynamic } from './onnx/quantize';

export const ONNX_FP32_FILE = 'onnx/model.onnx';
export const ONNX_INT8_FILE = 'onnx/model_quantized.onnx';

/**
 * A ModelProto is one protobuf message, and protobuf messages end at 2 GiB; larger models need ONNX's external-data
 * files, which this exporter does not write. Weights above this (with room for the graph) are refused up front.
 */
export const ONNX_MAX_WEIGHT_BYTES = 2 ** 31 - 2 ** 24;

/** Refuses a model whose fp32 weights do not fit one .onnx file (EXPORT_ONNX_TOO_LARGE). */
export function checkOnnxSize(parameterCount: number): void {
  const bytes = 4 * parameterCount;
  if (bytes > ONNX_MAX_WEIGHT_BYTES) {
    throw new LayerwiseError(
      'EXPORT_ONNX_TOO_LARGE',
      `the model's float32 weights take ${(bytes / 2 ** 30).toFixed(2)} GiB; one .onnx file holds at most 2 GiB (larger models need ONNX external data, which this export does not write): export the Hugging Face folder instead`,
      { file: ONNX_FP32_FILE },
    );
  }
}

export interface OnnxFolderInput {
  model: LoadedModel;
  /** The folder the model was read from: its tokenizer files are copied. */
  source: SourceFolder;
  /** Also write onnx/model_quantized.onnx. */
  quantize: boolean;
  /** Write weights that hold NaN or ±Inf; refused otherwise (EXPORT_NON_FINITE), as for the model folder. */
  allowNonFinite?: boolean;
}

/** config.json, the tokenizer files, onnx/model.onnx and (quantize) onnx/model_quantized.onnx. */
export async function writeOnnxFolder(input: OnnxFolderInput): Promise<ModelFile[]> {
  const { model } = input;
  checkOnnxSize(model.params.parameterCount());
  const values = await model.params.snapshot();
  refuseNonFinite(values, input.allowNonFinite);
  const params = new Map<string, ParamValues>([...values].map(([name, data]) => [name, { shape: model.params.shape(name), data }]));
  const fp32 = onnxModel({ config: model.config, task: model.task, hasTokenTypes: model.family.hasTokenTypes, params });
  const files = await configAndTokenizerFiles(model, input.source);
  files.push({ name: ONNX_FP32_FILE, bytes: encodeOnnxModel(fp32) });
  if (input.quantize) files.push({ name: ONNX_INT8_FILE, bytes: encodeOnnxModel(quantizeDynamic(fp32)) });
  return files;
}
