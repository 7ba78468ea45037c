// Store slice: which panel is open and the colour theme. Panel ids are the studio's journey, in order.
import type { StateCreator } from 'zustand/vanilla';
import type { AppState } from './app-store';

export const PANEL_IDS = ['model', 'dataset', 'layers', 'configure', 'train', 'evaluate', 'export', 'history'] as const;
export type PanelId = (typeof PANEL_IDS)[number];

/** null follows the system's prefers-color-scheme. */
export type ThemeChoice = 'light' | 'dark' | null;

export interface LayoutSlice {
  layout: { panel: PanelId; theme: ThemeChoice };
  showPanel(panel: PanelId): void;
  setTheme(theme: ThemeChoice): void;
}

export const createLayoutSlice: StateCreator<AppState, [], [], LayoutSlice> = (set) => ({
  layout: { panel: 'model', theme: null },
  showPanel: (panel) => set((s) => ({ layout: { ...s.layout, panel } })),
  setTheme: (theme) => set((s) => ({ layout: { ...s.layout, theme } })),
});
