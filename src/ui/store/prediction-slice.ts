// Store slice: text predictions — the Model panel's trial run (`prediction`) and the Evaluate panel's playground
// (`playground`), each with its own text, request in flight, and last result or error. They are kept apart so each
// panel shows its own text; a newly loaded model clears both results (they came from the old model) but keeps the text.
// Its events: predicted and predictFailed, each the answer to the request in flight of one panel (an answer to an
// older request is dropped), and the three that change the worker's model (modelLoaded, trainingStarted, adaptationFinished).
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { Prediction } from '../../protocol/messages';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

/** Which panel asked: the Model panel's "Try the model" or the Evaluate panel's playground. */
export type PredictTarget = 'model' | 'playground';

export interface PredictionState {
  text: string;
  /** The request in flight, or null. */
  requestId: number | null;
  result: Prediction | null;
  error: LayerwiseErrorData | null;
}

export interface PredictionSlice {
  prediction: PredictionState;
  playground: PredictionState;
  predictionTextChanged(target: PredictTarget, text: string): void;
  predictionStarted(target: PredictTarget, requestId: number): void;
  /** The worker that made them is gone. */
  predictionsCleared(): void;
}

const empty = (text = ''): PredictionState => ({ text, requestId: null, result: null, error: null });
const key = (target: PredictTarget) => (target === 'model' ? 'prediction' : 'playground');
const cleared = (s: AppState) => ({ prediction: empty(s.prediction.text), playground: empty(s.playground.text) });

/** The answer to the request in flight of whichever panel sent it; nothing for an older request. */
function answer(s: AppState, requestId: number, p: Partial<PredictionState>): Partial<AppState> {
  const target = s.prediction.requestId === requestId ? 'prediction' : s.playground.requestId === requestId ? 'playground' : null;
  return target === null ? {} : { [target]: { ...s[target], ...p, requestId: null } };
}

export const predictionEvents = {
  predicted: (s, { requestId, prediction }) => answer(s, requestId, { result: prediction, error: null }),
  predictFailed: (s, { requestId, error }) => answer(s, requestId, { error }),
  modelLoaded: cleared,
  trainingStarted: cleared,
  adaptationFinished: cleared,
} satisfies SliceEvents;

export const createPredictionSlice: StateCreator<AppState, [], [], PredictionSlice> = (set) => ({
  prediction: empty(),
  playground: empty(),
  predictionTextChanged: (target, text) => set((s) => ({ [key(target)]: { ...s[key(target)], text } })),
  predictionStarted: (target, requestId) => set((s) => ({ [key(target)]: { ...s[key(target)], requestId, error: null } })),
  predictionsCleared: () => set(cleared),
});
