// Light/dark switch. Until the user picks, the theme follows prefers-color-scheme; the pick is remembered.
import { useSyncExternalStore } from 'react';
import { Icon } from '../components/icons';
import { useApp } from '../store/app-store';

const query = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia(query);
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

export function useSystemDark(): boolean {
  return useSyncExternalStore(subscribe, () => window.matchMedia(query).matches);
}

export function ThemeToggle() {
  const theme = useApp((s) => s.layout.theme);
  const setTheme = useApp((s) => s.setTheme);
  const systemDark = useSystemDark();
  const dark = theme === null ? systemDark : theme === 'dark';
  return (
    <button
      type="button"
      className="icon-button header-icon-button"
      aria-pressed={dark}
      aria-label="Dark theme"
      title={dark ? 'Switch to the light theme' : 'Switch to the dark theme'}
      onClick={() => setTheme(dark ? 'light' : 'dark')}
    >
      <Icon name={dark ? 'moon' : 'sun'} />
    </button>
  );
}
