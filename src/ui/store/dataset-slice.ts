// Store slice: the datasets the worker holds (training file, optional validation file) as summaries, the read in
// flight with its progress and early preview, the last read error and the data plan
// (split sizes, warnings, augmentation examples). A failed read never clears a dataset (RELIABILITY R3, D1).
// Its events: the read's (datasetReadProgressed, datasetPreviewed, datasetRead, datasetReadFailed), the plan's
// (dataPlanned, dataPlanFailed) and validationFileCleared; answers to an older read or plan request are dropped.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { DataPlan, DatasetRole, DatasetSummary, EarlyPreview } from '../../protocol/dataset-summary';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

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
  plan: DataPlan | null;
  /** The plan request in flight; answers to older ones are dropped. */
  planRequestId: number | null;
  planError: LayerwiseErrorData | null;
}

export interface DatasetSlice {
  dataset: DatasetState;
  datasetReadStarted(read: PendingRead): void;
  dataPlanRequested(requestId: number): void;
  /** The worker that held the datasets is gone. */
  datasetsLost(): void;
  dismissDatasetError(): void;
}

const initial: DatasetState = {
  train: null,
  validation: null,
  pending: null,
  error: null,
  plan: null,
  planRequestId: null,
  planError: null,
};

const dataset = (s: AppState, p: Partial<DatasetState>) => ({ dataset: { ...s.dataset, ...p } });
/** The read in flight changed by p, for an event of that read; late events of an older one change nothing. */
const forRead = (s: AppState, requestId: number, p: (pending: PendingRead) => Partial<PendingRead>) =>
  s.dataset.pending?.requestId === requestId ? dataset(s, { pending: { ...s.dataset.pending, ...p(s.dataset.pending) } }) : {};
/** The read in flight ends with this event only if it is that read's. */
const settle = (s: AppState, requestId: number) => (s.dataset.pending?.requestId === requestId ? null : s.dataset.pending);
const forPlan = (s: AppState, requestId: number, p: Partial<DatasetState>) => (s.dataset.planRequestId === requestId ? dataset(s, { ...p, planRequestId: null }) : {});

export const datasetEvents = {
  datasetReadProgressed: (s, { requestId, bytesRead }) => forRead(s, requestId, () => ({ bytesRead })),
  datasetPreviewed: (s, { requestId, preview }) => forRead(s, requestId, () => ({ preview })),
  datasetRead: (s, { requestId, summary }) => dataset(s, { [summary.role]: summary, pending: settle(s, requestId), error: null }),
  datasetReadFailed: (s, { requestId, role, file, error }) => dataset(s, { pending: settle(s, requestId), error: { role, file, error } }),
  validationFileCleared: (s) => dataset(s, { validation: null }),
  dataPlanned: (s, { requestId, plan }) => forPlan(s, requestId, { plan, planError: null }),
  dataPlanFailed: (s, { requestId, error }) => forPlan(s, requestId, { plan: null, planError: error }),
} satisfies SliceEvents;

export const createDatasetSlice: StateCreator<AppState, [], [], DatasetSlice> = (set) => {
  const patch = (p: Partial<DatasetState>) => set((s) => dataset(s, p));
  return {
    dataset: initial,
    datasetReadStarted: (read) => patch({ pending: read, error: null }),
    dataPlanRequested: (requestId) => patch({ planRequestId: requestId }),
    datasetsLost: () => patch({ train: null, validation: null, pending: null, plan: null, planRequestId: null }),
    dismissDatasetError: () => patch({ error: null }),
  };
};
