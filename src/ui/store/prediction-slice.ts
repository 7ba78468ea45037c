// Store slice: the Model panel's trial run — the text typed, the request in flight, the last result or error.
// A newly loaded model clears the result (it came from the old model) but keeps the text.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { Prediction } from '../../protocol/messages';
import type { AppState } from './app-store';

export interface PredictionState {
  text: string;
  /** The request in flight, or null. */
  requestId: number | null;
  result: Prediction | null;
  error: LayerwiseErrorData | null;
}

export interface PredictionSlice {
  prediction: PredictionState;
  predictionTextChanged(text: string): void;
  predictionStarted(requestId: number): void;
  predicted(requestId: number, result: Prediction): void;
  predictionFailed(requestId: number, error: LayerwiseErrorData): void;
  predictionCleared(): void;
}

export const createPredictionSlice: StateCreator<AppState, [], [], PredictionSlice> = (set) => {
  const patch = (p: Partial<PredictionState>) => set((s) => ({ prediction: { ...s.prediction, ...p } }));
  // An answer to an older request (the user pressed Predict again) is dropped.
  const answer = (requestId: number, p: Partial<PredictionState>) =>
    set((s) => (s.prediction.requestId === requestId ? { prediction: { ...s.prediction, ...p, requestId: null } } : s));
  return {
    prediction: { text: '', requestId: null, result: null, error: null },
    predictionTextChanged: (text) => patch({ text }),
    predictionStarted: (requestId) => patch({ requestId, error: null }),
    predicted: (requestId, result) => answer(requestId, { result, error: null }),
    predictionFailed: (requestId, error) => answer(requestId, { error }),
    predictionCleared: () => patch({ requestId: null, result: null, error: null }),
  };
};
