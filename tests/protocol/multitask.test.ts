// Multi-task runs, the pure parts (#18): each sampler's mixing of the heads against its formula — proportional
// nᵢ/Σn (each head's data once an epoch), round-robin in turn, temperature nᵢ^(1/T)/Σ nⱼ^(1/T) — and the TrainConfig
// refusals of a bad `tasks` list, every bad field named as tasks[i].field; the heads' parameters (heads.<name>.) in
// the parameter plan: a group per head, at the head's depth (full rate under layer decay), with the decay exclusions.
import { describe, expect, it } from 'vitest';
import { planParameterGroups } from '../../src/protocol/param-groups';
import { samplerShares, stepsPerTaskEpoch, taskOrder, type TaskPlanInput } from '../../src/protocol/multitask';
import { parseTrainConfig, validateTrainConfig } from '../../src/protocol/train-config';

const counts = (order: number[], heads: number) => Array.from({ length: heads }, (_, h) => order.filter((x) => x === h).length);

/** Steps per head-pass as the run derives them: ceil(ceil(nᵢ / batchSize) / gradAccumulation). */
const plan = (examples: number[], sampler: TaskPlanInput['sampler'], temperature = 2, batchSize = 8, accumulation = 1): TaskPlanInput => ({
  examples,
  windows: examples.map((n) => Math.ceil(Math.ceil(n / batchSize) / accumulation)),
  sampler,
  temperature,
  seed: 5,
});

describe('the samplers', () => {
  const examples = [800, 200, 40];

  it('give each head its share by the formula', () => {
    const sum = examples.reduce((a, b) => a + b, 0);
    samplerShares(examples, 'proportional', 2).forEach((s, i) => expect(s).toBeCloseTo(examples[i] / sum, 12));
    samplerShares(examples, 'round-robin', 2).forEach((s) => expect(s).toBeCloseTo(1 / 3, 12));
    for (const T of [1, 2, 5]) {
      const z = examples.reduce((a, n) => a + n ** (1 / T), 0);
      samplerShares(examples, 'temperature', T).forEach((s, i) => expect(s).toBeCloseTo(examples[i] ** (1 / T) / z, 12));
    }
  });

  it('proportional: each head\'s data once an epoch (nᵢ/Σn of the steps), in a seeded order', () => {
    const input = plan(examples, 'proportional');
    const order = taskOrder(input, 0);
    expect(order).toHaveLength(stepsPerTaskEpoch(input.windows));
    expect(counts(order, 3)).toEqual([100, 25, 5]);
    counts(order, 3).forEach((c, i) => expect(c / order.length).toBeCloseTo(examples[i] / 1040, 12));
    expect(taskOrder(input, 0)).toEqual(order);
    expect(taskOrder(input, 1)).not.toEqual(order);
    expect(counts(taskOrder(input, 1), 3)).toEqual([100, 25, 5]);
  });

  it('round-robin: the heads in turn, as many steps each as the epoch allows', () => {
    const order = taskOrder(plan(examples, 'round-robin'), 0);
    expect(order).toHaveLength(130);
    // 130 steps over 3 heads: 44, 43, 43 (largest remainder of 130/3), in turn 0, 1, 2, 0, 1, 2, ...
    expect(counts(order, 3)).toEqual([44, 43, 43]);
    expect(order.slice(0, 129)).toEqual(Array.from({ length: 129 }, (_, i) => i % 3));
    expect(order[129]).toBe(0);
  });

  it('temperature: shares ∝ nᵢ^(1/T), rounded by largest remainder, T = 1 proportional', () => {
    for (const T of [1, 2, 4]) {
      const input = plan(examples, 'temperature', T);
      const order = taskOrder(input, 3);
      const total = stepsPerTaskEpoch(input.windows);
      expect(order).toHaveLength(total);
      const shares = samplerShares(examples, 'temperature', T);
      counts(order, 3).forEach((c, i) => expect(Math.abs(c - shares[i] * total)).toBeLessThan(1));
    }
    expect(counts(taskOrder(plan(examples, 'temperature', 1), 0), 3)).toEqual([100, 25, 5]);
  });

  it('keep a head with a share above zero in every epoch', () => {
    const order = taskOrder(plan([100000, 8], 'proportional'), 0);
    expect(counts(order, 2)).toEqual([12500, 1]);
    expect(counts(taskOrder(plan([100000, 1], 'temperature', 1), 0), 2)[1]).toBe(1);
  });
});

const paths = (input: unknown) => {
  const r = validateTrainConfig(input);
  return r.ok ? [] : r.errors.map((e) => e.path);
};

const ner = { name: 'ner', task: 'token-cls' };
const sst = { name: 'sst', task: 'seq-cls', data: 'sst.tsv' };

describe('TrainConfig.tasks', () => {
  it('fills each head from its defaults; task defaults to nothing but must be the first head\'s', () => {
    const r = validateTrainConfig({ task: 'token-cls', tasks: [ner, sst], multiTask: { sampler: 'temperature' } });
    expect(r.ok && r.config.tasks).toEqual([
      { name: 'ner', task: 'token-cls', data: null, validation: null, textColumn: null, labelColumn: null, weight: 1 },
      { name: 'sst', task: 'seq-cls', data: 'sst.tsv', validation: null, textColumn: null, labelColumn: null, weight: 1 },
    ]);
    expect(r.ok && r.config.multiTask).toEqual({ sampler: 'temperature', temperature: 2, watch: null });
    expect(paths({ task: 'seq-cls', tasks: [ner, sst] })).toEqual(['task']);
    expect(paths({ tasks: [sst] })).toEqual([]);
  });

  it('names every bad field of a head as tasks[i].field', () => {
    expect(paths({ tasks: [sst, { name: 'b', labelColumn: 5 }] })).toEqual(['tasks[1].labelColumn']);
    expect(
      paths({ tasks: [{ ...sst, name: 'a b', weight: 0 }, { name: 'b', task: 'mlm', data: '', textColumn: '', validation: 3, colour: 'red' }] }).sort(),
    ).toEqual(['tasks[0].name', 'tasks[0].weight', 'tasks[1].colour', 'tasks[1].data', 'tasks[1].task', 'tasks[1].textColumn', 'tasks[1].validation'].sort());
    expect(paths({ tasks: [sst, { task: 'seq-cls' }] })).toEqual(['tasks[1].name']);
    expect(paths({ tasks: [sst, { ...sst }] })).toEqual(['tasks[1].name']);
    expect(paths({ tasks: [sst, 'ner'] })).toEqual(['tasks[1]']);
    expect(paths({ tasks: [] })).toEqual(['tasks']);
    expect(paths({ tasks: { ner } })).toEqual(['tasks']);
  });

  it('refuses what one run-wide setting cannot mean for several heads', () => {
    expect(paths({ tasks: [sst, ner], windows: {}, lora: {}, problemType: 'multi_label_classification' }).sort()).toEqual(['lora', 'problemType', 'windows']);
  });

  it('watches a head by its name, with a metric it reports (or that every head reports, watching the mean)', () => {
    expect(paths({ task: 'token-cls', tasks: [ner, sst], multiTask: { watch: 'ner' }, earlyStopping: { metric: 'entity_f1', patience: 2 } })).toEqual([]);
    expect(paths({ task: 'token-cls', tasks: [ner, sst], multiTask: { watch: 'sst' }, earlyStopping: { metric: 'entity_f1', patience: 2 } })).toEqual(['earlyStopping.metric']);
    expect(paths({ task: 'token-cls', tasks: [ner, sst], earlyStopping: { metric: 'entity_f1', patience: 2 } })).toEqual(['earlyStopping.metric']);
    expect(paths({ task: 'token-cls', tasks: [ner, sst], multiTask: { watch: 'pos' } })).toEqual(['multiTask.watch']);
    expect(paths({ multiTask: { watch: 'ner' } })).toEqual(['multiTask.watch']);
    expect(paths({ tasks: [sst], multiTask: { sampler: 'random', temperature: 0.5 } }).sort()).toEqual(['multiTask.sampler', 'multiTask.temperature']);
  });

  it('throws one coded error naming the fields', () => {
    expect(() => parseTrainConfig({ tasks: [sst, { name: 'b', labelColumn: 5 }] }, 'tasks.json')).toThrow(
      expect.objectContaining({ code: 'TRAIN_CONFIG_INVALID', location: { file: 'tasks.json', field: 'tasks[1].labelColumn' } }),
    );
  });
});

describe('the heads in the parameter plan', () => {
  const names = [
    'bert.embeddings.LayerNorm.weight',
    'bert.encoder.layer.0.attention.self.query.weight',
    'bert.encoder.layer.1.attention.self.query.weight',
    'heads.ner.classifier.weight',
    'heads.ner.classifier.bias',
    'heads.sst.bert.pooler.dense.weight',
    'heads.sst.classifier.weight',
  ];
  // BERT's rule (models/common.ts depthOfName): embeddings 0, layer i at i + 1, anything outside `bert.` at L + 1.
  const depthOf = (n: string) => (n.startsWith('bert.embeddings.') ? 0 : n.startsWith('bert.encoder.layer.') ? Number(n.split('.')[3]) + 1 : 3);

  it('gives each head a group of its own at the top, at the full rate, its biases undecayed', () => {
    const plan = planParameterGroups(names, depthOf, 2, parseTrainConfig({ layerDecay: 0.5, weightDecay: 0.01 }));
    expect(plan.groups.map((g) => [g.name, g.params.length, g.depth, g.lrScale])).toEqual([
      ['bert.embeddings', 1, 0, 0.25],
      ['bert.encoder.layer.0', 1, 1, 0.5],
      ['bert.encoder.layer.1', 1, 2, 1],
      ['heads.ner', 2, 3, 1],
      ['heads.sst', 2, 3, 1],
    ]);
    expect(plan.params.filter((p) => p.name.startsWith('heads.')).map((p) => p.weightDecay)).toEqual([0.01, 0, 0.01, 0.01]);
  });

  it('freezes a head by its prefix alone', () => {
    const plan = planParameterGroups(names, depthOf, 2, parseTrainConfig({ freeze: ['heads.sst'] }));
    expect(plan.params.filter((p) => !p.trainable).map((p) => p.name)).toEqual(['heads.sst.bert.pooler.dense.weight', 'heads.sst.classifier.weight']);
  });
});
