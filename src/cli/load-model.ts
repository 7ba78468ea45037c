// Loading a checkpoint folder for a command: the engine's strict loader (with a PEFT LoRA adapter merged onto it when
// --adapter names one), with its notes and warnings on stderr so that stdout stays machine-readable.
import type { SourceFolder } from '../formats/source-file';
import { loadModelFolder, type LoadOptions, type LoadedModel } from '../engine/load';
import { loadModelWithAdapter } from '../engine/peft-load';
import { nodeFolder } from './node-files';

/** adapter: the --adapter folder (adapter_config.json + adapter_model.safetensors), loaded onto the --model folder. */
export async function loadModelForCommand(folder: SourceFolder, command: string, opts: LoadOptions = {}, adapter?: string): Promise<LoadedModel> {
  const model = adapter === undefined ? await loadModelFolder(folder, opts) : await loadModelWithAdapter(folder, nodeFolder(adapter), opts);
  for (const m of model.messages) console.error(`layerwise ${command}: ${m.level}: ${m.code}: ${m.message}`);
  return model;
}
