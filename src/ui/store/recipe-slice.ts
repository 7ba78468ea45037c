// Store slice: shareable run recipes in the studio (issue #18, protocol/run-recipe.ts) — the recipe of this page's
// run being written ("Share this run": the worker fingerprints the files), and the recipe this page was opened from
// (a link's fragment or a recipe file) with the check of the files open now against its fingerprints
// (protocol/recipe-files.ts). Its events are recipeShared, recipeShareFailed, recipeFilesChecked and
// recipeFilesCheckFailed.
import type { StateCreator } from 'zustand/vanilla';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { RecipeFilesCheck } from '../../protocol/recipe-files';
import type { RunRecipe } from '../../protocol/run-recipe';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

export interface RunRecipeState {
  shared: { requestId: number | null; recipe: RunRecipe | null; error: LayerwiseErrorData | null };
  /** The recipe the page was opened from, and how the files open now compare (null until checked). */
  opened: { recipe: RunRecipe; requestId: number | null; check: RecipeFilesCheck | null } | null;
  /** A damaged link or recipe file. */
  openError: LayerwiseErrorData | null;
}

export interface RunRecipeSlice {
  runRecipe: RunRecipeState;
  recipeShareStarted(requestId: number): void;
  /** Opens a recipe: Configure takes its config; the files it names are asked for and checked. */
  recipeOpened(recipe: RunRecipe): void;
  recipeOpenFailed(error: LayerwiseErrorData): void;
  recipeCheckStarted(requestId: number): void;
  recipeClosed(): void;
  dismissRecipeError(which: 'shared' | 'openError'): void;
}

export const runRecipeEvents = {
  recipeShared: (s, { requestId, recipe }) => (s.runRecipe.shared.requestId === requestId ? { runRecipe: { ...s.runRecipe, shared: { requestId: null, recipe, error: null } } } : {}),
  recipeShareFailed: (s, { requestId, error }) =>
    s.runRecipe.shared.requestId === requestId ? { runRecipe: { ...s.runRecipe, shared: { ...s.runRecipe.shared, requestId: null, error } } } : {},
  recipeFilesChecked: (s, { requestId, check }) => {
    const opened = s.runRecipe.opened;
    return opened !== null && opened.requestId === requestId ? { runRecipe: { ...s.runRecipe, opened: { ...opened, requestId: null, check } } } : {};
  },
  // The check ends with the error shown as a damaged recipe is; the recipe stays open, to be checked again.
  recipeFilesCheckFailed: (s, { requestId, error }) => {
    const opened = s.runRecipe.opened;
    return opened !== null && opened.requestId === requestId ? { runRecipe: { ...s.runRecipe, opened: { ...opened, requestId: null }, openError: error } } : {};
  },
} satisfies SliceEvents;

export const createRunRecipeSlice: StateCreator<AppState, [], [], RunRecipeSlice> = (set, get) => ({
  runRecipe: { shared: { requestId: null, recipe: null, error: null }, opened: null, openError: null },
  recipeShareStarted: (requestId) => set((s) => ({ runRecipe: { ...s.runRecipe, shared: { ...s.runRecipe.shared, requestId, error: null } } })),
  recipeOpened: (recipe) => {
    get().configPatched(recipe.config);
    set((s) => ({ runRecipe: { ...s.runRecipe, opened: { recipe, requestId: null, check: null }, openError: null } }));
  },
  recipeOpenFailed: (error) => set((s) => ({ runRecipe: { ...s.runRecipe, openError: error } })),
  recipeCheckStarted: (requestId) => set((s) => (s.runRecipe.opened === null ? s : { runRecipe: { ...s.runRecipe, opened: { ...s.runRecipe.opened, requestId } } })),
  recipeClosed: () => set((s) => ({ runRecipe: { ...s.runRecipe, opened: null } })),
  dismissRecipeError: (which) =>
    set((s) => ({ runRecipe: which === 'shared' ? { ...s.runRecipe, shared: { ...s.runRecipe.shared, error: null } } : { ...s.runRecipe, openError: null } })),
});
