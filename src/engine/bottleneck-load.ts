// A bottleneck adapter saved by the adapters library (formats/bottleneck-adapter.ts) put onto a loaded model: the
// model folder's own adapter/ (config.json's `layerwise.adapter` names it, as Layerwise writes it), or an adapter
// folder given with --adapter. Every tensor is checked against the family's sites (params/bottleneck.ts) before any
// is added, and every problem is listed in one error; the adapter's name becomes Layerwise's (BOTTLENECK_NAME).
import { LayerwiseError } from '../lib/errors';
import { BOTTLENECK_CONFIG, BOTTLENECK_FOLDER, BOTTLENECK_WEIGHTS, parseBottleneckConfig, type BottleneckConfigFile } from '../formats/bottleneck-adapter';
import { readSafetensorsHeader, readTensorFloat32, type SafetensorsHeader } from '../formats/safetensors';
import type { SourceFile, SourceFolder } from '../formats/source-file';
import { BOTTLENECK_NAME, bottleneckShapes } from '../protocol/bottleneck';
import type { LoadedModel, LoaderMessage } from './load';
import { utf8Text } from './model-folder-files';
import { bottleneckAdapters } from './params/bottleneck';

export interface BottleneckAdapterFiles {
  config: BottleneckConfigFile;
  file: SourceFile;
  header: SafetensorsHeader;
}

/** Whether a folder holds an adapters-library adapter (its adapter_config.json has the BnConfig under "config"), not PEFT's. */
export async function isBottleneckFolder(folder: SourceFolder, prefix = ''): Promise<boolean> {
  const file = folder.get(`${prefix}${BOTTLENECK_CONFIG}`);
  if (!file) return false;
  try {
    const raw = JSON.parse(await utf8Text(file)) as unknown;
    return typeof raw === 'object' && raw !== null && typeof (raw as Record<string, unknown>).config === 'object' && !('peft_type' in raw);
  } catch {
    return false;
  }
}

/** Reads the adapter's config and weight header (`prefix`: "adapter/" inside a model folder, "" for an adapter folder). */
export async function readBottleneckAdapter(folder: SourceFolder, prefix = ''): Promise<BottleneckAdapterFiles> {
  const configName = `${prefix}${BOTTLENECK_CONFIG}`;
  const weightsName = `${prefix}${BOTTLENECK_WEIGHTS}`;
  const configFile = folder.get(configName);
  const file = folder.get(weightsName);
  if (!configFile || !file) {
    const pickle = folder.has(`${prefix}pytorch_adapter.bin`) ? ` (${prefix}pytorch_adapter.bin is PyTorch pickle, which this app never executes: save with use_safetensors=True)` : '';
    throw new LayerwiseError('ADAPTER_FILES_MISSING', `the adapter's ${configFile ? weightsName : configName} is missing${pickle}: the model's bottleneck adapter is ${configName} with ${weightsName} (open the whole model folder, its ${BOTTLENECK_FOLDER}/ subfolder included)`, { file: configFile ? weightsName : configName });
  }
  return { config: parseBottleneckConfig(await utf8Text(configFile), configName), file, header: await readSafetensorsHeader(file) };
}

/**
 * Adds the adapter's tensors to the model's store (in place) and sets model.adapters. The file must hold exactly the
 * tensors its config places on this model's family, with their shapes (ADAPTER_MISMATCH lists every problem).
 */
export async function applyBottleneckAdapter(model: LoadedModel, adapter: BottleneckAdapterFiles): Promise<LoaderMessage> {
  const { config: c, header } = adapter;
  const { family, config, params } = model;
  if (model.task === 'mlm') throw new LayerwiseError('ADAPTERS_TASK_UNSUPPORTED', 'a bottleneck adapter needs a sequence or token classification model, not masked-LM', { file: BOTTLENECK_CONFIG });
  if (model.adapters) throw new LayerwiseError('ADAPTERS_PRESENT', 'the model has a bottleneck adapter already', { file: BOTTLENECK_CONFIG });
  const settings = { kind: c.kind, reductionFactor: c.reductionFactor, nonLinearity: c.nonLinearity };
  const result = bottleneckAdapters(settings, family.adapterSites(config));
  const expected = new Map(bottleneckShapes(result.placed, config.hidden_size, settings));
  const own = `.adapters.${BOTTLENECK_NAME}.`;
  const fileName = (name: string) => name.replace(own, `.adapters.${c.name}.`);
  const problems: string[] = [];
  if (c.hiddenSize !== null && c.hiddenSize !== config.hidden_size) problems.push(`it was made for hidden_size ${c.hiddenSize}, the model has ${config.hidden_size}`);
  const wanted = new Set([...expected.keys()].map(fileName));
  for (const key of header.tensors.keys()) {
    if (!wanted.has(key)) problems.push(`${key} is not a tensor of a ${c.kind} adapter "${c.name}" of this ${family.name} model`);
  }
  for (const [name, shape] of expected) {
    const info = header.tensors.get(fileName(name));
    if (info === undefined) problems.push(`${fileName(name)} is missing`);
    else if (info.shape.join() !== shape.join()) problems.push(`${fileName(name)} is [${info.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  if (problems.length > 0) {
    throw new LayerwiseError('ADAPTER_MISMATCH', `the bottleneck adapter does not fit this model (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`, { file: adapter.file.name });
  }
  const values: [string, Float32Array][] = [];
  for (const name of expected.keys()) values.push([name, await readTensorFloat32(adapter.file, header, fileName(name))]);
  const added: string[] = [];
  try {
    for (const [name, data] of values) {
      params.add(name, { shape: expected.get(name) as number[], data });
      added.push(name);
    }
  } catch (err) {
    params.remove(added);
    throw err;
  }
  model.adapters = result;
  model.parameterCount = params.parameterCount();
  return {
    level: 'info',
    code: 'ADAPTER_LOADED',
    message: `${c.kind} bottleneck adapter "${c.name}" (reduction factor ${c.reductionFactor}, ${c.nonLinearity}) on ${result.placed.length} sites${c.name === BOTTLENECK_NAME ? '' : `, named ${BOTTLENECK_NAME} here`}`,
    tensors: added,
  };
}
