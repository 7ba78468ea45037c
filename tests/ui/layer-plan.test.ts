// The Layers panel's logic (src/ui/features/layers/layer-plan.ts) on a two-layer BERT's checkpoint names: the
// freeze list a click makes (checked against planParameterGroups, the loop's own plan), presets by depth
// (BertModel: embeddings 0, layer i → i+1, pooler and head 3), the flattened tree rows and their ARIA positions.
import { describe, expect, it } from 'vitest';
import type { ParameterInfo } from '../../src/protocol/messages';
import { planParameterGroups } from '../../src/protocol/param-groups';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/protocol/train-config';
import {
  freezeCover,
  initialExpansion,
  layerTree,
  matchingPreset,
  nodeStates,
  presetFreeze,
  toggleSubtree,
  visibleRows,
} from '../../src/ui/features/layers/layer-plan';

const L = 2;
function depth(name: string): number {
  const m = /^bert\.encoder\.layer\.(\d+)\./.exec(name);
  if (m) return Number(m[1]) + 1;
  return name.startsWith('bert.embeddings') ? 0 : L + 1;
}
const p = (name: string, shape: number[]): ParameterInfo => ({ name, shape, depth: depth(name), nonFinite: 0 });
const PARAMS: ParameterInfo[] = [
  p('bert.embeddings.word_embeddings.weight', [10, 4]),
  p('bert.embeddings.LayerNorm.weight', [4]),
  p('bert.embeddings.LayerNorm.bias', [4]),
  ...[0, 1].flatMap((i) => [p(`bert.encoder.layer.${i}.attention.self.query.weight`, [4, 4]), p(`bert.encoder.layer.${i}.output.dense.bias`, [4])]),
  p('bert.pooler.dense.weight', [4, 4]),
  p('bert.pooler.dense.bias', [4]),
  p('classifier.weight', [2, 4]),
  p('classifier.bias', [2]),
];
const tree = layerTree(PARAMS);
const names = PARAMS.map((q) => q.name);

function frozenByPlan(freeze: string[]): string[] {
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, freeze };
  return planParameterGroups(names, depth, L, config).params.filter((q) => !q.trainable).map((q) => q.name);
}

describe('toggleSubtree', () => {
  it('freezes a trainable subtree with one prefix, and a second click trains it again', () => {
    const once = toggleSubtree(tree, [], 'bert.encoder.layer.0');
    expect(once).toEqual(['bert.encoder.layer.0']);
    expect(frozenByPlan(once)).toEqual(['bert.encoder.layer.0.attention.self.query.weight', 'bert.encoder.layer.0.output.dense.bias']);
    expect(toggleSubtree(tree, once, 'bert.encoder.layer.0')).toEqual([]);
  });

  it('splits a frozen ancestor so that only the clicked subtree trains', () => {
    const next = toggleSubtree(tree, ['bert'], 'bert.encoder.layer.1');
    expect(next).toEqual(['bert.embeddings', 'bert.encoder.layer.0', 'bert.pooler']);
    const frozen = new Set(frozenByPlan(next));
    for (const n of names) expect(frozen.has(n)).toBe(n.startsWith('bert.') && !n.startsWith('bert.encoder.layer.1.'));
  });

  it('a partly frozen node trains wholly after a click', () => {
    expect(toggleSubtree(tree, ['bert.encoder.layer.0'], 'bert')).toEqual([]);
  });

  it('writes the fewest prefixes: both layers frozen is their parent', () => {
    const both = toggleSubtree(tree, toggleSubtree(tree, [], 'bert.encoder.layer.0'), 'bert.encoder.layer.1');
    expect(both).toEqual(['bert.encoder']);
    expect(freezeCover(tree, new Set(names))).toEqual(['bert', 'classifier']);
  });

  it('a single parameter can be toggled', () => {
    expect(toggleSubtree(tree, [], 'classifier.bias')).toEqual(['classifier.bias']);
  });
});

describe('presets by depth', () => {
  it('head only freezes depths 0..L; the last n layers freeze depths 0..L-n; all freezes nothing', () => {
    expect(presetFreeze(tree, PARAMS, L, 'head-only')).toEqual(['bert.embeddings', 'bert.encoder']);
    expect(presetFreeze(tree, PARAMS, L, 'last-n', 1)).toEqual(['bert.embeddings', 'bert.encoder.layer.0']);
    expect(presetFreeze(tree, PARAMS, L, 'last-n', 2)).toEqual(['bert.embeddings']);
    expect(presetFreeze(tree, PARAMS, L, 'all')).toEqual([]);
  });

  it('recognises the preset a freeze list matches', () => {
    expect(matchingPreset(tree, PARAMS, L, [], null)).toEqual({ preset: 'all', n: 0 });
    expect(matchingPreset(tree, PARAMS, L, ['bert.embeddings', 'bert.encoder'], null)).toEqual({ preset: 'head-only', n: 0 });
    expect(matchingPreset(tree, PARAMS, L, ['bert.embeddings', 'bert.encoder.layer.0'], null)).toEqual({ preset: 'last-n', n: 1 });
    expect(matchingPreset(tree, PARAMS, L, [], 2)).toEqual({ preset: 'gradual', n: 0 });
    expect(matchingPreset(tree, PARAMS, L, ['bert.embeddings'], null)).toEqual({ preset: 'last-n', n: 2 });
    expect(matchingPreset(tree, PARAMS, L, ['classifier'], null)).toBeNull();
    expect(matchingPreset(tree, PARAMS, L, ['bert.encoder.layer.0'], null)).toBeNull();
  });
});

describe('node states', () => {
  it('counts trainable scalars and the learning-rate range of each subtree from the plan', () => {
    const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, freeze: ['bert.encoder.layer.0'], layerDecay: 0.5 };
    const plan = planParameterGroups(names, depth, L, config);
    const states = nodeStates(tree, plan, (scale) => scale * 1e-3);
    expect(states.get('bert.encoder')).toMatchObject({ trainable: 20, total: 40, lrMin: 1e-3, lrMax: 1e-3, frozenBy: 'freeze' });
    // Embeddings at ξ^L = 0.25, layer 1 at ξ^0 = 1, pooler 1.
    expect(states.get('bert')).toMatchObject({ lrMin: 0.25e-3, lrMax: 1e-3 });
    expect(states.get('bert.encoder.layer.0')).toMatchObject({ trainable: 0, lrMin: 0, lrMax: 0 });
    expect(states.get('')!.total).toBe(PARAMS.reduce((n, q) => n + q.shape.reduce((a, b) => a * b, 1), 0));
  });
});

describe('tree rows', () => {
  it('opens the way down to the numbered layers, not into them or into leaf modules', () => {
    expect([...initialExpansion(tree)].sort()).toEqual(['bert', 'bert.embeddings', 'bert.encoder', 'bert.encoder.layer', 'bert.pooler']);
  });

  it('flattens the expanded tree with levels and sibling positions', () => {
    const rows = visibleRows(tree, new Set(['bert', 'bert.encoder']));
    expect(rows.map((r) => [r.node.path, r.level, r.position, r.siblings])).toEqual([
      ['bert', 1, 1, 2],
      ['bert.embeddings', 2, 1, 3],
      ['bert.encoder', 2, 2, 3],
      ['bert.encoder.layer', 3, 1, 1],
      ['bert.pooler', 2, 3, 3],
      ['classifier', 1, 2, 2],
    ]);
    expect(rows[3].parent).toBe('bert.encoder');
  });
});
