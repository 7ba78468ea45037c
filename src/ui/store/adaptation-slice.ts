// Store slice: "Adapt to my text" — where the text comes from, the settings as typed (protocol/adaptation validates
// them), and the adaptation in flight or last ended: its plan, latest steps and held-out evaluation, the record of
// a kept result, or its error. It owns the adaptation's events (adaptationPreparing … adaptationFailed); late
// events of an older adaptation are dropped, as for training runs.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import { DEFAULT_ADAPT_SETTINGS, type AdaptationRecord, type AdaptPhase, type AdaptPlan, type AdaptSettings } from '../../protocol/adaptation';
import type { EvalRecord, StepTelemetry } from '../../protocol/train-events';
import type { AppState } from './app-store';
import { setPath } from './config-slice';
import type { SliceEvents } from './worker-events';

/** stopping: asked for, until the worker ends after its current step. discarded: stopped, nothing changed. */
export type AdaptStatus = 'idle' | 'preparing' | 'running' | 'stopping' | 'finished' | 'discarded' | 'failed';

/** Steps kept for the status line's loss and tokens/s (the adaptation draws no chart). */
const RECENT_STEPS = 10;

export interface AdaptationState {
  /** The training dataset's text column, or a separate file. */
  source: 'dataset' | 'file';
  file: File | null;
  /** Settings as typed; a field may hold what is not valid yet (shown with its error). */
  draft: AdaptSettings;
  adaptId: string | null;
  status: AdaptStatus;
  /** Whether the stop asked for keeps the weights so far. */
  keepOnStop: boolean;
  prepare: { phase: AdaptPhase; done: number; total: number } | null;
  plan: AdaptPlan | null;
  recent: StepTelemetry[];
  evaluation: EvalRecord | null;
  /** The adaptation that changed the model, when the last one did. */
  record: AdaptationRecord | null;
  error: LayerwiseErrorData | null;
}

export interface AdaptationSlice {
  adaptation: AdaptationState;
  adaptSourceChosen(source: 'dataset' | 'file'): void;
  /** A text file was chosen or dropped: it becomes the source. */
  adaptFileChosen(file: File): void;
  /** Sets one setting by its dotted path ("length.epochs"); the value may be invalid. */
  adaptSettingChanged(path: string, value: unknown): void;
  adaptationRequested(adaptId: string): void;
  adaptationStopRequested(keep: boolean): void;
  /** The worker went away mid-adaptation (crash, restart). */
  adaptationLost(error: LayerwiseErrorData): void;
}

const ACTIVE: readonly AdaptStatus[] = ['preparing', 'running', 'stopping'];

export function isAdapting(status: AdaptStatus): boolean {
  return ACTIVE.includes(status);
}

type RunFields = Omit<AdaptationState, 'source' | 'file' | 'draft'>;

function idleRun(): RunFields {
  return { adaptId: null, status: 'idle', keepOnStop: false, prepare: null, plan: null, recent: [], evaluation: null, record: null, error: null };
}

/** The adaptation's fields changed by p, for an event of the adaptation in hand. */
const forRun = (s: AppState, adaptId: string, p: (a: AdaptationState) => Partial<AdaptationState>) =>
  s.adaptation.adaptId === adaptId ? { adaptation: { ...s.adaptation, ...p(s.adaptation) } } : {};

export const adaptationEvents = {
  adaptationPreparing: (s, { adaptId, phase, done, total }) => forRun(s, adaptId, () => ({ prepare: { phase, done, total } })),
  adaptationStarted: (s, { adaptId, plan }) => forRun(s, adaptId, (a) => ({ plan, prepare: null, status: a.status === 'preparing' ? 'running' : a.status })),
  adaptationProgressed: (s, { adaptId, steps }) => forRun(s, adaptId, (a) => ({ recent: [...a.recent, ...steps].slice(-RECENT_STEPS) })),
  adaptationEvaluated: (s, { adaptId, record }) => forRun(s, adaptId, () => ({ evaluation: record })),
  // The adapted checkpoint is now the worker's current model (the model slice takes its summary).
  adaptationFinished: (s, { adaptId, record }) => forRun(s, adaptId, () => ({ status: 'finished', record, prepare: null })),
  adaptationDiscarded: (s, { adaptId }) => forRun(s, adaptId, () => ({ status: 'discarded', prepare: null })),
  adaptationFailed: (s, { adaptId, error }) => forRun(s, adaptId, () => ({ status: 'failed', error, prepare: null })),
} satisfies SliceEvents;

export const createAdaptationSlice: StateCreator<AppState, [], [], AdaptationSlice> = (set) => {
  const patch = (p: (a: AdaptationState) => Partial<AdaptationState>) => set((s) => ({ adaptation: { ...s.adaptation, ...p(s.adaptation) } }));
  return {
    adaptation: { source: 'dataset', file: null, draft: structuredClone(DEFAULT_ADAPT_SETTINGS) as AdaptSettings, ...idleRun() },
    adaptSourceChosen: (source) => patch(() => ({ source })),
    adaptFileChosen: (file) => patch(() => ({ file, source: 'file' })),
    adaptSettingChanged: (path, value) => patch((a) => ({ draft: setPath(a.draft, path, value) })),
    adaptationRequested: (adaptId) => patch(() => ({ ...idleRun(), adaptId, status: 'preparing' })),
    adaptationStopRequested: (keep) => patch((a) => (isAdapting(a.status) ? { status: 'stopping', keepOnStop: keep } : {})),
    adaptationLost: (error) => patch((a) => (isAdapting(a.status) ? { status: 'failed', error, prepare: null } : {})),
  };
};
