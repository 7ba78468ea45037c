// Store slice: the export in flight (its format and phase), the last export of each format (its name, files, the
// check against the engine, and a download URL for the Blob the engine client made from the transferred bytes), and
// the last export error with its format; and the validation predictions' CSV asked for in the Evaluate panel. Its
// events are exportProgressed, exportFailed and predictionsExportFailed; the engine client takes modelExported and
// predictionsExported (it hands the file to the browser's download) and reports them with exportFinished and
// predictionsFinished.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { ExportFormat, ExportPhase, ExportVerification } from '../../protocol/export';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

export interface ExportResult {
  format: ExportFormat;
  fileName: string;
  files: { name: string; size: number }[];
  /** Bytes of the zip. */
  size: number;
  /** blob: URL of the zip (revoked when the next export of the same format replaces it). */
  url: string;
  at: number;
  verification: ExportVerification;
}

export interface ExportState {
  requestId: number | null;
  /** The format of the export in flight, and where it is. */
  format: ExportFormat | null;
  phase: ExportPhase | null;
  /** The last finished export of each format. */
  results: Partial<Record<ExportFormat, ExportResult>>;
  /** The last failed export and its format (an EXPORT_VERIFY_MISMATCH blocked its download). */
  error: { format: ExportFormat; error: LayerwiseErrorData } | null;
}

/** The predictions CSV in flight (its request), the last one downloaded, or why it failed. */
export interface PredictionsDownload {
  requestId: number | null;
  last: { fileName: string; rows: number } | null;
  error: LayerwiseErrorData | null;
}

export interface ExportSlice {
  exporting: ExportState;
  predictionsCsv: PredictionsDownload;
  predictionsStarted(requestId: number): void;
  predictionsFinished(requestId: number, last: { fileName: string; rows: number }): void;
  exportStarted(requestId: number, format: ExportFormat): void;
  exportFinished(requestId: number, result: ExportResult): void;
  dismissExportError(): void;
}

export const exportEvents = {
  exportProgressed: (s, { requestId, phase }) => (s.exporting.requestId === requestId ? { exporting: { ...s.exporting, phase } } : {}),
  exportFailed: (s, { requestId, error }) =>
    s.exporting.requestId === requestId && s.exporting.format !== null
      ? { exporting: { ...s.exporting, requestId: null, format: null, phase: null, error: { format: s.exporting.format, error } } }
      : {},
  predictionsExportFailed: (s, { requestId, error }) => (s.predictionsCsv.requestId === requestId ? { predictionsCsv: { ...s.predictionsCsv, requestId: null, error } } : {}),
} satisfies SliceEvents;

export const createExportSlice: StateCreator<AppState, [], [], ExportSlice> = (set) => ({
  exporting: { requestId: null, format: null, phase: null, results: {}, error: null },
  predictionsCsv: { requestId: null, last: null, error: null },
  predictionsStarted: (requestId) => set((s) => ({ predictionsCsv: { ...s.predictionsCsv, requestId, error: null } })),
  predictionsFinished: (requestId, last) => set((s) => (s.predictionsCsv.requestId === requestId ? { predictionsCsv: { requestId: null, last, error: null } } : s)),
  exportStarted: (requestId, format) => set((s) => ({ exporting: { ...s.exporting, requestId, format, phase: null, error: null } })),
  exportFinished: (requestId, result) =>
    set((s) =>
      s.exporting.requestId === requestId
        ? { exporting: { ...s.exporting, requestId: null, format: null, phase: null, results: { ...s.exporting.results, [result.format]: result }, error: null } }
        : s,
    ),
  dismissExportError: () => set((s) => ({ exporting: { ...s.exporting, error: null } })),
});
