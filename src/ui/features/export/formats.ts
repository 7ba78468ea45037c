// What the Export panel says of each export format: its title, what it holds, how big it will be, and the one line
// that uses it. A format of protocol/export.ts without an entry here is a type error, so a new format is one entry
// (and the worker's side of it).
import type { ModelSummary } from '../../../protocol/messages';
import type { ExportFormat } from '../../../protocol/export';
import type { Task } from '../../../protocol/task';

export interface FormatInfo {
  title: string;
  /** What the zip holds, in a sentence. */
  description: string;
  /** The export button's label. */
  action: string;
  /** Bytes the weight files will take before the export has run: [label, bytes] per file kind. */
  estimate(model: ModelSummary, options: { quantize: boolean }): [string, number][];
  /** The language of the snippet, and the line itself for a folder named `folder`. */
  snippet(model: ModelSummary, folder: string): { language: string; code: string };
  /** Folder name before the first export. */
  placeholder: string;
}

const AUTO_CLASS: Record<Task, string> = {
  'seq-cls': 'AutoModelForSequenceClassification',
  'token-cls': 'AutoModelForTokenClassification',
  mlm: 'AutoModelForMaskedLM',
};

/** transformers.js pipeline tasks, as the Hub's pipeline_tag names them. */
const PIPELINE: Record<Task, string> = { 'seq-cls': 'text-classification', 'token-cls': 'token-classification', mlm: 'fill-mask' };

export const FORMAT_INFO: Record<ExportFormat, FormatInfo> = {
  hf: {
    title: 'Hugging Face folder',
    description: 'config.json, model.safetensors (float32) and the tokenizer files: transformers (Python) and this studio load it as it is.',
    action: 'Export Hugging Face folder',
    estimate: (model) => [['model.safetensors', 4 * model.parameterCount]],
    snippet: (model, folder) => ({ language: 'Python', code: `model = ${AUTO_CLASS[model.task]}.from_pretrained("${folder}")` }),
    placeholder: 'model-finetuned',
  },
  onnx: {
    title: 'ONNX for transformers.js',
    description:
      'config.json, the tokenizer files and onnx/model.onnx (float32), with onnx/model_quantized.onnx (int8 weights, activations quantised at run time): the folder transformers.js loads in a web page or Node.',
    action: 'Export ONNX',
    estimate: (model, { quantize }) => [['onnx/model.onnx', 4 * model.parameterCount], ...(quantize ? ([['onnx/model_quantized.onnx', model.parameterCount]] as [string, number][]) : [])],
    snippet: (model, folder) => ({ language: 'JavaScript', code: `const run = await pipeline("${PIPELINE[model.task]}", "${folder}", { dtype: "q8" });` }),
    placeholder: 'model-finetuned-onnx',
  },
};
