// What an export is and how it was checked, shared by the worker, the Export panel and `layerwise export`.
// Every export is checked against the engine before it is handed over (engine/export/verify.ts): the same rows
// through the engine's eval-mode forward and through the exported files, read back by another reader.

/** 'hf': a Hugging Face model folder; 'onnx': the folder transformers.js reads (fp32, and int8 when quantised). */
export type ExportFormat = 'hf' | 'onnx';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['hf', 'onnx'];

/** One exported file against the engine's logits on the same rows. */
export interface ExportCheck {
  /** The file checked: 'model.safetensors', 'onnx/model.onnx', 'onnx/model_quantized.onnx'. */
  file: string;
  /** Who read it back: 'Layerwise loader', 'onnxruntime-web 1.31.1', ... */
  reader: string;
  /** Largest |exported − engine| over the logits of attended positions. */
  maxAbsDiff: number;
  /** The largest difference accepted (VERIFY_* in verify.ts). */
  tolerance: number;
  /** Predictions (rows for sequence classification, attended tokens otherwise) whose highest logit is the engine's. */
  agree: number;
  compared: number;
  passed: boolean;
}

export interface ExportVerification {
  /** How many rows were run, and where they came from (the validation data, or generated ids where none is open). */
  examples: number;
  source: 'validation' | 'training' | 'generated';
  checks: ExportCheck[];
}

/** Where an export in flight is: writing its files, or reading them back to compare with the engine. */
export type ExportPhase = 'writing' | 'verifying';
