// model.safetensors.index.json of a sharded checkpoint: {"metadata": {...}, "weight_map": {tensor: shard file}}
// as transformers writes it (modeling_utils.save_pretrained / load_sharded_checkpoint), validated strictly:
// duplicate names, missing shards and tensors the index does not list are errors that name them.
import { LayerwiseError } from '../lib/errors';
import { findDuplicateKey } from './json-duplicate-keys';
import { parseJsonText } from './json-text';
import type { SafetensorsHeader } from './safetensors';

export interface SafetensorsIndex {
  /** Tensor name -> shard file name, in the index's order. */
  weightMap: Map<string, string>;
  /** The shard files, each once, in order of first mention. */
  shards: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseSafetensorsIndex(text: string, fileName: string): SafetensorsIndex {
  const { value } = parseJsonText(text, fileName, 'SAFETENSORS_INDEX_INVALID_JSON');
  if (!isObject(value)) {
    throw new LayerwiseError('SAFETENSORS_INDEX_INVALID', `${fileName} must hold a JSON object`, { file: fileName });
  }
  if (value.metadata !== undefined && value.metadata !== null && !isObject(value.metadata)) {
    throw new LayerwiseError('SAFETENSORS_INDEX_INVALID', `${fileName}: "metadata" must be an object`, { file: fileName, field: 'metadata' });
  }
  const map = value.weight_map;
  if (!isObject(map)) {
    throw new LayerwiseError('SAFETENSORS_INDEX_INVALID', `${fileName} has no "weight_map" object (tensor name -> shard file)`, {
      file: fileName,
      field: 'weight_map',
    });
  }
  const duplicate = findDuplicateKey(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (duplicate !== null && duplicate.path.length === 1 && duplicate.path[0] === 'weight_map') {
    throw new LayerwiseError('SAFETENSORS_INDEX_DUPLICATE_TENSOR', `${fileName} lists tensor ${JSON.stringify(duplicate.key)} twice`, {
      file: fileName,
      tensor: duplicate.key,
    });
  }
  const weightMap = new Map<string, string>();
  const shards: string[] = [];
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || shard === '') {
      throw new LayerwiseError('SAFETENSORS_INDEX_INVALID', `${fileName}: the shard of tensor ${JSON.stringify(name)} must be a file name`, {
        file: fileName,
        tensor: name,
      });
    }
    weightMap.set(name, shard);
    if (!shards.includes(shard)) shards.push(shard);
  }
  return { weightMap, shards };
}

/** Every shard the index names is among the folder's files. */
export function checkShardsPresent(index: SafetensorsIndex, available: ReadonlySet<string> | ReadonlyMap<string, unknown>, fileName: string): void {
  const missing = index.shards.filter((s) => !available.has(s));
  if (missing.length > 0) {
    throw new LayerwiseError(
      'SAFETENSORS_INDEX_MISSING_SHARD',
      `${fileName} names shard file(s) that are not in the folder: ${missing.join(', ')}`,
      { file: missing[0] },
    );
  }
}

/** One shard's header agrees with the index: each of its tensors is listed for it, and it holds all listed for it. */
export function checkShardTensors(index: SafetensorsIndex, shard: string, header: SafetensorsHeader, fileName: string): void {
  for (const name of header.tensors.keys()) {
    const listed = index.weightMap.get(name);
    if (listed !== shard) {
      throw new LayerwiseError(
        'SAFETENSORS_INDEX_UNLISTED_TENSOR',
        listed === undefined
          ? `${shard} holds tensor ${JSON.stringify(name)}, which ${fileName} does not list`
          : `${shard} holds tensor ${JSON.stringify(name)}, which ${fileName} lists in ${listed}`,
        { file: shard, tensor: name },
      );
    }
  }
  for (const [name, listed] of index.weightMap) {
    if (listed === shard && !header.tensors.has(name)) {
      throw new LayerwiseError(
        'SAFETENSORS_INDEX_MISSING_TENSOR',
        `${fileName} lists tensor ${JSON.stringify(name)} in ${shard}, but that file does not hold it`,
        { file: shard, tensor: name },
      );
    }
  }
}
