// Store slice: the Evaluate panel's playground — the text typed, the request in flight, the last result or error.
// Kept apart from the Model panel's trial so each panel shows its own text; a new model clears the result.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { Prediction } from '../../protocol/messages';
import type { AppState } from './app-store';

export interface PlaygroundState {
  text: string;
  requestId: number | null;
  result: Prediction | null;
  error: LayerwiseErrorData | null;
}

export interface PlaygroundSlice {
  playground: PlaygroundState;
  playgroundTextChanged(text: string): void;
  playgroundStarted(requestId: number): void;
  playgroundPredicted(requestId: number, result: Prediction): void;
  playgroundFailed(requestId: number, error: LayerwiseErrorData): void;
  playgroundCleared(): void;
}

export const createPlaygroundSlice: StateCreator<AppState, [], [], PlaygroundSlice> = (set) => {
  const patch = (p: Partial<PlaygroundState>) => set((s) => ({ playground: { ...s.playground, ...p } }));
  const answer = (requestId: number, p: Partial<PlaygroundState>) =>
    set((s) => (s.playground.requestId === requestId ? { playground: { ...s.playground, ...p, requestId: null } } : s));
  return {
    playground: { text: '', requestId: null, result: null, error: null },
    playgroundTextChanged: (text) => patch({ text }),
    playgroundStarted: (requestId) => patch({ requestId, error: null }),
    playgroundPredicted: (requestId, result) => answer(requestId, { result, error: null }),
    playgroundFailed: (requestId, error) => answer(requestId, { error }),
    playgroundCleared: () => patch({ requestId: null, result: null, error: null }),
  };
};
