// The layer tree derived from dotted checkpoint names (never written by hand), for the UI's layer tree and reports.
// "bert.encoder.layer.3.attention.self.query.weight" nests as bert > encoder > layer > 3 > ... > weight.
import { LayerwiseError } from './errors';

export interface ModuleNode {
  /** Dotted path from the root; '' for the root. */
  path: string;
  /** The last segment of the path ('' for the root). */
  name: string;
  kind: 'module' | 'parameter';
  /** The tensor's shape, for parameters; null for modules. */
  shape: number[] | null;
  /** Number of scalar weights in this subtree. */
  paramCount: number;
  /** Sub-modules and parameters in checkpoint order; numbered siblings (layer 0, 1, ..., 10) in numeric order. */
  children: ModuleNode[];
}

const INDEX = /^\d+$/;

interface Building {
  node: ModuleNode;
  byName: Map<string, Building>;
}

function finish(b: Building): ModuleNode {
  const kids = [...b.byName.values()];
  if (kids.length > 0 && kids.every((k) => INDEX.test(k.node.name))) {
    kids.sort((x, y) => Number(x.node.name) - Number(y.node.name));
  }
  b.node.children = kids.map(finish);
  if (b.node.kind === 'module') b.node.paramCount = b.node.children.reduce((sum, c) => sum + c.paramCount, 0);
  return b.node;
}

/** Builds the tree of modules and parameters from checkpoint names and their shapes. */
export function moduleTree(names: readonly string[], shapes: ReadonlyMap<string, readonly number[]>): ModuleNode {
  const root: Building = {
    node: { path: '', name: '', kind: 'module', shape: null, paramCount: 0, children: [] },
    byName: new Map(),
  };
  for (const name of names) {
    const shape = shapes.get(name);
    if (shape === undefined) {
      throw new LayerwiseError('MODULE_TREE_MISSING_SHAPE', `No shape was given for parameter ${name}`, {
        tensor: name,
      });
    }
    const segments = name.split('.');
    let at = root;
    segments.forEach((segment, i) => {
      const isLeaf = i === segments.length - 1;
      let next = at.byName.get(segment);
      if (next === undefined) {
        const path = segments.slice(0, i + 1).join('.');
        const node: ModuleNode = isLeaf
          ? {
              path,
              name: segment,
              kind: 'parameter',
              shape: [...shape],
              paramCount: shape.reduce((a, b) => a * b, 1),
              children: [],
            }
          : { path, name: segment, kind: 'module', shape: null, paramCount: 0, children: [] };
        next = { node, byName: new Map() };
        at.byName.set(segment, next);
      } else if (isLeaf || next.node.kind === 'parameter') {
        const clash = isLeaf && next.node.kind === 'parameter' ? 'appears twice' : 'is both a parameter and a module';
        throw new LayerwiseError('PARAMETER_NAME_CLASH', `Parameter name ${next.node.path} ${clash}`, {
          tensor: next.node.path,
        });
      }
      at = next;
    });
  }
  return finish(root);
}
