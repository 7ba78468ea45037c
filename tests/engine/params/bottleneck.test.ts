// Bottleneck adapters (params/bottleneck.ts, protocol/bottleneck.ts, models/common.ts residualNorm) against the
// adapters library as read from its source: adapter-hub/adapters 1.2.0 (commit 88f18eb, 2026-03-21) —
// methods/modeling.py (Adapter: adapter_down = Sequential(Linear(H, d), act), adapter_up = Linear(d, H); pre_forward,
// forward, post_forward; init_bert_weights normal(0, 0.02), zero biases), methods/bottleneck.py (BottleneckLayer under
// `adapters.<name>`, d = int(H // reduction_factor)), models/bert/modeling_bert.py (BertSelfOutput / BertOutput call
// bottleneck_layer_forward(h, input_tensor, LayerNorm)), models/distilbert/mixin_distilbert.py (attention_adapters,
// output_adapters on the TransformerBlock), configuration/adapter_config.py (SeqBnConfig: Pfeiffer, output_adapter,
// original_ln_before True, relu; DoubleSeqBnConfig: Houlsby, mh_adapter and output_adapter, original_ln_before False,
// swish; reduction_factor 16). On the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { getModelFamily } from '../../../src/engine/models/index';
import { residualNorm, startForward } from '../../../src/engine/models/common';
import { addBottleneckAdapters, bottleneckAdapters, ADAPTER_INIT_STD } from '../../../src/engine/params/bottleneck';
import { ParamStore } from '../../../src/engine/params/store';
import { bottleneckShapes, bottleneckWidth, isBottleneckName } from '../../../src/protocol/bottleneck';
import { planParameterGroups } from '../../../src/protocol/param-groups';
import { parseTrainConfig, type AdaptersConfig } from '../../../src/protocol/train-config';
import { inputTensors, loadFixture, type Fixture } from '../models/golden-fixtures';

beforeAll(() => useNodeBackend('cpu'));

const HOULSBY: AdaptersConfig = { kind: 'houlsby', reductionFactor: 16, nonLinearity: null };
const PFEIFFER: AdaptersConfig = { kind: 'pfeiffer', reductionFactor: 16, nonLinearity: null };

async function logitsOf(fx: Fixture, store: ParamStore, adapters: ReturnType<typeof bottleneckAdapters> | null): Promise<Float32Array> {
  const family = getModelFamily(fx.config);
  const inputs = inputTensors(fx.reference.inputs);
  const out = family.forward(store.tensors(), inputs, fx.config, fx.task, { training: false, adapters });
  const values = (await out.data()) as Float32Array;
  tf.dispose([out, ...Object.values(inputs).filter((t): t is tf.Tensor2D => t !== undefined)]);
  return values;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('the adapters library names and shapes', () => {
  it('names BERT adapters after BertSelfOutput and BertOutput, DistilBERT after attention_adapters and output_adapters', async () => {
    const bert = await loadFixture('bert-seq-cls');
    const sites = getModelFamily(bert.config).adapterSites(bert.config);
    // hidden 32, reduction factor 16: int(32 // 16) = 2 units.
    expect(bottleneckShapes(sites, 32, HOULSBY).slice(0, 8)).toEqual([
      ['bert.encoder.layer.0.attention.output.adapters.layerwise.adapter_down.0.weight', [2, 32]],
      ['bert.encoder.layer.0.attention.output.adapters.layerwise.adapter_down.0.bias', [2]],
      ['bert.encoder.layer.0.attention.output.adapters.layerwise.adapter_up.weight', [32, 2]],
      ['bert.encoder.layer.0.attention.output.adapters.layerwise.adapter_up.bias', [32]],
      ['bert.encoder.layer.0.output.adapters.layerwise.adapter_down.0.weight', [2, 32]],
      ['bert.encoder.layer.0.output.adapters.layerwise.adapter_down.0.bias', [2]],
      ['bert.encoder.layer.0.output.adapters.layerwise.adapter_up.weight', [32, 2]],
      ['bert.encoder.layer.0.output.adapters.layerwise.adapter_up.bias', [32]],
    ]);
    expect(bottleneckShapes(sites, 32, HOULSBY)).toHaveLength(8 * bert.config.num_hidden_layers);
    // Pfeiffer: output_adapter only.
    expect(bottleneckShapes(sites, 32, PFEIFFER).map(([n]) => n).filter((n) => n.includes('attention'))).toEqual([]);
    const distil = await loadFixture('distilbert-seq-cls');
    const dSites = getModelFamily(distil.config).adapterSites(distil.config);
    expect(bottleneckShapes(dSites, distil.config.hidden_size, HOULSBY).map(([n]) => n).slice(0, 5)).toEqual([
      'distilbert.transformer.layer.0.attention_adapters.adapters.layerwise.adapter_down.0.weight',
      'distilbert.transformer.layer.0.attention_adapters.adapters.layerwise.adapter_down.0.bias',
      'distilbert.transformer.layer.0.attention_adapters.adapters.layerwise.adapter_up.weight',
      'distilbert.transformer.layer.0.attention_adapters.adapters.layerwise.adapter_up.bias',
      'distilbert.transformer.layer.0.output_adapters.adapters.layerwise.adapter_down.0.weight',
    ]);
    const roberta = await loadFixture('roberta-seq-cls');
    expect(bottleneckShapes(getModelFamily(roberta.config).adapterSites(roberta.config), 32, PFEIFFER)[0][0]).toBe('roberta.encoder.layer.0.output.adapters.layerwise.adapter_down.0.weight');
  });

  it('sizes the bottleneck as int(hidden_size // reduction_factor), at least 1, with Python float floor division', () => {
    expect(bottleneckWidth(768, 16)).toBe(48);
    expect(bottleneckWidth(768, 1.5)).toBe(512);
    expect(bottleneckWidth(768, 0.1)).toBe(7679); // Python: 768 // 0.1 == 7679.0 (0.1 is a little above 1/10)
    expect(bottleneckWidth(32, 64)).toBe(1);
    expect(bottleneckWidth(100, 3)).toBe(33);
  });

  it('tells adapter parameters by name, and the config chooses each kind\'s activation', () => {
    expect(isBottleneckName('bert.encoder.layer.0.output.adapters.layerwise.adapter_up.bias')).toBe(true);
    expect(isBottleneckName('bert.encoder.layer.0.output.dense.weight')).toBe(false);
    expect(isBottleneckName('bert.encoder.layer.0.attention.self.query.lora_A.weight')).toBe(false);
    expect(bottleneckAdapters(HOULSBY, []).nonLinearity).toBe('swish');
    expect(bottleneckAdapters(PFEIFFER, []).nonLinearity).toBe('relu');
    expect(bottleneckAdapters({ ...PFEIFFER, nonLinearity: 'gelu' }, []).nonLinearity).toBe('gelu');
  });
});

describe('TrainConfig.adapters', () => {
  it('fills the defaults and refuses bad fields, LoRA beside it and masked-LM', () => {
    expect(parseTrainConfig({ adapters: { kind: 'houlsby' } }).adapters).toEqual({ kind: 'houlsby', reductionFactor: 16, nonLinearity: null });
    expect(parseTrainConfig({}).adapters).toBeNull();
    expect(() => parseTrainConfig({ adapters: { kind: 'lora', reductionFactor: 0 } })).toThrow(/adapters.kind: expected one of "houlsby", "pfeiffer".*adapters.reductionFactor/);
    expect(() => parseTrainConfig({ adapters: { kind: 'houlsby' }, lora: {} })).toThrow(/adapters: expected null when lora is set/);
    expect(() => parseTrainConfig({ adapters: {}, task: 'mlm' })).toThrow(/adapters: expected null for masked-LM/);
  });

  it('freezes the base (frozenBy "adapters") and trains the adapters and the head', async () => {
    const fx = await loadFixture('bert-seq-cls');
    const family = getModelFamily(fx.config);
    const names = [...fx.weights.keys(), ...bottleneckShapes(family.adapterSites(fx.config), 32, HOULSBY).map(([n]) => n)];
    const plan = planParameterGroups(names, (n) => family.depthOf(n, fx.config), fx.config.num_hidden_layers, parseTrainConfig({ adapters: HOULSBY }));
    const trainable = plan.params.filter((p) => p.trainable).map((p) => p.name);
    expect(trainable.filter((n) => !isBottleneckName(n)).sort()).toEqual(['bert.pooler.dense.bias', 'bert.pooler.dense.weight', 'classifier.bias', 'classifier.weight']);
    expect(trainable.filter(isBottleneckName)).toHaveLength(16);
    expect(new Set(plan.params.filter((p) => !p.trainable).map((p) => p.frozenBy))).toEqual(new Set(['adapters']));
    // An adapter's depth is its layer's: layer-wise decay and gradual unfreezing treat it with its layer.
    expect(family.depthOf('bert.encoder.layer.1.output.adapters.layerwise.adapter_up.bias', fx.config)).toBe(2);
  });
});

describe('residualNorm against the library formulas', () => {
  // H 4, d 2, by hand in float64: houlsby LN(h + up(act(down(h))) + r); pfeiffer LN(h + up(act(down(LN(h + r)))) + r).
  const h = [0.5, -1, 2, 0.25];
  const r = [1, 0.5, -0.5, 0];
  const down = [0.3, -0.2, 0.1, 0.4, -0.5, 0.25, 0.6, -0.1]; // [2, 4]
  const downBias = [0.05, -0.02];
  const up = [0.2, -0.3, 0.4, 0.1, -0.6, 0.5, 0.3, 0.2]; // [4, 2]
  const upBias = [0.01, 0.02, -0.03, 0.04];
  const ln = (x: number[]) => {
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const v = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    return x.map((a) => (a - mean) / Math.sqrt(v + 1e-12));
  };
  const relu = (x: number) => Math.max(0, x);
  const adapter = (x: number[]) => {
    const mid = [0, 1].map((i) => relu(x.reduce((s, xj, j) => s + down[i * 4 + j] * xj, downBias[i])));
    return [0, 1, 2, 3].map((o) => mid.reduce((s, m, k) => s + up[o * 2 + k] * m, upBias[o]));
  };
  const plus = (a: number[], b: number[]) => a.map((x, i) => x + b[i]);
  const expected = {
    houlsby: ln(plus(plus(h, adapter(h)), r)),
    pfeiffer: ln(plus(plus(h, adapter(ln(plus(h, r)))), r)),
  };

  it.each(['houlsby', 'pfeiffer'] as const)('%s', async (kind) => {
    const site = 'm.site';
    const prefix = `${site}.adapters.layerwise`;
    const params = new Map<string, tf.Tensor>([
      ['m.LayerNorm.weight', tf.ones([4])],
      ['m.LayerNorm.bias', tf.zeros([4])],
      [`${prefix}.adapter_down.0.weight`, tf.tensor2d(down, [2, 4])],
      [`${prefix}.adapter_down.0.bias`, tf.tensor1d(downBias)],
      [`${prefix}.adapter_up.weight`, tf.tensor2d(up, [4, 2])],
      [`${prefix}.adapter_up.bias`, tf.tensor1d(upBias)],
    ]);
    const ids = tf.zeros([1, 1], 'int32') as tf.Tensor2D;
    const config = { hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, layer_norm_eps: 1e-12 } as Parameters<typeof startForward>[2];
    const f = startForward(params, { input_ids: ids, attention_mask: ids }, config, { training: false, adapters: { kind, nonLinearity: 'relu', sites: new Set([site]) } }, 0);
    const out = residualNorm(f, site, 'm.LayerNorm', tf.tensor2d([h]), tf.tensor2d([r]));
    const got = Array.from((await out.data()) as Float32Array);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[kind][i], 5));
    // And the two kinds differ here: the test can tell them apart.
    expect(Math.max(...expected.houlsby.map((v, i) => Math.abs(v - expected.pfeiffer[i])))).toBeGreaterThan(1e-2);
    tf.dispose([...params.values(), ids, out]);
  });
});

describe.each(['bert-seq-cls', 'bert-token-cls', 'distilbert-seq-cls', 'roberta-seq-cls'])('adapters in %s', (name) => {
  it('start near the identity: init_bert_weights (normal 0.02, zero biases), seeded, logits within 2e-3 of the base', async () => {
    const fx = await loadFixture(name);
    const family = getModelFamily(fx.config);
    const base = ParamStore.fromValues(fx.weights);
    const store = ParamStore.fromValues(fx.weights);
    const again = ParamStore.fromValues(fx.weights);
    const adapters = addBottleneckAdapters(store, { family, config: fx.config, task: fx.task }, HOULSBY, 7);
    addBottleneckAdapters(again, { family, config: fx.config, task: fx.task }, HOULSBY, 7);
    const weights = store.names().filter((n) => isBottleneckName(n) && n.endsWith('.weight'));
    const all = Float32Array.from(weights.flatMap((n) => Array.from(store.get(n).dataSync())));
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
    expect(Math.abs(mean)).toBeLessThan(3e-3);
    expect(std).toBeGreaterThan(0.8 * ADAPTER_INIT_STD);
    expect(std).toBeLessThan(1.2 * ADAPTER_INIT_STD);
    for (const n of store.names().filter((x) => isBottleneckName(x) && x.endsWith('.bias'))) expect(Math.max(...Array.from(store.get(n).dataSync(), Math.abs))).toBe(0);
    for (const n of weights) expect(Array.from(again.get(n).dataSync())).toEqual(Array.from(store.get(n).dataSync()));
    const before = await logitsOf(fx, base, null);
    const after = await logitsOf(fx, store, adapters);
    expect(maxDiff(before, after)).toBeGreaterThan(0); // the adapters are in the computation
    expect(maxDiff(before, after)).toBeLessThan(2e-3);
    [base, store, again].forEach((s) => s.dispose());
  });

  it.each([HOULSBY, PFEIFFER])('with adapter_up zeroed give the base logits exactly; with up.bias v, the model whose sub-block biases have v added (%o)', async (config) => {
    const fx = await loadFixture(name);
    const family = getModelFamily(fx.config);
    const base = ParamStore.fromValues(fx.weights);
    const store = ParamStore.fromValues(fx.weights);
    const adapters = addBottleneckAdapters(store, { family, config: fx.config, task: fx.task }, config, 3);
    for (const n of store.names().filter((x) => x.includes('.adapter_up.'))) store.setValues(n, new Float32Array(store.get(n).size));
    expect(Array.from(await logitsOf(fx, store, adapters))).toEqual(Array.from(await logitsOf(fx, base, null)));
    // up(·) = v whatever its input: the adapter adds v to the sub-block's output before its residual and LayerNorm,
    // which is what adding v to the bias of the sub-block's last dense layer does (eval mode: no dropout between).
    const H = fx.config.hidden_size;
    const v = Float32Array.from({ length: H }, (_, i) => 0.05 * Math.sin(i + 1));
    const denseOf: Record<string, string> = { 'attention.output': 'attention.output.dense', output: 'output.dense', attention_adapters: 'attention.out_lin', output_adapters: 'ffn.lin2' };
    for (const site of adapters.placed) {
      store.setValues(`${site.module}.adapters.layerwise.adapter_up.bias`, v);
      const layer = site.module.slice(0, site.module.indexOf(`.${site.layer}.`) + `.${site.layer}`.length + 1);
      const bias = `${layer}${denseOf[site.module.slice(layer.length)]}.bias`;
      base.setValues(bias, Float32Array.from(base.get(bias).dataSync(), (b, i) => b + v[i]));
    }
    expect(maxDiff(await logitsOf(fx, store, adapters), await logitsOf(fx, base, null))).toBeLessThan(1e-5);
    base.dispose();
    store.dispose();
  });
});
