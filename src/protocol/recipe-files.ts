// The files open in the studio against a shared run recipe's fingerprints (protocol/run-recipe.ts): for the model
// folder, the training file and the validation file, whether what is open is the recipe's, and if not, which file
// differs and how — said as a coded warning the studio shows until the right file is opened. Pure: the worker
// fingerprints the files (engine/file-fingerprint.ts) and this compares, as `layerwise train --recipe` compares.
import type { LayerwiseErrorData } from '../lib/errors';
import type { FileFingerprint } from './run-checkpoint';
import type { RunRecipe } from './run-recipe';

/** One file the recipe names that is not open as it has it: `have` is the open file of that name (null: none). */
export interface FileDifference {
  want: FileFingerprint;
  have: FileFingerprint | null;
}

export type RecipeFileState =
  /** Nothing is open in that place yet. */
  | { status: 'missing' }
  /** What is open is the recipe's (a renamed copy is the same file). */
  | { status: 'same' }
  /** What is open is not the recipe's: the warning names the file. */
  | { status: 'differs'; differences: FileDifference[]; warning: LayerwiseErrorData }
  /** The recipe has no such file (a validation file where the recipe holds out a share of the training file). */
  | { status: 'unexpected'; name: string; warning: LayerwiseErrorData };

export interface RecipeFilesCheck {
  model: RecipeFileState;
  train: RecipeFileState;
  validation: RecipeFileState;
}

/** The fingerprints of what is open now: the model folder runs start from, the dataset files. */
export interface OpenFiles {
  model: FileFingerprint[] | null;
  train: FileFingerprint | null;
  validation: FileFingerprint | null;
}

const same = (a: FileFingerprint, b: FileFingerprint) => a.size === b.size && a.hash === b.hash;
const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;

/** "model.safetensors differs: the recipe's has 1,024 bytes, this one 1,040 bytes" and the like. */
export function differenceText(d: FileDifference): string {
  if (d.have === null) return `${d.want.name} is missing (the recipe's has ${bytes(d.want.size)})`;
  const named = d.have.name === d.want.name ? d.want.name : `${d.have.name} (the recipe's ${d.want.name})`;
  return d.have.size === d.want.size
    ? `${named} differs: the same size (${bytes(d.want.size)}) but other content`
    : `${named} differs: the recipe's has ${bytes(d.want.size)}, this one ${bytes(d.have.size)}`;
}

/** Each file of the recipe's model folder must be open with the same content, under any name. */
function modelState(recipe: RunRecipe, open: FileFingerprint[] | null): RecipeFileState {
  if (open === null) return { status: 'missing' };
  const differences = recipe.model.files
    .filter((want) => !open.some((have) => same(have, want)))
    .map((want) => ({ want, have: open.find((have) => have.name === want.name) ?? null }));
  if (differences.length === 0) return { status: 'same' };
  return {
    status: 'differs',
    differences,
    warning: {
      code: 'RECIPE_MODEL_MISMATCH',
      message: `The model open now is not the recipe's (${recipe.model.source}): ${differences.map(differenceText).join('; ')}.`,
      location: { file: differences[0].want.name },
    },
  };
}

function dataState(recipe: RunRecipe, role: 'train' | 'validation', open: FileFingerprint | null): RecipeFileState {
  const want = recipe.data[role];
  const what = role === 'train' ? 'training file' : 'validation file';
  if (want === null) {
    if (open === null) return { status: 'same' };
    return {
      status: 'unexpected',
      name: open.name,
      warning: {
        code: 'RECIPE_DATA_MISMATCH',
        message: `The recipe holds out a share of the training file and has no validation file, but ${open.name} is open as one: remove it to run the recipe as it was.`,
        location: { file: open.name },
      },
    };
  }
  if (open === null) return { status: 'missing' };
  if (same(open, want)) return { status: 'same' };
  const difference = { want, have: open };
  return {
    status: 'differs',
    differences: [difference],
    warning: { code: 'RECIPE_DATA_MISMATCH', message: `The ${what} open now is not the recipe's: ${differenceText(difference)}.`, location: { file: open.name } },
  };
}

export function compareRecipeFiles(recipe: RunRecipe, open: OpenFiles): RecipeFilesCheck {
  return { model: modelState(recipe, open.model), train: dataState(recipe, 'train', open.train), validation: dataState(recipe, 'validation', open.validation) };
}

/** Every file is the recipe's: the run can start as it was shared. */
export function recipeFilesMatch(check: RecipeFilesCheck): boolean {
  return check.model.status === 'same' && check.train.status === 'same' && check.validation.status === 'same';
}
