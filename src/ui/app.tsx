// The studio shell: header, panel nav, engine banner, the unfinished-run banner and the open panel. Panels come from
// panels.tsx. A panel opens at its top; opened from a link inside a panel, its heading takes the focus.
import { useEffect, useLayoutEffect } from 'react';
import { PANELS } from './panels';
import { AppHeader } from './shell/app-header';
import { EngineBanner } from './shell/engine-banner';
import { PanelNav, panelId, tabId } from './shell/panel-nav';
import { RunBanner } from './shell/run-banner';
import { RecipeBanner } from './features/recipe/recipe-banner';
import { useApp } from './store/app-store';

export function App() {
  const active = useApp((s) => s.layout.panel);
  const theme = useApp((s) => s.layout.theme);
  const headingFocus = useApp((s) => s.layout.headingFocus);

  useEffect(() => {
    const root = document.documentElement;
    if (theme === null) delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);

  // Only when scrolled: scrolling lays the new panel out at once, inside the task that mounted it.
  useLayoutEffect(() => {
    if (window.scrollY > 0) window.scrollTo({ top: 0 });
  }, [active]);

  useEffect(() => {
    if (headingFocus === 0) return;
    document.querySelector<HTMLElement>(`#${panelId(active)} h1`)?.focus({ preventScroll: true });
    // Only a new request moves the focus: `active` is read, not watched.
  }, [headingFocus]);

  const panel = PANELS.find((p) => p.id === active) ?? PANELS[0];
  return (
    <div className="app">
      <a className="skip-link" href={`#${panelId(panel.id)}`}>
        Skip to the panel
      </a>
      <AppHeader />
      <PanelNav panels={PANELS} />
      <main className="app-main">
        <EngineBanner />
        <RunBanner />
        <RecipeBanner />
        <div role="tabpanel" id={panelId(panel.id)} aria-labelledby={tabId(panel.id)} tabIndex={-1} className="tab-panel">
          {panel.render()}
        </div>
      </main>
    </div>
  );
}
