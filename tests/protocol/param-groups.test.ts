// Parameter plan: freezing by whole dotted segments, gradual unfreezing, the layer-decay pyramid, multipliers and
// decay exclusions. Expected values are computed by hand from the formulas in the issue (noted at each check).
import { describe, expect, it } from 'vitest';
import { effectiveLr, planParameterGroups } from '../../src/protocol/param-groups';
import { learningRateAt } from '../../src/protocol/schedule';
import { parseTrainConfig } from '../../src/protocol/train-config';

const L = 12;
/** BERT-for-sequence-classification names with 12 layers (layer.1 and layer.10 tell segment matching apart). */
const NAMES = [
  'bert.embeddings.word_embeddings.weight',
  'bert.embeddings.LayerNorm.weight',
  'bert.embeddings.LayerNorm.bias',
  ...Array.from({ length: L }, (_, i) => [
    `bert.encoder.layer.${i}.attention.self.query.weight`,
    `bert.encoder.layer.${i}.attention.self.query.bias`,
    `bert.encoder.layer.${i}.output.LayerNorm.weight`,
  ]).flat(),
  'bert.pooler.dense.weight',
  'bert.pooler.dense.bias',
  'classifier.weight',
  'classifier.bias',
];
/** The family rule: 0 embeddings, i+1 for encoder layer i, L+1 for the pooler and the head. */
function depthOf(name: string): number {
  if (name.startsWith('bert.embeddings.')) return 0;
  const m = /^bert\.encoder\.layer\.(\d+)\./.exec(name);
  return m ? Number(m[1]) + 1 : L + 1;
}
const plan = (input: object, epoch?: number) =>
  planParameterGroups(NAMES, depthOf, L, parseTrainConfig(input), epoch);
const byName = (p: ReturnType<typeof plan>, name: string) => p.params.find((x) => x.name === name)!;

describe('planParameterGroups', () => {
  it('trains everything at full rate by default, without decay on biases and LayerNorm weights', () => {
    const p = plan({ weightDecay: 0.05 });
    expect(p.params.every((x) => x.trainable && x.lrScale === 1 && x.frozenBy === null)).toBe(true);
    expect(byName(p, 'bert.encoder.layer.3.attention.self.query.weight').weightDecay).toBe(0.05);
    expect(byName(p, 'bert.encoder.layer.3.attention.self.query.bias').weightDecay).toBe(0);
    expect(byName(p, 'bert.encoder.layer.3.output.LayerNorm.weight').weightDecay).toBe(0);
    expect(byName(p, 'bert.embeddings.word_embeddings.weight').weightDecay).toBe(0.05);
    expect(byName(p, 'classifier.bias').weightDecay).toBe(0);
  });

  it('lets noDecay be configured', () => {
    const p = plan({ weightDecay: 0.1, noDecay: ['embeddings'] });
    expect(byName(p, 'bert.embeddings.LayerNorm.bias').weightDecay).toBe(0);
    expect(byName(p, 'classifier.bias').weightDecay).toBe(0.1);
  });

  it('groups parameters by module path, bottom to top', () => {
    const p = plan({});
    expect(p.groups.map((g) => g.name)).toEqual([
      'bert.embeddings',
      ...Array.from({ length: L }, (_, i) => `bert.encoder.layer.${i}`),
      'bert.pooler',
      'classifier',
    ]);
    expect(p.groups[2]).toEqual({
      name: 'bert.encoder.layer.1',
      depth: 2,
      params: NAMES.filter((n) => n.startsWith('bert.encoder.layer.1.')),
      trainable: true,
      lrScale: 1,
    });
  });

  it('freezes by whole dotted segments: layer.1 does not cover layer.10', () => {
    const p = plan({ freeze: ['bert.embeddings', 'bert.encoder.layer.1'] });
    for (const x of p.params) {
      const frozen = x.name.startsWith('bert.embeddings.') || x.name.startsWith('bert.encoder.layer.1.');
      expect(x.trainable, x.name).toBe(!frozen);
      expect(x.lrScale, x.name).toBe(frozen ? 0 : 1);
      expect(x.frozenBy, x.name).toBe(frozen ? 'freeze' : null);
    }
    expect(p.groups.find((g) => g.name === 'bert.encoder.layer.10')!.trainable).toBe(true);
    expect(p.groups.find((g) => g.name === 'bert.encoder.layer.1')).toMatchObject({ trainable: false, lrScale: 0 });
  });

  it('applies the pyramid lr·ξ^(L−d): top layer and head full, layer i gets ξ^(L−i−1), embeddings ξ^L', () => {
    const p = plan({ layerDecay: 0.8 });
    expect(byName(p, 'classifier.weight').lrScale).toBe(1);
    expect(byName(p, 'bert.pooler.dense.weight').lrScale).toBe(1);
    expect(byName(p, 'bert.encoder.layer.11.attention.self.query.weight').lrScale).toBe(1); // 0.8^0
    expect(byName(p, 'bert.encoder.layer.10.attention.self.query.weight').lrScale).toBeCloseTo(0.8, 15); // 0.8^1
    expect(byName(p, 'bert.encoder.layer.0.attention.self.query.weight').lrScale).toBeCloseTo(0.08589934592, 14); // 0.8^11
    expect(byName(p, 'bert.embeddings.word_embeddings.weight').lrScale).toBeCloseTo(0.068719476736, 14); // 0.8^12
  });

  it('multiplies by lrMultipliers, the longest matching prefix winning', () => {
    const p = plan({
      layerDecay: 0.5,
      lrMultipliers: { classifier: 10, 'bert.encoder': 2, 'bert.encoder.layer.1': 3 },
    });
    expect(byName(p, 'classifier.bias').lrScale).toBe(10);
    expect(byName(p, 'bert.encoder.layer.1.attention.self.query.weight').lrScale).toBeCloseTo(3 * 0.5 ** 10, 15);
    expect(byName(p, 'bert.encoder.layer.10.attention.self.query.weight').lrScale).toBeCloseTo(2 * 0.5 ** 1, 15);
    expect(byName(p, 'bert.embeddings.LayerNorm.bias').lrScale).toBeCloseTo(0.5 ** 12, 15);
  });

  it('reports the largest scale of a module split by a multiplier', () => {
    const p = plan({ lrMultipliers: { 'bert.encoder.layer.4.attention': 5 } });
    expect(p.groups.find((g) => g.name === 'bert.encoder.layer.4')!.lrScale).toBe(5);
    expect(byName(p, 'bert.encoder.layer.4.output.LayerNorm.weight').lrScale).toBe(1);
  });

  it('unfreezes one more layer from the top every N epochs (ULMFiT), the head from the start', () => {
    const trainableDepths = (epoch: number) =>
      [...new Set(plan({ gradualUnfreeze: 2 }, epoch).params.filter((x) => x.trainable).map((x) => x.depth))].sort(
        (a, b) => a - b,
      );
    expect(trainableDepths(0)).toEqual([13]); // head and pooler only
    expect(trainableDepths(1)).toEqual([13]);
    expect(trainableDepths(2)).toEqual([12, 13]); // + layer 11
    expect(trainableDepths(5)).toEqual([11, 12, 13]); // floor(5/2) = 2 layers
    expect(trainableDepths(24)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]); // all 12 layers
    expect(trainableDepths(26)).toContain(0); // embeddings last
    expect(byName(plan({ gradualUnfreeze: 1 }, 0), 'bert.encoder.layer.11.output.LayerNorm.weight').frozenBy).toBe(
      'gradual-unfreeze',
    );
  });

  it('keeps freeze in force under gradual unfreezing', () => {
    const p = plan({ gradualUnfreeze: 1, freeze: ['classifier'] }, 100);
    expect(byName(p, 'classifier.weight')).toMatchObject({ trainable: false, frozenBy: 'freeze', lrScale: 0 });
    expect(byName(p, 'bert.embeddings.LayerNorm.weight').trainable).toBe(true);
  });

  it('rejects prefixes that match no parameter, listing all of them', () => {
    expect(() => plan({ freeze: ['bert.encoder.layer.12', 'bert.embedding'], lrMultipliers: { classifer: 2 } })).toThrow(
      expect.objectContaining({
        code: 'TRAIN_CONFIG_UNKNOWN_PREFIX',
        message: expect.stringContaining(
          'freeze "bert.encoder.layer.12", freeze "bert.embedding", lrMultipliers "classifer"',
        ),
      }),
    );
  });

  it('names module groups of DistilBERT and MLM heads', () => {
    const names = [
      'classifier.bias',
      'distilbert.embeddings.word_embeddings.weight',
      'distilbert.transformer.layer.0.sa_layer_norm.weight',
      'pre_classifier.weight',
      'cls.predictions.transform.dense.weight',
    ];
    const depth = (n: string) => (n.includes('embeddings') ? 0 : n.includes('.layer.0.') ? 1 : 2);
    const p = planParameterGroups(names, depth, 1, parseTrainConfig({}));
    expect(p.params.map((x) => x.group)).toEqual([
      'classifier',
      'distilbert.embeddings',
      'distilbert.transformer.layer.0',
      'pre_classifier',
      'cls',
    ]);
    expect(p.params[2].weightDecay).toBe(0); // sa_layer_norm
  });
});

describe('effectiveLr', () => {
  it('is the scheduled rate times the scale, and exactly 0 when frozen', () => {
    const config = parseTrainConfig({ learningRate: 1e-4, schedule: { type: 'linear', warmupSteps: 10 } });
    // Step 5 of 110 in warmup: 1e-4 · 5/10; times 0.25.
    expect(effectiveLr(0.25, 5, 110, config)).toBeCloseTo(1.25e-5, 18);
    expect(effectiveLr(0.25, 60, 110, config)).toBe(0.25 * learningRateAt(60, 110, config.schedule, 1e-4));
    expect(effectiveLr(0, 60, 110, config)).toBe(0);
    expect(effectiveLr(2, 10, 110, config, 5e-5)).toBe(1e-4);
  });
});
