// Store slice: the Sweep panel (issue #18) — the form being edited (features/sweep/sweep-form.ts reads it into a
// SweepConfig), and the sweep in flight or last run: its planned trials and rungs, the trial training now and its
// step, every trial result as it arrives, the best trial, or why it failed. Its events are the worker's sweep* events,
// each taken only for the sweep this page started (sweepId).
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { PlannedTrial, SweepConfig, TrialResult } from '../../protocol/sweep';
import { DEFAULT_SWEEP_DRAFT, type SweepDraft } from '../features/sweep/sweep-form';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

export type SweepStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'finished' | 'stopped' | 'failed';

export interface SweepState {
  draft: SweepDraft;
  sweepId: string | null;
  status: SweepStatus;
  /** The sweep as sent (its metric ranks the results). */
  sweep: SweepConfig | null;
  trials: PlannedTrial[];
  rungs: { epochs: number; trials: number }[];
  /** The trial training now: its rung and epochs, and its step of totalSteps (0 until the first step). */
  current: { id: number; rung: number; epochs: number; step: number; totalSteps: number } | null;
  /** Every trial's result at every rung it reached, in the order they finished. */
  results: TrialResult[];
  best: TrialResult | null;
  error: LayerwiseErrorData | null;
}

export interface SweepSlice {
  sweep: SweepState;
  sweepDraftChanged(patch: Partial<SweepDraft>): void;
  sweepRequested(sweepId: string, sweep: SweepConfig): void;
  sweepStopRequested(): void;
  dismissSweepError(): void;
}

/** Whether a sweep holds the worker's model (the form is locked, Stop is offered). */
export function isSweeping(status: SweepStatus): boolean {
  return status === 'starting' || status === 'running' || status === 'stopping';
}

/** Applies a change to the sweep state when the event is of the sweep this page started. */
function ofSweep(s: AppState, sweepId: string, change: (sweep: SweepState) => Partial<SweepState>): Partial<AppState> {
  return s.sweep.sweepId === sweepId ? { sweep: { ...s.sweep, ...change(s.sweep) } } : {};
}

export const sweepEvents = {
  sweepStarted: (s, { sweepId, trials, rungs }) => ofSweep(s, sweepId, (w) => ({ trials, rungs, status: w.status === 'stopping' ? 'stopping' : 'running' })),
  sweepTrialStarted: (s, { sweepId, id, rung, epochs }) => ofSweep(s, sweepId, () => ({ current: { id, rung, epochs, step: 0, totalSteps: 0 } })),
  sweepProgressed: (s, { sweepId, step, totalSteps }) => ofSweep(s, sweepId, (w) => (w.current === null ? {} : { current: { ...w.current, step, totalSteps } })),
  sweepTrialFinished: (s, { sweepId, result }) => ofSweep(s, sweepId, (w) => ({ results: [...w.results, result], current: null })),
  sweepFinished: (s, { sweepId, best, stopped }) => ofSweep(s, sweepId, () => ({ best, status: stopped ? 'stopped' : 'finished', current: null })),
  sweepFailed: (s, { sweepId, error }) => ofSweep(s, sweepId, () => ({ error, status: 'failed', current: null })),
} satisfies SliceEvents;

export const createSweepSlice: StateCreator<AppState, [], [], SweepSlice> = (set) => ({
  sweep: { draft: DEFAULT_SWEEP_DRAFT, sweepId: null, status: 'idle', sweep: null, trials: [], rungs: [], current: null, results: [], best: null, error: null },
  sweepDraftChanged: (patch) => set((s) => ({ sweep: { ...s.sweep, draft: { ...s.sweep.draft, ...patch } } })),
  sweepRequested: (sweepId, sweep) =>
    set((s) => ({ sweep: { ...s.sweep, sweepId, sweep, status: 'starting', trials: [], rungs: [], current: null, results: [], best: null, error: null } })),
  sweepStopRequested: () => set((s) => (isSweeping(s.sweep.status) ? { sweep: { ...s.sweep, status: 'stopping' } } : s)),
  dismissSweepError: () => set((s) => ({ sweep: { ...s.sweep, error: null } })),
});
