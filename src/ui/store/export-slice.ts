// Store slice: the export in flight and the last exported zip (its name, files and a download URL for the Blob
// the engine client made from the transferred bytes), or the last export error. Its event is exportFailed; the
// engine client takes modelExported (it hands the zip to the browser's download) and reports it with exportFinished.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

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
  dismissExportError(): void;
}

export const exportEvents = {
  exportFailed: (s, { requestId, error }) => (s.exporting.requestId === requestId ? { exporting: { ...s.exporting, requestId: null, error } } : {}),
} satisfies SliceEvents;

export const createExportSlice: StateCreator<AppState, [], [], ExportSlice> = (set) => ({
  exporting: { requestId: null, result: null, error: null },
  exportStarted: (requestId) => set((s) => ({ exporting: { ...s.exporting, requestId, error: null } })),
  exportFinished: (requestId, result) =>
    set((s) => (s.exporting.requestId === requestId ? { exporting: { requestId: null, result, error: null } } : s)),
  dismissExportError: () => set((s) => ({ exporting: { ...s.exporting, error: null } })),
});
