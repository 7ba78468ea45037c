// Run recipes (src/protocol/run-recipe.ts): a recipe survives the link fragment byte for byte (non-ASCII names
// included), its TrainConfig is parsed as --config is, and damaged recipes or links are RUN_RECIPE_INVALID.
import { describe, expect, it } from 'vitest';
import { parseRunRecipe, recipeFragment, recipeFromFragment, type RunRecipe } from '../../src/protocol/run-recipe';
import { parseTrainConfig } from '../../src/protocol/train-config';

const recipe: RunRecipe = {
  kind: 'layerwise-run-recipe',
  version: 1,
  name: 'critiques-été.csv on bert-base-uncased',
  model: { source: 'google-bert/bert-base-uncased', origin: { kind: 'hub', id: 'google-bert/bert-base-uncased', revision: 'main' }, files: [{ name: 'config.json', size: 570, hash: 123456 }] },
  data: { train: { name: 'critiques-été.csv', size: 9_000, hash: 42 }, validation: null, choices: { textColumns: ['texte'], labelColumn: 'étiquette' } },
  config: parseTrainConfig({ epochs: 2, freeze: ['bert.embeddings'], layerDecay: 0.8, seed: 7, augment: { copies: 1, alpha: 0.1, operations: ['swap'] } }),
};

describe('run recipes', () => {
  it('round-trip through a link fragment', () => {
    const fragment = recipeFragment(recipe);
    expect(fragment).toMatch(/^#recipe=[A-Za-z0-9_-]+$/);
    expect(recipeFromFragment(fragment)).toEqual(recipe);
    expect(recipeFromFragment('#panel=train')).toBeNull();
    expect(recipeFromFragment('')).toBeNull();
  });

  it('refuses damaged links and recipes with RUN_RECIPE_INVALID, and bad configs with TRAIN_CONFIG_INVALID', () => {
    const fragment = recipeFragment(recipe);
    expect(() => recipeFromFragment(fragment.slice(0, -10))).toThrow(expect.objectContaining({ code: 'RUN_RECIPE_INVALID', location: expect.objectContaining({ field: 'fragment' }) }));
    expect(() => parseRunRecipe({ ...recipe, kind: 'something-else' })).toThrow(expect.objectContaining({ code: 'RUN_RECIPE_INVALID' }));
    expect(() => parseRunRecipe({ ...recipe, version: 2 })).toThrow(/version 2/);
    expect(() => parseRunRecipe({ ...recipe, model: { ...recipe.model, origin: { kind: 'hub' } } })).toThrow(expect.objectContaining({ location: expect.objectContaining({ field: 'model.origin' }) }));
    expect(() => parseRunRecipe({ ...recipe, data: { ...recipe.data, train: { name: 'x' } } })).toThrow(expect.objectContaining({ location: expect.objectContaining({ field: 'data.train' }) }));
    expect(() => parseRunRecipe({ ...recipe, config: { ...recipe.config, batchSize: 0 } })).toThrow(expect.objectContaining({ code: 'TRAIN_CONFIG_INVALID' }));
  });
});
