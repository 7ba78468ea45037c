// A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors, formats/peft-adapter.ts) loaded onto its
// base model: the base folder through the strict loader, with the adapter's task and its head's class count, then
// every adapter merged into its layer (W + scaling · B·A, scaling alpha / r as PEFT's LoraLayer.update_layer) and the
// modules_to_save tensors in place of the base's. Every problem in the adapter's tensors is listed in one error.
import { LayerwiseError } from '../lib/errors';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS, PEFT_KEY_PREFIX, parseAdapterConfig, type PeftLoraConfig } from '../formats/peft-adapter';
import { readSafetensorsHeader, readTensorFloat32, type SafetensorsHeader } from '../formats/safetensors';
import type { SourceFile, SourceFolder } from '../formats/source-file';
import { patternKey, type LoraModule } from '../protocol/lora';
import type { Task } from '../protocol/task';
import { loadModelFolder, type LoadOptions, type LoadedModel, type LoaderMessage } from './load';
import { utf8Text } from './model-folder-files';
import { getModelFamily, parseModelConfig } from './models/index';
import { mergeLinear } from './params/lora';

export interface PeftAdapterFiles {
  config: PeftLoraConfig;
  file: SourceFile;
  header: SafetensorsHeader;
  /** The adapter folder's config.json id2label (Layerwise writes one beside the adapter), if any. */
  labels: string[] | null;
}

/** Reads an adapter folder's config and weight headers; no tensor data yet. */
export async function readPeftAdapter(folder: SourceFolder): Promise<PeftAdapterFiles> {
  const configFile = folder.get(ADAPTER_CONFIG);
  if (!configFile) throw new LayerwiseError('PEFT_ADAPTER_MISSING', `the adapter folder has no ${ADAPTER_CONFIG}`, { file: ADAPTER_CONFIG });
  const config = parseAdapterConfig(await utf8Text(configFile));
  const file = folder.get(ADAPTER_WEIGHTS);
  if (!file) {
    const pickle = folder.has('adapter_model.bin') ? ': it has adapter_model.bin, PyTorch pickle, which this app never executes (save with safe_serialization=True)' : '';
    throw new LayerwiseError('PEFT_ADAPTER_MISSING', `the adapter folder has no ${ADAPTER_WEIGHTS}${pickle}`, { file: ADAPTER_WEIGHTS });
  }
  const header = await readSafetensorsHeader(file);
  let labels: string[] | null = null;
  const modelConfig = folder.get('config.json');
  if (modelConfig) {
    try {
      labels = parseModelConfig(await utf8Text(modelConfig), 'config.json').config.id2label;
    } catch {
      labels = null; // a config.json that is not the model's does not name the classes; the count still comes from the head
    }
  }
  return { config, file, header, labels };
}

/** The checkpoint name a PEFT key stands for, or null when it lacks PEFT's prefix. */
const modelName = (key: string): string | null => (key.startsWith(PEFT_KEY_PREFIX) ? key.slice(PEFT_KEY_PREFIX.length) : null);

/**
 * The class count of the adapter's head: that of a modules_to_save tensor whose shape differs from the base model's own
 * head only in its first dimension, where the base has num_labels rows; else the base's num_labels.
 */
function headClasses(adapter: PeftAdapterFiles, baseConfigText: string, task: Task | undefined): number {
  const { config } = parseModelConfig(baseConfigText, 'config.json');
  const shapes = getModelFamily(config).parameterShapes(config, task ?? 'seq-cls');
  for (const [key, info] of adapter.header.tensors) {
    const name = modelName(key);
    const want = name === null ? undefined : shapes.get(name);
    if (want === undefined || want.length !== info.shape.length || want[0] !== config.num_labels || info.shape[0] === want[0]) continue;
    if (want.slice(1).every((d, i) => d === info.shape[i + 1])) return info.shape[0];
  }
  return config.num_labels;
}

/** alpha / r for a layer, as PEFT's LoraModel._create_and_replace reads rank_pattern and alpha_pattern. */
function scalingOf(c: PeftLoraConfig, module: string, r: number): number {
  const rKey = patternKey(Object.keys(c.rankPattern), module);
  const aKey = patternKey(Object.keys(c.alphaPattern), module);
  const configured = rKey === null ? c.r : c.rankPattern[rKey];
  if (configured !== r) {
    throw new LayerwiseError('PEFT_ADAPTER_SHAPE_MISMATCH', `${module}'s lora_A has ${r} rows, but adapter_config.json gives it rank ${configured}`, { file: ADAPTER_WEIGHTS, tensor: `${module}.lora_A.weight` });
  }
  const alpha = aKey === null ? c.loraAlpha : c.alphaPattern[aKey];
  return c.useRslora ? alpha / Math.sqrt(r) : alpha / r;
}

/**
 * Merges the adapter into a loaded model (in place): LoRA layers into their weights, modules_to_save tensors over the
 * base's. Checks every key first (PEFT's prefix, a layer or parameter of the model, shapes, A with its B) and throws
 * PEFT_ADAPTER_MISMATCH listing every problem before any weight changes.
 */
export async function applyPeftAdapter(model: LoadedModel, adapter: PeftAdapterFiles): Promise<LoaderMessage> {
  const { params } = model;
  const problems: string[] = [];
  const modules = new Map<string, { a?: number[]; b?: number[] }>();
  const replaced: string[] = [];
  for (const [key, info] of adapter.header.tensors) {
    const name = modelName(key);
    const lora = name === null ? null : /^(.*)\.lora_([AB])\.weight$/.exec(name);
    if (name === null) problems.push(`${key} lacks PEFT's "${PEFT_KEY_PREFIX}" prefix`);
    else if (lora) {
      const entry = modules.get(lora[1]) ?? {};
      entry[lora[2] === 'A' ? 'a' : 'b'] = info.shape;
      modules.set(lora[1], entry);
    } else if (!params.has(name)) problems.push(`${key}: the model has no ${name}`);
    else if (params.shape(name).join() !== info.shape.join()) problems.push(`${key} is [${info.shape.join(', ')}], the model's ${name} [${params.shape(name).join(', ')}]`);
    else replaced.push(name);
  }
  const layers: LoraModule[] = [];
  for (const [module, { a, b }] of modules) {
    const weight = `${module}.weight`;
    if (!params.has(weight) || params.shape(weight).length !== 2) {
      problems.push(`${module}: the model has no linear layer of that name`);
      continue;
    }
    const [out, inFeatures] = params.shape(weight);
    if (a === undefined || b === undefined) {
      problems.push(`${module} has lora_${a === undefined ? 'A' : 'B'}.weight missing`);
      continue;
    }
    const r = a[0];
    if (a.length !== 2 || b.length !== 2 || a[1] !== inFeatures || b[0] !== out || b[1] !== r) {
      problems.push(`${module}: lora_A [${a.join(', ')}] and lora_B [${b.join(', ')}] do not fit its weight [${out}, ${inFeatures}]`);
      continue;
    }
    layers.push({ module, r, scaling: scalingOf(adapter.config, module, r), inFeatures, outFeatures: out });
  }
  if (problems.length > 0) {
    throw new LayerwiseError('PEFT_ADAPTER_MISMATCH', `the adapter does not fit this model (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`, { file: ADAPTER_WEIGHTS });
  }
  if (layers.length === 0) throw new LayerwiseError('PEFT_ADAPTER_MISMATCH', 'the adapter holds no LoRA layer (no …lora_A.weight)', { file: ADAPTER_WEIGHTS });
  const read = (name: string) => readTensorFloat32(adapter.file, adapter.header, `${PEFT_KEY_PREFIX}${name}`);
  const merged = new Map<string, Float32Array>();
  for (const m of layers) {
    const w = Float32Array.from((await params.get(`${m.module}.weight`).data()) as Float32Array);
    merged.set(`${m.module}.weight`, mergeLinear(w, await read(`${m.module}.lora_A.weight`), await read(`${m.module}.lora_B.weight`), m));
  }
  for (const name of replaced) merged.set(name, await read(name));
  for (const [name, data] of merged) params.setValues(name, data);
  const ranks = [...new Set(layers.map((m) => m.r))].join('/');
  return {
    level: 'info',
    code: 'PEFT_ADAPTER_MERGED',
    message: `LoRA adapter (r ${ranks}, alpha ${adapter.config.loraAlpha}) merged into ${layers.length} layers; ${replaced.length} head tensors from modules_to_save${adapter.config.baseModel ? `; made for ${adapter.config.baseModel}` : ''}`,
    tensors: [...merged.keys()],
  };
}

/**
 * The base model folder loaded with the adapter merged in: the adapter's task (its task_type) unless opts names one,
 * and as many classes as its head has (named by the adapter folder's config.json, the base's, or LABEL_i).
 */
export async function loadModelWithAdapter(base: SourceFolder, adapterFolder: SourceFolder, opts: LoadOptions = {}): Promise<LoadedModel> {
  const adapter = await readPeftAdapter(adapterFolder);
  const task = opts.task ?? adapter.config.task ?? undefined;
  const configFile = base.get('config.json');
  let labels = opts.labels;
  if (labels === undefined && configFile && task !== 'mlm') {
    const classes = headClasses(adapter, await utf8Text(configFile), task);
    const { config } = parseModelConfig(await utf8Text(configFile), 'config.json');
    if (adapter.labels?.length === classes) labels = adapter.labels;
    else if (classes !== config.num_labels) labels = Array.from({ length: classes }, (_, i) => `LABEL_${i}`);
  }
  const model = await loadModelFolder(base, { ...opts, task, labels });
  try {
    model.messages.push(await applyPeftAdapter(model, adapter));
    return model;
  } catch (err) {
    model.params.dispose();
    throw err;
  }
}
