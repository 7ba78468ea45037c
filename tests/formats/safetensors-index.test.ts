// model.safetensors.index.json: the transformers layout, and each coded error (invalid JSON, a tensor listed
// twice, a shard missing from the folder, a tensor in a shard that the index does not list, or lists elsewhere).
import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from '../../src/formats/json-duplicate-keys';
import { parseSafetensorsHeader, writeSafetensors } from '../../src/formats/safetensors';
import { checkShardTensors, checkShardsPresent, parseSafetensorsIndex } from '../../src/formats/safetensors-index';

const FILE = 'model.safetensors.index.json';
const S1 = 'model-00001-of-00002.safetensors';
const S2 = 'model-00002-of-00002.safetensors';
// As transformers' save_pretrained(max_shard_size=...) writes it.
const INDEX = JSON.stringify(
  {
    metadata: { total_size: 24 },
    weight_map: { 'bert.embeddings.word_embeddings.weight': S1, 'bert.pooler.dense.weight': S2, 'classifier.bias': S2 },
  },
  null,
  2,
);

const shard = (...names: string[]) =>
  parseSafetensorsHeader(writeSafetensors(names.map((n) => [n, { shape: [2], data: new Float32Array(2) }])), 'shard');

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'accepted';
}

describe('parseSafetensorsIndex', () => {
  it('reads the weight map in order and the shards once each', () => {
    const index = parseSafetensorsIndex(INDEX, FILE);
    expect([...index.weightMap]).toEqual([
      ['bert.embeddings.word_embeddings.weight', S1],
      ['bert.pooler.dense.weight', S2],
      ['classifier.bias', S2],
    ]);
    expect(index.shards).toEqual([S1, S2]);
    expect(parseSafetensorsIndex('\ufeff' + INDEX, FILE).shards).toEqual([S1, S2]);
  });

  it('refuses invalid JSON with line and column, and a wrong layout', () => {
    expect(() => parseSafetensorsIndex('{"weight_map": {"a": "x",}}', FILE)).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_INDEX_INVALID_JSON', location: expect.objectContaining({ file: FILE, line: 1 }) }),
    );
    expect(codeOf(() => parseSafetensorsIndex('[]', FILE))).toBe('SAFETENSORS_INDEX_INVALID');
    expect(codeOf(() => parseSafetensorsIndex('{"metadata": {}}', FILE))).toBe('SAFETENSORS_INDEX_INVALID');
    expect(codeOf(() => parseSafetensorsIndex('{"metadata": 3, "weight_map": {}}', FILE))).toBe('SAFETENSORS_INDEX_INVALID');
    expect(codeOf(() => parseSafetensorsIndex('{"weight_map": {"a": 1}}', FILE))).toBe('SAFETENSORS_INDEX_INVALID');
  });

  it('refuses a tensor listed twice, which JSON.parse would hide', () => {
    const twice = '{"weight_map": {"a": "s1", "b": "s1", "a": "s2"}}';
    expect(Object.keys((JSON.parse(twice) as { weight_map: object }).weight_map)).toEqual(['a', 'b']);
    expect(() => parseSafetensorsIndex(twice, FILE)).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_INDEX_DUPLICATE_TENSOR', location: { file: FILE, tensor: 'a' } }),
    );
    // An escaped spelling of the same name is the same key.
    expect(codeOf(() => parseSafetensorsIndex('{"weight_map": {"a": "s1", "\\u0061": "s1"}}', FILE))).toBe('SAFETENSORS_INDEX_DUPLICATE_TENSOR');
    expect(codeOf(() => parseSafetensorsIndex('{"metadata": {"k": 1, "k": 2}, "weight_map": {"a": "s1"}}', FILE))).toBe('accepted');
  });

  it('refuses a shard missing from the folder', () => {
    const index = parseSafetensorsIndex(INDEX, FILE);
    expect(() => checkShardsPresent(index, new Set([S1, FILE]), FILE)).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_INDEX_MISSING_SHARD', location: { file: S2 } }),
    );
    expect(() => checkShardsPresent(index, new Map([[S1, 0], [S2, 0]]), FILE)).not.toThrow();
  });

  it('checks each shard against the index', () => {
    const index = parseSafetensorsIndex(INDEX, FILE);
    expect(() => checkShardTensors(index, S1, shard('bert.embeddings.word_embeddings.weight'), FILE)).not.toThrow();
    expect(() => checkShardTensors(index, S2, shard('bert.pooler.dense.weight', 'classifier.bias'), FILE)).not.toThrow();
    expect(() => checkShardTensors(index, S2, shard('bert.pooler.dense.weight', 'classifier.bias', 'extra'), FILE)).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_INDEX_UNLISTED_TENSOR', location: { file: S2, tensor: 'extra' } }),
    );
    expect(() => checkShardTensors(index, S1, shard('bert.embeddings.word_embeddings.weight', 'classifier.bias'), FILE)).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_INDEX_UNLISTED_TENSOR', message: expect.stringContaining(`lists in ${S2}`) }),
    );
    expect(() => checkShardTensors(index, S2, shard('bert.pooler.dense.weight'), FILE)).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_INDEX_MISSING_TENSOR', location: { file: S2, tensor: 'classifier.bias' } }),
    );
  });
});

describe('findDuplicateKey', () => {
  it('reports the path of the object holding the duplicate, across nesting and arrays', () => {
    expect(findDuplicateKey('{"a": [{"x": 1}, {"x": 1, "y": "}\\"{", "x": 2}]}')).toEqual({ path: ['a', '1'], key: 'x', offset: 39 });
    expect(findDuplicateKey('{"a": {"b": 1}, "c": {"b": 2}}')).toBeNull();
    expect(findDuplicateKey('[1, "a", {"k": 0}]')).toBeNull();
  });
});
