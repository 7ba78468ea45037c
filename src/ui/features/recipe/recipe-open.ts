// A studio opened from a shared run recipe (issue #18): the link's fragment (or a recipe file) sets Configure as the
// recipe has it, and from then on every model, training file and validation file opened is checked against the
// recipe's fingerprints in the worker (checkRecipeFiles; protocol/recipe-files.ts), as `layerwise train --recipe`
// checks them. The banner (recipe-banner.tsx) says what is still to open and what differs.
import { LayerwiseError, toErrorData } from '../../../lib/errors';
import { parseRunRecipe, recipeFromFragment } from '../../../protocol/run-recipe';
import type { EngineClient } from '../../engine-client';
import type { AppState, AppStore } from '../../store/app-store';

/** Opens the recipe a location's fragment carries (none: nothing changes); a damaged one is said as RUN_RECIPE_INVALID. */
export function openRecipeLink(store: AppStore, hash: string): void {
  try {
    const recipe = recipeFromFragment(hash);
    if (recipe !== null) store.getState().recipeOpened(recipe);
  } catch (err) {
    store.getState().recipeOpenFailed(toErrorData(err));
  }
}

/** Opens a recipe file (what "Download … .recipe.json" wrote); text that is not JSON is RUN_RECIPE_INVALID too. */
export function openRecipeText(store: AppStore, text: string, fileName: string): void {
  try {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new LayerwiseError('RUN_RECIPE_INVALID', `${fileName} is not JSON: ${(err as Error).message}`, { file: fileName });
    }
    store.getState().recipeOpened(parseRunRecipe(value, fileName));
  } catch (err) {
    store.getState().recipeOpenFailed(toErrorData(err));
  }
}

/** What a recipe's check depends on: the recipe, the model (a load or an adaptation replaces it) and the dataset files. */
const watched = (s: AppState) => [s.runRecipe.opened?.recipe ?? null, s.model.current, s.dataset.train, s.dataset.validation] as const;

/** Checks the open files against the opened recipe whenever either changes; returns the unsubscribe. */
export function watchRecipeFiles(store: AppStore, engine: Pick<EngineClient, 'checkRecipeFiles'>): () => void {
  const check = (s: AppState) => {
    const recipe = s.runRecipe.opened?.recipe;
    if (recipe !== undefined) engine.checkRecipeFiles(recipe);
  };
  check(store.getState());
  return store.subscribe((state, previous) => {
    const now = watched(state);
    const before = watched(previous);
    if (now.some((v, i) => v !== before[i])) check(state);
  });
}
