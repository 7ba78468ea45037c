// The fine-tuning loop: optimizer steps over the epochs' windows of micro-batches (step.ts), evaluations with early
// stopping, restoreBest and the plateau schedule (transformers' Trainer with EarlyStoppingCallback and
// load_best_model_at_end), ULMFiT gradual unfreezing, divergence detection, checkpoints that resume exactly, and
// typed events for the CLI and the worker. No Node or DOM APIs: the host decides where events and checkpoints go.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError, toErrorData } from '../../lib/errors';
import { hashSeed, streamId } from '../../lib/random';
import { deriveSchedule, evalInterval, learningRateAt, PlateauScheduler, type DerivedSchedule } from '../../protocol/schedule';
import { METRIC_GOAL, type EvalMetric, type TrainConfig } from '../../protocol/train-config';
import type { EvalMetrics, EvalRecord, FinishReason, StepTelemetry, TrainRunEvent } from '../../protocol/train-events';
import type { EncodedDataset } from '../data/encode';
import type { MlmTokenizerInfo } from '../data/mlm-collator';
import { EarlyStopping } from '../metrics/early-stopping';
import { AdamW } from '../optim/adamw';
import { nonFiniteTensors, weightsAreFinite, withWeightsNorm } from './finite-check';
import { dataFingerprint, restoreCheckpoint, type BestEvaluation, type RunCheckpoint, type TrainProgress } from './run-checkpoint';
import { evaluate, type EvalOptions } from './evaluate';
import { ParameterSchedule } from './groups';
import { accumulateGradients, applyGradients, dropoutRates, type GradientOptions, type StepModel } from './step';
import { groupNorms, groupSteps } from './telemetry';
import { EpochWindows } from './windows';
import { evaluateTasks, TaskWindows, taskSources, tasksFingerprint, type TaskData } from './multitask';
import { guardMemory, wasmHeapFailure, type MemoryGuard } from '../backend/memory-guard';
import type { MemoryLimits } from '../../protocol/memory-plan';
import { gradientsWithinMemory, outOfMemoryAdvice, plannerModel } from './memory';

export interface TrainerOptions {
  model: StepModel;
  train: EncodedDataset;
  /** The evaluation split; null runs without evaluations (then early stopping and the plateau schedule are refused). */
  validation: EncodedDataset | null;
  config: TrainConfig;
  /** The tokenizer's padding id. */
  padId: number;
  /** MLM: the tokenizer facts masking needs (data/mlm-collator mlmTokenizerInfo); required for task 'mlm'. */
  masking?: MlmTokenizerInfo | null;
  /** Continue this run from a checkpoint (the store must hold the run's starting weights, e.g. the pretrained ones). */
  resumeFrom?: RunCheckpoint;
  /** Per-group gradient norms and weight deltas on step 1 and every N steps; 0 turns them off. Default 10. */
  groupTelemetryEvery?: number;
  /** Emit a `checkpointed` event every N optimizer steps, after each evaluation, or never (default); also on stop(). */
  checkpointEvery?: number | 'evaluation' | null;
  /** Split batches into passes of this many examples (the recipe's memory plan); default config.microBatchSize. */
  microBatchSize?: number | null;
  /** Multi-task: every head's data (model.heads in order); train and validation are then the first head's. */
  tasks?: TaskData | null;
  /** Guard the run's memory (backend/memory-guard.ts): wasm's heap held to memory.budget, WebGPU's out-of-memory errors caught. */
  memory?: MemoryLimits | null;
  /** Consecutive non-finite steps after which the run stops as diverged. Default 5. */
  maxSkippedSteps?: number;
  /** Train on (and check nothing of) weights that hold NaN or ±Inf: the command line's --allow-non-finite. */
  allowNonFinite?: boolean;
  /** A run stopped after its first step also ends with an evaluation of its weights (the studio: always an outcome). */
  evaluateOnStop?: boolean;
}

export type TrainEvent = TrainRunEvent | { type: 'checkpointed'; step: number; checkpoint: RunCheckpoint };

const DEFAULT_GROUP_TELEMETRY_EVERY = 10;
const DEFAULT_MAX_SKIPPED = 5;
const DROPOUT_STREAM = streamId('dropout');
/** tfjs seeds live in [1, 2^31 − 1): 0 means "unseeded". */
const MAX_TF_SEED = 2147483646;

/** A nonzero tfjs seed from (run seed, stream, ...): seed 0 is as good as any other. */
export function tfSeed(...parts: number[]): number {
  return (hashSeed(...parts) % MAX_TF_SEED) + 1;
}

export class Trainer {
  private readonly model: StepModel;
  private readonly config: TrainConfig;
  private readonly validation: EncodedDataset | null;
  private readonly windows: EpochWindows | TaskWindows;
  private readonly tasks: TaskData | null;
  private readonly schedule: DerivedSchedule;
  private readonly groups: ParameterSchedule;
  private readonly optimizer: AdamW;
  /** W₀ of every parameter that can train, for L2-SP and ‖ΔW‖ (plain tensors, kept until dispose). */
  private readonly initial = new Map<string, tf.Tensor>();
  private readonly gradientOptions: Omit<GradientOptions, 'seeds'>;
  private readonly evalOptions: EvalOptions;
  private readonly plateau: PlateauScheduler | null;
  private readonly earlyStopping: EarlyStopping;
  private readonly telemetryEvery: number;
  private readonly checkpointEvery: number | 'evaluation' | null;
  private readonly maxSkipped: number;
  /** Watch the weights too (finite-check.ts); off with allowNonFinite. */
  private readonly checkWeights: boolean;
  /** ‖W‖ of the trainable weights before the latest step, i.e. after the update before it. */
  private weightsNormBefore = 0;
  private readonly evaluateOnStop: boolean;
  private readonly fingerprint: { examples: number; hash: number };
  private readonly resumedAtStep: number | null;
  /** Examples per forward/backward pass when batches are split; null: whole batches. */
  readonly microBatchSize: number | null;
  private readonly memory: MemoryLimits | null;
  private guard: MemoryGuard | null = null;
  /** Bytes the AdamW update takes beside what a step holds: a new value and two moments of the largest trainable parameter. */
  private get optimizerReserve(): number {
    const params = this.model.params;
    return 3 * 4 * Math.max(0, ...params.trainableNames().map((n) => params.get(n).size));
  }
  private progress: TrainProgress = { step: 0, epoch: 0, window: 0, skippedInARow: 0, tokens: 0 };
  private best: BestEvaluation | null = null;
  private readonly records: EvalRecord[] = [];
  /** The base rate of the latest step (AdamW's hyper reads it). */
  private currentLr = 0;
  private pauseRequested = false;
  private stopRequested = false;
  /** An evaluation asked for by requestEvaluation(), taken after the current step (or at once when paused). */
  private evaluationRequested = false;
  private wake: (() => void) | null = null;
  private running = false;

  constructor(opts: TrainerOptions) {
    const { model, config } = opts;
    if (opts.train.examples.length === 0) throw new LayerwiseError('TRAIN_NO_EXAMPLES', 'The training split has no examples.', { field: 'data' });
    const tasks = [config.task, model.task, opts.train.task, ...(opts.validation ? [opts.validation.task] : [])];
    if (tasks.some((t) => t !== config.task)) {
      throw new LayerwiseError('TRAIN_TASK_MISMATCH', `The config, the model head and the data must share one task (got ${[...new Set(tasks)].join(', ')}).`, { field: 'task' });
    }
    const watchesEval = config.earlyStopping.patience !== null || config.earlyStopping.restoreBest || config.schedule.type === 'plateau';
    const evalData = opts.tasks ? opts.tasks.validation : [opts.validation];
    if (watchesEval && !evalData.some((v) => v !== null && v.examples.length > 0)) {
      throw new LayerwiseError(
        'TRAIN_NO_VALIDATION',
        'Early stopping, restoreBest and the plateau schedule need evaluations: give a validation file or a validationSplit above 0.',
        { field: 'validationSplit' },
      );
    }
    const maskInfo = opts.masking ?? null;
    if (model.task === 'mlm' && maskInfo === null) throw new LayerwiseError('TRAIN_NO_MASKING', 'Masked-LM training needs the tokenizer\'s mask token.', { field: 'task' });
    const masking = model.task === 'mlm' && maskInfo !== null ? { info: maskInfo, options: { mlmProbability: config.mlm.probability, wholeWord: config.mlm.wholeWord } } : null;
    this.model = model;
    this.config = config;
    this.validation = opts.validation;
    // Batches are padded up to a multiple of 16 but never past the length the data was encoded to (at most the model's positions).
    const padding = { padId: opts.padId, maxLength: opts.train.maxLength };
    const micro = opts.microBatchSize === undefined ? config.microBatchSize : opts.microBatchSize;
    this.microBatchSize = micro === null || micro >= config.batchSize ? null : micro;
    this.tasks = opts.tasks ?? null;
    if (this.tasks !== null && (model.heads?.length ?? 0) !== this.tasks.train.length) {
      throw new LayerwiseError('TRAIN_TASKS_DATA', `The model has ${model.heads?.length ?? 0} heads but the run has data for ${this.tasks.train.length}.`, { field: 'tasks' });
    }
    this.windows = this.tasks
      ? new TaskWindows(taskSources(this.tasks, config.batchSize, config.seed, opts.padId), config.gradAccumulation, this.microBatchSize, config.multiTask, config.seed)
      : new EpochWindows({ data: opts.train, batchSize: config.batchSize, seed: config.seed, padding, masking }, config.gradAccumulation, this.microBatchSize);
    this.memory = opts.memory ?? null;
    this.schedule = deriveSchedule(config, this.windows.batchesPerEpoch);
    this.groups = new ParameterSchedule(model.params.names(), model.family, model.config, config);
    this.optimizer = new AdamW(model.params, {
      betas: config.betas,
      eps: config.eps,
      hyper: (name) => this.groups.hyper(name, this.currentLr),
    });
    this.telemetryEvery = opts.groupTelemetryEvery ?? DEFAULT_GROUP_TELEMETRY_EVERY;
    this.checkpointEvery = opts.checkpointEvery ?? null;
    this.maxSkipped = opts.maxSkippedSteps ?? DEFAULT_MAX_SKIPPED;
    this.checkWeights = opts.allowNonFinite !== true;
    this.evaluateOnStop = opts.evaluateOnStop ?? false;
    this.gradientOptions = {
      dropout: dropoutRates(config, model),
      labelSmoothing: config.labelSmoothing,
      l2sp: config.l2sp > 0 ? { strength: config.l2sp, initial: this.initial } : null,
      checkpoint: config.gradientCheckpointing,
    };
    this.evalOptions = { batchSize: config.batchSize, seed: config.seed, padding, masking };
    this.fingerprint = this.tasks ? tasksFingerprint(this.tasks) : dataFingerprint(opts.train);
    const resume = opts.resumeFrom;
    this.plateau =
      config.schedule.type === 'plateau'
        ? new PlateauScheduler(config.learningRate, config.schedule, METRIC_GOAL[config.schedule.plateau.metric], resume?.plateau ?? undefined)
        : null;
    this.earlyStopping = new EarlyStopping(config.earlyStopping, resume?.earlyStopping);
    this.resumedAtStep = resume ? resume.progress.step : null;
    // W₀ is the store's values now: the run's starting weights, also when resuming (before the checkpoint's go in).
    if (config.l2sp > 0 || this.telemetryEvery > 0) {
      for (const name of this.groups.everTrainable()) this.initial.set(name, tf.keep(tf.clone(model.params.get(name))));
    }
    if (resume) {
      try {
        restoreCheckpoint(resume, { params: model.params, task: model.task, config, fingerprint: this.fingerprint, optimizer: this.optimizer });
      } catch (err) {
        this.dispose();
        throw err;
      }
      this.progress = { ...resume.progress };
      this.best = resume.best && { ...resume.best, weights: resume.best.weights && new Map(resume.best.weights) };
      this.records.push(...resume.history);
    }
  }

  /** Optimizer steps done. */
  get step(): number {
    return this.progress.step;
  }

  get plan(): DerivedSchedule {
    return { ...this.schedule };
  }

  /** Every evaluation so far (the run's history). */
  get history(): EvalRecord[] {
    return [...this.records];
  }

  /** Waits after the current step (a `paused` event) until resume() or stop(). */
  pause(): void {
    this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /**
   * Evaluates after the current step, whatever evalEvery says; a paused run evaluates at once (unless its step has
   * been evaluated already) and stays paused. Nothing happens without evaluation data.
   */
  requestEvaluation(): void {
    if (!this.hasValidation()) return;
    this.evaluationRequested = true;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Ends the run after the current step with reason 'stopped'; checkpoint() still gives its state. */
  stop(): void {
    this.stopRequested = true;
    this.resume();
  }

  /** The base learning rate of step `step` (0-based): the schedule on the config's rate, or on the plateau's. */
  private baseRate(step: number): number {
    return learningRateAt(step, this.schedule.totalSteps, this.config.schedule, this.plateau?.lr ?? this.config.learningRate);
  }

  private epochProgress(): number {
    return this.progress.epoch + this.progress.window / this.schedule.stepsPerEpoch;
  }

  /** One optimizer step over the next window; advances the position. */
  private async trainStep(): Promise<StepTelemetry> {
    const p = this.progress;
    const started = performance.now();
    this.currentLr = this.baseRate(p.step);
    const micro = this.windows.window(p.epoch, p.window);
    const seeds = micro.map((_, i) => tfSeed(this.config.seed, DROPOUT_STREAM, p.step, i));
    const acc = await gradientsWithinMemory(
      this.guard,
      () => accumulateGradients(this.model, micro, { ...this.gradientOptions, seeds }),
      this.optimizerReserve,
      (err) => outOfMemoryAdvice(plannerModel(this.model), this.config, this.microBatchSize ?? this.config.batchSize, this.memory as MemoryLimits, err, p.step),
    );
    const measure = this.telemetryEvery > 0 && (p.step === 0 || (p.step + 1) % this.telemetryEvery === 0);
    const norms = measure ? groupNorms(this.groups.groups, acc.grads, this.model.params, this.initial) : null;
    // ‖W‖ before this step's update rides along in its readback: the update before it is checked without a sync.
    const extra = this.checkWeights ? withWeightsNorm(this.model.params, norms) : norms;
    const outcome = await applyGradients(acc, this.optimizer, this.config.maxGradNorm, extra);
    if (this.checkWeights) [this.weightsNormBefore] = outcome.extra;
    const groupValues = this.checkWeights ? outcome.extra.subarray(1) : outcome.extra;
    const tokens = micro.reduce((n, m) => n + m.tokens, 0);
    p.step += 1;
    p.window += 1;
    if (p.window >= this.schedule.stepsPerEpoch) {
      p.epoch += 1;
      p.window = 0;
    }
    p.skippedInARow = outcome.skipped ? p.skippedInARow + 1 : 0;
    p.tokens += tokens;
    const seconds = (performance.now() - started) / 1000;
    return {
      step: p.step,
      epoch: this.epochProgress(),
      loss: outcome.loss,
      penalty: outcome.penalty,
      gradNorm: outcome.gradNorm,
      skipped: outcome.skipped,
      learningRate: this.currentLr,
      groups: groupSteps(this.groups.groupRates(this.currentLr), measure ? groupValues : null),
      tokens,
      seconds,
      tokensPerSecond: seconds > 0 ? tokens / seconds : 0,
    };
  }

  /** Copies of the weights of every parameter that can train. */
  private async trainableSnapshot(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const name of this.groups.everTrainable()) {
      out.set(name, Float32Array.from((await this.model.params.get(name).data()) as Float32Array));
    }
    return out;
  }

  private metricOf(metrics: EvalMetrics, metric: EvalMetric, field: string): number {
    const value = metrics[metric];
    if (value === undefined) {
      throw new LayerwiseError('TRAIN_METRIC_MISSING', `${field} watches ${metric}, which this evaluation does not report (are the tags IOB2?)`, { field });
    }
    return value;
  }

  private async evaluateNow(): Promise<{ record: EvalRecord; isBest: boolean; lrReduced: boolean; stop: boolean }> {
    this.evaluationRequested = false;
    const metrics = this.tasks
      ? await evaluateTasks(this.model, this.model.heads ?? [], this.tasks.validation, this.evalOptions, this.config.multiTask.watch)
      : await evaluate(this.model, this.validation as EncodedDataset, this.evalOptions);
    const step = this.progress.step;
    if (this.checkWeights && !Number.isFinite(metrics.eval_loss)) {
      throw this.diverged(`the evaluation loss at step ${step} is ${metrics.eval_loss}: the model's outputs are no longer numbers`);
    }
    const record: EvalRecord = { step, epoch: this.epochProgress(), learning_rate: this.currentLr, ...metrics };
    this.records.push(record);
    const lrReduced = this.plateau !== null && this.plateau.step(this.metricOf(metrics, this.config.schedule.plateau.metric, 'schedule.plateau.metric'));
    this.metricOf(metrics, this.config.earlyStopping.metric, 'earlyStopping.metric');
    const decision = this.earlyStopping.update(step, metrics);
    if (decision.isBest) {
      this.best = { step, metrics: record, weights: this.config.earlyStopping.restoreBest ? await this.trainableSnapshot() : null };
    }
    return { record, isBest: decision.isBest, lrReduced, stop: decision.shouldStop };
  }

  private hasValidation(): boolean {
    const data = this.tasks ? this.tasks.validation : [this.validation];
    return data.some((v) => v !== null && v.examples.length > 0);
  }

  private evaluationDue(epochEnded: boolean): boolean {
    if (!this.hasValidation()) return false;
    const every = this.config.evalEvery;
    return every === 'epoch' ? epochEnded : this.progress.step % evalInterval(every, this.schedule) === 0;
  }

  private checkpointDue(evaluated: boolean): boolean {
    if (this.progress.skippedInARow > 0) return false; // keep the last good checkpoint while steps are skipped
    if (this.checkpointEvery === 'evaluation') return evaluated;
    return this.checkpointEvery !== null && this.progress.step % this.checkpointEvery === 0;
  }

  /** TRAIN_DIVERGED; `why` by default: the steps skipped in a row. */
  private diverged(why?: string): LayerwiseError {
    const suggestion = Number((this.config.learningRate / 10).toPrecision(2));
    const lastGood = this.progress.step - this.progress.skippedInARow;
    const skipped = `the loss or the gradient norm was not finite for ${this.progress.skippedInARow} step${this.progress.skippedInARow === 1 ? '' : 's'} in a row; the weights are those after step ${lastGood}`;
    return new LayerwiseError('TRAIN_DIVERGED', `Diverged at step ${this.progress.step}; try a learning rate <= ${suggestion} (${why ?? skipped})`, { field: 'learningRate' });
  }

  /** The update of the step before the latest one left weights that are not finite (read with the latest step). */
  private weightsDiverged(): LayerwiseError | null {
    if (!this.checkWeights || Number.isFinite(this.weightsNormBefore)) return null;
    const before = this.progress.step - 1;
    const which = before === 0 ? 'the starting weights are' : `the update of step ${before} left weights that are`;
    return this.diverged(`${which} NaN or infinite (their norm is ${this.weightsNormBefore})`);
  }

  /** Runs the loop to its end, yielding events; the loop waits while the consumer handles each event. */
  async *run(): AsyncGenerator<TrainEvent, void, void> {
    if (this.running) throw new LayerwiseError('TRAIN_ALREADY_RUNNING', 'This trainer is already running.');
    this.running = true;
    const params = this.model.params;
    this.guard = this.memory ? guardMemory(this.memory.budget) : null;
    const trainable = this.groups.plan(this.progress.epoch).params.filter((p) => p.trainable);
    yield {
      type: 'started',
      plan: {
        ...this.schedule,
        trainExamples: this.windows.examples,
        validationExamples: (this.tasks ? this.tasks.validation : [this.validation]).reduce((n, v) => n + (v?.examples.length ?? 0), 0),
        groups: this.groups.groups,
        trainableParameters: trainable.reduce((n, p) => n + params.get(p.name).size, 0),
        parameters: params.parameterCount(),
        microBatchSize: this.microBatchSize,
      },
      resumedAtStep: this.resumedAtStep,
    };
    let reason: FinishReason = 'completed';
    let lastEvaluated = this.records.at(-1)?.step ?? -1;
    let planned = -1;
    try {
      while (this.progress.step < this.schedule.totalSteps) {
        if (planned !== this.progress.epoch) {
          planned = this.progress.epoch;
          this.groups.plan(planned);
          this.groups.apply(params);
          yield { type: 'epochStarted', epoch: planned, step: this.progress.step, groups: this.groups.groups };
        }
        const telemetry = await this.trainStep();
        yield { type: 'stepCompleted', telemetry };
        if (this.progress.skippedInARow >= this.maxSkipped) throw this.diverged();
        const badWeights = this.weightsDiverged();
        if (badWeights) throw badWeights;
        let evaluated = false;
        if (this.evaluationDue(this.progress.window === 0) || this.evaluationRequested) {
          const result = await this.evaluateNow();
          evaluated = true;
          lastEvaluated = this.progress.step;
          yield { type: 'evaluated', record: result.record, isBest: result.isBest, lrReduced: result.lrReduced };
          if (result.stop) reason = 'early-stopped';
        }
        const checkpointed = this.checkpointDue(evaluated);
        if (checkpointed) yield { type: 'checkpointed', step: this.progress.step, checkpoint: await this.checkpoint() };
        if (reason === 'early-stopped') break;
        if (this.pauseRequested && !this.stopRequested) {
          yield { type: 'paused', step: this.progress.step };
          // Paused until resume() or stop(); an evaluation asked for meanwhile runs here, on the paused weights.
          while (this.pauseRequested && !this.stopRequested && reason !== 'early-stopped') {
            if (this.evaluationRequested && lastEvaluated !== this.progress.step) {
              const result = await this.evaluateNow();
              lastEvaluated = this.progress.step;
              yield { type: 'evaluated', record: result.record, isBest: result.isBest, lrReduced: result.lrReduced };
              if (result.stop) reason = 'early-stopped';
              continue;
            }
            this.evaluationRequested = false;
            await new Promise<void>((resolve) => (this.wake = resolve));
          }
          if (reason === 'early-stopped') break;
        }
        if (this.stopRequested) {
          reason = 'stopped';
          // A run that checkpoints is checkpointed where it stops, so that it can be resumed from there.
          if (this.checkpointEvery !== null && !checkpointed && this.progress.skippedInARow === 0) {
            yield { type: 'checkpointed', step: this.progress.step, checkpoint: await this.checkpoint() };
          }
          break;
        }
      }
      // A completed run ends with an evaluation of its final weights, whatever evalEvery says; so does a stopped one
      // that has taken a step, where the host asks for it.
      // Never a finished run on the weights of skipped steps, or on weights the last update made non-finite.
      if (this.checkWeights && this.progress.skippedInARow > 0) throw this.diverged();
      if (this.checkWeights && !(await weightsAreFinite(params))) {
        throw this.diverged(`the update of step ${this.progress.step} left weights that are NaN or infinite`);
      }
      const evaluateLast = reason === 'completed' || (reason === 'stopped' && this.evaluateOnStop && this.progress.step > 0);
      if (evaluateLast && lastEvaluated !== this.progress.step && this.hasValidation()) {
        const result = await this.evaluateNow();
        yield { type: 'evaluated', record: result.record, isBest: result.isBest, lrReduced: result.lrReduced };
      }
      let restoredBestStep: number | null = null;
      // A stopped run may be resumed from its checkpoint, so only a finished one gets its best weights back.
      if (reason !== 'stopped' && this.config.earlyStopping.restoreBest && this.best?.weights) {
        for (const [name, data] of this.best.weights) tf.tidy(() => params.assign(name, tf.tensor(data, params.shape(name), 'float32')));
        restoredBestStep = this.best.step;
      }
      const metrics = restoredBestStep !== null && this.best ? this.best.metrics : (this.records.at(-1) ?? null);
      yield { type: 'finished', reason, step: this.progress.step, metrics, restoredBestStep };
    } catch (err) {
      yield { type: 'failed', step: this.progress.step, error: toErrorData(wasmHeapFailure(err, `step ${this.progress.step + 1}`) ?? err) };
    } finally {
      this.guard?.release();
      this.guard = null;
      this.running = false;
    }
  }

  /** The whole resumable state. Call it between events (the loop waits at each event) or after the run. */
  async checkpoint(): Promise<RunCheckpoint> {
    const params = this.model.params;
    const snapshot = await params.snapshot();
    const bad = this.checkWeights ? nonFiniteTensors(snapshot) : [];
    if (bad.length > 0) {
      throw this.diverged(`${bad.length} tensors hold NaN or infinite values (${bad.slice(0, 3).map(([n, c]) => `${n}: ${c}`).join(', ')}): no checkpoint is taken of them`);
    }
    return {
      config: this.config,
      task: this.model.task,
      data: { ...this.fingerprint },
      progress: { ...this.progress },
      weights: new Map(params.names().map((n) => [n, { shape: params.shape(n), data: snapshot.get(n) as Float32Array }])),
      optimizer: await this.optimizer.getState(),
      plateau: this.plateau?.snapshot() ?? null,
      earlyStopping: this.earlyStopping.snapshot(),
      best: this.best && {
        ...this.best,
        weights: this.best.weights && new Map([...this.best.weights].map(([n, d]) => [n, d.slice()])),
      },
      history: this.records.map((r) => ({ ...r })),
    };
  }

  /** Frees the optimizer's moments and the starting copies; the model's parameters stay with their owner. */
  dispose(): void {
    this.optimizer.dispose();
    for (const t of this.initial.values()) t.dispose();
    this.initial.clear();
  }
}
