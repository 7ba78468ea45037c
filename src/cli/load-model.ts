// Loading a checkpoint folder for a command: the engine's strict loader, with its notes and warnings on stderr so
// that stdout stays machine-readable.
import type { SourceFolder } from '../formats/source-file';
import { loadModelFolder, type LoadOptions, type LoadedModel } from '../engine/load';

export async function loadModelForCommand(folder: SourceFolder, command: string, opts: LoadOptions = {}): Promise<LoadedModel> {
  const model = await loadModelFolder(folder, opts);
  for (const m of model.messages) console.error(`layerwise ${command}: ${m.level}: ${m.code}: ${m.message}`);
  return model;
}
