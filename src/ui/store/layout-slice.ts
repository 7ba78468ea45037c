// Store slice: which panel is open and the colour theme. Panel ids are the studio's journey, in order.
import type { StateCreator } from 'zustand/vanilla';
import type { AppState } from './app-store';

export const PANEL_IDS = ['model', 'dataset', 'layers', 'configure', 'sweep', 'train', 'evaluate', 'export', 'history'] as const;
export type PanelId = (typeof PANEL_IDS)[number];

/** null follows the system's prefers-color-scheme. */
export type ThemeChoice = 'light' | 'dark' | null;

export interface LayoutSlice {
  /** headingFocus: counts the panel changes that asked for the new panel's heading to take the focus. */
  layout: { panel: PanelId; theme: ThemeChoice; headingFocus: number };
  /**
   * Opens a panel. From a link inside a panel ("Next: …", the run pill) the focus moves to the new panel's heading,
   * as the button that had it is gone; the panel list keeps its own focus (the tabs pattern).
   */
  showPanel(panel: PanelId, focusHeading?: boolean): void;
  setTheme(theme: ThemeChoice): void;
}

export const createLayoutSlice: StateCreator<AppState, [], [], LayoutSlice> = (set) => ({
  layout: { panel: 'model', theme: null, headingFocus: 0 },
  showPanel: (panel, focusHeading = false) => set((s) => ({ layout: { ...s.layout, panel, headingFocus: s.layout.headingFocus + (focusHeading ? 1 : 0) } })),
  setTheme: (theme) => set((s) => ({ layout: { ...s.layout, theme } })),
});
