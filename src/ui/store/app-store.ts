// The studio's one store (zustand vanilla, after pmndrs/zustand's slices pattern): framework-free, updated from
// outside React by the engine client, read by components through narrow selectors (useApp(s => s.model.current)).
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createAdaptationSlice, type AdaptationSlice } from './adaptation-slice';
import { createCheckpointSlice, type CheckpointSlice } from './checkpoint-slice';
import { createConfigSlice, type ConfigSlice } from './config-slice';
import { createDatasetSlice, type DatasetSlice } from './dataset-slice';
import { createEngineSlice, type EngineSlice } from './engine-slice';
import { createExportSlice, type ExportSlice } from './export-slice';
import { createGradientCheckSlice, type GradientCheckSlice } from './gradcheck-slice';
import { createHistorySlice, type HistorySlice } from './history-slice';
import { createHubSlice, type HubSlice } from './hub-slice';
import { createLayoutSlice, type LayoutSlice } from './layout-slice';
import { createModelSlice, type ModelSlice } from './model-slice';
import { createPredictionSlice, type PredictionSlice } from './prediction-slice';
import { createRunRecipeSlice, type RunRecipeSlice } from './recipe-slice';
import { createShareSlice, type ShareSlice } from './share-slice';
import { createSweepSlice, type SweepSlice } from './sweep-slice';
import { createTrainingSlice, type TrainingSlice } from './training-slice';

export type AppState = EngineSlice &
  ModelSlice &
  PredictionSlice &
  LayoutSlice &
  DatasetSlice &
  ConfigSlice &
  TrainingSlice &
  ExportSlice &
  ShareSlice &
  HistorySlice &
  HubSlice &
  AdaptationSlice &
  CheckpointSlice &
  GradientCheckSlice &
  SweepSlice &
  RunRecipeSlice;
export type AppStore = StoreApi<AppState>;

export function createAppStore(): AppStore {
  return createStore<AppState>()((...args) => ({
    ...createEngineSlice(...args),
    ...createModelSlice(...args),
    ...createPredictionSlice(...args),
    ...createLayoutSlice(...args),
    ...createDatasetSlice(...args),
    ...createConfigSlice(...args),
    ...createTrainingSlice(...args),
    ...createExportSlice(...args),
    ...createShareSlice(...args),
    ...createHistorySlice(...args),
    ...createHubSlice(...args),
    ...createAdaptationSlice(...args),
    ...createCheckpointSlice(...args),
    ...createGradientCheckSlice(...args),
    ...createSweepSlice(...args),
    ...createRunRecipeSlice(...args),
  }));
}

/** The store the app renders from (tests make their own with createAppStore). */
export const appStore = createAppStore();

export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(appStore, selector);
}

/**
 * A selection that follows the store at most every `ms` (the last value always arrives): for views that cost more
 * to draw than a run's ten step batches a second are worth, such as the live charts (issue 16 item 14).
 */
export function useAppThrottled<T>(selector: (state: AppState) => T, ms: number): T {
  const [value, setValue] = useState(() => selector(appStore.getState()));
  const pick = useRef(selector);
  pick.current = selector;
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const update = () => {
      timer = null;
      last = Date.now();
      setValue(() => pick.current(appStore.getState()));
    };
    update();
    const unsubscribe = appStore.subscribe((state, previous) => {
      if (pick.current(state) === pick.current(previous) || timer !== null) return;
      const wait = last + ms - Date.now();
      if (wait <= 0) update();
      else timer = setTimeout(update, wait);
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [ms]);
  return value;
}
