// One export, as the studio and `layerwise export` make it: the files of the chosen format, then the check that they
// compute the engine's logits (verify.ts); a failed check throws, so unchecked files never reach a download or --out.
import type { SourceFolder } from '../../formats/source-file';
import { LayerwiseError } from '../../lib/errors';
import type { ExportCheck, ExportFormat, ExportVerification } from '../../protocol/export';
import type { LoadedModel } from '../load';
import { writeModelFolder, type ModelFile, type RunRecord } from './model-folder';
import { ONNX_FP32_FILE, ONNX_INT8_FILE, writeOnnxFolder } from './onnx-folder';
import { assertVerified, checkModelFolder, checkOnnxFile, engineLogits, type OnnxRunner, type VerifyRows } from './verify';

export interface ExportInput {
  model: LoadedModel;
  /** The folder the model was read from (tokenizer files). */
  source: SourceFolder;
  format: ExportFormat;
  /** onnx: also the dynamic int8 file. */
  quantize: boolean;
  allowNonFinite?: boolean;
  /** hf: the run that made the weights (model card, metrics.json). */
  run?: RunRecord;
  /** The rows the export is checked on. */
  rows: VerifyRows;
  /** onnx: ONNX Runtime, as the host provides it. */
  onnxRunner?: OnnxRunner;
  /** Told when the files are written and their check begins. */
  onVerifying?: () => void;
}

export interface ExportResult {
  files: ModelFile[];
  verification: ExportVerification;
}

export async function exportModel(input: ExportInput): Promise<ExportResult> {
  const { model, rows } = input;
  if (input.quantize && input.format !== 'onnx') {
    throw new LayerwiseError('EXPORT_QUANTIZE_NEEDS_ONNX', `int8 quantisation is written as ONNX (${ONNX_INT8_FILE}): use the onnx format; ${input.format} holds float32 weights`, { field: 'quantize' });
  }
  if (input.format === 'onnx' && model.adapters) {
    throw new LayerwiseError('EXPORT_ONNX_ADAPTERS', 'The ONNX graphs have no bottleneck adapters yet: export this model as a Hugging Face folder (hf), whose adapter/ the adapters library loads.', { field: 'format' });
  }
  const expected = await engineLogits(model, rows);
  let files: ModelFile[];
  const checks: ExportCheck[] = [];
  if (input.format === 'hf') {
    files = await writeModelFolder({ model, source: input.source, run: input.run, allowNonFinite: input.allowNonFinite });
    input.onVerifying?.();
    checks.push(await checkModelFolder(files, model.task, rows, expected));
  } else {
    const runner = input.onnxRunner;
    if (runner === undefined) throw new LayerwiseError('EXPORT_VERIFY_RUNTIME', 'no ONNX Runtime is available to check the ONNX files');
    files = await writeOnnxFolder({ model, source: input.source, quantize: input.quantize, allowNonFinite: input.allowNonFinite });
    input.onVerifying?.();
    const on = { task: model.task, hasTokenTypes: model.family.hasTokenTypes };
    for (const f of files) {
      if (f.name === ONNX_FP32_FILE || f.name === ONNX_INT8_FILE) checks.push(await checkOnnxFile(f, f.name === ONNX_INT8_FILE, runner, on, rows, expected));
    }
  }
  const verification: ExportVerification = { examples: rows.input_ids.length, source: rows.source, checks };
  assertVerified(verification);
  return { files, verification };
}
