// Shareable run recipes in the worker (issue #18, protocol/run-recipe.ts): "Share this run" writes the recipe of a
// config with the folder runs start from and the open datasets, their files fingerprinted (engine/file-fingerprint.ts,
// as a resumable run's are); a studio opened from a recipe has the files it opens checked against it
// (protocol/recipe-files.ts), as `layerwise train --recipe` checks them.
import { fingerprintFile } from '../engine/file-fingerprint';
import type { SourceFile, SourceFolder } from '../formats/source-file';
import { LayerwiseError } from '../lib/errors';
import type { DatasetReadChoices } from '../protocol/dataset-summary';
import { compareRecipeFiles, type RecipeFilesCheck } from '../protocol/recipe-files';
import type { RunRecipe } from '../protocol/run-recipe';
import { parseTrainConfig, type TrainConfig } from '../protocol/train-config';

/** What the studio has open that a recipe names: the folder runs start from and where it came from, the dataset files. */
export interface RecipeSources {
  model: { folder: SourceFolder; source: string; fromSite: boolean; hub: { id: string; revision: string } | null; adapted: boolean } | null;
  train: SourceFile | null;
  validation: SourceFile | null;
}

const folderPrints = (folder: SourceFolder) => Promise.all([...folder.values()].map((f) => fingerprintFile(f)));

export async function shareRecipe(open: RecipeSources, given: TrainConfig, choices: DatasetReadChoices): Promise<RunRecipe> {
  const { model, train, validation } = open;
  if (model === null) throw new LayerwiseError('SHARE_NO_MODEL', 'Open a model in the Model panel first: a recipe names the model a run starts from.');
  if (model.adapted) {
    throw new LayerwiseError('SHARE_ADAPTED_MODEL', 'This model was adapted to your text in this page, and those weights exist only here: a recipe could not name them. Share before adapting, or export the adapted model and share a recipe of that folder.');
  }
  if (train === null) throw new LayerwiseError('TRAIN_NO_DATASET', 'Open a dataset file in the Dataset panel first: a recipe names the data a run trains on.', { field: 'data' });
  // The page is not trusted to send a valid config: parsed as the CLI parses --config (and as the recipe is read back).
  const config = parseTrainConfig(given);
  const origin: RunRecipe['model']['origin'] = model.fromSite ? { kind: 'built-in' } : model.hub !== null ? { kind: 'hub', ...model.hub } : { kind: 'folder' };
  return {
    kind: 'layerwise-run-recipe',
    version: 1,
    name: `${train.name} on ${model.source}`,
    model: { source: model.source, origin, files: await folderPrints(model.folder) },
    data: { train: await fingerprintFile(train), validation: validation && (await fingerprintFile(validation)), choices },
    config,
  };
}

export async function checkRecipeFiles(open: RecipeSources, recipe: RunRecipe): Promise<RecipeFilesCheck> {
  return compareRecipeFiles(recipe, {
    model: open.model && (await folderPrints(open.model.folder)),
    train: open.train && (await fingerprintFile(open.train)),
    validation: open.validation && (await fingerprintFile(open.validation)),
  });
}
