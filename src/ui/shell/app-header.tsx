// The header: the product name, the run in flight (a progress pill on every panel), the backend badge with its
// menu, and the theme switch.
import { LogoMark } from '../components/icons';
import { BackendMenu } from './backend-menu';
import { RunPill } from './run-pill';
import { ThemeToggle } from './theme-toggle';

export function AppHeader() {
  return (
    <header className="app-header">
      <div className="brand">
        <LogoMark />
        <span className="brand-name">Layerwise</span>
        <span className="brand-tagline">fine-tuning studio</span>
      </div>
      <div className="header-tools">
        <RunPill />
        <span className="local-note" title="Models and data are read in this tab; no request leaves this site.">
          Runs locally in your browser
        </span>
        <BackendMenu />
        <ThemeToggle />
      </div>
    </header>
  );
}
