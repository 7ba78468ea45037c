// `layerwise train --recipe FILE`: a run recipe shared from the studio (protocol/run-recipe.ts), rerun headless on the
// model and data files given on the command line. The files must be the ones the recipe was made with (the same size
// and content hash; a renamed copy is the same file): other files would make another run under the same name.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fingerprintFile } from '../engine/file-fingerprint';
import { LayerwiseError } from '../lib/errors';
import type { FileFingerprint } from '../protocol/run-checkpoint';
import { parseRunRecipe, type RunRecipe } from '../protocol/run-recipe';
import { readJsonFile } from './batch-file';
import { nodeFile } from './node-files';

export async function readRunRecipe(file: string): Promise<RunRecipe> {
  const read = await readJsonFile(file);
  return parseRunRecipe(read.value, read.file);
}

const same = (a: FileFingerprint, b: FileFingerprint) => a.size === b.size && a.hash === b.hash;
const shown = (f: FileFingerprint) => `${f.name} (${f.size.toLocaleString('en-US')} bytes)`;

/** Refuses a model folder that lacks one of the recipe's model files, or data files other than the recipe's. */
export async function checkRecipeFiles(recipe: RunRecipe, modelDir: string, data: string, validation: string | undefined): Promise<void> {
  const present = await Promise.all(
    readdirSync(modelDir)
      .filter((name) => statSync(path.join(modelDir, name)).isFile())
      .map((name) => fingerprintFile(nodeFile(path.join(modelDir, name)))),
  );
  const missing = recipe.model.files.filter((want) => !present.some((f) => same(f, want)));
  if (missing.length > 0) {
    throw new LayerwiseError('TRAIN_RECIPE_MODEL_MISMATCH', `${modelDir} is not the model the recipe "${recipe.name}" was made with (${recipe.model.source}): it lacks ${missing.map(shown).join(', ')} as the recipe has them.`, {
      file: missing[0].name,
      field: 'model',
    });
  }
  const check = async (given: string | undefined, want: FileFingerprint | null, flag: string) => {
    if (want === null) {
      if (given !== undefined) throw new LayerwiseError('TRAIN_RECIPE_DATA_MISMATCH', `the recipe "${recipe.name}" holds out a share of the training file; it has no --${flag} file`, { field: flag });
      return;
    }
    if (given === undefined) throw new LayerwiseError('TRAIN_RECIPE_DATA_MISMATCH', `the recipe "${recipe.name}" evaluates on ${shown(want)}: pass it as --${flag}`, { field: flag });
    if (!existsSync(given) || !statSync(given).isFile()) throw new LayerwiseError('CLI_FILE_NOT_FOUND', `${given} is not a file`, { file: given, field: flag });
    const now = await fingerprintFile(nodeFile(given));
    if (!same(now, want)) {
      throw new LayerwiseError('TRAIN_RECIPE_DATA_MISMATCH', `${given} (${now.size.toLocaleString('en-US')} bytes) is not the file the recipe "${recipe.name}" was made with: ${shown(want)}`, { file: given, field: flag });
    }
  };
  await check(data, recipe.data.train, 'data');
  await check(validation, recipe.data.validation, 'validation');
}
