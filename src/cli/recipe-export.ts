// `layerwise export --format recipe`: the training recipe folder (engine/export/recipe.ts) for the model folder DIR,
// the run's TrainConfig (--config, else DIR's metrics.json or its weights' layerwise.train_config, else the defaults)
// and, with --data, the data split as `layerwise train` would split it. The recipe starts from DIR's weights.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeRecipe } from '../engine/export/recipe';
import { parseModelConfig } from '../engine/models/index';
import { taskForData } from '../engine/train/prepare';
import { readSafetensorsHeader } from '../formats/safetensors';
import { LayerwiseError } from '../lib/errors';
import { defaultLearningRate, parseTrainConfig } from '../protocol/train-config';
import { readJsonFile } from './batch-file';
import { nodeFile } from './node-files';
import { checkOutFolder, writeFolderAtomic } from './out-folder';
import { columnOptions, readDatasetFile, taskOption } from './train-data';

export interface RecipeExportOptions {
  modelDir: string;
  out: string;
  overwrite: boolean;
  data?: string;
  validation?: string;
  config?: string;
  task?: string;
  textCol?: string[];
  labelCol?: string;
  json: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The run's config as given: --config (a TrainConfig, or a metrics.json holding one), else the folder's own run. */
async function configInput(opts: RecipeExportOptions): Promise<{ input: Record<string, unknown>; from: string; file?: string }> {
  if (opts.config !== undefined) {
    const read = await readJsonFile(opts.config);
    if (!isObject(read.value)) throw new LayerwiseError('TRAIN_CONFIG_INVALID', `${read.file} must hold a JSON object of TrainConfig fields`, { file: read.file });
    // A model folder's metrics.json carries the run's config under `config`.
    const input = isObject(read.value.config) && 'history' in read.value ? read.value.config : read.value;
    return { input: { ...input }, from: read.file, file: read.file };
  }
  const metrics = path.join(opts.modelDir, 'metrics.json');
  if (existsSync(metrics)) {
    const value = JSON.parse(readFileSync(metrics, 'utf8')) as unknown;
    if (isObject(value) && isObject(value.config)) return { input: { ...value.config }, from: metrics, file: metrics };
  }
  const weights = path.join(opts.modelDir, 'model.safetensors');
  if (existsSync(weights)) {
    const stored = (await readSafetensorsHeader(nodeFile(weights))).metadata?.get('layerwise.train_config');
    if (stored !== undefined) return { input: JSON.parse(stored) as Record<string, unknown>, from: `${weights} (layerwise.train_config)`, file: weights };
  }
  return { input: {}, from: 'the defaults' };
}

/** Writes the recipe folder; returns the exit code. */
export async function exportRecipe(opts: RecipeExportOptions): Promise<number> {
  if (opts.validation !== undefined && opts.data === undefined) throw new LayerwiseError('CLI_BAD_ARGUMENT', '--validation needs --data', { field: 'validation' });
  checkOutFolder(opts.out, { inputs: [opts.modelDir], overwrite: opts.overwrite });
  const { config: modelConfig } = parseModelConfig(readFileSync(path.join(opts.modelDir, 'config.json'), 'utf8'), 'config.json');
  const { input, from, file } = await configInput(opts);
  const task = taskOption(opts.task);
  if (task !== undefined) input.task = task;
  if (input.learningRate === undefined) input.learningRate = defaultLearningRate(modelConfig.hidden_size);
  const columns = columnOptions(opts.textCol, opts.labelCol);
  const train = opts.data === undefined ? null : await readDatasetFile(opts.data, 'data', columns);
  const validation = opts.validation === undefined ? null : await readDatasetFile(opts.validation, 'validation', columns);
  if (input.task === undefined && train !== null) input.task = taskForData(train);
  const config = parseTrainConfig(input, file);
  // The starting weights travel with the recipe: the folder's regular files (not hidden ones).
  const files = readdirSync(opts.modelDir)
    .filter((n) => !n.startsWith('.') && statSync(path.join(opts.modelDir, n)).isFile())
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(opts.modelDir, name))) }));
  const recipe = writeRecipe({ config, modelConfig, start: { kind: 'folder', files, label: path.basename(path.resolve(opts.modelDir)) }, data: train === null ? null : { train, validation } });
  writeFolderAtomic(opts.out, recipe);
  const sizes = recipe.map((f) => ({ name: f.name, size: f.bytes.length }));
  if (opts.json) console.log(JSON.stringify({ format: 'recipe', out: path.resolve(opts.out), config_from: from, files: sizes }));
  else {
    console.error(`layerwise export: note: the TrainConfig comes from ${from}${train === null ? '; no --data: train.py will need --train_file' : ''}`);
    for (const f of sizes) console.log(`${f.name.padEnd(36)} ${f.size.toLocaleString('en-US').padStart(14)} bytes`);
    console.log(`wrote ${path.resolve(opts.out)}: see its README.md for the launch commands`);
  }
  return 0;
}
