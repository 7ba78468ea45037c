// One training run in the worker: prepares it (a fresh copy of the checkpoint with its head sized for the data's
// classes, the split and augmentation, tokenisation), then drives the engine's Trainer and turns its events into
// protocol events, steps batched (step-batcher.ts). Pause, resume and stop act on the trainer at once. The model
// the run trains becomes the worker's current model only once preparation has succeeded (RELIABILITY R3). With a
// checkpointer, the run saves a resumable checkpoint at safe points (RELIABILITY F8): every CHECKPOINT_INTERVAL_MS of
// training, after each evaluation and when it pauses; a resumed run starts from one (the Trainer's resumeFrom).
import { augmentSplits } from '../engine/data/augment';
import { mlmTokenizerInfo } from '../engine/data/mlm-collator';
import { loadModelFolder, type LoadedModel } from '../engine/load';
import { maxSequenceLength } from '../engine/models/validate-inputs';
import { encodeRunData, runLabels, splitRunData } from '../engine/train/prepare';
import type { RunCheckpoint } from '../engine/train/run-checkpoint';
import { Trainer, tfSeed } from '../engine/train/trainer';
import type { Dataset } from '../formats/datasets/index';
import type { SourceFolder } from '../formats/source-file';
import { LayerwiseError, toErrorData } from '../lib/errors';
import { streamId } from '../lib/random';
import type { AugmentSettings } from '../protocol/dataset-summary';
import type { FromWorker } from '../protocol/messages';
import { CHECKPOINT_INTERVAL_MS, RESUME_STEP_POINTS, type RestoredHistory } from '../protocol/run-checkpoint';
import { deriveSchedule } from '../protocol/schedule';
import type { TrainConfig } from '../protocol/train-config';
import type { RunPlan, StepTelemetry } from '../protocol/train-events';
import { summarizeModel, type ModelProvenance } from './model-summary';
import { StepBatcher, yieldToEventLoop } from './step-batcher';

/** What a run starts from: the checkpoint folder as the user opened it, and the datasets read so far. */
export interface RunSources {
  folder: SourceFolder;
  source: string;
  files: readonly { name: string; size: number }[];
  /** The model card and adaptations of the checkpoint, carried into the run's summary. */
  provenance?: ModelProvenance;
  train: Dataset | null;
  validation: Dataset | null;
}

/** Group telemetry (per-layer norms, one extra readback) on about this many steps of a run. */
const TELEMETRY_POINTS = 200;
/** Longest stretch of steps without giving the worker's event loop a turn. */
const YIELD_EVERY_MS = 30;

export type RunState = 'preparing' | 'running' | 'paused' | 'ended';

/** Where a run's checkpoints go (the worker's checkpoint slots); the run waits for each call. */
export interface RunCheckpointer {
  /** A resumable state at a safe point, with the step telemetry so far (thinned) and the run's planned total; never rejects. */
  save(checkpoint: RunCheckpoint, steps: StepTelemetry[], totalSteps: number): Promise<void>;
  /** The run finished or was stopped: its checkpoint is no longer needed. */
  discard(): Promise<void>;
  /** The run failed (a stuck kernel pool, memory): its last checkpoint stays and is offered as an unfinished run. */
  keep(): Promise<void>;
}

/** What a resumed run continues from: the checkpoint and the step telemetry stored with it. */
export interface ResumePoint {
  checkpoint: RunCheckpoint;
  steps: StepTelemetry[];
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
  return { step: c.progress.step, steps: resumed.steps, evals: c.history.map((record) => ({ record, isBest: c.best?.step === record.step })) };
}

export interface TrainingRunOptions {
  checkpointer?: RunCheckpointer | null;
  /** Training time between two checkpoints (evaluations and pauses checkpoint as well). */
  checkpointIntervalMs?: number;
}

export class TrainingRun {
  readonly runId: string;
  private readonly post: (event: FromWorker) => void;
  private readonly controller = new AbortController();
  private trainer: Trainer | null = null;
  /** What the trainingStarted event carries besides the trainer's plan, known once preparation is done. */
  private pendingStart: Omit<Extract<FromWorker, { type: 'trainingStarted' }>, 'type' | 'runId' | 'plan'> | null = null;
  private stopRequested = false;
  private readonly checkpointer: RunCheckpointer | null;
  private readonly checkpointIntervalMs: number;
  private resumed: ResumePoint | null = null;
  private evalEvery: TrainConfig['evalEvery'] = 'epoch';
  state: RunState = 'preparing';

  constructor(runId: string, post: (event: FromWorker) => void, options: TrainingRunOptions = {}) {
    this.runId = runId;
    this.post = post;
    this.checkpointer = options.checkpointer ?? null;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS;
  }

  /**
   * Builds the run's model and trainer. Returns the model to adopt as current (the caller disposes the old one),
   * or null when preparation failed or was stopped (a trainingFailed event has been posted; nothing changed).
   */
  async prepare(sources: RunSources, config: TrainConfig, augment: AugmentSettings, resume: ResumePoint | null = null): Promise<LoadedModel | null> {
    const runId = this.runId;
    let model: LoadedModel | null = null;
    try {
      if (sources.train === null) throw new LayerwiseError('TRAIN_NO_DATASET', 'Open a dataset file in the Dataset panel first.', { field: 'data' });
      this.post({ type: 'trainingPreparing', runId, phase: 'split', done: 0, total: 0 });
      let splits = splitRunData(config.task, sources.train, sources.validation, config);
      if (augment.copies > 0) splits = augmentSplits(splits, { seed: config.seed, copies: augment.copies, alpha: augment.alpha, operations: augment.operations });
      const labels = runLabels(config.task, splits.train);
      this.post({ type: 'trainingPreparing', runId, phase: 'model', done: 0, total: 0 });
      const started = performance.now();
      // Every run starts from the checkpoint as opened, so runs compare; the head follows the data's classes (C5).
      // The new head's seed as `layerwise train` derives it, so the studio and the CLI start a run alike.
      model = await loadModelFolder(sources.folder, { task: config.task, labels: config.task === 'mlm' ? undefined : labels, seed: tfSeed(config.seed, streamId('head')) });
      const loadMs = performance.now() - started;
      if (model.nonFinite.size > 0) {
        throw new LayerwiseError('CHECKPOINT_NON_FINITE', `${model.nonFinite.size} tensors of this checkpoint hold NaN or infinite values (see the Model panel); training on them is blocked.`, {
          tensor: [...model.nonFinite.keys()][0],
        });
      }
      const tokenizer = model.tokenizer;
      if (tokenizer === null) throw new LayerwiseError('TRAIN_NO_TOKENIZER', 'This checkpoint has no tokenizer, so it cannot read the dataset.', { field: 'tokenizer' });
      this.checkStopped();
      const total = splits.train.kind === 'tokens' ? splits.train.sentences.length : splits.train.rows.length;
      this.post({ type: 'trainingPreparing', runId, phase: 'tokenise', done: 0, total });
      const data = await encodeRunData(splits, tokenizer, config.task, {
        maxLength: config.maxLength,
        modelMaxLength: maxSequenceLength(model.config),
        labels,
        signal: this.controller.signal,
      });
      this.checkStopped();
      const steps = deriveSchedule(config, Math.ceil(data.train.examples.length / config.batchSize)).totalSteps;
      this.trainer = new Trainer({
        model: { family: model.family, config: model.config, task: model.task, params: model.params },
        train: data.train,
        validation: data.validation,
        config: { ...config, maxLength: data.maxLength },
        padId: tokenizer.special.pad,
        masking: config.task === 'mlm' ? mlmTokenizerInfo(tokenizer) : null,
        groupTelemetryEvery: Math.max(1, Math.ceil(steps / TELEMETRY_POINTS)),
        resumeFrom: resume?.checkpoint,
      });
      this.resumed = resume;
      this.evalEvery = config.evalEvery;
      const summary = summarizeModel(model, sources.source, sources.files, loadMs, sources.provenance);
      this.pendingStart = { labels, maxLength: data.maxLength, dataNotes: data.warnings.map((w) => ({ ...w })), summary };
      return model;
    } catch (err) {
      model?.params.dispose();
      this.state = 'ended';
      const error = this.stopRequested ? { code: 'TRAIN_CANCELLED', message: 'Training was stopped before its first step.' } : toErrorData(err);
      this.post({ type: 'trainingFailed', runId, step: 0, error });
      return null;
    }
  }

  private checkStopped(): void {
    if (this.stopRequested) throw new LayerwiseError('TRAIN_CANCELLED', 'Training was stopped before its first step.');
  }

  /** Runs the prepared trainer to its end, posting its events; resolves when the run has ended. */
  async run(): Promise<void> {
    const trainer = this.trainer;
    const start = this.pendingStart;
    if (trainer === null || start === null) return;
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
    // Called only where the loop waits at a safe point: after a step that no evaluation follows, after an
    // evaluation, or paused (the Trainer's own checkpointDue takes the same points).
    const checkpoint = async () => {
      if (keeper === null || plan === null || trainer.step === checkpointedAt) return;
      checkpointedAt = trainer.step;
      trainedMs = 0;
      flush();
      await keeper.save(await trainer.checkpoint(), thinSteps(history), plan.totalSteps);
    };
    const evaluationFollows = (step: number) => {
      if (plan === null || plan.validationExamples === 0) return false;
      const every = this.evalEvery;
      return every === 'epoch' ? step % plan.stepsPerEpoch === 0 : step % every === 0;
    };
    let lastYield = performance.now();
    this.state = 'running';
    if (this.stopRequested) trainer.stop();
    try {
      for await (const event of trainer.run()) {
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
            const steps = batcher.push(t);
            if (steps) this.post({ type: 'trainingProgressed', runId, steps });
            const last = plan !== null && t.step >= plan.totalSteps;
            if (trainedMs >= this.checkpointIntervalMs && !t.skipped && !last && !evaluationFollows(t.step)) await checkpoint();
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
            await keeper?.discard();
            this.post({ type: 'trainingFinished', runId, reason: event.reason, step: event.step, metrics: event.metrics, restoredBestStep: event.restoredBestStep });
            break;
          case 'failed':
            flush();
            this.post({ type: 'trainingFailed', runId, step: event.step, error: event.error });
            await keeper?.keep();
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
      flush();
      this.post({ type: 'trainingFailed', runId, step: trainer.step, error: toErrorData(err) });
      await keeper?.keep();
    } finally {
      this.state = 'ended';
      trainer.dispose();
      this.trainer = null;
    }
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

  /** Ends the run after the current step, or cancels its preparation. */
  stop(): void {
    this.stopRequested = true;
    this.controller.abort();
    if (this.state === 'paused') this.state = 'running';
    this.trainer?.stop();
  }
}
