// Store slice: the export in flight and the last exported zip (its name, files and a download URL for the Blob
// the engine client made from the transferred bytes), or the last export error.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { AppState } from './app-store';

export interface ExportResult {
  fileName: string;
  files: { name: string; size: number }[];
  /** Bytes of the zip. */
  size: number;
  /** blob: URL of the zip (revoked when the next export replaces it). */
  url: string;
  at: number;
}

export interface ExportState {
  requestId: number | null;
  result: ExportResult | null;
  error: LayerwiseErrorData | null;
}

export interface ExportSlice {
  exporting: ExportState;
  exportStarted(requestId: number): void;
  exportFinished(requestId: number, result: ExportResult): void;
  exportFailed(requestId: number, error: LayerwiseErrorData): void;
  dismissExportError(): void;
}

export const createExportSlice: StateCreator<AppState, [], [], ExportSlice> = (set) => ({
  exporting: { requestId: null, result: null, error: null },
  exportStarted: (requestId) => set((s) => ({ exporting: { ...s.exporting, requestId, error: null } })),
  exportFinished: (requestId, result) =>
    set((s) => (s.exporting.requestId === requestId ? { exporting: { requestId: null, result, error: null } } : s)),
  exportFailed: (requestId, error) =>
    set((s) => (s.exporting.requestId === requestId ? { exporting: { ...s.exporting, requestId: null, error } } : s)),
  dismissExportError: () => set((s) => ({ exporting: { ...s.exporting, error: null } })),
});
