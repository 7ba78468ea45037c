// The model the next run trains, before it starts (store/run-model.ts): the checkpoint's encoder with the head of the
// task being configured, the head's output sized for the data's classes; and the Layers tree built from it, so a
// masked-LM checkpoint shows (and "Head only" keeps training) the pooler and classifier the run makes.
import { describe, expect, it } from 'vitest';
import type { ModelSummary, RunParameter } from '../../src/protocol/messages';
import { effectiveLr, planParameterGroups } from '../../src/protocol/param-groups';
import { DEFAULT_TRAIN_CONFIG } from '../../src/protocol/train-config';
import { layerTree, nodeStates, presetFreeze } from '../../src/ui/features/layers/layer-plan';
import { runClassCount, runModel } from '../../src/ui/store/run-model';

const h = 8;
const p = (name: string, shape: number[], depth: number, perClass = false): RunParameter => ({ name, shape, depth, perClass });
const encoder = [p('bert.embeddings.word_embeddings.weight', [50, h], 0), p('bert.encoder.layer.0.attention.self.query.weight', [h, h], 1), p('bert.encoder.layer.1.output.dense.weight', [h, h], 2)];
const mlm: ModelSummary = {
  task: 'mlm',
  baseTask: 'mlm',
  num_hidden_layers: 2,
  labels: [],
  parameters: [...encoder, p('cls.predictions.bias', [50], 3)].map((q) => ({ name: q.name, shape: q.shape, depth: q.depth, nonFinite: 0 })),
  runParameters: {
    'seq-cls': [...encoder, p('bert.pooler.dense.weight', [h, h], 3), p('classifier.weight', [2, h], 3, true), p('classifier.bias', [2], 3, true)],
    'token-cls': [...encoder, p('classifier.weight', [2, h], 3, true), p('classifier.bias', [2], 3, true)],
    mlm: [...encoder, p('cls.predictions.bias', [50], 3)],
  },
} as unknown as ModelSummary;

describe('runModel', () => {
  it('is the base encoder with the task head, sized for the classes, and says the head is new', () => {
    const run = runModel(mlm, 'seq-cls', 3);
    expect(run.parameters.map((q) => q.name)).toEqual([...encoder.map((q) => q.name), 'bert.pooler.dense.weight', 'classifier.weight', 'classifier.bias']);
    expect(run.parameters.find((q) => q.name === 'classifier.weight')?.shape).toEqual([3, h]);
    expect(run.parameters.find((q) => q.name === 'classifier.bias')?.shape).toEqual([3]);
    expect(run.parameterCount).toBe(50 * h + 2 * h * h + h * h + 3 * h + 3);
    expect(run.newHead).toBe(true);
    expect(runModel(mlm, 'mlm', 3).newHead).toBe(false);
  });

  it('shows the bottleneck adapters a run adds, in their layers, and they train while the encoder is frozen', () => {
    const adapterSites = [0, 1].flatMap((i) => [
      { module: `bert.encoder.layer.${i}.attention.output`, location: 'mh_adapter', layer: i },
      { module: `bert.encoder.layer.${i}.output`, location: 'output_adapter', layer: i },
    ]);
    const model = { ...mlm, hidden_size: h, adapterSites } as ModelSummary;
    const run = runModel(model, 'seq-cls', 3, { kind: 'pfeiffer', reductionFactor: 4, nonLinearity: null });
    const added = run.parameters.filter((q) => q.name.includes('.adapters.'));
    expect(added.map((q) => [q.name, q.shape, q.depth])).toEqual([
      ['bert.encoder.layer.0.output.adapters.layerwise.adapter_down.0.weight', [2, h], 1],
      ['bert.encoder.layer.0.output.adapters.layerwise.adapter_down.0.bias', [2], 1],
      ['bert.encoder.layer.0.output.adapters.layerwise.adapter_up.weight', [h, 2], 1],
      ['bert.encoder.layer.0.output.adapters.layerwise.adapter_up.bias', [h], 1],
      ['bert.encoder.layer.1.output.adapters.layerwise.adapter_down.0.weight', [2, h], 2],
      ['bert.encoder.layer.1.output.adapters.layerwise.adapter_down.0.bias', [2], 2],
      ['bert.encoder.layer.1.output.adapters.layerwise.adapter_up.weight', [h, 2], 2],
      ['bert.encoder.layer.1.output.adapters.layerwise.adapter_up.bias', [h], 2],
    ]);
    const tree = layerTree(run.parameters);
    const depth = new Map(run.parameters.map((q) => [q.name, q.depth]));
    const config = { ...DEFAULT_TRAIN_CONFIG, adapters: { kind: 'pfeiffer' as const, reductionFactor: 4, nonLinearity: null } };
    const plan = planParameterGroups(run.parameters.map((q) => q.name), (n) => depth.get(n) ?? 0, 2, config);
    const states = nodeStates(tree, plan, (s) => effectiveLr(s, 0, 10, config));
    expect(states.get('bert.encoder.layer.0.output.adapters')?.trainable).toBe(2 * h + 2 + 2 * h + h);
    expect(states.get('bert.embeddings')?.trainable).toBe(0);
    expect(runModel(model, 'mlm', 3, config.adapters).parameters.some((q) => q.name.includes('.adapters.'))).toBe(false);
  });

  it('Head only on the run tree freezes the encoder and keeps the new pooler and classifier training', () => {
    const run = runModel(mlm, 'seq-cls', 3);
    const tree = layerTree(run.parameters);
    const freeze = presetFreeze(tree, run.parameters, 2, 'head-only');
    expect(freeze).toEqual(['bert.embeddings', 'bert.encoder']);
    const depth = new Map(run.parameters.map((q) => [q.name, q.depth]));
    const plan = planParameterGroups(run.parameters.map((q) => q.name), (n) => depth.get(n) ?? 0, 2, { ...DEFAULT_TRAIN_CONFIG, freeze });
    const states = nodeStates(tree, plan, (s) => effectiveLr(s, 0, 10, DEFAULT_TRAIN_CONFIG));
    expect(states.get('')?.trainable).toBe(h * h + 3 * h + 3);
    expect(states.get('bert.pooler')?.trainable).toBe(h * h);
  });
});

describe('runClassCount', () => {
  const state = (over: Record<string, unknown>) => ({ dataset: { plan: null, train: null, ...over }, model: { current: mlm } }) as never;
  it("takes the training split's classes, else the file's, else 2", () => {
    const plan = { classes: { items: [{ label: 'a', train: 3, validation: 1 }, { label: 'b', train: 0, validation: 1 }, { label: 'c', train: 2, validation: 0 }], total: 3 } };
    expect(runClassCount(state({ plan }), 'seq-cls')).toBe(2);
    expect(runClassCount(state({ train: { labels: { items: [], total: 4 } } }), 'seq-cls')).toBe(4);
    expect(runClassCount(state({}), 'seq-cls')).toBe(2);
  });
});
