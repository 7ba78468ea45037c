// Store slice: text predictions — the Model panel's trial run (`prediction`) and the Evaluate panel's playground
// (`playground`), each with its own text, request in flight, and last result or error. They are kept apart so each
// panel shows its own text; a newly loaded model clears both results (they came from the old model) but keeps the text.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { Prediction } from '../../protocol/messages';
import type { AppState } from './app-store';

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
  predicted(target: PredictTarget, requestId: number, result: Prediction): void;
  predictionFailed(target: PredictTarget, requestId: number, error: LayerwiseErrorData): void;
  predictionsCleared(): void;
}

const empty = (text = ''): PredictionState => ({ text, requestId: null, result: null, error: null });

export const createPredictionSlice: StateCreator<AppState, [], [], PredictionSlice> = (set) => {
  const update = (target: PredictTarget, next: (state: PredictionState) => PredictionState) =>
    set((s) => {
      const current = target === 'model' ? s.prediction : s.playground;
      const changed = next(current);
      if (changed === current) return s;
      return target === 'model' ? { prediction: changed } : { playground: changed };
    });
  const patch = (target: PredictTarget, p: Partial<PredictionState>) => update(target, (s) => ({ ...s, ...p }));
  // An answer to an older request (the user pressed Predict again) is dropped.
  const answer = (target: PredictTarget, requestId: number, p: Partial<PredictionState>) =>
    update(target, (s) => (s.requestId === requestId ? { ...s, ...p, requestId: null } : s));
  return {
    prediction: empty(),
    playground: empty(),
    predictionTextChanged: (target, text) => patch(target, { text }),
    predictionStarted: (target, requestId) => patch(target, { requestId, error: null }),
    predicted: (target, requestId, result) => answer(target, requestId, { result, error: null }),
    predictionFailed: (target, requestId, error) => answer(target, requestId, { error }),
    predictionsCleared: () => set((s) => ({ prediction: empty(s.prediction.text), playground: empty(s.playground.text) })),
  };
};
