// Browser entry: one store, one engine client (which starts the worker), the built-in model loaded into it, the
// training lock (one tab trains at a time), the run's guard against the page's life (page-lifecycle.ts), and the
// theme the user chose last time.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { createEngineClient } from './engine-client';
import { EngineContext } from './engine-context';
import { watchDataPlan } from './features/dataset/plan-watcher';
import { loadDefaultModel } from './features/model/default-model';
import { startRunRecorder } from './features/history/run-recorder';
import { openRecipeLink, watchRecipeFiles } from './features/recipe/recipe-open';
import { watchPageLifecycle } from './features/training/page-lifecycle';
import { createTrainingLock, TrainingLockContext } from './features/training/training-lock';
import { appStore } from './store/app-store';
import './styles.css';

const THEME_KEY = 'layerwise.theme';

const saved = localStorage.getItem(THEME_KEY);
if (saved === 'light' || saved === 'dark') {
  document.documentElement.dataset.theme = saved; // before the first paint, so there is no flash
  appStore.getState().setTheme(saved);
}
appStore.subscribe((state, previous) => {
  if (state.layout.theme === previous.layout.theme) return;
  if (state.layout.theme === null) localStorage.removeItem(THEME_KEY);
  else localStorage.setItem(THEME_KEY, state.layout.theme);
});

const engine = createEngineClient(appStore);
const trainingLock = createTrainingLock(appStore);
// A run left unfinished by a reload is offered above every panel (and in the Train panel, with what it needs).
engine.findUnfinishedRun();
// Leaving a running page asks first; hiding or leaving it checkpoints the run.
watchPageLifecycle(appStore, engine);
watchDataPlan(appStore, engine);
startRunRecorder(appStore);
// A link to a shared run recipe sets Configure as it was; the files it names are asked for and checked.
openRecipeLink(appStore, location.hash);
watchRecipeFiles(appStore, engine);
// A page opens with no model: the built-in one is loaded, so that a dataset and Start are all a first run needs.
loadDefaultModel(engine);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <EngineContext.Provider value={engine}>
      <TrainingLockContext.Provider value={trainingLock}>
        <App />
      </TrainingLockContext.Provider>
    </EngineContext.Provider>
  </StrictMode>,
);
