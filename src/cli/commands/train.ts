// `layerwise train`: fine-tunes a checkpoint (or trains its architecture from a fresh initialisation) on a dataset
// file with the engine's Trainer, prints one JSON line per evaluation, and writes a Hugging Face folder plus
// metrics.json (DESIGN.md "The command line"). Ctrl-C stops after the current step and still writes the folder.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LayerwiseError } from '../../lib/errors';
import { streamId } from '../../lib/random';
import type { SourceFile } from '../../formats/source-file';
import { parseTrainConfig, type TrainConfig } from '../../protocol/train-config';
import type { EvalRecord, StepTelemetry } from '../../protocol/train-events';
import type { Task } from '../../protocol/task';
import { mlmTokenizerInfo } from '../../engine/data/mlm-collator';
import { writeHfFolder } from '../../engine/export/hf-folder';
import type { LoadedModel } from '../../engine/load';
import { maxSequenceLength } from '../../engine/models/validate-inputs';
import { decodeCheckpoint, encodeCheckpoint, type TrainCheckpoint } from '../../engine/train/checkpoint';
import { randomModel } from '../../engine/train/init';
import { encodeRunData, runLabels, splitRunData } from '../../engine/train/prepare';
import { Trainer, tfSeed } from '../../engine/train/trainer';
import { numberOption, parseOptions, required } from '../args';
import { startCliBackend } from '../backend-option';
import { readJsonFile } from '../batch-file';
import { loadModelForCommand } from '../load-model';
import { nodeFile, nodeFolder } from '../node-files';
import { DATASET_FLAGS, jsonText, readDatasetFile, resolveModelDir, taskOption } from '../train-data';

export const summary = 'fine-tune a model on a dataset file; writes a Hugging Face folder and metrics.json';

const USAGE = `usage: layerwise train --model DIR|default --data FILE --out DIR [--validation FILE]
                       [--task seq-cls|token-cls|mlm] [--config CONFIG.json] [--text-col NAME] [--label-col NAME]
                       [--epochs N] [--lr X] [--batch-size N] [--max-steps N] [--seed N] [--init random]
                       [--checkpoint-dir DIR] [--resume DIR] [--backend wasm|cpu|webgpu] [--allow-non-finite] [--json]

  --config      a JSON TrainConfig (any subset of its fields; the rest keep their defaults)
  --epochs, --lr, --batch-size, --max-steps, --seed
                override epochs, learningRate, batchSize, maxSteps and seed of the config
  --task        default: token-cls for CoNLL-like data, seq-cls for labelled rows (mlm must be asked for)
  --validation  evaluation data; without it, validationSplit of the training file is held out (stratified)
  --init random train the folder's architecture from a fresh seeded initialisation (its weights are not read)
  --checkpoint-dir DIR   write checkpoint.safetensors + checkpoint.json after every evaluation
  --resume DIR  continue the run saved in DIR (its config is used; config flags are refused)

Prints one JSON line per evaluation with --json (step, epoch, learning_rate, eval_loss, accuracy, f1_macro, ...).
Writes to --out: config.json, model.safetensors, the tokenizer files, metrics.json.`;

const OVERRIDES = [
  ['epochs', 'epochs'],
  ['lr', 'learningRate'],
  ['batch-size', 'batchSize'],
  ['max-steps', 'maxSteps'],
  ['seed', 'seed'],
] as const;

const CHECKPOINT_TENSORS = 'checkpoint.safetensors';
const CHECKPOINT_MANIFEST = 'checkpoint.json';

/** Writes a file through a temporary name and a rename, so that a crash never leaves half a file under the name. */
function writeAtomic(file: string, bytes: Uint8Array | string): void {
  writeFileSync(`${file}.tmp`, bytes);
  renameSync(`${file}.tmp`, file);
}

async function readCheckpoint(dir: string): Promise<TrainCheckpoint> {
  const manifest = path.join(dir, CHECKPOINT_MANIFEST);
  let text: string;
  try {
    text = readFileSync(manifest, 'utf8');
  } catch {
    throw new LayerwiseError('CLI_FILE_NOT_FOUND', `${manifest} cannot be read: --resume takes a folder written by --checkpoint-dir`, { file: manifest, field: 'resume' });
  }
  return decodeCheckpoint(text, nodeFile(path.join(dir, CHECKPOINT_TENSORS)), CHECKPOINT_MANIFEST);
}

/** The run's config: a checkpoint's, or --config with the command-line overrides, validated once. */
async function runConfig(opts: Record<string, unknown>, task: Task | undefined, resume: TrainCheckpoint | null): Promise<{ input: Record<string, unknown>; file?: string }> {
  const overrides: Record<string, unknown> = {};
  for (const [flag, field] of OVERRIDES) if (opts[flag] !== undefined) overrides[field] = numberOption(opts[flag], flag, 0);
  if (resume !== null) {
    const given = [...OVERRIDES.map(([flag]) => flag), 'config'].filter((f) => opts[f] !== undefined);
    if (given.length > 0) {
      throw new LayerwiseError('CLI_BAD_ARGUMENT', `--resume continues the saved run with its own config; drop ${given.map((f) => `--${f}`).join(', ')}`, { field: given[0] });
    }
    return { input: { ...resume.config } };
  }
  let input: Record<string, unknown> = {};
  let file: string | undefined;
  if (typeof opts.config === 'string') {
    const read = await readJsonFile(opts.config);
    if (typeof read.value !== 'object' || read.value === null || Array.isArray(read.value)) {
      throw new LayerwiseError('TRAIN_CONFIG_INVALID', `${read.file} must hold a JSON object of TrainConfig fields`, { file: read.file });
    }
    input = read.value as Record<string, unknown>;
    file = read.file;
  }
  return { input: { ...input, ...overrides, ...(task !== undefined ? { task } : {}) }, file };
}

function progressLine(window: StepTelemetry[], total: number): string {
  const last = window[window.length - 1];
  const loss = window.reduce((s, t) => s + t.loss, 0) / window.length;
  const tokens = window.reduce((s, t) => s + t.tokens, 0);
  const seconds = window.reduce((s, t) => s + t.seconds, 0);
  const skipped = window.filter((t) => t.skipped).length;
  return (
    `layerwise train: step ${last.step}/${total} epoch ${last.epoch.toFixed(2)} loss ${loss.toPrecision(4)} ` +
    `grad_norm ${last.gradNorm.toPrecision(3)} lr ${last.learningRate.toExponential(2)} ${Math.round(tokens / seconds)} tokens/s` +
    (skipped > 0 ? ` (${skipped} skipped: not finite)` : '')
  );
}

function evaluationLine(r: EvalRecord): string {
  const keys = ['eval_loss', 'accuracy', 'f1_macro', 'f1_micro', 'entity_f1', 'perplexity'] as const;
  const parts = keys.filter((k) => r[k] !== undefined).map((k) => `${k} ${(r[k] as number).toFixed(4)}`);
  return `step ${r.step} epoch ${r.epoch.toFixed(2)}: ${parts.join(', ')}`;
}

async function writeOutput(out: string, model: LoadedModel, folder: Map<string, SourceFile>, metrics: Record<string, unknown>): Promise<string[]> {
  const { params } = model;
  const snapshot = await params.snapshot();
  // num_labels written too (transformers derives it from id2label; readers of config.json often look for it).
  const rawConfig = model.task === 'mlm' ? model.rawConfig : { ...model.rawConfig, num_labels: model.config.num_labels };
  const files = await writeHfFolder({
    rawConfig,
    config: model.config,
    task: model.task,
    weights: params.names().map((n) => [n, { shape: params.shape(n), data: snapshot.get(n) as Float32Array }]),
    tokenizerFiles: model.tokenizerFiles.map((n) => folder.get(n) as SourceFile),
  });
  mkdirSync(out, { recursive: true });
  for (const f of files) writeFileSync(path.join(out, f.name), f.bytes);
  writeFileSync(path.join(out, 'metrics.json'), `${jsonText(metrics, 2)}\n`);
  return [...files.map((f) => f.name), 'metrics.json'];
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    validation: { type: 'string' },
    task: { type: 'string' },
    config: { type: 'string' },
    ...DATASET_FLAGS,
    init: { type: 'string' },
    backend: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string' },
    lr: { type: 'string' },
    'batch-size': { type: 'string' },
    'max-steps': { type: 'string' },
    seed: { type: 'string' },
    'checkpoint-dir': { type: 'string' },
    resume: { type: 'string' },
    'allow-non-finite': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = resolveModelDir(required(opts.model, 'model'));
  const dataPath = required(opts.data, 'data');
  const out = required(opts.out, 'out');
  if (opts.init !== undefined && opts.init !== 'random') {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--init takes "random", got "${opts.init}"`, { field: 'init' });
  }
  const resume = opts.resume === undefined ? null : await readCheckpoint(opts.resume);
  const taskFlag = taskOption(opts.task);
  const columns = { textCol: opts['text-col'], labelCol: opts['label-col'] };
  const { input, file: configFile } = await runConfig(opts, taskFlag, resume);
  const backend = await startCliBackend(opts.backend, 'train');

  const train = await readDatasetFile(dataPath, 'data', columns);
  const validationFile = opts.validation === undefined ? null : await readDatasetFile(opts.validation, 'validation', columns);
  if (input.task === undefined) {
    if (train.kind === 'examples' && train.labelColumn === null) {
      throw new LayerwiseError('TRAIN_TASK_UNKNOWN', `${train.file} has no label column: pass --label-col NAME for classification, or --task mlm for a masked LM`, { field: 'task' });
    }
    input.task = train.kind === 'tokens' ? 'token-cls' : 'seq-cls';
  }
  const config: TrainConfig = parseTrainConfig(input, configFile);
  const splits = splitRunData(config.task, train, validationFile, config);
  const labels = runLabels(config.task, splits.train);

  const folder = nodeFolder(modelDir);
  const labelOption = config.task === 'mlm' ? undefined : labels;
  const model =
    opts.init === 'random'
      ? await randomModel(folder, { task: config.task, labels: labelOption, seed: config.seed })
      : await loadModelForCommand(folder, 'train', { task: config.task, labels: labelOption, seed: tfSeed(config.seed, streamId('head')) });
  if (opts.init === 'random') for (const m of model.messages) console.error(`layerwise train: ${m.level}: ${m.code}: ${m.message}`);
  let trainer: Trainer | null = null;
  const stop = () => trainer?.stop();
  try {
    if (model.nonFinite.size > 0 && !opts['allow-non-finite']) {
      throw new LayerwiseError('CHECKPOINT_NON_FINITE', `the checkpoint holds NaN or infinite values in ${[...model.nonFinite.keys()].join(', ')}: pass --allow-non-finite to train anyway`, {
        tensor: [...model.nonFinite.keys()][0],
      });
    }
    const tokenizer = model.tokenizer;
    if (tokenizer === null) throw new LayerwiseError('TOKENIZER_MISSING', 'the model folder has no tokenizer', { file: 'tokenizer.json' });
    const data = await encodeRunData(splits, tokenizer, config.task, { maxLength: config.maxLength, modelMaxLength: maxSequenceLength(model.config), labels });
    for (const w of data.warnings) console.error(`layerwise train: ${w.level === 'info' ? 'note' : 'warning'}: ${w.code}: ${w.message}`);
    const checkpointDir = opts['checkpoint-dir'];
    if (checkpointDir !== undefined) mkdirSync(checkpointDir, { recursive: true });
    trainer = new Trainer({
      model: { family: model.family, config: model.config, task: model.task, params: model.params },
      train: data.train,
      validation: data.validation,
      config,
      padId: tokenizer.special.pad,
      masking: config.task === 'mlm' ? mlmTokenizerInfo(tokenizer) : null,
      resumeFrom: resume ?? undefined,
      checkpointEvery: checkpointDir === undefined ? null : 'evaluation',
    });
    process.once('SIGINT', stop);
    const total = trainer.plan.totalSteps;
    const logEvery = Math.max(1, Math.round(total / 20));
    const window: StepTelemetry[] = [];
    let tokens = 0;
    let seconds = 0;
    for await (const e of trainer.run()) {
      if (e.type === 'started') {
        console.error(`layerwise train: ${e.plan.totalSteps} steps (${e.plan.stepsPerEpoch} per epoch) on ${e.plan.trainExamples} examples, ` +
          `${e.plan.validationExamples} for evaluation (${data.validationSource}); ${e.plan.trainableParameters} of ${e.plan.parameters} parameters train; backend ${backend}`);
      } else if (e.type === 'stepCompleted') {
        window.push(e.telemetry);
        tokens += e.telemetry.tokens;
        seconds += e.telemetry.seconds;
        if (e.telemetry.step % logEvery === 0 || e.telemetry.step === total) console.error(progressLine(window.splice(0), total));
      } else if (e.type === 'evaluated') {
        console.log(opts.json ? jsonText(e.record) : evaluationLine(e.record));
      } else if (e.type === 'checkpointed' && checkpointDir !== undefined) {
        const files = encodeCheckpoint(e.checkpoint);
        writeAtomic(path.join(checkpointDir, CHECKPOINT_TENSORS), files.tensors);
        writeAtomic(path.join(checkpointDir, CHECKPOINT_MANIFEST), files.manifest);
      } else if (e.type === 'failed') {
        throw new LayerwiseError(e.error.code, e.error.message, e.error.location);
      } else if (e.type === 'finished') {
        const metrics = {
          ...(e.metrics ?? {}),
          history: trainer.history,
          train: {
            steps: e.step,
            finish_reason: e.reason,
            restored_best_step: e.restoredBestStep,
            train_examples: data.train.examples.length,
            validation_examples: data.validation?.examples.length ?? 0,
            validation_source: data.validationSource,
            max_length: data.maxLength,
            tokens,
            train_seconds: seconds,
            tokens_per_second: seconds > 0 ? tokens / seconds : 0,
            backend,
            init: opts.init === 'random' ? 'random' : 'pretrained',
          },
          config,
        };
        const written = await writeOutput(out, model, folder, metrics);
        console.error(`layerwise train: ${e.reason} after ${e.step} steps, ${Math.round(seconds > 0 ? tokens / seconds : 0)} tokens/s; wrote ${written.join(', ')} to ${out}`);
      }
    }
  } finally {
    process.off('SIGINT', stop);
    trainer?.dispose();
    model.params.dispose();
  }
  return 0;
}
