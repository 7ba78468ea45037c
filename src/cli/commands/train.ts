// `layerwise train`: fine-tunes a model folder (or trains its architecture from a fresh initialisation) on a dataset
// file with the engine's run recipe (engine/train/recipe.ts, as the studio does), prints one JSON line per evaluation,
// and writes a model folder with its card and metrics.json (DESIGN.md "The command line"). Ctrl-C stops after the
// current step and still writes the folder.
import { statSync } from 'node:fs';
import type { ReadOptions } from '../../formats/datasets/index';
import path from 'node:path';
import { LayerwiseError } from '../../lib/errors';
import { defaultLearningRate, parseTrainConfig, type TaskHeadConfig, type TrainConfig } from '../../protocol/train-config';
import { readModelConfig } from '../../engine/model-folder-files';
import type { Task } from '../../protocol/task';
import { taskForData } from '../../engine/train/prepare';
import { headError, type TaskSources } from '../../engine/train/multitask';
import { prepareRun, runRecordOf, type PreparedRun } from '../../engine/train/recipe';
import { numberOption, parseOptions, required } from '../args';
import { startCliBackend } from '../backend-option';
import { cliMemoryLimits } from '../memory-limits';
import { readJsonFile } from '../batch-file';
import { nodeFolder } from '../node-files';
import { checkCheckpointFolder, checkOutFolder } from '../out-folder';
import { checkRecipeFiles, readRunRecipe } from '../run-recipe-file';
import type { RunCheckpoint } from '../../engine/train/run-checkpoint';
import { readCheckpoint, runTrainer } from '../run-trainer';
import { columnOptions, DATASET_FLAGS, readDatasetFile, resolveModelDir, taskOption } from '../train-data';

export const summary = 'fine-tune a model on a dataset file; writes a Hugging Face folder and metrics.json';

const USAGE = `usage: layerwise train --model DIR|default --data FILE --out DIR [--validation FILE]  (--data: unless every head of tasks has its own)
                       [--task seq-cls|token-cls|mlm] [--config CONFIG.json] [--text-col NAME] [--label-col NAME]
                       [--label-sep SEP|none] [--label-cols A,B,C] [--class-weights none|inverse-frequency|effective-number]
                       [--focal-gamma G] [--windows STRIDE[,mean|max]]
                       [--epochs N] [--lr X] [--batch-size N] [--max-steps N] [--seed N] [--init random]
                       [--checkpoint-dir DIR] [--resume DIR] [--recipe FILE] [--backend wasm|cpu|webgpu] [--allow-non-finite]
                       [--overwrite] [--json]

  --config      a JSON TrainConfig (any subset of its fields; the rest keep their defaults); with a "tasks" list of
                heads, a multi-task run: each head reads its own "data" file (relative to the config file; none:
                --data) with its own columns, and --out holds the first head's model, the others' in heads/<name>/
  --epochs, --lr, --batch-size, --max-steps, --seed
                override epochs, learningRate, batchSize, maxSteps and seed of the config
  --task        default: token-cls for CoNLL-like data, seq-cls for labelled rows (mlm must be asked for)
  --label-sep, --label-cols
                rows of several labels: a label column separated by SEP (detected for ; | ,), or one 0/1 column per
                label; such data trains a multi-label head (problemType multi_label_classification) unless the config
                says otherwise, and --label-sep none reads one label per row
  --class-weights, --focal-gamma, --windows
                override classWeights, focalGamma and windows (sliding windows over long texts) of the config
  --validation  evaluation data; without it, validationSplit of the training file is held out (stratified)
  --init random train the folder's architecture from a fresh seeded initialisation (its weights are not read)
  --checkpoint-dir DIR   write checkpoint.safetensors + checkpoint.json after every evaluation
  --resume DIR  continue the run saved in DIR (its config is used; config flags are refused)
  --recipe FILE rerun a run recipe shared from the studio: its TrainConfig and columns, on --model and --data
                files that must be the ones it fingerprints (config and column flags are refused)
  --overwrite   replace --out when it already holds files (it is never the --model folder)
  --allow-non-finite  train on, and write, weights that hold NaN or infinite values

Prints one JSON line per evaluation with --json (step, epoch, learning_rate, eval_loss, accuracy, f1_macro, ...).
Writes to --out, as one folder once the run has ended: config.json, model.safetensors, the tokenizer files, README.md
(a model card) and metrics.json.`;

const OVERRIDES = [
  ['epochs', 'epochs'],
  ['lr', 'learningRate'],
  ['batch-size', 'batchSize'],
  ['max-steps', 'maxSteps'],
  ['seed', 'seed'],
] as const;

/** The run's config: a run checkpoint's or a recipe's (no config flags then), or --config with the command-line overrides, validated once. */
async function runConfig(
  opts: Record<string, unknown>,
  task: Task | undefined,
  fixed: { config: TrainConfig; flag: 'resume' | 'recipe' } | null,
): Promise<{ input: Record<string, unknown>; file?: string }> {
  const overrides: Record<string, unknown> = {};
  for (const [flag, field] of OVERRIDES) if (opts[flag] !== undefined) overrides[field] = numberOption(opts[flag], flag, 0);
  if (fixed !== null) {
    const given = [...OVERRIDES.map(([flag]) => flag), 'config', 'task', 'class-weights', 'focal-gamma', 'windows', ...(fixed.flag === 'recipe' ? ['text-col', 'label-col', 'label-sep', 'label-cols'] : [])].filter((f) => opts[f] !== undefined);
    if (given.length > 0) {
      const why = fixed.flag === 'resume' ? '--resume continues the saved run with its own config' : '--recipe reruns the recipe with its own config and columns';
      throw new LayerwiseError('CLI_BAD_ARGUMENT', `${why}; drop ${given.map((f) => `--${f}`).join(', ')}`, { field: given[0] });
    }
    return { input: { ...fixed.config } };
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

/** --class-weights, --focal-gamma and --windows STRIDE[,mean|max] into the config input (TrainConfig validates them). */
function lossAndWindowFlags(opts: Record<string, unknown>, input: Record<string, unknown>): void {
  if (opts['class-weights'] !== undefined) input.classWeights = opts['class-weights'];
  if (opts['focal-gamma'] !== undefined) input.focalGamma = numberOption(opts['focal-gamma'], 'focal-gamma', 0);
  const w = opts.windows;
  if (typeof w === 'string') {
    const m = /^(\d+)(?:,(mean|max))?$/.exec(w);
    if (!m) throw new LayerwiseError('CLI_BAD_ARGUMENT', `--windows takes STRIDE or STRIDE,mean|max (e.g. 32,max), got "${w}"`, { field: 'windows' });
    input.windows = { stride: Number(m[1]), aggregate: m[2] ?? 'mean' };
  }
}

/** A data file as the model card names it. */
const fileRecord = (file: string) => ({ name: path.basename(file), bytes: statSync(file).size });

/**
 * Each head's files of a multi-task run: its own `data` and `validation` (relative to the config file's folder, or to
 * the working directory for a --resume run's config), else --data and --validation; its columns, else the flags'.
 */
async function readTaskFiles(
  heads: readonly TaskHeadConfig[],
  opts: Record<string, unknown>,
): Promise<{ sources: TaskSources[]; files: { train: ReturnType<typeof fileRecord>; validation: ReturnType<typeof fileRecord> | null }[] }> {
  const base = typeof opts.config === 'string' ? path.dirname(opts.config) : '.';
  const sources: TaskSources[] = [];
  const files = [];
  for (const [i, h] of heads.entries()) {
    const trainPath = h.data === null ? (opts.data as string | undefined) : path.resolve(base, h.data);
    if (trainPath === undefined) {
      throw new LayerwiseError('CLI_MISSING_OPTION', `head "${h.name}" has no data file: give tasks[${i}].data or --data`, { field: `tasks[${i}].data` });
    }
    // The run's --validation belongs to --data: a head with a file of its own holds part of it out unless it names one.
    const validationPath = h.validation !== null ? path.resolve(base, h.validation) : h.data === null ? (opts.validation as string | undefined) : undefined;
    const columns = columnOptions(h.textColumn === null ? (opts['text-col'] as string[] | undefined) : [h.textColumn], h.labelColumn ?? (opts['label-col'] as string | undefined), { labelSep: 'none' });
    try {
      sources.push({
        train: await readDatasetFile(trainPath, 'data', columns),
        validation: validationPath === undefined ? null : await readDatasetFile(validationPath, 'validation', columns),
      });
    } catch (err) {
      throw headError(err, i, h.name);
    }
    files.push({ train: fileRecord(trainPath), validation: validationPath === undefined ? null : fileRecord(validationPath) });
  }
  return { sources, files };
}

/** What the loader, the memory planner and the data readers said of a prepared run, one line each on stderr. */
function printRunNotes(run: PreparedRun): void {
  for (const m of run.model.messages) console.error(`layerwise train: ${m.level}: ${m.code}: ${m.message}`);
  if (run.memoryPlan && !run.memoryPlan.asked.fits) console.error(`layerwise train: note: TRAIN_MEMORY_PLAN: ${run.memoryPlan.reason}`);
  for (const w of run.data.warnings) console.error(`layerwise train: ${w.level === 'info' ? 'note' : 'warning'}: ${w.code}: ${w.message}`);
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
    'class-weights': { type: 'string' },
    'focal-gamma': { type: 'string' },
    windows: { type: 'string' },
    'checkpoint-dir': { type: 'string' },
    resume: { type: 'string' },
    recipe: { type: 'string' },
    'allow-non-finite': { type: 'boolean' },
    overwrite: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = resolveModelDir(required(opts.model, 'model'));
  const out = required(opts.out, 'out');
  checkOutFolder(out, { inputs: [modelDir], overwrite: opts.overwrite === true });
  if (opts['checkpoint-dir'] !== undefined) checkCheckpointFolder(opts['checkpoint-dir'], { model: modelDir, out });
  if (opts.init !== undefined && opts.init !== 'random') {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--init takes "random", got "${opts.init}"`, { field: 'init' });
  }
  if (opts.resume !== undefined && opts.recipe !== undefined) throw new LayerwiseError('CLI_BAD_ARGUMENT', 'give --resume or --recipe, not both', { field: 'recipe' });
  const resume = opts.resume === undefined ? null : await readCheckpoint(opts.resume);
  const recipe = opts.recipe === undefined ? null : await readRunRecipe(opts.recipe);
  if (recipe !== null) await checkRecipeFiles(recipe, modelDir, required(opts.data, 'data'), opts.validation);
  const taskFlag = taskOption(opts.task);
  const columns: ReadOptions = recipe?.data.choices ?? columnOptions(opts['text-col'], opts['label-col'], { labelSep: opts['label-sep'], labelCols: opts['label-cols'] });
  const fixed = resume !== null ? { config: resume.config, flag: 'resume' as const } : recipe !== null ? { config: recipe.config, flag: 'recipe' as const } : null;
  const { input, file: configFile } = await runConfig(opts, taskFlag, fixed);
  if (fixed === null) lossAndWindowFlags(opts, input);
  if (input.learningRate === undefined) {
    // As in the studio: the default rate follows the model's width (5e-5 at hidden 768, 3e-4 at hidden 128).
    const { config: modelConfig } = await readModelConfig(nodeFolder(modelDir));
    input.learningRate = defaultLearningRate(modelConfig.hidden_size);
    console.error(`layerwise train: note: learning rate ${input.learningRate}, the default for hidden size ${modelConfig.hidden_size} (--lr sets another)`);
  }
  if (Array.isArray(input.tasks)) return runMultiTask(opts, input, configFile, modelDir, out, resume);
  const dataPath = required(opts.data, 'data');
  const backend = await startCliBackend(opts.backend, 'train');

  const train = await readDatasetFile(dataPath, 'data', columns);
  const validationFile = opts.validation === undefined ? null : await readDatasetFile(opts.validation, 'validation', columns);
  input.task ??= taskForData(train);
  if (input.problemType === undefined && input.task === 'seq-cls' && train.kind === 'examples' && train.multiLabel !== null) {
    input.problemType = 'multi_label_classification';
    console.error('layerwise train: note: the rows hold several labels: a multi-label head (problemType multi_label_classification; --label-sep none reads one label per row)');
  }
  const config: TrainConfig = parseTrainConfig(input, configFile);
  const folder = nodeFolder(modelDir);
  const init = opts.init === 'random' ? 'random' : 'pretrained';
  const checkpointDir = opts['checkpoint-dir'];
  const run = await prepareRun({ folder, train, validation: validationFile }, config, {
    init,
    allowNonFinite: opts['allow-non-finite'] === true,
    resumeFrom: resume ?? undefined,
    checkpointEvery: checkpointDir === undefined ? null : 'evaluation',
    memory: cliMemoryLimits(backend),
  });
  const { model, trainer, data } = run;
  try {
    printRunNotes(run);
    await runTrainer({
      command: 'train',
      trainer,
      model,
      folder,
      out,
      json: opts.json === true,
      checkpointDir,
      allowNonFinite: opts['allow-non-finite'] === true,
      startNote: `${data.validationSource} evaluation data; backend ${backend}`,
      record: runRecordOf(run, {
        baseModel: opts.model === 'default' ? 'layerwise built-in model' : path.basename(path.resolve(modelDir)),
        init,
        train: fileRecord(dataPath),
        validation: opts.validation === undefined ? null : fileRecord(opts.validation),
      }),
      describe: {
        train_examples: data.train.examples.length,
        validation_examples: data.validation?.examples.length ?? 0,
        validation_source: data.validationSource,
        max_length: data.maxLength,
        backend,
        init,
      },
    });
  } finally {
    trainer.dispose();
    model.params.dispose();
  }
  return 0;
}

/**
 * A run with a `tasks` list (engine/train/multitask.ts): each head's files read with its own columns, one encoder
 * trained with every head, and --out written by the one folder writer (the first head's model, the others' in
 * heads/<name>/, one card listing them).
 */
async function runMultiTask(
  opts: Record<string, unknown>,
  input: Record<string, unknown>,
  configFile: string | undefined,
  modelDir: string,
  out: string,
  resume: RunCheckpoint | null,
): Promise<number> {
  if (opts.recipe !== undefined) throw new LayerwiseError('CLI_BAD_ARGUMENT', '--recipe reruns a single-task run; a multi-task run is rerun from its config (--config)', { field: 'recipe' });
  if (opts.init !== undefined) throw new LayerwiseError('CLI_BAD_ARGUMENT', 'a multi-task run fine-tunes the folder\'s weights: drop --init', { field: 'init' });
  const first = (input.tasks as unknown[])[0] as { task?: unknown } | undefined;
  if (input.task === undefined && typeof first?.task === 'string') input.task = first.task;
  const config = parseTrainConfig(input, configFile);
  const heads = config.tasks as TaskHeadConfig[];
  const backend = await startCliBackend(opts.backend, 'train');
  const { sources, files } = await readTaskFiles(heads, opts);
  const folder = nodeFolder(modelDir);
  const checkpointDir = opts['checkpoint-dir'] as string | undefined;
  const run = await prepareRun({ folder, train: sources[0].train, validation: sources[0].validation, heads: sources }, config, {
    allowNonFinite: opts['allow-non-finite'] === true,
    resumeFrom: resume ?? undefined,
    checkpointEvery: checkpointDir === undefined ? null : 'evaluation',
    memory: cliMemoryLimits(backend),
  });
  const { model, trainer, data } = run;
  const prepared = run.heads ?? [];
  try {
    printRunNotes(run);
    await runTrainer({
      command: 'train',
      trainer,
      model,
      folder,
      out,
      json: opts.json === true,
      checkpointDir,
      allowNonFinite: opts['allow-non-finite'] === true,
      startNote: `${prepared.length} heads (${prepared.map((h) => `${h.name}: ${h.task}, ${h.data.validationSource} evaluation data`).join('; ')}); backend ${backend}`,
      record: runRecordOf(run, { baseModel: opts.model === 'default' ? 'layerwise built-in model' : path.basename(path.resolve(modelDir)), init: 'pretrained', ...files[0], heads: files }),
      describe: {
        heads: prepared.map((h) => ({ name: h.name, task: h.task, train_examples: h.data.train.examples.length, validation_examples: h.data.validation?.examples.length ?? 0, validation_source: h.data.validationSource })),
        train_examples: prepared.reduce((n, h) => n + h.data.train.examples.length, 0),
        validation_examples: prepared.reduce((n, h) => n + (h.data.validation?.examples.length ?? 0), 0),
        max_length: data.maxLength,
        backend,
        init: 'pretrained',
      },
    });
  } finally {
    trainer.dispose();
    model.params.dispose();
  }
  return 0;
}
