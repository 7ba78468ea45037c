// The model the next run trains, before it starts: the checkpoint runs start from (ModelSummary.baseTask) with the
// head of the task being configured, its output layer sized for the data's classes — as the worker's run recipe will
// build it. The Layers tree, the schedule preview and the checks before Start all read this, not the checkpoint's
// own head (a masked-LM checkpoint's `cls` is not what a classification run trains).
import { useMemo } from 'react';
import { bottleneckShapes } from '../../protocol/bottleneck';
import type { ModelSummary, ParameterInfo } from '../../protocol/messages';
import type { AdaptersConfig } from '../../protocol/train-config';
import type { Task } from '../../protocol/task';
import { useApp, type AppState } from './app-store';

/** Classes the run's head predicts: the training split's classes (the data plan), else the file's, else the model's. */
export function runClassCount(s: Pick<AppState, 'dataset' | 'model'>, task: Task): number {
  const plan = s.dataset.plan;
  if (plan !== null && plan.classes.total > 0) {
    return plan.classes.items.filter((c) => c.train > 0).length + (plan.classes.total - plan.classes.items.length);
  }
  const train = s.dataset.train;
  if (train !== null && train.labels.total > 0) return train.labels.total;
  const model = s.model.current;
  if (model !== null && model.task === task && model.labels.length > 0) return model.labels.length;
  return 2;
}

/** The run's parameters with their shapes for `classes` classes; the loader's NaN counts where the checkpoint has the tensor. */
export function runParameterInfo(model: ModelSummary, task: Task, classes: number): ParameterInfo[] {
  const own = new Map(model.parameters.map((p) => [p.name, p]));
  return model.runParameters[task].map((p) => {
    const shape = p.perClass ? [classes, ...p.shape.slice(1)] : [...p.shape];
    const loaded = own.get(p.name);
    const same = loaded !== undefined && loaded.shape.length === shape.length && loaded.shape.every((d, i) => d === shape[i]);
    return { name: p.name, shape, depth: p.depth, nonFinite: same ? loaded.nonFinite : 0 };
  });
}

export interface RunModel {
  task: Task;
  parameters: ParameterInfo[];
  /** Scalars of the run's model. */
  parameterCount: number;
  classes: number;
  /** The run makes its head: the checkpoint runs start from has none for this task. */
  newHead: boolean;
}

/** The bottleneck adapters a run with `adapters` adds (protocol/bottleneck.ts), each at its layer's depth. */
function adapterParameters(model: ModelSummary, adapters: AdaptersConfig | null): ParameterInfo[] {
  if (adapters === null) return [];
  const layerOf = new Map(model.adapterSites.map((s) => [s.module, s.layer]));
  return bottleneckShapes(model.adapterSites, model.hidden_size, adapters).map(([name, shape]) => {
    const site = name.slice(0, name.indexOf('.adapters.'));
    return { name, shape, depth: (layerOf.get(site) ?? 0) + 1, nonFinite: 0 };
  });
}

export function runModel(model: ModelSummary, task: Task, classes: number, adapters: AdaptersConfig | null = null): RunModel {
  const parameters = [...runParameterInfo(model, task, classes), ...(task === 'mlm' ? [] : adapterParameters(model, adapters))];
  return {
    task,
    parameters,
    parameterCount: parameters.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0),
    classes,
    newHead: model.baseTask !== task,
  };
}

/** The run's model for the config being edited, or null without a model. */
export function useRunModel(): RunModel | null {
  const model = useApp((s) => s.model.current);
  const task = useApp((s) => s.config.draft.task);
  const classes = useApp((s) => runClassCount(s, s.config.draft.task));
  const adapters = useApp((s) => s.config.draft.adapters);
  return useMemo(() => (model === null ? null : runModel(model, task, classes, adapters)), [model, task, classes, adapters]);
}
