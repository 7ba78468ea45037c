// `layerwise train`: fine-tunes a model folder (or trains its architecture from a fresh initialisation) on a dataset
// file with the engine's run recipe (engine/train/recipe.ts, as the studio does), prints one JSON line per evaluation,
// and writes a model folder with its card and metrics.json (DESIGN.md "The command line"). Ctrl-C stops after the
// current step and still writes the folder.
import { statSync } from 'node:fs';
import type { ReadOptions } from '../../formats/datasets/index';
import path from 'node:path';
import { LayerwiseError } from '../../lib/errors';
import { defaultLearningRate, parseTrainConfig, type TrainConfig } from '../../protocol/train-config';
import { readModelConfig } from '../../engine/model-folder-files';
import type { Task } from '../../protocol/task';
import { taskForData } from '../../engine/train/prepare';
import { prepareRun, runRecordOf } from '../../engine/train/recipe';
import { numberOption, parseOptions, required } from '../args';
import { startCliBackend } from '../backend-option';
import { cliMemoryLimits } from '../memory-limits';
import { readJsonFile } from '../batch-file';
import { nodeFolder } from '../node-files';
import { checkCheckpointFolder, checkOutFolder } from '../out-folder';
import { checkRecipeFiles, readRunRecipe } from '../run-recipe-file';
import { readCheckpoint, runTrainer } from '../run-trainer';
import { columnOptions, DATASET_FLAGS, readDatasetFile, resolveModelDir, taskOption } from '../train-data';

export const summary = 'fine-tune a model on a dataset file; writes a Hugging Face folder and metrics.json';

const USAGE = `usage: layerwise train --model DIR|default --data FILE --out DIR [--validation FILE]
                       [--task seq-cls|token-cls|mlm] [--config CONFIG.json] [--text-col NAME] [--label-col NAME]
                       [--label-sep SEP|none] [--label-cols A,B,C] [--class-weights none|inverse-frequency|effective-number]
                       [--focal-gamma G] [--windows STRIDE[,mean|max]]
                       [--epochs N] [--lr X] [--batch-size N] [--max-steps N] [--seed N] [--init random]
                       [--checkpoint-dir DIR] [--resume DIR] [--recipe FILE] [--backend wasm|cpu|webgpu] [--allow-non-finite]
                       [--overwrite] [--json]

  --config      a JSON TrainConfig (any subset of its fields; the rest keep their defaults)
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
  const dataPath = required(opts.data, 'data');
  const out = required(opts.out, 'out');
  checkOutFolder(out, { inputs: [modelDir], overwrite: opts.overwrite === true });
  if (opts['checkpoint-dir'] !== undefined) checkCheckpointFolder(opts['checkpoint-dir'], { model: modelDir, out });
  if (opts.init !== undefined && opts.init !== 'random') {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--init takes "random", got "${opts.init}"`, { field: 'init' });
  }
  if (opts.resume !== undefined && opts.recipe !== undefined) throw new LayerwiseError('CLI_BAD_ARGUMENT', 'give --resume or --recipe, not both', { field: 'recipe' });
  const resume = opts.resume === undefined ? null : await readCheckpoint(opts.resume);
  const recipe = opts.recipe === undefined ? null : await readRunRecipe(opts.recipe);
  if (recipe !== null) await checkRecipeFiles(recipe, modelDir, dataPath, opts.validation);
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
    for (const m of model.messages) console.error(`layerwise train: ${m.level}: ${m.code}: ${m.message}`);
    if (run.memoryPlan && !run.memoryPlan.asked.fits) console.error(`layerwise train: note: TRAIN_MEMORY_PLAN: ${run.memoryPlan.reason}`);
    for (const w of data.warnings) console.error(`layerwise train: ${w.level === 'info' ? 'note' : 'warning'}: ${w.code}: ${w.message}`);
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
        train: { name: path.basename(dataPath), bytes: statSync(dataPath).size },
        validation: opts.validation === undefined ? null : { name: path.basename(opts.validation), bytes: statSync(opts.validation).size },
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
