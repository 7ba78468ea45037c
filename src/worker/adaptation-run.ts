// "Adapt to my text" in the worker: continued masked-LM training of the model as opened, on unlabeled text
// (domain-adaptive pretraining, Gururangan et al. 2020), prepared by the engine's masked-LM recipe (as `layerwise
// pretrain` is: task mlm, 'window' encoding).
// The current model is untouched until the end: a completed run (or a stop that keeps its weights) writes an
// adapted masked-LM checkpoint in memory, loads it, and hands it to the host to adopt; anything else changes nothing.
import { textCorpus } from '../engine/data/text-corpus';
import { writeModelFolder } from '../engine/export/model-folder';
import { loadModelFolder, type LoadedModel } from '../engine/load';
import { prepareMlmRun } from '../engine/train/recipe';
import type { Trainer } from '../engine/train/trainer';
import { readDataset, type Dataset, type ExampleDataset } from '../formats/datasets/index';
import { blobFile, bytesFile, type SourceFolder } from '../formats/source-file';
import { LayerwiseError, toErrorData } from '../lib/errors';
import { adaptRun, adaptSettingsErrors, heldOutLines, type AdaptationRecord, type AdaptPlan, type AdaptSettings, type AdaptTextSource } from '../protocol/adaptation';
import type { FromWorker, ModelSummary } from '../protocol/messages';
import { DEFAULT_TRAIN_CONFIG } from '../protocol/train-config';
import type { EvalRecord } from '../protocol/train-events';
import { REPORT_INTERVAL_MS, StepBatcher, yieldToEventLoop } from './step-batcher';

/** What an adaptation starts from: the checkpoint folder as opened, and the training dataset, if any. */
export interface AdaptSources {
  folder: SourceFolder;
  dataset: Dataset | null;
}

/** The adapted model folder, loaded, for the host to make current. */
export interface AdaptedModel {
  folder: SourceFolder;
  files: { name: string; size: number }[];
  model: LoadedModel;
  loadMs: number;
  record: AdaptationRecord;
}

const YIELD_EVERY_MS = 30;
/** Training losses averaged into the record's final loss. */
const LOSS_TAIL = 10;

export class AdaptationRun {
  readonly adaptId: string;
  private readonly post: (event: FromWorker) => void;
  private readonly controller = new AbortController();
  private stopRequested = false;
  private keep = false;
  private model: LoadedModel | null = null;
  private sourceFolder: SourceFolder | null = null;
  private trainer: Trainer | null = null;
  private plan: AdaptPlan | null = null;
  private settings: AdaptSettings | null = null;
  state: 'preparing' | 'running' | 'ended' = 'preparing';

  constructor(adaptId: string, post: (event: FromWorker) => void) {
    this.adaptId = adaptId;
    this.post = post;
  }

  /** Reads the text, then prepares the masked-LM run with the engine's recipe. False when it failed or was stopped. */
  async prepare(sources: AdaptSources, text: AdaptTextSource, settings: AdaptSettings): Promise<boolean> {
    const adaptId = this.adaptId;
    try {
      const errors = adaptSettingsErrors(settings);
      if (errors.length > 0) {
        const list = errors.map((e) => `${e.path}: expected ${e.expected}, found ${e.found}`).join('; ');
        throw new LayerwiseError('ADAPT_SETTINGS_INVALID', `The adaptation settings need attention: ${list}.`, { field: errors[0].path });
      }
      this.post({ type: 'adaptationPreparing', adaptId, phase: 'read', done: 0, total: text.kind === 'file' ? text.file.size : 0 });
      const { corpus, name } = await this.readText(sources.dataset, text);
      this.checkStopped();
      const lines = corpus.rows.length;
      const heldOut = heldOutLines(lines);
      const seed = DEFAULT_TRAIN_CONFIG.seed;
      const run = await prepareMlmRun({ folder: sources.folder, text: corpus, heldOut: null, validationShare: heldOut === 0 ? 0 : heldOut / lines }, adaptRun(settings, lines, seed).config, {
        mode: 'window',
        signal: this.controller.signal,
        onPhase: (phase, done, total) => {
          if (phase !== 'split') this.post({ type: 'adaptationPreparing', adaptId, phase, done, total });
        },
        // The steps follow the number of windows (capped at ADAPT_STEP_CAP); per-layer telemetry is not shown.
        fitToData: (windows) => adaptRun(settings, windows, seed).config,
        telemetryPoints: 0,
      });
      this.model = run.model;
      this.sourceFolder = sources.folder;
      this.trainer = run.trainer;
      this.settings = settings;
      const planned = adaptRun(settings, run.train.examples.length, seed);
      this.plan = {
        text: name,
        lines,
        heldOutLines: run.heldOutRows,
        trainExamples: run.train.examples.length,
        validationExamples: run.validation?.examples.length ?? 0,
        totalSteps: planned.totalSteps,
        stepsPerEpoch: planned.stepsPerEpoch,
        capped: planned.capped,
        maxLength: run.config.maxLength,
      };
      return true;
    } catch (err) {
      this.release();
      this.state = 'ended';
      if (this.stopRequested) this.post({ type: 'adaptationDiscarded', adaptId, step: 0 });
      else this.post({ type: 'adaptationFailed', adaptId, step: 0, error: toErrorData(err) });
      return false;
    }
  }

  private async readText(dataset: Dataset | null, text: AdaptTextSource): Promise<{ corpus: ExampleDataset; name: string }> {
    if (text.kind === 'dataset') {
      if (dataset === null) throw new LayerwiseError('ADAPT_NO_TEXT', 'Open a dataset in the Dataset panel, or choose a text file to adapt on.', { field: 'text' });
      return { corpus: textCorpus(dataset), name: `${dataset.file} (${dataset.kind === 'tokens' ? 'sentences' : 'text column'})` };
    }
    const { file, choices } = text;
    let last = 0;
    const read = await readDataset(blobFile(file.name, file), {
      ...choices,
      signal: this.controller.signal,
      onProgress: (bytesRead, total) => {
        const now = performance.now();
        if (now - last < REPORT_INTERVAL_MS) return;
        last = now;
        this.post({ type: 'adaptationPreparing', adaptId: this.adaptId, phase: 'read', done: bytesRead, total });
      },
    });
    return { corpus: textCorpus(read), name: file.name };
  }

  private checkStopped(): void {
    if (this.stopRequested) throw new LayerwiseError('ADAPT_CANCELLED', 'The adaptation was stopped before its first step.');
  }

  private release(): void {
    this.trainer?.dispose();
    this.trainer = null;
    this.model?.params.dispose();
    this.model = null;
  }

  /**
   * Trains to the end, posting progress. Then, if the weights are to be kept, writes and loads the adapted checkpoint
   * and calls adopt (which makes it current and returns its summary) before posting adaptationFinished.
   */
  async run(adopt: (adapted: AdaptedModel) => Promise<ModelSummary>): Promise<void> {
    const { trainer, model, plan, settings } = this;
    if (trainer === null || model === null || plan === null || settings === null) return;
    const adaptId = this.adaptId;
    const batcher = new StepBatcher();
    const flush = () => {
      const steps = batcher.flush();
      if (steps.length > 0) this.post({ type: 'adaptationProgressed', adaptId, steps });
    };
    const losses: number[] = [];
    let evaluation: EvalRecord | null = null;
    let finished: { step: number; stopped: boolean } | null = null;
    let lastYield = performance.now();
    this.state = 'running';
    if (this.stopRequested) trainer.stop();
    try {
      for await (const event of trainer.run()) {
        switch (event.type) {
          case 'started':
            this.post({ type: 'adaptationStarted', adaptId, plan });
            break;
          case 'stepCompleted': {
            if (Number.isFinite(event.telemetry.loss)) losses.push(event.telemetry.loss);
            const steps = batcher.push(event.telemetry);
            if (steps) this.post({ type: 'adaptationProgressed', adaptId, steps });
            break;
          }
          case 'evaluated':
            flush();
            evaluation = event.record;
            this.post({ type: 'adaptationEvaluated', adaptId, record: event.record });
            break;
          case 'finished':
            flush();
            finished = { step: event.step, stopped: event.reason === 'stopped' };
            break;
          case 'failed':
            flush();
            throw new LayerwiseError(event.error.code, event.error.message, event.error.location);
          case 'epochStarted':
          case 'paused':
          case 'checkpointed':
            break;
          default:
            event satisfies never;
        }
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      if (finished === null || finished.step === 0 || (finished.stopped && !this.keep)) {
        this.post({ type: 'adaptationDiscarded', adaptId, step: finished?.step ?? 0 });
        return;
      }
      const tail = losses.slice(-LOSS_TAIL);
      const record: AdaptationRecord = {
        text: plan.text,
        lines: plan.lines,
        steps: finished.step,
        totalSteps: plan.totalSteps,
        trainLoss: tail.length > 0 ? tail.reduce((a, b) => a + b, 0) / tail.length : Number.NaN,
        evalLoss: evaluation?.eval_loss ?? null,
        maskedAccuracy: evaluation?.accuracy ?? null,
        heldOutLines: plan.heldOutLines,
        learningRate: settings.learningRate,
        wholeWord: settings.wholeWord,
        stopped: finished.stopped,
      };
      const adapted = await this.adaptedModel(record);
      const summary = await adopt(adapted);
      this.post({ type: 'adaptationFinished', adaptId, record, summary });
    } catch (err) {
      flush();
      this.post({ type: 'adaptationFailed', adaptId, step: trainer.step, error: toErrorData(err) });
    } finally {
      this.release();
      this.state = 'ended';
    }
  }

  /**
   * The trained weights as a masked-LM model folder in memory (the one model-folder writer: config.json with
   * ...ForMaskedLM, the weights, the tokenizer files), loaded back as the model to adopt: exactly what a later run
   * starts from.
   */
  private async adaptedModel(record: AdaptationRecord): Promise<AdaptedModel> {
    const written = await writeModelFolder({ model: this.model as LoadedModel, source: this.sourceFolder as SourceFolder });
    const folder: SourceFolder = new Map(written.map((f) => [f.name, bytesFile(f.name, f.bytes)]));
    // The trained copy is not needed any more: free it before the adapted model is read back.
    this.release();
    const started = performance.now();
    const loaded = await loadModelFolder(folder);
    return { folder, files: written.map((f) => ({ name: f.name, size: f.bytes.length })), model: loaded, loadMs: performance.now() - started, record };
  }

  /** Ends the run after its current step (or cancels its preparation); keep: adopt the weights trained so far. */
  stop(keep: boolean): void {
    this.stopRequested = true;
    this.keep = keep;
    this.controller.abort();
    this.trainer?.stop();
  }
}
