// Keeps the data plan current: whenever the datasets, the task, the validation share, the seed or the
// augmentation settings change, the worker is asked again (debounced) how a run would split and augment the data.
import type { EngineClient } from '../../engine-client';
import type { AppState, AppStore } from '../../store/app-store';

const DEBOUNCE_MS = 150;

function inputs(s: AppState): unknown[] {
  const d = s.config.draft;
  return [s.dataset.train, s.dataset.validation, d.task, d.validationSplit, d.seed, d.augment, d.maxLength, d.windows, s.model.current];
}

export function watchDataPlan(store: AppStore, engine: EngineClient): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const unsubscribe = store.subscribe((state, previous) => {
    const now = inputs(state);
    const before = inputs(previous);
    if (now.every((v, i) => v === before[i])) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const s = store.getState();
      const d = s.config.draft;
      const valid = typeof d.validationSplit === 'number' && d.validationSplit >= 0 && d.validationSplit < 1 && Number.isSafeInteger(d.seed) && d.seed >= 0;
      if (s.dataset.train === null || !valid) return;
      const maxLength = Number.isSafeInteger(d.maxLength) && d.maxLength > 2 ? d.maxLength : undefined;
      engine.planData({ task: d.task, validationSplit: d.validationSplit, seed: d.seed, augment: d.augment, maxLength, windows: d.windows !== null });
    }, DEBOUNCE_MS);
  });
  return () => {
    if (timer !== null) clearTimeout(timer);
    unsubscribe();
  };
}
