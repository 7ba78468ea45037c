// A shareable run recipe (issue #18): everything that defines a run except the files themselves — the model's name
// and where it comes from, the dataset's name and how its columns were read, the TrainConfig (layer choices, seed and
// augmentation are in it) — with fingerprints of the files, so that whoever reruns it is told when they open other
// files. As a JSON file, and as a URL fragment that reopens the studio with everything set but the files; `layerwise
// train --recipe FILE` runs it headless.
import { LayerwiseError } from '../lib/errors';
import type { DatasetReadChoices } from './dataset-summary';
import type { FileFingerprint } from './run-checkpoint';
import { parseTrainConfig, type TrainConfig } from './train-config';

export interface RunRecipe {
  kind: 'layerwise-run-recipe';
  version: 1;
  /** "reviews.csv on bert-base-uncased": how the studio names the run. */
  name: string;
  model: {
    /** The model's name as the studio showed it (a folder name, a Hub id, the built-in model's name). */
    source: string;
    /** Where to get it again: the built-in model, a Hub id and revision, or the user's own folder. */
    origin: { kind: 'built-in' } | { kind: 'hub'; id: string; revision: string } | { kind: 'folder' };
    files: FileFingerprint[];
  };
  data: {
    train: FileFingerprint;
    validation: FileFingerprint | null;
    /** How the training file was read (format, text and label columns, ...). */
    choices: DatasetReadChoices;
  };
  config: TrainConfig;
}

const FRAGMENT_KEY = 'recipe';

function fail(message: string, field: string, file?: string): never {
  throw new LayerwiseError('RUN_RECIPE_INVALID', message, { field, file });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fingerprint(v: unknown, field: string, file?: string): FileFingerprint {
  if (!isObject(v) || typeof v.name !== 'string' || !Number.isSafeInteger(v.size) || !Number.isSafeInteger(v.hash)) {
    fail(`${field} must be a file fingerprint {name, size, hash}`, field, file);
  }
  return { name: v.name, size: v.size as number, hash: v.hash as number };
}

/** Validates a recipe read from a file or a link; its TrainConfig is parsed as the CLI parses --config. */
export function parseRunRecipe(input: unknown, file?: string): RunRecipe {
  if (!isObject(input) || input.kind !== 'layerwise-run-recipe') fail('not a Layerwise run recipe (its "kind" must be "layerwise-run-recipe")', 'kind', file);
  if (input.version !== 1) fail(`recipe version ${JSON.stringify(input.version)} is not one this build reads (1)`, 'version', file);
  if (typeof input.name !== 'string') fail('name must be a string', 'name', file);
  const model = input.model;
  if (!isObject(model) || typeof model.source !== 'string' || !Array.isArray(model.files)) fail('model must be {source, origin, files}', 'model', file);
  const origin = model.origin;
  const validOrigin =
    isObject(origin) &&
    (origin.kind === 'built-in' || origin.kind === 'folder' || (origin.kind === 'hub' && typeof origin.id === 'string' && typeof origin.revision === 'string'));
  if (!validOrigin) fail('model.origin must be {kind: "built-in"}, {kind: "folder"} or {kind: "hub", id, revision}', 'model.origin', file);
  const data = input.data;
  if (!isObject(data) || !isObject(data.choices)) fail('data must be {train, validation, choices}', 'data', file);
  return {
    kind: 'layerwise-run-recipe',
    version: 1,
    name: input.name,
    model: { source: model.source, origin: origin as RunRecipe['model']['origin'], files: model.files.map((f, i) => fingerprint(f, `model.files[${i}]`, file)) },
    data: {
      train: fingerprint(data.train, 'data.train', file),
      validation: data.validation == null ? null : fingerprint(data.validation, 'data.validation', file),
      choices: data.choices as DatasetReadChoices,
    },
    config: parseTrainConfig(input.config, file),
  };
}

/** base64url of UTF-8, without padding: safe in a URL fragment. */
function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The fragment of a link that reopens the studio with this recipe: "#recipe=…". */
export function recipeFragment(recipe: RunRecipe): string {
  return `#${FRAGMENT_KEY}=${toBase64Url(JSON.stringify(recipe))}`;
}

/** The recipe in a location.hash, null when it carries none; a damaged one is RUN_RECIPE_INVALID. */
export function recipeFromFragment(hash: string): RunRecipe | null {
  const match = new RegExp(`^#?${FRAGMENT_KEY}=([A-Za-z0-9_-]*)$`).exec(hash);
  if (match === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(fromBase64Url(match[1]));
  } catch {
    fail('the link\'s recipe is damaged (cut off or edited): ask for the link again', 'fragment');
  }
  return parseRunRecipe(value, 'link');
}
