// Which files of a Hugging Face checkpoint folder hold the weights (model.safetensors, or the shards named by
// model.safetensors.index.json) and their validated headers, read before any tensor (RELIABILITY R1).
// Follows transformers' lookup order: model.safetensors first, then the safetensors index.
import { LayerwiseError } from '../lib/errors';
import { readSafetensorsHeader, type SafetensorsHeader } from '../formats/safetensors';
import { checkShardTensors, checkShardsPresent, parseSafetensorsIndex } from '../formats/safetensors-index';
import type { ParsedConfig } from '../formats/hf-config';
import { readAll, type SourceFile, type SourceFolder } from '../formats/source-file';
import { parseModelConfig } from './models/index';

export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

/** One tensor of the checkpoint: where it lives and what its header says. */
export interface ModelTensor {
  name: string;
  file: SourceFile;
  header: SafetensorsHeader;
  dtype: string;
  shape: number[];
}

export interface CheckpointWeights {
  /** Every tensor, in checkpoint order (shard order, then header order). */
  tensors: ModelTensor[];
  /** The weight files read, in order. */
  files: string[];
}

/** Weight formats that this studio never reads, with what to tell the user. */
function refuseOtherFormats(folder: SourceFolder): never {
  const names = [...folder.keys()];
  const pickle = names.find((n) => n === 'pytorch_model.bin' || n === 'pytorch_model.bin.index.json' || /\.(bin|pt|pth|ckpt)$/.test(n));
  if (pickle !== undefined) {
    throw new LayerwiseError(
      'CHECKPOINT_PYTORCH_ONLY',
      `the folder has PyTorch pickle weights (${pickle}) but no model.safetensors: convert them to safetensors ` +
        '(e.g. `model.save_pretrained(dir, safe_serialization=True)` in transformers); this app never executes pickle',
      { file: pickle },
    );
  }
  const other = names.find((n) => /\.(h5|msgpack|onnx|gguf)$/.test(n));
  throw new LayerwiseError(
    'CHECKPOINT_NO_WEIGHTS',
    other !== undefined
      ? `the folder has ${other} but no model.safetensors: only safetensors weights can be loaded`
      : 'the folder has no model.safetensors (nor model.safetensors.index.json with its shards)',
    { file: other ?? WEIGHTS_FILE },
  );
}

/**
 * The folder's config.json, read by the family of its model_type; a config without one (older BERT checkpoints)
 * by the family its architectures or, failing those, the weights' tensor names show (headers only are read).
 */
export async function readModelConfig(folder: SourceFolder): Promise<ParsedConfig> {
  const configFile = folder.get('config.json');
  if (!configFile) throw new LayerwiseError('CHECKPOINT_NO_CONFIG', 'the folder has no config.json', { file: 'config.json' });
  const text = await utf8Text(configFile);
  try {
    return parseModelConfig(text, 'config.json');
  } catch (err) {
    if (!(err instanceof LayerwiseError) || err.code !== 'CONFIG_MODEL_TYPE_MISSING') throw err;
  }
  let tensorNames: string[] = [];
  try {
    tensorNames = (await readModelWeights(folder)).tensors.map((t) => t.name);
  } catch {
    // No readable weights to tell the family: the error says which field to add.
  }
  return parseModelConfig(text, 'config.json', { tensorNames });
}

/** A small text file of the checkpoint (config, index) as UTF-8; a byte-order mark is kept for the JSON reader to report. */
export async function utf8Text(file: SourceFile): Promise<string> {
  const bytes = await readAll(file);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new LayerwiseError('CHECKPOINT_NOT_UTF8', `${file.name} is not UTF-8 text`, { file: file.name });
  }
}

function tensorsOf(file: SourceFile, header: SafetensorsHeader): ModelTensor[] {
  return [...header.tensors].map(([name, info]) => ({ name, file, header, dtype: info.dtype, shape: [...info.shape] }));
}

/** The headers of the folder's weights; nothing but headers (and the index) is read. */
export async function readModelWeights(folder: SourceFolder): Promise<CheckpointWeights> {
  const single = folder.get(WEIGHTS_FILE);
  if (single) return { tensors: tensorsOf(single, await readSafetensorsHeader(single)), files: [WEIGHTS_FILE] };
  const indexFile = folder.get(WEIGHTS_INDEX_FILE);
  if (!indexFile) refuseOtherFormats(folder);

  const index = parseSafetensorsIndex(await utf8Text(indexFile), WEIGHTS_INDEX_FILE);
  checkShardsPresent(index, folder, WEIGHTS_INDEX_FILE);
  const tensors: ModelTensor[] = [];
  for (const shard of index.shards) {
    const file = folder.get(shard) as SourceFile;
    const header = await readSafetensorsHeader(file);
    checkShardTensors(index, shard, header, WEIGHTS_INDEX_FILE);
    tensors.push(...tensorsOf(file, header));
  }
  return { tensors, files: index.shards };
}
