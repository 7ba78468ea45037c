// The Layers panel's logic, pure: the module tree from checkpoint names (lib/module-tree), what planParameterGroups
// says of each node (trainable scalars, learning-rate range, why frozen), and edits of TrainConfig.freeze — a click
// toggles a whole subtree, presets freeze by depth — always written as the fewest prefixes that cover the frozen
// parameters, so the config stays readable and every prefix names parameters (planParameterGroups refuses others).
import { moduleTree, type ModuleNode } from '../../../lib/module-tree';
import type { ParameterInfo } from '../../../protocol/messages';
import type { ParameterGroupsPlan, ParameterPlan } from '../../../protocol/param-groups';

export function layerTree(parameters: readonly ParameterInfo[]): ModuleNode {
  return moduleTree(
    parameters.map((p) => p.name),
    new Map(parameters.map((p) => [p.name, p.shape])),
  );
}

export interface NodeState {
  /** Scalars of the subtree that train. */
  trainable: number;
  total: number;
  /** Smallest and largest peak learning rate over the subtree's trainable parameters (0 when none trains). */
  lrMin: number;
  lrMax: number;
  /** Why the subtree does not (entirely) train: a freeze prefix, gradual unfreezing, or both. */
  frozenBy: ParameterPlan['frozenBy'] | 'mixed' | null;
}

/** State of every node by path; peakLr turns a parameter's lrScale into its learning rate. */
export function nodeStates(tree: ModuleNode, plan: ParameterGroupsPlan, peakLr: (lrScale: number) => number): Map<string, NodeState> {
  const byName = new Map(plan.params.map((p) => [p.name, p]));
  const out = new Map<string, NodeState>();
  function visit(node: ModuleNode): NodeState {
    let state: NodeState;
    if (node.kind === 'parameter') {
      const p = byName.get(node.path);
      const lr = p && p.trainable ? peakLr(p.lrScale) : 0;
      state = { trainable: p?.trainable ? node.paramCount : 0, total: node.paramCount, lrMin: lr, lrMax: lr, frozenBy: p?.frozenBy ?? null };
    } else {
      const kids = node.children.map(visit);
      const live = kids.filter((k) => k.trainable > 0);
      const reasons = new Set(kids.map((k) => k.frozenBy).filter((r) => r !== null));
      state = {
        trainable: kids.reduce((n, k) => n + k.trainable, 0),
        total: kids.reduce((n, k) => n + k.total, 0),
        lrMin: live.length ? Math.min(...live.map((k) => k.lrMin)) : 0,
        lrMax: live.length ? Math.max(...live.map((k) => k.lrMax)) : 0,
        frozenBy: reasons.size === 0 ? null : reasons.size === 1 ? [...reasons][0] : 'mixed',
      };
    }
    out.set(node.path, state);
    return state;
  }
  visit(tree);
  return out;
}

function covers(prefix: string, name: string): boolean {
  return name === prefix || name.startsWith(`${prefix}.`);
}

function parameterNames(node: ModuleNode): string[] {
  return node.kind === 'parameter' ? [node.path] : node.children.flatMap(parameterNames);
}

/** The fewest prefixes covering exactly the frozen names: a node wholly frozen is one prefix. */
export function freezeCover(tree: ModuleNode, frozen: ReadonlySet<string>): string[] {
  const whole = new Map<string, boolean>();
  function mark(node: ModuleNode): boolean {
    const all = node.kind === 'parameter' ? frozen.has(node.path) : node.children.map(mark).every(Boolean);
    whole.set(node.path, all);
    return all;
  }
  mark(tree);
  const out: string[] = [];
  function emit(node: ModuleNode): void {
    if (node.path !== '' && whole.get(node.path)) out.push(node.path);
    else node.children.forEach(emit);
  }
  emit(tree);
  return out;
}

export function frozenNames(tree: ModuleNode, freeze: readonly string[]): Set<string> {
  return new Set(parameterNames(tree).filter((n) => freeze.some((p) => covers(p, n))));
}

export function findNode(tree: ModuleNode, path: string): ModuleNode | null {
  if (tree.path === path) return tree;
  for (const child of tree.children) {
    if (covers(child.path, path)) return findNode(child, path);
  }
  return null;
}

/**
 * The freeze list after clicking a node: a subtree that trains wholly becomes frozen; one that is frozen in
 * part or whole trains wholly again (a frozen ancestor's prefix is split so that only this subtree leaves it).
 */
export function toggleSubtree(tree: ModuleNode, freeze: readonly string[], path: string): string[] {
  const node = findNode(tree, path);
  if (node === null) return [...freeze];
  const frozen = frozenNames(tree, freeze);
  const names = parameterNames(node);
  const fullyTrainable = names.every((n) => !frozen.has(n));
  for (const n of names) {
    if (fullyTrainable) frozen.add(n);
    else frozen.delete(n);
  }
  return freezeCover(tree, frozen);
}

export type LayerPreset = 'head-only' | 'last-n' | 'all' | 'gradual';

/**
 * Freeze lists of the presets, by depth (0 embeddings, 1..L encoder layers, L+1 pooler and head): head only
 * freezes depths 0..L, the last n layers freeze depths 0..L−n; all trains everything.
 */
export function presetFreeze(tree: ModuleNode, parameters: readonly ParameterInfo[], numLayers: number, preset: Exclude<LayerPreset, 'gradual'>, n = 1): string[] {
  if (preset === 'all') return [];
  const top = preset === 'head-only' ? numLayers : numLayers - Math.max(0, Math.min(n, numLayers));
  return freezeCover(tree, new Set(parameters.filter((p) => p.depth <= top).map((p) => p.name)));
}

/**
 * Which preset a config matches, if any (for the preset buttons' pressed state): the frozen parameters must be
 * exactly those up to some depth k — k = L is head only, k < L the last L − k layers. One pass over the parameters.
 */
export function matchingPreset(tree: ModuleNode, parameters: readonly ParameterInfo[], numLayers: number, freeze: readonly string[], gradualUnfreeze: number | null): { preset: LayerPreset; n: number } | null {
  if (gradualUnfreeze !== null) return freeze.length === 0 ? { preset: 'gradual', n: 0 } : null;
  const frozen = frozenNames(tree, freeze);
  if (frozen.size === 0) return { preset: 'all', n: 0 };
  const k = Math.max(...parameters.filter((p) => frozen.has(p.name)).map((p) => p.depth));
  if (k > numLayers || !parameters.every((p) => frozen.has(p.name) === p.depth <= k)) return null;
  return k === numLayers ? { preset: 'head-only', n: 0 } : { preset: 'last-n', n: numLayers - k };
}

/** A node and its place in the flattened, expanded tree (what the virtualised list renders). */
export interface VisibleRow {
  node: ModuleNode;
  level: number;
  /** 1-based position among its siblings, and their count (aria-posinset / aria-setsize). */
  position: number;
  siblings: number;
  parent: string | null;
}

export function visibleRows(tree: ModuleNode, expanded: ReadonlySet<string>): VisibleRow[] {
  const rows: VisibleRow[] = [];
  function walk(node: ModuleNode, level: number, parent: string | null): void {
    node.children.forEach((child, i) => {
      rows.push({ node: child, level, position: i + 1, siblings: node.children.length, parent });
      if (child.kind === 'module' && expanded.has(child.path)) walk(child, level + 1, child.path);
    });
  }
  walk(tree, 1, null);
  return rows;
}

const NUMBERED = /^\d+$/;

/** The paths opened at first: modules with sub-modules, down to the numbered layers, so each layer is one row. */
export function initialExpansion(tree: ModuleNode): Set<string> {
  const open = new Set<string>();
  function walk(node: ModuleNode): void {
    for (const child of node.children) {
      if (child.kind !== 'module' || NUMBERED.test(child.name) || !child.children.some((c) => c.kind === 'module')) continue;
      open.add(child.path);
      walk(child);
    }
  }
  walk(tree);
  return open;
}

/** Every module path (Expand all). */
export function allModules(tree: ModuleNode): Set<string> {
  const out = new Set<string>();
  function walk(node: ModuleNode): void {
    for (const child of node.children) {
      if (child.kind === 'module') {
        out.add(child.path);
        walk(child);
      }
    }
  }
  walk(tree);
  return out;
}
