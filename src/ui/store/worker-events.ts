// Which slice applies which worker event. Each slice exports a table of the FromWorker events it owns
// (`trainingEvents` in training-slice.ts, …): a handler takes the state and the typed event and returns the slice's
// changes. An event several slices care about (a new model clears predictions and steers the config) is in each of
// their tables; applyWorkerEvent runs its handlers in the order below and writes the result as one store update.
import type { FromWorker } from '../../protocol/messages';
import { adaptationEvents } from './adaptation-slice';
import type { AppState, AppStore } from './app-store';
import { checkpointEvents } from './checkpoint-slice';
import { configEvents } from './config-slice';
import { datasetEvents } from './dataset-slice';
import { engineEvents } from './engine-slice';
import { exportEvents } from './export-slice';
import { gradientCheckEvents } from './gradcheck-slice';
import { hubEvents } from './hub-slice';
import { modelEvents } from './model-slice';
import { predictionEvents } from './prediction-slice';
import { runRecipeEvents } from './recipe-slice';
import { shareEvents } from './share-slice';
import { sweepEvents } from './sweep-slice';
import { trainingEvents } from './training-slice';

export type WorkerEventType = FromWorker['type'];
export type WorkerEvent<T extends WorkerEventType> = Extract<FromWorker, { type: T }>;

/** A slice's handlers, written `{ ... } satisfies SliceEvents`: only the events it owns; `{}` changes nothing. */
export type SliceEvents = { [T in WorkerEventType]?: (state: AppState, event: WorkerEvent<T>) => Partial<AppState> };

const owners = [
  engineEvents,
  modelEvents,
  hubEvents,
  predictionEvents,
  datasetEvents,
  configEvents,
  trainingEvents,
  checkpointEvents,
  adaptationEvents,
  exportEvents,
  shareEvents,
  gradientCheckEvents,
  sweepEvents,
  runRecipeEvents,
] as const;

/** The events some slice owns; the engine client checks that these and its own cover every FromWorker event. */
export type SliceEventType = (typeof owners)[number] extends infer Table ? (Table extends unknown ? keyof Table : never) : never;

type Handler = (state: AppState, event: FromWorker) => Partial<AppState>;
const handlers = new Map<string, Handler[]>();
for (const table of owners) {
  for (const [type, handler] of Object.entries(table)) handlers.set(type, [...(handlers.get(type) ?? []), handler as Handler]);
}

/** Applies a worker event: each owner sees the changes of those before it; nothing is written when nobody changed anything. */
export function applyWorkerEvent(store: AppStore, event: FromWorker): void {
  const before = store.getState();
  let changes: Partial<AppState> = {};
  for (const handle of handlers.get(event.type) ?? []) changes = { ...changes, ...handle({ ...before, ...changes }, event) };
  if (Object.keys(changes).length > 0) store.setState(changes);
}
