// The model registry and what every family promises: parameter lists that forward() uses exactly, heads, depths,
// init kinds, untied decoders, ELECTRA's embedding projection, RoBERTa's position ids, padding, dropout.
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import type { ModelConfig } from '../../../src/formats/hf-config';
import { TASKS, type Task } from '../../../src/protocol/task';
import { getModelFamily, taskLoss, type ModelFamilyName, type ModelInputs } from '../../../src/engine/models';
import { positionIdsFromInputIds } from '../../../src/engine/models/roberta';
import { inputTensors, loadFixture, maxAbsDiff, tinyConfig, toVariables } from './golden-fixtures';

const FAMILY_NAMES: ModelFamilyName[] = ['bert', 'roberta', 'distilbert', 'electra'];

/** Every parameter of parameterShapes, drawn at random (std 0.5, so that outputs differ visibly). */
function randomParams(config: ModelConfig, task: Task, seed = 1): Map<string, tf.Variable> {
  const shapes = getModelFamily(config).parameterShapes(config, task);
  return new Map([...shapes].map(([name, shape], i) => [name, tf.variable(tf.randomNormal(shape, 0, 0.5, 'float32', seed * 1000 + i + 1))]));
}

function batch(ids: number[][], mask?: number[][]): ModelInputs {
  return inputTensors({ input_ids: ids, attention_mask: mask ?? ids.map((row) => row.map(() => 1)) });
}

const IDS = [
  [2, 5, 7, 9, 3],
  [2, 11, 4, 3, 0],
];
const MASK = [
  [1, 1, 1, 1, 1],
  [1, 1, 1, 1, 0],
];

beforeAll(() => useNodeBackend('cpu'));

describe.each(FAMILY_NAMES)('%s', (familyName) => {
  test.each(TASKS)('%s: forward uses every listed parameter and nothing else; logits have the task shape', (task) => {
    const config = tinyConfig(familyName, familyName === 'electra' ? { embedding_size: 6 } : {});
    const family = getModelFamily(config);
    const params = randomParams(config, task);
    const inputs = batch(IDS, MASK);
    const labels = task === 'seq-cls' ? tf.tensor1d([0, 2], 'int32') : tf.fill([2, 5], 1, 'int32');
    let shape: number[] = [];
    const { grads } = tf.variableGrads(() => {
      const logits = family.forward(params, inputs, config, task, { training: false });
      shape = logits.shape;
      return taskLoss(logits, labels, task);
    }, [...params.values()]);
    const classes = task === 'mlm' ? config.vocab_size : config.num_labels;
    expect(shape).toEqual(task === 'seq-cls' ? [2, classes] : [2, 5, classes]);
    const withGrad = [...params].filter(([, v]) => grads[v.name] !== undefined).map(([n]) => n);
    expect(withGrad).toEqual([...params.keys()]);
  });

  test('isHeadParam marks what is outside the base model (and BERT\'s pooler); depthOf orders layers', () => {
    const config = tinyConfig(familyName, { num_hidden_layers: 12 });
    const family = getModelFamily(config);
    const names = [...family.parameterShapes(config, 'seq-cls').keys()];
    const base = family.basePrefix;
    expect(base).toBe(familyName);
    for (const name of names) {
      const head = !name.startsWith(`${base}.`) || name.startsWith(`${base}.pooler.`);
      expect(family.isHeadParam(name, 'seq-cls'), name).toBe(head);
      const layer = /\.layer\.(\d+)\./.exec(name);
      expect(family.depthOf(name, config), name).toBe(head ? 13 : layer ? Number(layer[1]) + 1 : 0);
    }
    const layers = familyName === 'distilbert' ? 'transformer.layer' : 'encoder.layer';
    expect(family.depthOf(`${base}.${layers}.10.x.weight`, config)).toBe(11);
    expect(family.depthOf(`${base}.${layers}.1.x.weight`, config)).toBe(2);
  });

  test('an untied MLM decoder is a parameter of its own, and forward reads it', async () => {
    const config = tinyConfig(familyName, { tie_word_embeddings: false });
    const family = getModelFamily(config);
    const shapes = family.parameterShapes(config, 'mlm');
    const decoder = [...shapes.keys()].find((n) => /(decoder|vocab_projector|generator_lm_head)\.weight$/.test(n));
    expect(decoder && shapes.get(decoder)).toEqual([config.vocab_size, config.embedding_size]);
    const [bias] = [...shapes].find(([, s]) => s.length === 1 && s[0] === config.vocab_size) as [string, number[]];
    const params = randomParams(config, 'mlm');
    params.get(decoder as string)?.assign(tf.zeros(shapes.get(decoder as string) as number[]));
    const logits = family.forward(params, batch(IDS), config, 'mlm', { training: false });
    const b = await (params.get(bias) as tf.Variable).data();
    const expected = Array.from({ length: 10 }, () => Array.from(b)).flat();
    expect(maxAbsDiff(await logits.data(), expected)).toBe(0);
  });

  test('padding does not change the logits of the real tokens (attention mask, positions)', async () => {
    const config = tinyConfig(familyName);
    const family = getModelFamily(config);
    const params = randomParams(config, 'token-cls');
    const pad = config.pad_token_id;
    const short = await family.forward(params, batch([[2, 5, 7]]), config, 'token-cls', { training: false }).data();
    const padded = await family.forward(params, batch([[2, 5, 7, pad, pad]], [[1, 1, 1, 0, 0]]), config, 'token-cls', { training: false }).data();
    expect(maxAbsDiff(short, padded.slice(0, short.length))).toBeLessThan(1e-5);
  });

  test('dropout: off in eval; in training, the same seed gives the same logits and another seed others', async () => {
    const config = tinyConfig(familyName);
    const family = getModelFamily(config);
    const params = randomParams(config, 'seq-cls');
    const run = async (training: boolean, seed?: number, rates?: { hidden: number; attention: number; classifier: number }) =>
      family.forward(params, batch(IDS, MASK), config, 'seq-cls', { training, seed, dropout: rates }).data();
    const evalLogits = await run(false, 3);
    expect(await run(true, 3)).toEqual(await run(true, 3));
    expect(maxAbsDiff(await run(true, 3), await run(true, 4))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(await run(true, 3), evalLogits)).toBeGreaterThan(1e-3);
    expect(await run(true, 3, { hidden: 0, attention: 0, classifier: 0 })).toEqual(evalLogits);
  });
});

test('initKind follows transformers _init_weights: LayerNorm weights ones, biases zeros, the rest normal', () => {
  const expectations: [ModelFamilyName, string, string][] = [
    ['bert', 'bert.embeddings.LayerNorm.weight', 'ones'],
    ['bert', 'bert.embeddings.LayerNorm.bias', 'zeros'],
    ['bert', 'bert.embeddings.word_embeddings.weight', 'normal'],
    ['bert', 'cls.predictions.bias', 'zeros'],
    ['bert', 'classifier.weight', 'normal'],
    ['roberta', 'lm_head.layer_norm.weight', 'ones'],
    ['distilbert', 'distilbert.transformer.layer.0.sa_layer_norm.weight', 'ones'],
    ['distilbert', 'vocab_layer_norm.weight', 'ones'],
    ['distilbert', 'pre_classifier.weight', 'normal'],
    ['electra', 'generator_predictions.LayerNorm.weight', 'ones'],
    ['electra', 'electra.embeddings_project.weight', 'normal'],
  ];
  for (const [family, name, kind] of expectations) expect(getModelFamily(tinyConfig(family)).initKind(name), name).toBe(kind);
});

test('ELECTRA with embedding_size != hidden_size projects the embeddings and predicts back at embedding_size', () => {
  const config = tinyConfig('electra', { embedding_size: 6 });
  const shapes = getModelFamily(config).parameterShapes(config, 'mlm');
  expect(shapes.get('electra.embeddings.word_embeddings.weight')).toEqual([20, 6]);
  expect(shapes.get('electra.embeddings.LayerNorm.weight')).toEqual([6]);
  expect(shapes.get('electra.embeddings_project.weight')).toEqual([8, 6]);
  expect(shapes.get('generator_predictions.dense.weight')).toEqual([6, 8]);
  expect(shapes.get('generator_predictions.LayerNorm.weight')).toEqual([6]);
  expect(shapes.get('generator_lm_head.bias')).toEqual([20]);
  expect(shapes.has('generator_lm_head.weight')).toBe(false);
  expect(getModelFamily(tinyConfig('electra')).parameterShapes(tinyConfig('electra'), 'mlm').has('electra.embeddings_project.weight')).toBe(false);
});

test('RoBERTa position ids count non-padding tokens from padding_idx + 1 (create_position_ids_from_input_ids)', async () => {
  const ids = tf.tensor2d([[0, 5, 6, 1, 1], [0, 1, 7, 1, 1]], undefined, 'int32');
  const positions = positionIdsFromInputIds(ids, 1);
  expect(positions.dtype).toBe('int32');
  expect(await positions.array()).toEqual([[2, 3, 4, 1, 1], [2, 1, 3, 1, 1]]);
});

test('RoBERTa: padding columns added to the fixture batch leave its logits unchanged', async () => {
  const fx = await loadFixture('roberta-seq-cls');
  const params = toVariables(fx.weights);
  const pad = fx.config.pad_token_id;
  const padded = batch(
    fx.reference.inputs.input_ids.map((row) => [...row, pad, pad, pad]),
    fx.reference.inputs.attention_mask.map((row) => [...row, 0, 0, 0]),
  );
  const logits = await getModelFamily(fx.config).forward(params, padded, fx.config, 'seq-cls', { training: false }).data();
  expect(maxAbsDiff(logits, fx.reference.logits.flat(2) as number[])).toBeLessThanOrEqual(1e-4);
});
