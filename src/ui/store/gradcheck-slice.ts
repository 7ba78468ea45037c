// Store slice: "Check gradients" in Configure (issue #18) — the check in flight (its progress), or the last report
// with the model it ran on, or why it failed. Its events are the worker's gradientCheckProgressed, gradientsChecked
// and gradientCheckFailed; a cancelled check (GRADCHECK_CANCELLED) leaves no error behind, as the user asked for it.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import { GRADCHECK_CANCELLED, type GradcheckReport } from '../../protocol/gradcheck';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

export interface GradientCheckState {
  /** The check in flight; null when none is. */
  requestId: number | null;
  progress: { phase: 'preparing' | 'checking'; done: number; total: number } | null;
  report: GradcheckReport | null;
  /** The model the report is of (its source, as the Model panel names it). */
  model: string | null;
  error: LayerwiseErrorData | null;
}

export interface GradientCheckSlice {
  gradientCheck: GradientCheckState;
  gradientCheckStarted(requestId: number): void;
  dismissGradientCheckError(): void;
}

const IDLE: GradientCheckState = { requestId: null, progress: null, report: null, model: null, error: null };

export const gradientCheckEvents = {
  gradientCheckProgressed: (s, { requestId, phase, done, total }) =>
    s.gradientCheck.requestId === requestId ? { gradientCheck: { ...s.gradientCheck, progress: { phase, done, total } } } : {},
  gradientsChecked: (s, { requestId, report, model }) =>
    s.gradientCheck.requestId === requestId ? { gradientCheck: { requestId: null, progress: null, report, model, error: null } } : {},
  gradientCheckFailed: (s, { requestId, error }) =>
    s.gradientCheck.requestId === requestId
      ? { gradientCheck: { ...s.gradientCheck, requestId: null, progress: null, error: error.code === GRADCHECK_CANCELLED ? null : error } }
      : {},
} satisfies SliceEvents;

export const createGradientCheckSlice: StateCreator<AppState, [], [], GradientCheckSlice> = (set) => ({
  gradientCheck: IDLE,
  // The last report stays on screen until the new one replaces it.
  gradientCheckStarted: (requestId) => set((s) => ({ gradientCheck: { ...s.gradientCheck, requestId, progress: null, error: null } })),
  dismissGradientCheckError: () => set((s) => ({ gradientCheck: { ...s.gradientCheck, error: null } })),
});
