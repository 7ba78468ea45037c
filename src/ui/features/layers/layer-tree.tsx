// The layer tree (WAI-ARIA tree pattern, flat with aria-level): one item per module or parameter, named by its
// checkpoint path, with a "trainable" checkbox, its parameter count and its peak learning rate. Clicking an item
// (or its checkbox, or Space) toggles its whole subtree; arrows move and open or close. A focused item announces
// whether it trains (aria-checked, and "frozen" / "trains" as its description). Only the rows in view are rendered
// (fixed row height), so a tree of thousands of nodes scrolls smoothly.
import { memo, useEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import type { ModuleNode } from '../../../lib/module-tree';
import { Icon } from '../../components/icons';
import { formatCompact, formatCount } from '../../format';
import { formatSmall } from '../../components/chart-figure';
import { allModules, initialExpansion, visibleRows, type NodeState } from './layer-plan';

const ROW_HEIGHT = 36;
const VIEW_HEIGHT = 540;
const OVERSCAN = 8;

function lrText(s: NodeState): string {
  if (s.trainable === 0) return 'frozen';
  if (s.lrMin === s.lrMax) return formatSmall(s.lrMax);
  return `${formatSmall(s.lrMin)}–${formatSmall(s.lrMax)}`;
}

function Checkbox({ state, path, onToggle }: { state: NodeState; path: string; onToggle: () => void }) {
  const ref = useRef<HTMLInputElement>(null);
  const partial = state.trainable > 0 && state.trainable < state.total;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = partial;
  }, [partial]);
  return (
    <input
      ref={ref}
      type="checkbox"
      className="tree-check"
      tabIndex={-1}
      aria-label={`Train ${path}`}
      checked={state.trainable > 0 && !partial}
      onClick={(e) => e.stopPropagation()}
      onChange={onToggle}
    />
  );
}

/** The tree and its Expand all / Collapse all buttons; which nodes are open is the tree's own state, so opening
 * one re-renders the tree only, not the panel's charts. */
export const LayerTree = memo(function LayerTree(props: { tree: ModuleNode; states: ReadonlyMap<string, NodeState>; onToggle: (path: string) => void }) {
  const { tree, states } = props;
  const [expanded, setExpandedSet] = useState(() => initialExpansion(tree));
  const rows = useMemo(() => visibleRows(tree, expanded), [tree, expanded]);
  const [scrollTop, setScrollTop] = useState(0);
  const [focused, setFocused] = useState<string | null>(null);
  const viewport = useRef<HTMLDivElement>(null);
  const wantFocus = useRef(false);
  const focusIndex = Math.max(0, rows.findIndex((r) => r.node.path === focused));
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + VIEW_HEIGHT) / ROW_HEIGHT) + OVERSCAN);
  // The row that holds the tab stop stays rendered even when scrolled away, so Tab still reaches the tree.
  const rendered = Array.from({ length: Math.max(0, last - first) }, (_, k) => first + k);
  if (rows.length > 0 && (focusIndex < first || focusIndex >= last)) rendered.push(focusIndex);

  // After a keyboard move, bring the row into view and give it focus once it is rendered.
  useEffect(() => {
    if (!wantFocus.current || !viewport.current) return;
    const top = focusIndex * ROW_HEIGHT;
    const el = viewport.current;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    const item = el.querySelector<HTMLElement>(`[data-index="${focusIndex}"]`);
    if (item) {
      item.focus({ preventScroll: true });
      wantFocus.current = false;
    }
  });

  function setExpanded(path: string, open: boolean) {
    const next = new Set(expanded);
    if (open) next.add(path);
    else next.delete(path);
    setExpandedSet(next);
  }

  function moveTo(index: number) {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!row) return;
    wantFocus.current = true;
    setFocused(row.node.path);
  }

  function onKeyDown(e: KeyboardEvent, index: number) {
    const row = rows[index];
    const isModule = row.node.kind === 'module';
    const open = expanded.has(row.node.path);
    switch (e.key) {
      case 'ArrowDown':
        moveTo(index + 1);
        break;
      case 'ArrowUp':
        moveTo(index - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.length - 1);
        break;
      case 'ArrowRight':
        if (isModule && !open) setExpanded(row.node.path, true);
        else if (isModule) moveTo(index + 1);
        break;
      case 'ArrowLeft':
        if (isModule && open) setExpanded(row.node.path, false);
        else if (row.parent !== null) moveTo(rows.findIndex((r) => r.node.path === row.parent));
        break;
      case ' ':
      case 'Enter':
        props.onToggle(row.node.path);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  return (
    <>
      <div className="tree-tools">
        <button type="button" className="button button-ghost button-small" onClick={() => setExpandedSet(allModules(tree))}>
          Expand all
        </button>
        <button type="button" className="button button-ghost button-small" onClick={() => setExpandedSet(new Set())}>
          Collapse all
        </button>
      </div>
      <div className="tree-header" aria-hidden="true">
        <span>Module</span>
        <span>Parameters</span>
        <span>Learning rate</span>
      </div>
      <div className="tree-viewport" ref={viewport} style={{ maxHeight: VIEW_HEIGHT }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <div role="tree" aria-label="Layers" className="tree" style={{ height: rows.length * ROW_HEIGHT }}>
        {rendered.map((index) => {
          const row = rows[index];
          const { node } = row;
          const state = states.get(node.path);
          if (!state) return null;
          const isModule = node.kind === 'module';
          const open = expanded.has(node.path);
          const frozen = state.trainable === 0;
          const partial = !frozen && state.trainable < state.total;
          const style = { top: index * ROW_HEIGHT, '--level': row.level - 1 } as CSSProperties;
          return (
            <div
              key={node.path}
              role="treeitem"
              aria-label={node.path}
              aria-level={row.level}
              aria-posinset={row.position}
              aria-setsize={row.siblings}
              aria-expanded={isModule ? open : undefined}
              aria-selected={false}
              aria-checked={frozen ? false : partial ? 'mixed' : true}
              aria-description={frozen ? 'frozen' : partial ? `partly frozen: ${formatCount(state.trainable)} of ${formatCount(state.total)} parameters train` : 'trains'}
              data-index={index}
              tabIndex={index === focusIndex ? 0 : -1}
              className={`tree-row ${frozen ? 'is-frozen' : ''} ${isModule ? 'is-module' : 'is-param'}`}
              style={style}
              onClick={() => {
                setFocused(node.path);
                props.onToggle(node.path);
              }}
              onFocus={() => setFocused(node.path)}
              onKeyDown={(e) => onKeyDown(e, index)}
            >
              <span className="tree-indent" aria-hidden="true" />
              {isModule ? (
                <span
                  className={`tree-chevron ${open ? 'is-open' : ''}`}
                  aria-hidden="true"
                  title={open ? 'Collapse' : 'Expand'}
                  onClick={(e) => {
                    e.stopPropagation();
                    setFocused(node.path);
                    setExpanded(node.path, !open);
                  }}
                >
                  <Icon name="chevron" size={14} />
                </span>
              ) : (
                <span className="tree-chevron is-leaf" aria-hidden="true" />
              )}
              <Checkbox state={state} path={node.path} onToggle={() => props.onToggle(node.path)} />
              <span className="tree-name">
                <code>{node.name}</code>
                {node.shape && <span className="tree-shape muted">[{node.shape.join(' × ')}]</span>}
                {state.frozenBy === 'gradual-unfreeze' && <span className="badge badge-warning">gradual</span>}
              </span>
              <span className="tree-count tabular" title={`${formatCount(state.trainable)} of ${formatCount(state.total)} trainable`}>
                {formatCompact(state.total)}
              </span>
              <span className={`tree-lr tabular ${frozen ? 'muted' : ''}`}>{lrText(state)}</span>
            </div>
          );
        })}
      </div>
    </div>
    </>
  );
});
