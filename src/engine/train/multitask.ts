// Multi-task runs (TrainConfig.tasks): one encoder, several heads, each with its own data, labels, loss weight and
// metrics. The preparation (called by the one run recipe, recipe.ts prepareRun), the steps' batches (one head per
// optimizer step, in the order protocol/multitask.ts taskOrder gives) and the evaluation of every head. A single-task
// run never comes here: its names, batches and evaluations are as they were.
import type { Dataset } from '../../formats/datasets/index';
import { LayerwiseError } from '../../lib/errors';
import { hashSeed, streamId } from '../../lib/random';
import { headPrefix, stepsPerTaskEpoch, taskOrder, type TaskPlanInput } from '../../protocol/multitask';
import type { TaskHeadConfig, TrainConfig } from '../../protocol/train-config';
import type { EvalMetrics } from '../../protocol/train-events';
import { augmentSplits } from '../data/augment';
import { planBatches, type PaddingOptions } from '../data/batches';
import type { EncodedDataset } from '../data/encode';
import type { DatasetSplits } from '../data/split';
import { loadHead, type LoadedModel } from '../load';
import { runLossOptions } from './class-weights';
import { evaluate, type EvalOptions } from './evaluate';
import { headStore, type TaskHead } from './heads';
import { checkClasses, runLabels, splitRunData } from './prepare';
import { dataFingerprint } from './run-checkpoint';
import type { StepModel } from './step';
import { microBatch, splitMicroBatch, type BatchSource, type MicroBatch } from './windows';

/** Each head's data, in TrainConfig.tasks order (the Trainer's TrainerOptions.tasks). */
export interface TaskData {
  train: EncodedDataset[];
  validation: (EncodedDataset | null)[];
}

/** A head's files, in TrainConfig.tasks order (FineTuneSources.heads). */
export interface TaskSources {
  train: Dataset;
  /** Its validation file, or null to hold validationSplit of its training file out. */
  validation: Dataset | null;
}

/** The TaskHeadConfig field behind a reader's or a check's field. */
const HEAD_FIELD: Record<string, keyof TaskHeadConfig> = { task: 'task', labels: 'labelColumn', labelColumn: 'labelColumn', textColumns: 'textColumn', validation: 'validation' };

/**
 * An error about head i's data, as the head's: its message prefixed with the head's name and its field named as
 * tasks[i].field (a label column without two classes is tasks[i].labelColumn; anything else of the file tasks[i].data).
 */
export function headError(err: unknown, i: number, name: string): unknown {
  if (!(err instanceof LayerwiseError)) return err;
  const field = HEAD_FIELD[err.location?.field ?? ''] ?? 'data';
  return new LayerwiseError(err.code, `head "${name}": ${err.message}`, { ...err.location, field: `tasks[${i}].${field}` });
}

/** Each head's split of its files (checked against its task), augmented, and its classes. */
export function splitTasks(heads: readonly TaskHeadConfig[], sources: readonly TaskSources[], config: TrainConfig): { splits: DatasetSplits; labels: string[] }[] {
  if (sources.length !== heads.length) {
    throw new LayerwiseError('TRAIN_TASKS_DATA', `The run has ${heads.length} heads but data for ${sources.length}.`, { field: 'tasks' });
  }
  return heads.map((h, i) => {
    try {
      let splits = splitRunData(h.task, sources[i].train, sources[i].validation, config);
      if (config.augment.copies > 0) splits = augmentSplits(splits, { seed: config.seed, ...config.augment });
      const labels = runLabels(h.task, splits.train);
      checkClasses(h.task, splits.train, labels);
      return { splits, labels };
    } catch (err) {
      throw headError(err, i, h.name);
    }
  });
}

/**
 * Turns a model loaded with the first head into the run's multi-task model (in place): the first head's parameters
 * move under heads.<name>., every other head is loaded (loadHead: the checkpoint's where it fits, else initialised with
 * headInit) under its own prefix, and model.heads describes them. `labels`: each head's classes; `seeds` its init seed.
 */
export async function addTaskHeads(model: LoadedModel, folder: Parameters<typeof loadHead>[0], heads: readonly TaskHeadConfig[], labels: readonly string[][], config: TrainConfig, seeds: readonly number[]): Promise<void> {
  const { family, params } = model;
  const first = heads[0];
  const own = params.names().filter((n) => family.isHeadParam(n, first.task));
  params.rename((n) => (own.includes(n) ? `${headPrefix(first.name)}${n}` : n));
  const taskHeads: TaskHead[] = [{ name: first.name, task: first.task, config: model.config, loss: {}, weight: first.weight, names: own }];
  for (let i = 1; i < heads.length; i++) {
    const h = heads[i];
    const loaded = await loadHead(folder, { task: h.task, labels: labels[i], seed: seeds[i], headInit: config.headInit });
    model.messages.push(...loaded.messages.map((m) => ({ ...m, message: `head "${h.name}": ${m.message}` })));
    for (const [name, values] of loaded.values) params.add(`${headPrefix(h.name)}${name}`, values);
    taskHeads.push({ name: h.name, task: h.task, config: loaded.config, loss: {}, weight: h.weight, names: [...loaded.values.keys()] });
  }
  model.heads = taskHeads;
  model.parameterCount = params.parameterCount();
}

/** Each head's loss options from its own training data (class weights by its classes). */
export function setTaskLosses(heads: TaskHead[], train: readonly EncodedDataset[], config: TrainConfig): void {
  heads.forEach((h, i) => {
    h.loss = runLossOptions({ ...config, task: h.task }, train[i]);
  });
}

const TASK_BATCH_STREAM = streamId('task-batches');

/** The batches of a multi-task run: each optimizer step one head's gradAccumulation batches (protocol/multitask.ts). */
export class TaskWindows {
  private readonly sources: BatchSource[];
  private readonly accumulation: number;
  private readonly microBatchSize: number | null;
  private readonly lengths: number[][];
  private readonly plan: TaskPlanInput;
  private readonly proportional: boolean;
  private planned: { epoch: number; order: number[]; nth: number[]; cycles: Map<string, number[][]> } | null = null;

  constructor(sources: BatchSource[], accumulation: number, microBatchSize: number | null, sampling: Pick<TrainConfig['multiTask'], 'sampler' | 'temperature'>, seed: number) {
    this.sources = sources;
    this.accumulation = accumulation;
    this.microBatchSize = microBatchSize;
    this.lengths = sources.map((s) => s.data.examples.map((e) => e.ids.length));
    const windows = this.lengths.map((l, i) => Math.max(1, Math.ceil(Math.ceil(l.length / sources[i].batchSize) / accumulation)));
    this.plan = { examples: this.lengths.map((l) => l.length), windows, sampler: sampling.sampler, temperature: sampling.temperature, seed };
    this.proportional = sampling.sampler === 'proportional';
  }

  /** Training examples over every head. */
  get examples(): number {
    return this.plan.examples.reduce((a, b) => a + b, 0);
  }

  /** deriveSchedule's batches: gradAccumulation for each step, so that its steps per epoch are Σ windowsᵢ. */
  get batchesPerEpoch(): number {
    return stepsPerTaskEpoch(this.plan.windows) * this.accumulation;
  }

  private epochPlan(epoch: number): NonNullable<TaskWindows['planned']> {
    if (this.planned?.epoch !== epoch) {
      const order = taskOrder(this.plan, epoch);
      const seen = order.map(() => 0);
      const counts = new Map<number, number>();
      order.forEach((h, j) => {
        seen[j] = counts.get(h) ?? 0;
        counts.set(h, seen[j] + 1);
      });
      this.planned = { epoch, order, nth: seen, cycles: new Map() };
    }
    return this.planned;
  }

  /**
   * Batch `b` of head `h`'s stream in `epoch`: its examples reshuffled every pass through them (cycle c). The first
   * head's first pass is planned as a single-task epoch is (EpochWindows: the run's seed), so that a run of one head
   * is the single-task run; every other pass has a seed of its own.
   */
  private batch(plan: NonNullable<TaskWindows['planned']>, h: number, b: number): number[] {
    const source = this.sources[h];
    const perCycle = Math.ceil(this.lengths[h].length / source.batchSize);
    const cycle = Math.floor(b / perCycle);
    const key = `${h}:${cycle}`;
    let batches = plan.cycles.get(key);
    if (batches === undefined) {
      const seed = h === 0 && cycle === 0 ? source.seed : hashSeed(source.seed, TASK_BATCH_STREAM, h, cycle);
      batches = planBatches(this.lengths[h], { batchSize: source.batchSize, seed, epoch: plan.epoch, shuffle: true });
      plan.cycles.set(key, batches);
    }
    return batches[b % perCycle];
  }

  /** The micro-batches of step `index` of `epoch`, each marked with its head. */
  window(epoch: number, index: number): MicroBatch[] {
    const plan = this.epochPlan(epoch);
    const h = plan.order[index];
    const k = plan.nth[index];
    const perCycle = Math.ceil(this.lengths[h].length / this.sources[h].batchSize);
    // Proportional: each head's batches once an epoch, its last step taking what is left.
    const take = this.proportional ? Math.min(this.accumulation, perCycle - k * this.accumulation) : this.accumulation;
    const out: MicroBatch[] = [];
    for (let j = 0; j < take; j++) {
      const b = k * this.accumulation + j;
      const m = { ...microBatch(this.sources[h], this.batch(plan, h, b), true, epoch, h, b), head: h };
      out.push(...(this.microBatchSize === null ? [m] : splitMicroBatch(m, this.microBatchSize).map((part) => ({ ...part, head: h }))));
    }
    return out;
  }
}

/** The batch sources of each head's training data. */
export function taskSources(data: TaskData, batchSize: number, seed: number, padId: number): BatchSource[] {
  return data.train.map((d) => ({ data: d, batchSize, seed, padding: { padId, maxLength: d.maxLength } as PaddingOptions, masking: null }));
}

/** One fingerprint of every head's training data, for resumption (run-checkpoint.ts dataFingerprint of each). */
export function tasksFingerprint(data: TaskData): { examples: number; hash: number } {
  const parts = data.train.map(dataFingerprint);
  return { examples: parts.reduce((n, p) => n + p.examples, 0), hash: hashSeed(...parts.flatMap((p) => [p.examples, p.hash])) };
}

const MEAN_METRICS = ['eval_loss', 'accuracy', 'f1_macro', 'f1_micro', 'f1_weighted', 'entity_precision', 'entity_recall', 'entity_f1'] as const;

/** What the run watches of its heads' metrics: the watched head's, or each metric's mean over the heads reporting it. */
export function combineTaskMetrics(perHead: Record<string, EvalMetrics>, watch: string | null): EvalMetrics {
  if (watch !== null) {
    const watched = perHead[watch];
    if (watched === undefined) throw new LayerwiseError('TRAIN_NO_VALIDATION', `Head "${watch}", which the run watches, has no evaluation data.`, { field: 'multiTask.watch' });
    return { ...watched, tasks: perHead };
  }
  const all = Object.values(perHead);
  const out: EvalMetrics = { eval_loss: 0, accuracy: 0, eval_samples: all.reduce((n, m) => n + m.eval_samples, 0), tasks: perHead };
  for (const key of MEAN_METRICS) {
    const values = all.map((m) => m[key]).filter((v): v is number => v !== undefined);
    // A metric every head reports is averaged; entity scores only when every head has them (all tag IOB2).
    if (values.length === all.length) out[key] = values.reduce((a, b) => a + b, 0) / values.length;
    else if (key === 'eval_loss' || key === 'accuracy') out[key] = Number.NaN;
  }
  return out;
}

/** Evaluates every head that has evaluation data on it, and combines what the run watches (combineTaskMetrics). */
export async function evaluateTasks(model: StepModel, heads: readonly TaskHead[], validation: readonly (EncodedDataset | null)[], opts: EvalOptions, watch: string | null): Promise<EvalMetrics> {
  const perHead: Record<string, EvalMetrics> = {};
  for (const [i, h] of heads.entries()) {
    const data = validation[i];
    if (data === null || data.examples.length === 0) continue;
    const headModel: StepModel = { family: model.family, config: h.config, task: h.task, params: headStore(model.params, h), lora: model.lora, adapters: model.adapters, loss: h.loss };
    perHead[h.name] = await evaluate(headModel, data, opts);
  }
  return combineTaskMetrics(perHead, watch);
}
