// The model registry and what every family promises: parameter lists that forward() uses exactly, heads, depths,
// init kinds, untied decoders, ELECTRA's embedding projection, RoBERTa's position ids, padding, dropout, and the
// facts each family states for the loader, initialisation, input checks and training (names of its own parameters).
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '../../../src/cli/node-backend';
import type { ModelConfig } from '../../../src/formats/hf-config';
import { TASKS, type Task } from '../../../src/protocol/task';
import { architectureName } from '../../../src/engine/architectures';
import { getModelFamily, MODEL_TYPES, taskLoss, type ModelFamilyName, type ModelInputs } from '../../../src/engine/models';
import { positionIdsFromInputIds } from '../../../src/engine/models/roberta';
import { ParamStore } from '../../../src/engine/params/store';
import { dropoutRates } from '../../../src/engine/train/step';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { inputTensors, loadFixture, maxAbsDiff, tinyConfig, toVariables } from './golden-fixtures';

/** Every registered family: a new one gets these tests by its registration. */
const FAMILY_NAMES = [...new Set([...MODEL_TYPES.values()].map((f) => f.name))] as ModelFamilyName[];

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

  test('its facts name its own parameters: tied decoder, padding rows, pre-training heads, class names', () => {
    const config = tinyConfig(familyName);
    const family = getModelFamily(config);
    const tied = family.parameterShapes(config, 'mlm');
    const untied = family.parameterShapes({ ...config, tie_word_embeddings: false }, 'mlm');
    expect(tied.has(family.tiedDecoder.weight)).toBe(false);
    expect(untied.get(family.tiedDecoder.weight)).toEqual([config.vocab_size, config.embedding_size]);
    if (family.tiedDecoder.bias !== null) expect(untied.has(family.tiedDecoder.bias)).toBe(false);
    const every = new Map(TASKS.flatMap((task) => [...family.parameterShapes(config, task)]));
    const padded = [...every].filter(([name]) => family.paddingRow(name, config) !== null);
    expect(padded.map(([name]) => name)).toContain(`${family.basePrefix}.embeddings.word_embeddings.weight`);
    for (const [name, shape] of padded) expect(family.paddingRow(name, config), name).toBeLessThan(shape[0]);
    for (const head of family.pretrainingHeads) expect([...every.keys()].filter((n) => n.startsWith(`${head}.`))).toEqual([]);
    for (const [type, stem] of Object.entries(family.modelTypes)) {
      expect(MODEL_TYPES.get(type)).toBe(family);
      expect(architectureName(type, 'token-cls')).toBe(`${stem}ForTokenClassification`);
    }
    expect(family.positionLimit(config).length).toBeLessThanOrEqual(config.max_position_embeddings);
  });
});

test('RoBERTa zeroes its position padding row too and loses pad_token_id + 1 positions; the others all theirs', () => {
  const roberta = tinyConfig('roberta');
  const family = getModelFamily(roberta);
  expect(family.paddingRow('roberta.embeddings.position_embeddings.weight', roberta)).toBe(1);
  expect(family.positionLimit(roberta)).toEqual({ length: 16 - 1 - 1, lost: 'minus pad_token_id + 1 for RoBERTa' });
  const bert = tinyConfig('bert');
  expect(getModelFamily(bert).paddingRow('bert.embeddings.position_embeddings.weight', bert)).toBeNull();
  expect(getModelFamily(bert).positionLimit(bert)).toEqual({ length: 16, lost: null });
});

test('token types: every family has them but DistilBERT', () => {
  expect(FAMILY_NAMES.filter((name) => !getModelFamily(tinyConfig(name)).hasTokenTypes)).toEqual(['distilbert']);
});

test("DistilBERT's sinusoidal position table is fixed at init, only when sinusoidal_pos_embds", () => {
  const family = getModelFamily(tinyConfig('distilbert'));
  const name = 'distilbert.embeddings.position_embeddings.weight';
  expect(family.fixedInit(name, [16, 8], tinyConfig('distilbert'))).toBeNull();
  const table = family.fixedInit(name, [16, 8], tinyConfig('distilbert', { sinusoidal_pos_embds: true })) as Float32Array;
  // create_sinusoidal_embeddings: position 3, columns 4 (sin) and 5 (cos) at angle 3 / 10000^(4/8).
  expect(table[3 * 8 + 4]).toBeCloseTo(Math.sin(3 / 100), 6);
  expect(table[3 * 8 + 5]).toBeCloseTo(Math.cos(3 / 100), 6);
  expect(family.fixedInit('distilbert.embeddings.word_embeddings.weight', [20, 8], tinyConfig('distilbert', { sinusoidal_pos_embds: true }))).toBeNull();
  // The same table is never trained: ParameterSchedule keeps it frozen whatever the run's freeze list says.
  expect(family.isFixed(name, tinyConfig('distilbert', { sinusoidal_pos_embds: true }))).toBe(true);
  expect(family.isFixed(name, tinyConfig('distilbert'))).toBe(false);
  for (const other of ['bert', 'roberta', 'electra'] as const) {
    expect(getModelFamily(tinyConfig(other)).isFixed(`${other}.embeddings.position_embeddings.weight`, tinyConfig(other))).toBe(false);
  }
});

test("head dropout: DistilBERT's token and MLM heads use `dropout`, its sequence head seq_classif_dropout; the others classifier_dropout ?? hidden", () => {
  const rates = (name: ModelFamilyName, task: Task, hidden: number | null) => {
    const config = tinyConfig(name, { hidden_dropout_prob: 0.1, classifier_dropout: name === 'distilbert' ? 0.2 : null });
    const model = { family: getModelFamily(config), config, task, params: new ParamStore() };
    return { own: model.family.headDropout(config, task, config.hidden_dropout_prob), run: dropoutRates(parseTrainConfig({ dropout: { hidden } }), model)?.classifier };
  };
  expect(rates('distilbert', 'seq-cls', 0.3)).toEqual({ own: 0.2, run: 0.2 });
  expect(rates('distilbert', 'token-cls', 0.3)).toEqual({ own: 0.1, run: 0.3 });
  expect(rates('distilbert', 'mlm', 0.3)).toEqual({ own: 0.1, run: 0.3 });
  expect(rates('bert', 'seq-cls', 0.3)).toEqual({ own: 0.1, run: 0.3 });
  const withClassifier = tinyConfig('roberta', { classifier_dropout: 0.05 });
  expect(getModelFamily(withClassifier).headDropout(withClassifier, 'token-cls', 0.3)).toBe(0.05);
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
