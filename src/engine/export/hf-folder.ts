// A Hugging Face checkpoint folder as a list of files (no file system here): config.json, model.safetensors and
// the tokenizer files byte for byte, as transformers' save_pretrained writes them (RELIABILITY X1, X2).
import type { ModelConfig } from '../../formats/hf-config';
import { writeSafetensors } from '../../formats/safetensors';
import { readAll, type SourceFile } from '../../formats/source-file';
import type { Task } from '../../protocol/task';
import { architectureName } from '../architectures';
import type { ParamValues } from '../params/store';

export interface HfFile {
  name: string;
  bytes: Uint8Array;
}

export interface HfFolderInput {
  /** config.json as it was read; every field not named below is written back unchanged. */
  rawConfig: Record<string, unknown>;
  /** The normalised view; its id2label (possibly the user's labels) is written for classification tasks. */
  config: ModelConfig;
  task: Task;
  /**
   * Parameters by checkpoint name, in the order to write. Tied weights (the MLM decoder, which is the word
   * embedding) are not parameters of their own, so each is written once, as transformers expects (X2).
   */
  weights: Iterable<[string, ParamValues]>;
  /** The checkpoint's tokenizer files, copied byte for byte. */
  tokenizerFiles: readonly SourceFile[];
}

/**
 * config.json for the exported folder: the raw config with architectures for this task, id2label / label2id
 * (and num_labels where the raw config had it) from the normalised view, and the dtype fields set to float32.
 */
export function exportedConfig(rawConfig: Record<string, unknown>, config: ModelConfig, task: Task): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rawConfig };
  out.architectures = [architectureName(config.model_type, task)];
  if (task !== 'mlm') {
    // Object.fromEntries defines own properties, so a label named __proto__ stays a label (RELIABILITY D15).
    out.id2label = Object.fromEntries(config.id2label.map((label, i) => [String(i), label]));
    out.label2id = Object.fromEntries(config.id2label.map((label, i) => [label, i]));
    if (Object.hasOwn(rawConfig, 'num_labels')) out.num_labels = config.id2label.length;
  }
  // transformers 5 writes `dtype`, 4.x `torch_dtype`: set whichever the checkpoint used, `dtype` otherwise.
  const hadTorchDtype = Object.hasOwn(rawConfig, 'torch_dtype');
  if (hadTorchDtype) out.torch_dtype = 'float32';
  if (Object.hasOwn(rawConfig, 'dtype') || !hadTorchDtype) out.dtype = 'float32';
  return out;
}

/** The files of the folder: config.json, model.safetensors (F32, metadata {format: pt}), then the tokenizer files. */
export async function writeHfFolder(input: HfFolderInput): Promise<HfFile[]> {
  const configText = `${JSON.stringify(exportedConfig(input.rawConfig, input.config, input.task), null, 2)}\n`;
  const files: HfFile[] = [
    { name: 'config.json', bytes: new TextEncoder().encode(configText) },
    { name: 'model.safetensors', bytes: writeSafetensors(input.weights, { format: 'pt' }) },
  ];
  for (const file of input.tokenizerFiles) files.push({ name: file.name, bytes: await readAll(file) });
  return files;
}
