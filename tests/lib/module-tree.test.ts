// The layer tree from dotted names: nesting, parameter counts, numeric order of numbered layers, name clashes.
import { describe, expect, it } from 'vitest';
import { moduleTree, type ModuleNode } from '../../src/lib/module-tree';

const PARAMS: [string, number[]][] = [
  ['bert.embeddings.word_embeddings.weight', [30, 8]],
  ['bert.embeddings.LayerNorm.weight', [8]],
  ...[0, 1, 10, 2].map((i): [string, number[]] => [`bert.encoder.layer.${i}.output.dense.weight`, [8, 16]]),
  ['classifier.weight', [3, 8]],
  ['classifier.bias', [3]],
];
const tree = () => moduleTree(PARAMS.map(([n]) => n), new Map(PARAMS));
const find = (node: ModuleNode, path: string): ModuleNode | undefined =>
  node.path === path ? node : node.children.map((c) => find(c, path)).find((x) => x !== undefined);

describe('moduleTree', () => {
  it('nests modules by dotted segments and counts their weights', () => {
    const root = tree();
    expect(root.children.map((c) => c.path)).toEqual(['bert', 'classifier']);
    // 30·8 + 8 + 4·(8·16) + 3·8 + 3 = 240 + 8 + 512 + 24 + 3
    expect(root.paramCount).toBe(787);
    expect(find(root, 'bert.embeddings')!.paramCount).toBe(248);
    expect(find(root, 'classifier')!.children.map((c) => [c.name, c.kind, c.shape, c.paramCount])).toEqual([
      ['weight', 'parameter', [3, 8], 24],
      ['bias', 'parameter', [3], 3],
    ]);
    expect(find(root, 'bert.encoder.layer.1.output.dense')).toMatchObject({ kind: 'module', shape: null, paramCount: 128 });
  });

  it('orders numbered layers numerically, other siblings in checkpoint order', () => {
    const layers = find(tree(), 'bert.encoder.layer')!;
    expect(layers.children.map((c) => c.name)).toEqual(['0', '1', '2', '10']);
    expect(find(tree(), 'bert.embeddings')!.children.map((c) => c.name)).toEqual(['word_embeddings', 'LayerNorm']);
  });

  it('handles names like __proto__ as plain names', () => {
    const root = moduleTree(['__proto__.weight'], new Map([['__proto__.weight', [2]]]));
    expect(root.children[0]).toMatchObject({ path: '__proto__', paramCount: 2 });
  });

  it('rejects a missing shape and a name that is both a parameter and a module', () => {
    expect(() => moduleTree(['a.weight'], new Map())).toThrow(
      expect.objectContaining({ code: 'MODULE_TREE_MISSING_SHAPE' }),
    );
    const clash = new Map([
      ['a.b', [1]],
      ['a.b.c', [1]],
    ]);
    expect(() => moduleTree(['a.b', 'a.b.c'], clash)).toThrow(expect.objectContaining({ code: 'PARAMETER_NAME_CLASH' }));
    expect(() => moduleTree(['a.b.c', 'a.b'], clash)).toThrow(expect.objectContaining({ code: 'PARAMETER_NAME_CLASH' }));
    expect(() => moduleTree(['a.b', 'a.b'], clash)).toThrow(/appears twice/);
  });
});
