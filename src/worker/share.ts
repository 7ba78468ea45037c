// The studio's ways out besides a model export: the training recipe as a zip (engine/export/recipe.ts) and a push to
// the Hugging Face Hub (formats/hub-push.ts) of the folder the hf export writes and checks. Studio calls these with
// what it holds; the token of a push is passed through to the request and not kept anywhere.
import { zipSync, type Zippable } from 'fflate';
import { exportModel, type ExportInput } from '../engine/export/export';
import { writeRecipe } from '../engine/export/recipe';
import { utf8Text } from '../engine/model-folder-files';
import { parseModelConfig } from '../engine/models/index';
import type { Dataset } from '../formats/datasets/index';
import { pushToHub } from '../formats/hub-push';
import { readAll, type SourceFolder } from '../formats/source-file';
import { LayerwiseError } from '../lib/errors';
import type { ExportedRecipe, HubPushProgress, HubPushResult } from '../protocol/share';
import { parseTrainConfig, type TrainConfig } from '../protocol/train-config';
import { exportName } from './export-zip';

/** The model folder runs start from, as the recipe's starting weights. */
export interface RecipeSource {
  folder: SourceFolder;
  /** Display name of the folder (a folder name, hub:org/name@rev, the built-in model's name). */
  source: string;
}

/**
 * The recipe of `config` (the finished run's, else the Configure panel's, validated here) on the folder runs start
 * from and the datasets read, zipped in one folder named after the model.
 */
export async function recipeZip(start: RecipeSource, config: TrainConfig, data: { train: Dataset | null; validation: Dataset | null }): Promise<ExportedRecipe> {
  const configFile = start.folder.get('config.json');
  if (configFile === undefined) throw new LayerwiseError('CHECKPOINT_NO_CONFIG', 'The model folder runs start from has no config.json.', { file: 'config.json' });
  const { config: modelConfig } = parseModelConfig(await utf8Text(configFile), 'config.json');
  const files = await Promise.all([...start.folder].map(async ([name, file]) => ({ name, bytes: await readAll(file) })));
  const recipe = writeRecipe({
    config: parseTrainConfig(config),
    modelConfig,
    start: { kind: 'folder', files, label: start.source },
    data: data.train === null ? null : { train: data.train, validation: data.validation },
  });
  const name = `${exportName(start.source).replace(/-finetuned$/, '')}-recipe`;
  const entries: Zippable = {};
  for (const f of recipe) entries[`${name}/${f.name}`] = [f.bytes, { level: /\.safetensors$/.test(f.name) ? 0 : 6 }];
  const zip = zipSync(entries);
  const whole = zip.byteOffset === 0 && zip.byteLength === zip.buffer.byteLength ? zip : zip.slice();
  return { fileName: `${name}.zip`, zip: whole.buffer as ArrayBuffer, files: recipe.map((f) => ({ name: f.name, size: f.bytes.length })) };
}

export interface PushRequest {
  repo: string;
  token: string;
  endpoint: string;
  private: boolean;
  withOnnx: boolean;
}

/** Minimum time between two progress events of a push (phase changes always go out). */
export const PUSH_PROGRESS_MS = 100;

/**
 * Writes and checks the Hugging Face folder as the hf export does (and the ONNX files when asked), then pushes them.
 * `exportInput` is the hf export's input; the onnx files come from the onnx export of the same model.
 */
export async function pushModel(request: PushRequest, exportInput: Omit<ExportInput, 'format' | 'quantize'>, onProgress: (p: HubPushProgress) => void, fetcher?: typeof fetch): Promise<HubPushResult> {
  onProgress({ phase: 'verifying', done: 0, total: 0, file: null });
  const { files } = await exportModel({ ...exportInput, format: 'hf', quantize: false });
  if (request.withOnnx) {
    const onnx = await exportModel({ ...exportInput, format: 'onnx', quantize: true });
    files.push(...onnx.files.filter((f) => f.name.startsWith('onnx/')));
  }
  let last = 0;
  let phase = '';
  const result = await pushToHub({
    repo: request.repo,
    token: request.token,
    endpoint: request.endpoint,
    private: request.private,
    files,
    fetch: fetcher,
    onProgress: (p) => {
      const now = Date.now();
      if (p.phase === phase && now - last < PUSH_PROGRESS_MS) return;
      last = now;
      phase = p.phase;
      onProgress(p);
    },
  });
  return { repo: request.repo, url: result.url, commitUrl: result.commitUrl, created: result.created, files: files.map((f) => ({ name: f.name, size: f.bytes.length })) };
}
