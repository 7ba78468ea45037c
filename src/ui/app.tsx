// The studio shell: header, panel nav, engine banner and the open panel. Panels come from panels.tsx.
import { useEffect } from 'react';
import { PANELS } from './panels';
import { AppHeader } from './shell/app-header';
import { EngineBanner } from './shell/engine-banner';
import { PanelNav, panelId, tabId } from './shell/panel-nav';
import { useApp } from './store/app-store';

export function App() {
  const active = useApp((s) => s.layout.panel);
  const theme = useApp((s) => s.layout.theme);

  useEffect(() => {
    const root = document.documentElement;
    if (theme === null) delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);

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
        <div role="tabpanel" id={panelId(panel.id)} aria-labelledby={tabId(panel.id)} tabIndex={-1} className="tab-panel">
          {panel.render()}
        </div>
      </main>
    </div>
  );
}
