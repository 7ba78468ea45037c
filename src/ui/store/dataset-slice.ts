// Store slice: the datasets the worker holds (training file, optional validation file) as summaries, the read in
// flight with its progress and early preview, the last read error, the augmentation settings and the data plan
// (split sizes, warnings, augmentation examples). A failed read never clears a dataset (RELIABILITY R3, D1).
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import { DEFAULT_AUGMENT, type AugmentSettings, type DataPlan, type DatasetRole, type DatasetSummary, type EarlyPreview } from '../../protocol/dataset-summary';
import type { AppState } from './app-store';

export interface PendingRead {
  requestId: number;
  role: DatasetRole;
  file: string;
  size: number;
  bytesRead: number;
  preview: EarlyPreview | null;
  startedAt: number;
}

export interface DatasetState {
  train: DatasetSummary | null;
  validation: DatasetSummary | null;
  pending: PendingRead | null;
  error: { role: DatasetRole; file: string; error: LayerwiseErrorData } | null;
  augment: AugmentSettings;
  plan: DataPlan | null;
  /** The plan request in flight; answers to older ones are dropped. */
  planRequestId: number | null;
  planError: LayerwiseErrorData | null;
}

export interface DatasetSlice {
  dataset: DatasetState;
  datasetReadStarted(read: PendingRead): void;
  datasetReadProgressed(requestId: number, bytesRead: number): void;
  datasetPreviewed(requestId: number, preview: EarlyPreview): void;
  datasetRead(requestId: number, summary: DatasetSummary): void;
  datasetReadFailed(requestId: number, role: DatasetRole, file: string, error: LayerwiseErrorData): void;
  validationFileCleared(): void;
  augmentChanged(augment: AugmentSettings): void;
  dataPlanRequested(requestId: number): void;
  dataPlanned(requestId: number, plan: DataPlan): void;
  dataPlanFailed(requestId: number, error: LayerwiseErrorData): void;
  /** The worker that held the datasets is gone. */
  datasetsLost(): void;
  dismissDatasetError(): void;
}

const initial: DatasetState = {
  train: null,
  validation: null,
  pending: null,
  error: null,
  augment: DEFAULT_AUGMENT,
  plan: null,
  planRequestId: null,
  planError: null,
};

export const createDatasetSlice: StateCreator<AppState, [], [], DatasetSlice> = (set) => {
  const patch = (p: Partial<DatasetState>) => set((s) => ({ dataset: { ...s.dataset, ...p } }));
  const forRead = (requestId: number, p: (pending: PendingRead) => Partial<DatasetState>) =>
    set((s) => (s.dataset.pending?.requestId === requestId ? { dataset: { ...s.dataset, ...p(s.dataset.pending) } } : s));
  return {
    dataset: initial,
    datasetReadStarted: (read) => patch({ pending: read, error: null }),
    datasetReadProgressed: (requestId, bytesRead) => forRead(requestId, (p) => ({ pending: { ...p, bytesRead } })),
    datasetPreviewed: (requestId, preview) => forRead(requestId, (p) => ({ pending: { ...p, preview } })),
    datasetRead: (requestId, summary) =>
      set((s) => ({
        dataset: {
          ...s.dataset,
          [summary.role]: summary,
          pending: s.dataset.pending?.requestId === requestId ? null : s.dataset.pending,
          error: null,
        },
      })),
    datasetReadFailed: (requestId, role, file, error) =>
      set((s) => ({
        dataset: { ...s.dataset, pending: s.dataset.pending?.requestId === requestId ? null : s.dataset.pending, error: { role, file, error } },
      })),
    validationFileCleared: () => patch({ validation: null }),
    augmentChanged: (augment) => patch({ augment }),
    dataPlanRequested: (requestId) => patch({ planRequestId: requestId }),
    dataPlanned: (requestId, plan) =>
      set((s) => (s.dataset.planRequestId === requestId ? { dataset: { ...s.dataset, plan, planRequestId: null, planError: null } } : s)),
    dataPlanFailed: (requestId, error) =>
      set((s) => (s.dataset.planRequestId === requestId ? { dataset: { ...s.dataset, plan: null, planRequestId: null, planError: error } } : s)),
    datasetsLost: () => patch({ train: null, validation: null, pending: null, plan: null, planRequestId: null }),
    dismissDatasetError: () => patch({ error: null }),
  };
};
