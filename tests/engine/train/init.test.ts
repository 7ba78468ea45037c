// A fresh initialisation as transformers' _init_weights makes it, with each family's facts: padding rows zeroed
// (word embeddings everywhere, RoBERTa's positions too), DistilBERT's sinusoidal position table, seeded draws.
import { beforeAll, expect, test } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { getModelFamily, type ModelFamilyName } from '../../../src/engine/models';
import { ParamStore } from '../../../src/engine/params/store';
import { initialiseParams } from '../../../src/engine/train/init';
import type { ModelConfig } from '../../../src/formats/hf-config';
import { tinyConfig } from '../models/golden-fixtures';

beforeAll(() => useNodeBackend('cpu'));

/** Every seq-cls parameter of the config freshly initialised with `seed`, read back by name. */
async function initialised(config: ModelConfig, seed: number): Promise<Map<string, Float32Array>> {
  const family = getModelFamily(config);
  const shapes = family.parameterShapes(config, 'seq-cls');
  const store = ParamStore.fromValues([...shapes].map(([name, shape]) => [name, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }] as const));
  try {
    initialiseParams(store, family, config, seed, { task: 'seq-cls', init: 'normal' });
    return await store.snapshot();
  } finally {
    store.dispose();
  }
}

const row = (values: Float32Array, r: number, width: number) => Array.from(values.subarray(r * width, (r + 1) * width));
/** Zero rows: a weight times a zero mask may be -0. */
const isZero = (values: number[]) => values.every((v) => v === 0);

test.each(['bert', 'roberta', 'distilbert', 'electra'] as ModelFamilyName[])('%s: padding rows are zero, the rest drawn', async (name) => {
  const config = tinyConfig(name);
  const values = await initialised(config, 3);
  const pad = config.pad_token_id;
  const width = config.embedding_size;
  const words = values.get(`${name}.embeddings.word_embeddings.weight`) as Float32Array;
  expect(isZero(row(words, pad, width))).toBe(true);
  expect(isZero(row(words, pad + 1, width))).toBe(false);
  const positions = values.get(`${name}.embeddings.position_embeddings.weight`) as Float32Array;
  expect(isZero(row(positions, pad, width))).toBe(name === 'roberta');
  expect(values.get(`${name}.embeddings.LayerNorm.weight`)).toEqual(new Float32Array(width).fill(1));
});

test('DistilBERT with sinusoidal_pos_embds gets the fixed table, the same for every seed', async () => {
  const config = tinyConfig('distilbert', { sinusoidal_pos_embds: true });
  const [a, b] = await Promise.all([initialised(config, 3), initialised(config, 4)]);
  const table = a.get('distilbert.embeddings.position_embeddings.weight') as Float32Array;
  expect(table).toEqual(b.get('distilbert.embeddings.position_embeddings.weight'));
  expect(row(table, 0, 8)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]); // sin 0, cos 0
  expect(table[2 * 8]).toBeCloseTo(Math.sin(2), 6);
  expect(a.get('distilbert.embeddings.word_embeddings.weight')).not.toEqual(b.get('distilbert.embeddings.word_embeddings.weight'));
});
