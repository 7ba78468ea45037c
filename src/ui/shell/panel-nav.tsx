// The panel switcher: a vertical tablist (WAI-ARIA tabs pattern) — arrow keys, Home and End move between
// panels; Tab moves into the open panel.
import { useRef, type KeyboardEvent } from 'react';
import { Icon } from '../components/icons';
import type { PanelEntry } from '../panels';
import { useApp } from '../store/app-store';
import { NavRunProgress } from './run-pill';

export const tabId = (id: string) => `tab-${id}`;
export const panelId = (id: string) => `panel-${id}`;

export function PanelNav({ panels }: { panels: readonly PanelEntry[] }) {
  const active = useApp((s) => s.layout.panel);
  const showPanel = useApp((s) => s.showPanel);
  // One string of the done flags, so the nav re-renders only when one of them changes.
  const done = useApp((s) => panels.map((p) => (p.done?.(s) ? '1' : '0')).join(''));
  const list = useRef<HTMLDivElement>(null);

  function onKeyDown(e: KeyboardEvent) {
    const index = panels.findIndex((p) => p.id === active);
    const next = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: panels.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const target = panels[(next + panels.length) % panels.length];
    showPanel(target.id);
    list.current?.querySelector<HTMLElement>(`#${tabId(target.id)}`)?.focus();
  }

  return (
    <nav className="app-nav" aria-label="Studio">
      <div role="tablist" aria-orientation="vertical" aria-label="Panels" ref={list} onKeyDown={onKeyDown}>
        {panels.map((p, i) => (
          <button
            key={p.id}
            type="button"
            role="tab"
            id={tabId(p.id)}
            aria-selected={p.id === active}
            aria-controls={panelId(p.id)}
            tabIndex={p.id === active ? 0 : -1}
            className="nav-tab"
            onClick={() => showPanel(p.id)}
          >
            <span className="nav-step tabular" aria-hidden="true">
              {i + 1}
            </span>
            <Icon name={p.icon} />
            <span className="nav-label">{p.label}</span>
            {done[i] === '1' && (
              <span className="nav-done" aria-label="done">
                <Icon name="check" size={14} />
              </span>
            )}
            {p.id === 'train' && <NavRunProgress />}
          </button>
        ))}
      </div>
    </nav>
  );
}
