// The part of `layerwise train` and `layerwise pretrain` after the run is prepared: the Trainer's events as progress
// lines on stderr and evaluation lines on stdout, checkpoints written atomically, Ctrl-C as a clean stop, and the
// tuned model written by the one model-folder writer (engine/export/model-folder.ts) as a whole folder.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LayerwiseError } from '../lib/errors';
import type { SourceFolder } from '../formats/source-file';
import type { EvalMetrics, EvalRecord, StepTelemetry } from '../protocol/train-events';
import { writeModelFolder, type RunRecord } from '../engine/export/model-folder';
import type { LoadedModel } from '../engine/load';
import { decodeCheckpoint, encodeCheckpoint, type RunCheckpoint } from '../engine/train/run-checkpoint';
import type { Trainer } from '../engine/train/trainer';
import { nodeFile } from './node-files';
import { writeFolderAtomic } from './out-folder';
import { jsonText } from './train-data';

const CHECKPOINT_TENSORS = 'checkpoint.safetensors';
const CHECKPOINT_MANIFEST = 'checkpoint.json';

/** Writes a file through a temporary name and a rename, so that a crash never leaves half a file under the name. */
function writeAtomic(file: string, bytes: Uint8Array | string): void {
  writeFileSync(`${file}.tmp`, bytes);
  renameSync(`${file}.tmp`, file);
}

/** The run saved by --checkpoint-dir in `dir`, for --resume. */
export async function readCheckpoint(dir: string): Promise<RunCheckpoint> {
  const manifest = path.join(dir, CHECKPOINT_MANIFEST);
  let text: string;
  try {
    text = readFileSync(manifest, 'utf8');
  } catch {
    throw new LayerwiseError('CLI_FILE_NOT_FOUND', `${manifest} cannot be read: --resume takes a folder written by --checkpoint-dir`, { file: manifest, field: 'resume' });
  }
  return decodeCheckpoint(text, nodeFile(path.join(dir, CHECKPOINT_TENSORS)), CHECKPOINT_MANIFEST);
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function progressLine(command: string, window: StepTelemetry[], total: number, elapsed: number): string {
  const last = window[window.length - 1];
  const loss = window.reduce((s, t) => s + t.loss, 0) / window.length;
  const tokens = window.reduce((s, t) => s + t.tokens, 0);
  const seconds = window.reduce((s, t) => s + t.seconds, 0);
  const skipped = window.filter((t) => t.skipped).length;
  const eta = (elapsed / last.step) * (total - last.step);
  return (
    `layerwise ${command}: step ${last.step}/${total} epoch ${last.epoch.toFixed(2)} loss ${loss.toPrecision(4)} ` +
    `grad_norm ${last.gradNorm.toPrecision(3)} lr ${last.learningRate.toExponential(2)} ${Math.round(tokens / seconds)} tokens/s ` +
    `elapsed ${duration(elapsed)} eta ${duration(eta)}` +
    (skipped > 0 ? ` (${skipped} skipped: not finite)` : '')
  );
}

function evaluationLine(r: EvalRecord): string {
  const keys = ['eval_loss', 'accuracy', 'f1_macro', 'f1_micro', 'entity_f1', 'perplexity'] as const;
  const parts = (m: EvalMetrics) => keys.filter((k) => m[k] !== undefined).map((k) => `${k} ${(m[k] as number).toFixed(4)}`).join(', ');
  // A multi-task run: what it watches, then each head's own figures.
  const heads = Object.entries(r.tasks ?? {}).map(([name, m]) => `; ${name}: ${parts(m)}`);
  return `step ${r.step} epoch ${r.epoch.toFixed(2)}: ${parts(r)}${heads.join('')}`;
}

export interface RunTrainerOptions {
  /** 'train' or 'pretrain': the prefix of every progress line. */
  command: string;
  trainer: Trainer;
  model: LoadedModel;
  /** The model folder, whose tokenizer files are copied to the output. */
  folder: SourceFolder;
  out: string;
  /** What the model card says of the run; the evaluations and the figures of the run are added at its end. */
  record: Omit<RunRecord, 'metrics' | 'history' | 'restoredBestStep' | 'summary'>;
  allowNonFinite: boolean;
  json: boolean;
  checkpointDir?: string;
  /** Ends the first line (after steps, examples and parameters): where evaluation data comes from, the backend. */
  startNote: string;
  /** What metrics.json's `train` block says about the run besides the trainer's own figures (data, backend, init, ...). */
  describe: Record<string, unknown>;
}

/** Runs the trainer to the end (or Ctrl-C) and writes the output folder; the trainer and model are disposed by the caller. */
export async function runTrainer(o: RunTrainerOptions): Promise<void> {
  const { trainer, command } = o;
  const stop = () => trainer.stop();
  process.once('SIGINT', stop);
  if (o.checkpointDir !== undefined) mkdirSync(o.checkpointDir, { recursive: true });
  const total = trainer.plan.totalSteps;
  const logEvery = Math.max(1, Math.round(total / 20));
  const window: StepTelemetry[] = [];
  const started = performance.now();
  let firstStep = 0;
  let tokens = 0;
  let seconds = 0;
  try {
    for await (const e of trainer.run()) {
      if (e.type === 'started') {
        const p = e.plan;
        console.error(`layerwise ${command}: ${p.totalSteps} steps (${p.stepsPerEpoch} per epoch) on ${p.trainExamples} examples, ` +
          `${p.validationExamples} for evaluation; ${p.trainableParameters} of ${p.parameters} parameters train; ${o.startNote}`);
      } else if (e.type === 'stepCompleted') {
        // On wasm every await of a step resolves as a microtask: without a turn of the event loop, Ctrl-C (a libuv
        // signal watcher) would never be seen.
        await new Promise((resolve) => setImmediate(resolve));
        if (firstStep === 0) firstStep = e.telemetry.step;
        window.push(e.telemetry);
        tokens += e.telemetry.tokens;
        seconds += e.telemetry.seconds;
        if (e.telemetry.step % logEvery === 0 || e.telemetry.step === total) {
          const elapsed = (performance.now() - started) / 1000;
          // A resumed run starts at firstStep: its ETA is extrapolated from the steps this process ran.
          console.error(progressLine(command, window.splice(0), total, (elapsed * e.telemetry.step) / (e.telemetry.step - firstStep + 1)));
        }
      } else if (e.type === 'evaluated') {
        console.log(o.json ? jsonText(e.record) : evaluationLine(e.record));
      } else if (e.type === 'checkpointed' && o.checkpointDir !== undefined) {
        const files = encodeCheckpoint(e.checkpoint);
        writeAtomic(path.join(o.checkpointDir, CHECKPOINT_TENSORS), files.tensors);
        writeAtomic(path.join(o.checkpointDir, CHECKPOINT_MANIFEST), files.manifest);
      } else if (e.type === 'failed') {
        throw new LayerwiseError(e.error.code, e.error.message, e.error.location);
      } else if (e.type === 'finished') {
        const wall = (performance.now() - started) / 1000;
        const record: RunRecord = {
          ...o.record,
          metrics: e.metrics,
          history: trainer.history,
          restoredBestStep: e.restoredBestStep,
          summary: {
            steps: e.step,
            finish_reason: e.reason,
            restored_best_step: e.restoredBestStep,
            ...o.describe,
            tokens,
            train_seconds: seconds,
            wall_seconds: wall,
            tokens_per_second: seconds > 0 ? tokens / seconds : 0,
          },
        };
        const files = await writeModelFolder({ model: o.model, source: o.folder, run: record, allowNonFinite: o.allowNonFinite });
        writeFolderAtomic(o.out, files);
        const written = files.map((f) => f.name);
        console.error(`layerwise ${command}: ${e.reason} after ${e.step} steps, ${Math.round(seconds > 0 ? tokens / seconds : 0)} tokens/s; wrote ${written.join(', ')} to ${o.out}`);
      }
    }
  } finally {
    process.off('SIGINT', stop);
  }
}
