// Store slice: the TrainConfig being edited. Fields hold what the user typed, so a half-typed number can be
// shown with its error (protocol/train-config validates it); features/configure/config-draft.ts derives the
// usable config that the previews and the run use. Defaults come from DEFAULT_TRAIN_CONFIG only. Its events: the
// draft follows each model the worker takes on (modelLoaded, adaptationFinished) and each training file read
// (datasetRead), and takes the settings of an unfinished run found after a reload (unfinishedRunFound, RELIABILITY F8).
import type { StateCreator } from 'zustand/vanilla';
import type { DatasetSummary } from '../../protocol/dataset-summary';
import type { ModelSummary } from '../../protocol/messages';
import type { Task } from '../../protocol/task';
import { DEFAULT_TRAIN_CONFIG, defaultLearningRate, type ProblemType, type TaskHeadConfig, type TrainConfig } from '../../protocol/train-config';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

/** The task last switched to by itself to fit a training file, until the user changes the task or the file goes. */
export interface TaskSwitch {
  from: Task;
  to: Task;
  file: string;
}

export interface ConfigSlice {
  /**
   * learningRateFromModel: the learning rate is still the default for the loaded model's width
   * (defaultLearningRate) and follows the next model loaded; typing a rate ends that.
   */
  config: { draft: TrainConfig; learningRateFromModel: boolean; taskSwitch: TaskSwitch | null; fromRun?: string | null };
  /** Sets one field by its dotted path ("schedule.warmupRatio"); the value may be invalid (shown with its error). */
  configFieldChanged(path: string, value: unknown): void;
  /** Replaces several top-level fields at once (presets of the Layers panel). */
  configPatched(patch: Partial<TrainConfig>): void;
  /** Chooses the run's task; freeze prefixes that name nothing in that task's model are dropped. */
  taskChosen(task: Task): void;
  /** Adds a head on a label column of the training file; the first adds the run's own column as head one too. */
  taskHeadAdded(): void;
  /** Sets one field of head i (the value may be invalid, shown with its error at tasks[i].field). */
  taskHeadChanged(i: number, field: 'name' | 'labelColumn' | 'weight', value: unknown): void;
  /** Removes head i; without heads the run is single-task again and watches nothing of them. */
  taskHeadRemoved(i: number): void;
  configReset(): void;
}

/** Whether a dataset can feed a task, as engine/train/prepare checkTaskData decides. */
export function fitsTask(task: Task, data: DatasetSummary): boolean {
  return task === 'token-cls' ? data.kind === 'tokens' : data.kind === 'examples' && (task === 'mlm' || data.labelColumn !== null || data.multiLabel?.kind === 'binary-columns');
}

/** The fine-tuning task a dataset holds: tagged tokens are token classification, rows sequence classification. */
export function dataTask(data: DatasetSummary): Task {
  return data.kind === 'tokens' ? 'token-cls' : 'seq-cls';
}

/**
 * The task a run fine-tunes: the task of the checkpoint runs start from when the data fits it, else the data's
 * (tagged tokens: token classification; rows: sequence classification). A masked-LM checkpoint (a pretrained base such
 * as the built-in model) always fine-tunes the data's task; masked-LM training of a model is "Adapt to my text", or
 * the task chosen in Configure.
 */
export function fineTuneTask(baseTask: Task, data: DatasetSummary | null): Task {
  if (data === null) return baseTask === 'mlm' ? 'seq-cls' : baseTask;
  if (baseTask !== 'mlm' && fitsTask(baseTask, data)) return baseTask;
  return dataTask(data);
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

/** The freeze prefixes and learning-rate multipliers of a draft that name parameters of the task's run model. */
function fitPrefixes(draft: TrainConfig, model: ModelSummary | null, task: Task): Pick<TrainConfig, 'freeze' | 'lrMultipliers'> {
  const names = model?.runParameters[task].map((p) => p.name) ?? [];
  const known = (prefix: string) => names.some((n) => covers(prefix, n));
  return {
    freeze: Array.isArray(draft.freeze) ? draft.freeze.filter(known) : [],
    lrMultipliers: Object.fromEntries(Object.entries(draft.lrMultipliers ?? {}).filter(([p]) => known(p))),
  };
}

/**
 * A model was loaded: its fine-tuning task (fineTuneTask of the checkpoint runs start from) becomes the run's,
 * prefixes that name none of that run's parameters are dropped, and an untouched learning rate becomes the default
 * for its width.
 */
function followModel(s: AppState, summary: ModelSummary): Partial<AppState> {
  const draft = s.config.draft;
  // An unfinished run's settings stay as they were: the run resumes with them, on the model it names.
  if (s.config.fromRun) return {};
  const task = fineTuneTask(summary.baseTask, s.dataset.train);
  const learningRate = s.config.learningRateFromModel ? defaultLearningRate(summary.hidden_size) : draft.learningRate;
  return { config: { ...s.config, draft: { ...draft, task, ...fitPrefixes(draft, summary, task), learningRate } } };
}

/**
 * A training file was read: a task it cannot feed (after a run on rows, a CoNLL file; under a masked-LM checkpoint,
 * any file) switches to the task the file holds, and the switch is kept to be said.
 */
function followData(s: AppState, summary: DatasetSummary): Partial<AppState> {
  if (summary.role !== 'train') return {};
  // Rows of several labels train a multi-label head, rows of one a softmax one (the CLI's default too).
  const problemType: ProblemType = summary.kind === 'examples' && (summary.multiLabel ?? null) !== null ? 'multi_label_classification' : 'single_label_classification';
  const draft = { ...s.config.draft, problemType };
  if (fitsTask(draft.task, summary)) return { config: { ...s.config, draft: draft.task === 'seq-cls' ? draft : s.config.draft, taskSwitch: null } };
  const task = dataTask(summary);
  const taskSwitch = { from: draft.task, to: task, file: summary.file };
  return { config: { ...s.config, taskSwitch, draft: { ...draft, problemType: task === 'seq-cls' ? problemType : 'single_label_classification', task, ...fitPrefixes(draft, s.model.current, task) } } };
}

/** A head's name from a column's (TaskHeadConfig.name: letters, digits, "-" and "_"), unlike the names taken. */
function headName(column: string, taken: readonly string[]): string {
  const base = column.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60) || 'head';
  let name = base;
  for (let k = 2; taken.includes(name); k++) name = `${base}_${k}`;
  return name;
}

/**
 * The draft's heads with one more: the next label column of the training file no head reads (its other label
 * columns first, then any column not read as text), none when every column has its head. The first added also makes
 * the run's own label column head one.
 */
export function withHeadAdded(draft: TrainConfig, train: DatasetSummary | null): TrainConfig {
  const head = (name: string, labelColumn: string | null): TaskHeadConfig => ({ name, task: 'seq-cls', data: null, validation: null, textColumn: null, labelColumn, weight: 1 });
  const rows = train?.kind === 'examples' ? train : null;
  const heads = draft.tasks ?? (rows?.labelColumn ? [head(headName(rows.labelColumn, []), rows.labelColumn)] : []);
  const used = heads.map((h) => h.labelColumn);
  const candidates = rows === null ? [] : [...rows.otherLabelColumns, ...rows.columns.filter((c) => !rows.textColumns.includes(c))];
  const column = candidates.find((c) => !used.includes(c));
  if (column === undefined) return draft;
  return { ...draft, tasks: [...heads, head(headName(column, heads.map((h) => h.name)), column)] };
}

export const configEvents = {
  unfinishedRunFound: (s, { run }) =>
    run === null || s.config.fromRun === run.info.runId
      ? {}
      : { config: { draft: copy(run.info.config), learningRateFromModel: false, taskSwitch: null, fromRun: run.info.runId } },
  modelLoaded: (s, { summary }) => followModel(s, summary),
  adaptationFinished: (s, { summary }) => followModel(s, summary),
  datasetRead: (s, { summary }) => followData(s, summary),
} satisfies SliceEvents;

export const createConfigSlice: StateCreator<AppState, [], [], ConfigSlice> = (set) => ({
  config: { draft: copy(DEFAULT_TRAIN_CONFIG), learningRateFromModel: true, taskSwitch: null },
  configFieldChanged: (path, value) =>
    set((s) => ({
      config: {
        draft: setPath(s.config.draft, path, value),
        learningRateFromModel: s.config.learningRateFromModel && path !== 'learningRate',
        taskSwitch: path === 'task' ? null : s.config.taskSwitch,
        fromRun: null,
      },
    })),
  configPatched: (patch) =>
    set((s) => ({ config: { ...s.config, fromRun: null, draft: { ...s.config.draft, ...copy(patch) }, learningRateFromModel: s.config.learningRateFromModel && patch.learningRate === undefined } })),
  taskChosen: (task) =>
    set((s) => {
      const train = s.dataset.train;
      const problemType: ProblemType = task === 'seq-cls' && train?.kind === 'examples' && (train.multiLabel ?? null) !== null ? 'multi_label_classification' : 'single_label_classification';
      return { config: { ...s.config, taskSwitch: null, fromRun: null, draft: { ...s.config.draft, task, problemType, ...fitPrefixes(s.config.draft, s.model.current, task) } } };
    }),
  taskHeadAdded: () => set((s) => ({ config: { ...s.config, fromRun: null, draft: withHeadAdded(s.config.draft, s.dataset.train) } })),
  taskHeadChanged: (i, field, value) =>
    set((s) => {
      const tasks = (s.config.draft.tasks ?? []).map((h, k) => (k === i ? { ...h, [field]: value } : h));
      return { config: { ...s.config, fromRun: null, draft: { ...s.config.draft, tasks } } };
    }),
  taskHeadRemoved: (i) =>
    set((s) => {
      const { draft } = s.config;
      const tasks = (draft.tasks ?? []).filter((_, k) => k !== i);
      const gone = draft.tasks?.[i]?.name;
      const watch = tasks.length === 0 || draft.multiTask.watch === gone ? null : draft.multiTask.watch;
      return { config: { ...s.config, fromRun: null, draft: { ...draft, tasks: tasks.length === 0 ? null : tasks, multiTask: { ...draft.multiTask, watch } } } };
    }),
  configReset: () =>
    set((s) => {
      const model = s.model.current;
      const draft = copy(DEFAULT_TRAIN_CONFIG);
      const task = model ? fineTuneTask(model.baseTask, s.dataset.train) : draft.task;
      const train = s.dataset.train;
      const problemType: ProblemType = task === 'seq-cls' && train?.kind === 'examples' && (train.multiLabel ?? null) !== null ? 'multi_label_classification' : 'single_label_classification';
      return { config: { draft: { ...draft, task, problemType, learningRate: model ? defaultLearningRate(model.hidden_size) : draft.learningRate }, learningRateFromModel: true, taskSwitch: null } };
    }),
});
