// Loading a checkpoint folder for a command: the engine's strict loader (with the adapter --adapter names: a PEFT LoRA
// adapter merged onto it, or an adapters-library bottleneck adapter added to it), with its notes and warnings on
// stderr so that stdout stays machine-readable.
import type { SourceFolder } from '../formats/source-file';
import { loadModelFolder, type LoadOptions, type LoadedModel } from '../engine/load';
import { loadModelWithAdapter } from '../engine/peft-load';
import { applyBottleneckAdapter, isBottleneckFolder, readBottleneckAdapter } from '../engine/bottleneck-load';
import { nodeFolder } from './node-files';

/** Loads the folder and adds the bottleneck adapter of `adapterFolder` (the model is freed when that fails). */
async function loadWithBottleneck(folder: SourceFolder, adapterFolder: SourceFolder, opts: LoadOptions): Promise<LoadedModel> {
  const adapter = await readBottleneckAdapter(adapterFolder);
  const model = await loadModelFolder(folder, opts);
  try {
    model.messages.push(await applyBottleneckAdapter(model, adapter));
    return model;
  } catch (err) {
    model.params.dispose();
    throw err;
  }
}

/**
 * adapter: the --adapter folder, loaded onto the --model folder: PEFT's (adapter_config.json + adapter_model.safetensors)
 * or the adapters library's (adapter_config.json with its BnConfig + adapter.safetensors).
 */
export async function loadModelForCommand(folder: SourceFolder, command: string, opts: LoadOptions = {}, adapter?: string): Promise<LoadedModel> {
  const adapterFolder = adapter === undefined ? null : nodeFolder(adapter);
  const model =
    adapterFolder === null
      ? await loadModelFolder(folder, opts)
      : (await isBottleneckFolder(adapterFolder))
        ? await loadWithBottleneck(folder, adapterFolder, opts)
        : await loadModelWithAdapter(folder, adapterFolder, opts);
  for (const m of model.messages) console.error(`layerwise ${command}: ${m.level}: ${m.code}: ${m.message}`);
  return model;
}
