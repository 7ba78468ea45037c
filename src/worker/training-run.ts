// One training run in the worker: prepares it with the engine's run recipe (engine/train/recipe.ts, as `layerwise
// train` does), then drives the Trainer and turns its events into protocol events, steps batched (step-batcher.ts). Pause, resume and stop act on the trainer at once. The model
// the run trains becomes the worker's current model only once preparation has succeeded (RELIABILITY R3). With a
// checkpointer, the run saves a resumable checkpoint at safe points (RELIABILITY F8): every CHECKPOINT_INTERVAL_MS of
// training, after each evaluation and when it pauses; a resumed run starts from one (the Trainer's resumeFrom).
import { adoptTunedThresholds } from '../engine/decision';
import type { RunRecord } from '../engine/export/model-folder';
import type { LoadedModel } from '../engine/load';
import type { TaskSources } from '../engine/train/multitask';
import { prepareRun, runRecordOf } from '../engine/train/recipe';
import type { RunCheckpoint } from '../engine/train/run-checkpoint';
import type { Trainer } from '../engine/train/trainer';
import type { Dataset } from '../formats/datasets/index';
import type { SourceFolder } from '../formats/source-file';
import { LayerwiseError, toErrorData, type LayerwiseErrorData } from '../lib/errors';
import type { FromWorker } from '../protocol/messages';
import { CHECKPOINT_INTERVAL_MS, RESUME_STEP_POINTS, type RestoredHistory } from '../protocol/run-checkpoint';
import { evalInterval } from '../protocol/schedule';
import type { TrainConfig } from '../protocol/train-config';
import type { MemoryLimits, TensorLimit } from '../protocol/memory-plan';
import type { RunPlan, StepTelemetry } from '../protocol/train-events';
import { summarizeModel, type ModelProvenance } from './model-summary';
import { StepBatcher, yieldToEventLoop } from './step-batcher';

/** A dataset read by the studio, with the name and size of its file (for the model card). */
export interface OpenDataset {
  dataset: Dataset;
  file: { name: string; bytes: number };
}

/** What a run starts from: the model folder as the user opened it, and the datasets read so far. */
export interface RunSources {
  folder: SourceFolder;
  source: string;
  files: readonly { name: string; size: number }[];
  /** The model card and adaptations of the model, carried into the run's summary. */
  provenance?: ModelProvenance;
  train: OpenDataset | null;
  validation: OpenDataset | null;
  /** A multi-task run's data of each head (task-data.ts readTaskData), in TrainConfig.tasks order. */
  heads?: TaskSources[];
}

/** Group telemetry (per-layer norms, one extra readback) on about this many steps of a run. */
const TELEMETRY_POINTS = 200;
/** Longest stretch of steps without giving the worker's event loop a turn. */
const YIELD_EVERY_MS = 30;

export type RunState = 'preparing' | 'running' | 'paused' | 'ended';

/** Where a run's checkpoints go (the worker's checkpoint slots); the run waits for each call. */
export interface RunCheckpointer {
  /**
   * A resumable state at a safe point, with the step telemetry so far (thinned), the run's planned total and its
   * training time so far (every session's, pauses left out); never rejects.
   */
  save(checkpoint: RunCheckpoint, steps: StepTelemetry[], totalSteps: number, trainedMs: number): Promise<void>;
  /** The run finished or was stopped: its checkpoint is no longer needed. */
  discard(): Promise<void>;
  /** The run failed (a stuck kernel pool, memory): its last checkpoint stays and is offered as an unfinished run. */
  keep(): Promise<void>;
}

/** What a resumed run continues from: the checkpoint, the step telemetry stored with it and the training time before. */
export interface ResumePoint {
  checkpoint: RunCheckpoint;
  steps: StepTelemetry[];
  trainedMs: number;
}

/** At most `points` of the steps, evenly spread, the last one always kept. */
export function thinSteps(steps: readonly StepTelemetry[], points = RESUME_STEP_POINTS): StepTelemetry[] {
  if (steps.length <= points) return [...steps];
  const stride = Math.ceil(steps.length / points);
  const out = steps.filter((_, i) => i % stride === 0);
  if (out.at(-1) !== steps.at(-1)) out.push(steps[steps.length - 1]);
  return out;
}

/** What the trainingRestored event carries: the stored steps, and the checkpoint's evaluations with the best marked. */
function restoredHistory(resumed: ResumePoint): RestoredHistory {
  const c = resumed.checkpoint;
  return { step: c.progress.step, trainedMs: resumed.trainedMs, steps: resumed.steps, evals: c.history.map((record) => ({ record, isBest: c.best?.step === record.step })) };
}

export interface TrainingRunOptions {
  checkpointer?: RunCheckpointer | null;
  /** The backend's memory limits: the run is planned against them and guarded (protocol/memory-plan.ts). */
  memory?: MemoryLimits | null;
  /** The backend's largest tensor: the run's model is loaded against it (RELIABILITY M20). */
  tensorLimit?: TensorLimit;
  /** Training time between two checkpoints (evaluations and pauses checkpoint as well). */
  checkpointIntervalMs?: number;
  /**
   * On WebGPU: how long a failure waits for a device loss before it is reported as itself. A readback the loss broke
   * can fail first (Chrome rejects the pending mapAsync before the device's lost promise resolves); the run then ends
   * as a device loss (deviceLost), not as the readback's error. 0 elsewhere.
   */
  deviceLossGraceMs?: number;
  /** Train on weights that hold NaN or ±Inf (RELIABILITY M17): the Model panel's "Train anyway"; refused otherwise. */
  allowNonFinite?: boolean;
}

/** What a WebGPU run waits for its device's lost promise after a failure (see deviceLossGraceMs). */
export const DEVICE_LOSS_GRACE_MS = 500;

export class TrainingRun {
  readonly runId: string;
  private readonly post: (event: FromWorker) => void;
  private readonly controller = new AbortController();
  private trainer: Trainer | null = null;
  /** What the trainingStarted event carries besides the trainer's plan, known once preparation is done. */
  private pendingStart: Omit<Extract<FromWorker, { type: 'trainingStarted' }>, 'type' | 'runId' | 'plan'> | null = null;
  private stopRequested = false;
  /** A checkpoint was asked for (the page is being hidden or left): taken at the next safe point. */
  private checkpointAsked = false;
  /** The GPU device was lost (F2): the run has ended with this error, and nothing the trainer reads after is trusted. */
  private lost: LayerwiseErrorData | null = null;
  private readonly checkpointer: RunCheckpointer | null;
  private readonly checkpointIntervalMs: number;
  private readonly deviceLossGraceMs: number;
  private readonly memory: MemoryLimits | null;
  private readonly allowNonFinite: boolean;
  private readonly tensorLimit: TensorLimit | undefined;
  private resumed: ResumePoint | null = null;
  private evalEvery: TrainConfig['evalEvery'] = 'epoch';
  /** What the model card will say of the run, known once it is prepared. */
  private record: Omit<RunRecord, 'metrics' | 'history' | 'restoredBestStep' | 'summary'> | null = null;
  /** Why the run failed in its loop, once it has (the studio renews a backend whose heap failed: RELIABILITY F4). */
  failure: LayerwiseErrorData | null = null;
  /** The whole record once the run has finished (or was stopped): what an export of its weights says of them. */
  finished: RunRecord | null = null;
  /** The model the run trains (the studio's current model once prepared): a multi-label one takes its tuned thresholds at the end. */
  private runModel: LoadedModel | null = null;
  state: RunState = 'preparing';

  constructor(runId: string, post: (event: FromWorker) => void, options: TrainingRunOptions = {}) {
    this.runId = runId;
    this.post = post;
    this.checkpointer = options.checkpointer ?? null;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS;
    this.deviceLossGraceMs = options.deviceLossGraceMs ?? 0;
    this.memory = options.memory ?? null;
    this.allowNonFinite = options.allowNonFinite === true;
    this.tensorLimit = options.tensorLimit;
  }

  /**
   * Builds the run's model and trainer with the engine's run recipe. Returns the model to adopt as current (the
   * caller disposes the old one), or null when preparation failed or was stopped (a trainingFailed event has been
   * posted; nothing changed).
   */
  async prepare(sources: RunSources, config: TrainConfig, resume: ResumePoint | null = null): Promise<LoadedModel | null> {
    const runId = this.runId;
    try {
      if (sources.train === null) throw new LayerwiseError('TRAIN_NO_DATASET', 'Open a dataset file in the Dataset panel first.', { field: 'data' });
      // Every run starts from the model folder as opened, so runs compare; the head follows the data's classes (C5).
      const run = await prepareRun({ folder: sources.folder, train: sources.train.dataset, validation: sources.validation?.dataset ?? null, heads: sources.heads }, config, {
        signal: this.controller.signal,
        onPhase: (phase, done, total) => this.post({ type: 'trainingPreparing', runId, phase, done, total }),
        resumeFrom: resume?.checkpoint,
        telemetryPoints: TELEMETRY_POINTS,
        // Always an outcome: a run stopped after its first step is evaluated on the weights it stops with.
        evaluateOnStop: true,
        memory: this.memory ?? undefined,
        allowNonFinite: this.allowNonFinite,
        tensorLimit: this.tensorLimit,
      });
      this.trainer = run.trainer;
      this.runModel = run.model;
      this.resumed = resume;
      this.evalEvery = config.evalEvery;
      this.record = runRecordOf(run, {
        baseModel: sources.source,
        init: 'pretrained',
        train: sources.train.file,
        validation: sources.validation?.file ?? null,
      });
      const summary = summarizeModel(run.model, sources.source, sources.files, run.loadMs, sources.provenance);
      this.pendingStart = { labels: run.labels, maxLength: run.data.maxLength, dataNotes: run.data.warnings.map((w) => ({ ...w })), summary, baseline: run.baseline && { ...run.baseline } };
      return run.model;
    } catch (err) {
      if (this.lost !== null) return null;
      this.state = 'ended';
      const error = this.stopRequested ? { code: 'TRAIN_CANCELLED', message: 'Training was stopped before its first step.' } : toErrorData(err);
      this.post({ type: 'trainingFailed', runId, step: 0, error });
      return null;
    }
  }

  /** Runs the prepared trainer to its end, posting its events; resolves when the run has ended. */
  async run(): Promise<void> {
    const trainer = this.trainer;
    const start = this.pendingStart;
    if (trainer === null || start === null) return;
    if (this.lost !== null) {
      trainer.dispose();
      return;
    }
    const runId = this.runId;
    const batcher = new StepBatcher();
    const flush = () => {
      const steps = batcher.flush();
      if (steps.length > 0) this.post({ type: 'trainingProgressed', runId, steps });
    };
    const history: StepTelemetry[] = [...(this.resumed?.steps ?? [])];
    const keeper = this.checkpointer;
    let plan: RunPlan | null = null;
    let checkpointedAt = this.resumed?.checkpoint.progress.step ?? 0;
    let trainedMs = 0;
    /** The run's training time in every session so far (the steps' own times: pauses and gaps left out). */
    let totalTrainedMs = this.resumed?.trainedMs ?? 0;
    // Called only where the loop waits at a safe point: after a step that no evaluation follows, after an
    // evaluation, or paused (the Trainer's own checkpointDue takes the same points).
    const checkpoint = async () => {
      if (keeper === null || plan === null || trainer.step === checkpointedAt || this.lost !== null) return;
      checkpointedAt = trainer.step;
      trainedMs = 0;
      this.checkpointAsked = false;
      flush();
      const state = await trainer.checkpoint();
      // Read back from a device lost meanwhile: never stored over the last good checkpoint.
      if (this.lost === null) await keeper.save(state, thinSteps(history), plan.totalSteps, totalTrainedMs);
    };
    // The run failed at `step`: said, and its last checkpoint kept — unless the device was lost meanwhile.
    const fail = async (step: number, error: LayerwiseErrorData) => {
      flush();
      if (this.deviceLossGraceMs > 0) await new Promise((resolve) => setTimeout(resolve, this.deviceLossGraceMs));
      if (this.lost !== null) return;
      this.state = 'ended';
      this.failure = error;
      this.post({ type: 'trainingFailed', runId, step, error });
      await keeper?.keep();
    };
    const evaluationFollows = (step: number) => {
      if (plan === null || plan.validationExamples === 0) return false;
      return step % evalInterval(this.evalEvery, plan) === 0;
    };
    let lastYield = performance.now();
    this.state = 'running';
    if (this.stopRequested) trainer.stop();
    try {
      for await (const event of trainer.run()) {
        // The run ended when the device was lost; what the trainer says after is not the run's.
        if (this.lost !== null) break;
        switch (event.type) {
          case 'started':
            plan = event.plan;
            this.post({ type: 'trainingStarted', runId, plan: event.plan, ...start });
            if (this.resumed) this.post({ type: 'trainingRestored', runId, history: restoredHistory(this.resumed) });
            break;
          case 'epochStarted':
            flush();
            this.post({ type: 'trainingEpochStarted', runId, epoch: event.epoch, step: event.step, groups: event.groups });
            break;
          case 'stepCompleted': {
            const t = event.telemetry;
            history.push(t);
            trainedMs += t.seconds * 1000;
            totalTrainedMs += t.seconds * 1000;
            const steps = batcher.push(t);
            if (steps) this.post({ type: 'trainingProgressed', runId, steps });
            const last = plan !== null && t.step >= plan.totalSteps;
            if ((trainedMs >= this.checkpointIntervalMs || this.checkpointAsked) && !t.skipped && !last && !evaluationFollows(t.step)) await checkpoint();
            break;
          }
          case 'evaluated':
            flush();
            this.post({ type: 'trainingEvaluated', runId, record: event.record, isBest: event.isBest, lrReduced: event.lrReduced });
            if (!history.at(-1)?.skipped && (plan === null || event.record.step < plan.totalSteps)) await checkpoint();
            break;
          case 'paused':
            flush();
            if (!history.at(-1)?.skipped) await checkpoint();
            this.state = 'paused';
            this.post({ type: 'trainingPaused', runId, step: event.step });
            break;
          case 'checkpointed':
            // Not asked for (checkpointEvery is unset): this run takes its checkpoints itself, at the points above.
            break;
          case 'finished':
            flush();
            if (this.runModel !== null) adoptTunedThresholds(this.runModel, event.metrics);
            await keeper?.discard();
            this.state = 'ended';
            if (this.record !== null) {
              const tokens = history.reduce((n, t) => n + t.tokens, 0);
              const seconds = history.reduce((n, t) => n + t.seconds, 0);
              this.finished = {
                ...this.record,
                metrics: event.metrics,
                history: trainer.history,
                restoredBestStep: event.restoredBestStep,
                summary: { steps: event.step, finish_reason: event.reason, restored_best_step: event.restoredBestStep, tokens, train_seconds: seconds, tokens_per_second: seconds > 0 ? tokens / seconds : 0 },
              };
            }
            this.post({ type: 'trainingFinished', runId, reason: event.reason, step: event.step, metrics: event.metrics, restoredBestStep: event.restoredBestStep });
            break;
          case 'failed':
            await fail(event.step, event.error);
            break;
          default:
            event satisfies never;
        }
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
    } catch (err) {
      if (this.lost === null) await fail(trainer.step, toErrorData(err));
    } finally {
      this.state = 'ended';
      trainer.dispose();
      this.trainer = null;
    }
  }

  /** Optimizer steps done so far (0 while preparing). */
  get step(): number {
    return this.trainer?.step ?? 0;
  }

  pause(): void {
    if (this.state === 'running') this.trainer?.pause();
  }

  resume(): void {
    if (this.state !== 'paused' || this.trainer === null) return;
    this.state = 'running';
    this.trainer.resume();
    this.post({ type: 'trainingResumed', runId: this.runId });
  }

  /**
   * A checkpoint at the next safe point (after the current step, or the evaluation that follows it), as the page asks
   * when it is hidden or left (RELIABILITY F9); a paused run has one already.
   */
  requestCheckpoint(): void {
    if (this.state === 'running') this.checkpointAsked = true;
  }

  /**
   * The GPU device is gone (RELIABILITY F2): the run is interrupted now with `error` — paused at the step it had, on its
   * last checkpoint, taken before the loss, which is kept and offered. Its trainer cannot go on (its tensors were on
   * the device): it is stopped, and whatever it still yields (or a readback that never returns) does not reach the
   * page or the checkpoint slots. The run goes on as a new session from the checkpoint (continueRun).
   */
  deviceLost(error: LayerwiseErrorData): void {
    if (this.state === 'ended' || this.lost !== null) return;
    this.lost = error;
    this.state = 'ended';
    this.stopRequested = true;
    this.controller.abort();
    this.trainer?.stop();
    this.post({ type: 'trainingInterrupted', runId: this.runId, step: this.trainer?.step ?? 0, error });
    void this.checkpointer?.keep();
  }

  /** Evaluates after the current step (at once when paused); the trainingEvaluated event follows. */
  evaluate(): void {
    if (this.state === 'running' || this.state === 'paused') this.trainer?.requestEvaluation();
  }

  /** Ends the run after the current step, or cancels its preparation. */
  stop(): void {
    this.stopRequested = true;
    this.controller.abort();
    if (this.state === 'paused') this.state = 'running';
    this.trainer?.stop();
  }
}
