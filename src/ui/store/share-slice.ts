// Store slice: the training recipe being written or last downloaded, and the push to the Hub in flight or done (its
// progress, the link to the repository). Its events are recipeExportFailed and the push's; the engine client takes
// recipeExported (it hands the zip to the browser's download) and reports it with recipeFinished. The push's token
// is never in the store: the push form keeps it in its own state until Push sends it to the worker.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { HubPushProgress, HubPushResult } from '../../protocol/share';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

export interface RecipeDownload {
  fileName: string;
  files: { name: string; size: number }[];
  size: number;
  /** blob: URL of the zip (revoked when the next recipe replaces it). */
  url: string;
}

export interface ShareState {
  recipe: { requestId: number | null; result: RecipeDownload | null; error: LayerwiseErrorData | null };
  push: { requestId: number | null; progress: HubPushProgress | null; result: HubPushResult | null; error: LayerwiseErrorData | null };
}

export interface ShareSlice {
  share: ShareState;
  recipeStarted(requestId: number): void;
  recipeFinished(requestId: number, result: RecipeDownload): void;
  pushStarted(requestId: number): void;
  dismissShareError(which: 'recipe' | 'push'): void;
}

export const shareEvents = {
  recipeExportFailed: (s, { requestId, error }) => (s.share.recipe.requestId === requestId ? { share: { ...s.share, recipe: { ...s.share.recipe, requestId: null, error } } } : {}),
  hubPushProgressed: (s, { requestId, progress }) => (s.share.push.requestId === requestId ? { share: { ...s.share, push: { ...s.share.push, progress } } } : {}),
  hubPushed: (s, { requestId, result }) => (s.share.push.requestId === requestId ? { share: { ...s.share, push: { requestId: null, progress: null, result, error: null } } } : {}),
  hubPushFailed: (s, { requestId, error }) => (s.share.push.requestId === requestId ? { share: { ...s.share, push: { ...s.share.push, requestId: null, progress: null, error } } } : {}),
} satisfies SliceEvents;

export const createShareSlice: StateCreator<AppState, [], [], ShareSlice> = (set) => ({
  share: { recipe: { requestId: null, result: null, error: null }, push: { requestId: null, progress: null, result: null, error: null } },
  recipeStarted: (requestId) => set((s) => ({ share: { ...s.share, recipe: { ...s.share.recipe, requestId, error: null } } })),
  recipeFinished: (requestId, result) => set((s) => (s.share.recipe.requestId === requestId ? { share: { ...s.share, recipe: { requestId: null, result, error: null } } } : s)),
  pushStarted: (requestId) => set((s) => ({ share: { ...s.share, push: { requestId, progress: null, result: null, error: null } } })),
  dismissShareError: (which) => set((s) => ({ share: { ...s.share, [which]: { ...s.share[which], error: null } } })),
});
