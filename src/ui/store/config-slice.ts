// Store slice: the TrainConfig being edited. Fields hold what the user typed, so a half-typed number can be
// shown with its error (protocol/train-config validates it); features/configure/config-draft.ts derives the
// usable config that the previews and the run use. Defaults come from DEFAULT_TRAIN_CONFIG only. Its events: the
// draft follows each model the worker takes on (modelLoaded, adaptationFinished) and each training file read (datasetRead).
import type { StateCreator } from 'zustand/vanilla';
import type { DatasetSummary } from '../../protocol/dataset-summary';
import type { ModelSummary } from '../../protocol/messages';
import type { Task } from '../../protocol/task';
import { DEFAULT_TRAIN_CONFIG, defaultLearningRate, type TrainConfig } from '../../protocol/train-config';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

export interface ConfigSlice {
  /**
   * learningRateFromModel: the learning rate is still the default for the loaded model's width
   * (defaultLearningRate) and follows the next model loaded; typing a rate ends that.
   */
  config: { draft: TrainConfig; learningRateFromModel: boolean };
  /** Sets one field by its dotted path ("schedule.warmupRatio"); the value may be invalid (shown with its error). */
  configFieldChanged(path: string, value: unknown): void;
  /** Replaces several top-level fields at once (presets of the Layers panel). */
  configPatched(patch: Partial<TrainConfig>): void;
  configReset(): void;
}

/**
 * The task a run fine-tunes: the checkpoint's own, except for a masked-LM checkpoint (a pretrained base such as the
 * built-in model), whose runs train the task the data holds — tagged tokens: token classification; rows: sequence
 * classification. Masked-LM training of a model is "Adapt to my text", or the task chosen in Configure.
 */
export function fineTuneTask(modelTask: Task, data: DatasetSummary | null): Task {
  if (modelTask !== 'mlm') return modelTask;
  return data?.kind === 'tokens' ? 'token-cls' : 'seq-cls';
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A copy of obj with the value at a dotted path replaced (objects along the path are copied, not mutated). */
export function setPath<T extends object>(obj: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const source = obj as Record<string, unknown>;
  const next = rest.length === 0 ? value : setPath((source[head] ?? {}) as object, rest.join('.'), value);
  return { ...source, [head]: next } as T;
}

function covers(prefix: string, name: string): boolean {
  return name === prefix || name.startsWith(`${prefix}.`);
}

/**
 * A model was loaded: its fine-tuning task (fineTuneTask) becomes the run's, prefixes that name none of its
 * parameters are dropped, and an untouched learning rate becomes the default for its width.
 */
function followModel(s: AppState, summary: ModelSummary): Partial<AppState> {
  const names = summary.parameters.map((p) => p.name);
  const known = (prefix: string) => names.some((n) => covers(prefix, n));
  const draft = s.config.draft;
  const freeze = Array.isArray(draft.freeze) ? draft.freeze.filter(known) : [];
  const lrMultipliers = Object.fromEntries(Object.entries(draft.lrMultipliers ?? {}).filter(([p]) => known(p)));
  const learningRate = s.config.learningRateFromModel ? defaultLearningRate(summary.hidden_size) : draft.learningRate;
  return { config: { ...s.config, draft: { ...draft, task: fineTuneTask(summary.task, s.dataset.train), freeze, lrMultipliers, learningRate } } };
}

/** A training file was read: under a masked-LM checkpoint, the run's task follows what the file holds. */
function followData(s: AppState, summary: DatasetSummary): Partial<AppState> {
  const draft = s.config.draft;
  if (summary.role !== 'train' || s.model.current?.task !== 'mlm' || draft.task === 'mlm') return {};
  return { config: { ...s.config, draft: { ...draft, task: fineTuneTask('mlm', summary) } } };
}

export const configEvents = {
  modelLoaded: (s, { summary }) => followModel(s, summary),
  adaptationFinished: (s, { summary }) => followModel(s, summary),
  datasetRead: (s, { summary }) => followData(s, summary),
} satisfies SliceEvents;

export const createConfigSlice: StateCreator<AppState, [], [], ConfigSlice> = (set) => ({
  config: { draft: copy(DEFAULT_TRAIN_CONFIG), learningRateFromModel: true },
  configFieldChanged: (path, value) =>
    set((s) => ({ config: { draft: setPath(s.config.draft, path, value), learningRateFromModel: s.config.learningRateFromModel && path !== 'learningRate' } })),
  configPatched: (patch) =>
    set((s) => ({ config: { draft: { ...s.config.draft, ...copy(patch) }, learningRateFromModel: s.config.learningRateFromModel && patch.learningRate === undefined } })),
  configReset: () =>
    set((s) => {
      const hidden = s.model.current?.hidden_size;
      const draft = copy(DEFAULT_TRAIN_CONFIG);
      return { config: { draft: hidden === undefined ? draft : { ...draft, learningRate: defaultLearningRate(hidden) }, learningRateFromModel: true } };
    }),
});
