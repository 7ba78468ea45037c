// The studio side of issue #18 against a fake worker: "Check gradients", the sweep and shared run recipes — the
// commands the engine client sends, the slices that take their events (only for their own request or sweep), what a
// crashed worker leaves; the Sweep panel's form read into the SweepConfig `layerwise sweep --config` reads, and a
// trial's settings patched into Configure as the planner made them; a recipe link opened and its files rechecked.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GradcheckReport } from '../../src/protocol/gradcheck';
import type { ToWorker } from '../../src/protocol/messages';
import { parseRunRecipe, recipeFragment, type RunRecipe } from '../../src/protocol/run-recipe';
import { parseSweepConfig, planTrials, type SweepConfig, type TrialResult } from '../../src/protocol/sweep';
import { DEFAULT_TRAIN_CONFIG, parseTrainConfig } from '../../src/protocol/train-config';
import { createEngineClient } from '../../src/ui/engine-client';
import { openRecipeLink, openRecipeText, watchRecipeFiles } from '../../src/ui/features/recipe/recipe-open';
import { DEFAULT_SWEEP_DRAFT, readValues, sortResults, sweepFromDraft, trialPatch, type SweepDraft } from '../../src/ui/features/sweep/sweep-form';
import { startBusy } from '../../src/ui/features/training/preflight';
import { createAppStore } from '../../src/ui/store/app-store';
import { FakeWorker } from './fake-worker';

let workers: FakeWorker[] = [];
beforeEach(() => {
  vi.useFakeTimers();
  workers = [];
});
afterEach(() => vi.useRealTimers());

function setup() {
  const store = createAppStore();
  const client = createEngineClient(store, () => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  });
  const worker = () => workers[workers.length - 1];
  const sent = <T extends ToWorker['type']>(type: T) => worker().sent.filter((m): m is Extract<ToWorker, { type: T }> => m.type === type);
  return { store, client, worker, sent };
}

const report: GradcheckReport = {
  loss: 0.69,
  examples: 4,
  options: { samplesPerTensor: 3, step: 1e-2, threshold: 5e-2 },
  modules: [{ module: 'head', checked: 6, worst: { name: 'classifier.weight', index: 3, analytic: 0.1, numeric: 0.1001, relativeError: 1e-3 }, pass: true }],
  pass: true,
};

describe('gradient check', () => {
  it('sends the config with a request id; progress and the report land in the slice, an older request\'s do not', () => {
    const { store, client, worker, sent } = setup();
    const config = parseTrainConfig({ seed: 3 });
    client.checkGradients(config, 4);
    const [command] = sent('checkGradients');
    expect(command).toMatchObject({ config, examples: 4 });
    worker().emit({ type: 'gradientCheckProgressed', requestId: command.requestId - 1, phase: 'checking', done: 1, total: 9 });
    expect(store.getState().gradientCheck.progress).toBeNull();
    worker().emit({ type: 'gradientCheckProgressed', requestId: command.requestId, phase: 'checking', done: 2, total: 9 });
    expect(store.getState().gradientCheck.progress).toEqual({ phase: 'checking', done: 2, total: 9 });
    worker().emit({ type: 'gradientsChecked', requestId: command.requestId, report, model: 'tiny' });
    expect(store.getState().gradientCheck).toEqual({ requestId: null, progress: null, report, model: 'tiny', error: null });
  });

  it('cancel names the check in flight and leaves no error; a failure is kept until dismissed; a crash fails the check', () => {
    const { store, client, worker, sent } = setup();
    client.checkGradients(DEFAULT_TRAIN_CONFIG, 4);
    const { requestId } = sent('checkGradients')[0];
    client.cancelGradientCheck();
    expect(sent('cancelGradientCheck')).toEqual([{ type: 'cancelGradientCheck', requestId }]);
    worker().emit({ type: 'gradientCheckFailed', requestId, error: { code: 'GRADCHECK_CANCELLED', message: 'cancelled' } });
    expect(store.getState().gradientCheck).toMatchObject({ requestId: null, error: null });

    client.checkGradients(DEFAULT_TRAIN_CONFIG, 4);
    worker().emit({ type: 'gradientCheckFailed', requestId: sent('checkGradients')[1].requestId, error: { code: 'TRAIN_NO_DATASET', message: 'no data' } });
    expect(store.getState().gradientCheck.error?.code).toBe('TRAIN_NO_DATASET');
    store.getState().dismissGradientCheckError();
    expect(store.getState().gradientCheck.error).toBeNull();

    client.checkGradients(DEFAULT_TRAIN_CONFIG, 4);
    worker().fail('boom');
    expect(store.getState().gradientCheck).toMatchObject({ requestId: null, error: { code: 'ENGINE_CRASHED' } });
  });
});

const base = parseTrainConfig({ maxSteps: 2, epochs: 1 });
const sweep: SweepConfig = parseSweepConfig({ base, method: 'grid', space: { learningRate: [1e-3, 1e-4], dropout: [0, 0.2] }, trials: 4, seed: 1, metric: 'accuracy', halving: null });
const result = (id: number, accuracy: number | null, loss: number | null): TrialResult => ({
  id,
  rung: 0,
  epochs: 1,
  values: planTrials(sweep)[id].values,
  score: accuracy,
  metrics: accuracy === null || loss === null ? null : { accuracy, eval_loss: loss },
  error: accuracy === null ? 'diverged' : null,
  seconds: 1,
});

describe('sweep', () => {
  it('start, each trial, stop and the end; events of another sweep change nothing', () => {
    const { store, client, worker, sent } = setup();
    expect(startBusy(store.getState())).toBe(false);
    const sweepId = client.startSweep(sweep);
    expect(sent('startSweep')).toEqual([{ type: 'startSweep', sweepId, sweep }]);
    // Train's Start waits while the sweep uses the model (the worker would refuse SWEEP_IN_PROGRESS).
    expect(startBusy(store.getState())).toBe(true);
    expect(store.getState().sweep).toMatchObject({ status: 'starting', sweepId, sweep });
    const trials = planTrials(sweep);
    worker().emit({ type: 'sweepStarted', sweepId: 'other', trials, rungs: [] });
    expect(store.getState().sweep.trials).toEqual([]);
    worker().emit({ type: 'sweepStarted', sweepId, trials, rungs: [{ epochs: 1, trials: 4 }] });
    worker().emit({ type: 'sweepTrialStarted', sweepId, id: 0, rung: 0, epochs: 1 });
    worker().emit({ type: 'sweepProgressed', sweepId, step: 1, totalSteps: 2 });
    expect(store.getState().sweep).toMatchObject({ status: 'running', trials, current: { id: 0, step: 1, totalSteps: 2 } });
    worker().emit({ type: 'sweepTrialFinished', sweepId, result: result(0, 0.5, 0.7) });
    expect(store.getState().sweep).toMatchObject({ current: null, results: [result(0, 0.5, 0.7)] });
    client.stopSweep();
    expect(sent('stopSweep')).toEqual([{ type: 'stopSweep', sweepId }]);
    expect(store.getState().sweep.status).toBe('stopping');
    worker().emit({ type: 'sweepFinished', sweepId, best: result(0, 0.5, 0.7), stopped: true });
    expect(store.getState().sweep).toMatchObject({ status: 'stopped', best: result(0, 0.5, 0.7) });
    expect(startBusy(store.getState())).toBe(false);
    client.stopSweep();
    expect(sent('stopSweep')).toHaveLength(1);
  });

  it('a crashed worker fails the sweep and keeps its results', () => {
    const { store, client, worker } = setup();
    const sweepId = client.startSweep(sweep);
    worker().emit({ type: 'sweepTrialFinished', sweepId, result: result(1, 0.6, 0.6) });
    worker().fail('gone');
    expect(store.getState().sweep).toMatchObject({ status: 'failed', error: { code: 'ENGINE_CRASHED' }, results: [result(1, 0.6, 0.6)] });
  });

  it('the form reads into the sweep `layerwise sweep --config` reads from the same JSON', () => {
    const draft: SweepDraft = {
      ...DEFAULT_SWEEP_DRAFT,
      values: { ...DEFAULT_SWEEP_DRAFT.values, learningRate: '1e-5 .. 1e-3 log', weightDecay: '0 .. 0.1', batchSize: '8, 16' },
      freeze: ['all', 'head-only'],
      trials: 6,
      seed: 9,
      metric: 'accuracy',
      halving: { eta: 3, rungs: 2 },
    };
    const freezeOf = (preset: string) => (preset === 'all' ? [] : ['bert']);
    expect(sweepFromDraft(draft, base, freezeOf)).toEqual(
      parseSweepConfig({
        base,
        method: 'random',
        space: { learningRate: { min: 1e-5, max: 1e-3, log: true }, batchSize: [8, 16], weightDecay: { min: 0, max: 0.1 }, freeze: [[], ['bert']] },
        trials: 6,
        seed: 9,
        metric: 'accuracy',
        halving: { eta: 3, rungs: 2 },
      }),
    );
  });

  it('a bad value is SWEEP_CONFIG_INVALID naming its field, as the CLI names it', () => {
    expect(() => readValues('dropout', '0.1, x')).toThrow(expect.objectContaining({ code: 'SWEEP_CONFIG_INVALID', location: { field: 'space.dropout' } }));
    expect(readValues('dropout', ' ')).toBeNull();
    const grid = { ...DEFAULT_SWEEP_DRAFT, method: 'grid' as const };
    expect(() => sweepFromDraft(grid, base, () => [])).toThrow(expect.objectContaining({ code: 'SWEEP_CONFIG_INVALID', location: { field: 'space.learningRate' } }));
    expect(() => sweepFromDraft({ ...DEFAULT_SWEEP_DRAFT, trials: '4x' }, base, () => [])).toThrow(expect.objectContaining({ location: { field: 'trials' } }));
  });

  it('"Use this trial\'s settings" gives Configure the planner\'s values and keeps the rest of the draft', () => {
    const { store } = setup();
    const draft = { ...DEFAULT_TRAIN_CONFIG, seed: 11, schedule: { ...DEFAULT_TRAIN_CONFIG.schedule, warmupSteps: 5 }, dropout: { hidden: 0.3, attention: 0.3, classifier: 0.05 } };
    const planned = planTrials(parseSweepConfig({ base: draft, method: 'grid', space: { learningRate: [3e-4], warmupRatio: [0.2], dropout: [0.15] }, trials: 1 }))[0];
    store.getState().configPatched(draft);
    store.getState().configPatched(trialPatch(planned, store.getState().config.draft));
    expect(store.getState().config.draft).toEqual(planned.config);
    expect(store.getState().config.learningRateFromModel).toBe(false);
  });

  it('results sort best first by the chosen metric, those without it last', () => {
    const results = [result(0, 0.5, 0.4), result(1, null, null), result(2, 0.9, 0.6), result(3, 0.7, 0.3)];
    expect(sortResults(sweep, results, 'accuracy').map((r) => r.id)).toEqual([2, 3, 0, 1]);
    expect(sortResults(sweep, results, 'eval_loss').map((r) => r.id)).toEqual([3, 0, 2, 1]);
  });
});

const fingerprint = (name: string, size: number) => ({ name, size, hash: size * 7 });
const recipe: RunRecipe = parseRunRecipe({
  kind: 'layerwise-run-recipe',
  version: 1,
  name: 'two.csv on tiny',
  model: { source: 'tiny', origin: { kind: 'built-in' }, files: [fingerprint('config.json', 10)] },
  data: { train: fingerprint('two.csv', 100), validation: null, choices: { labelColumn: 'label' } },
  config: { seed: 5, learningRate: 2e-4, batchSize: 8 },
});

describe('run recipes', () => {
  it('a link opens the recipe: Configure takes its config; a damaged one is RUN_RECIPE_INVALID', () => {
    const { store } = setup();
    openRecipeLink(store, recipeFragment(recipe));
    expect(store.getState().runRecipe.opened).toEqual({ recipe, requestId: null, check: null });
    expect(store.getState().config.draft).toEqual(recipe.config);
    openRecipeLink(store, `${recipeFragment(recipe).slice(0, 40)}`);
    expect(store.getState().runRecipe.openError).toMatchObject({ code: 'RUN_RECIPE_INVALID', location: { field: 'fragment' } });
    openRecipeText(store, '{"kind": ', 'r.recipe.json');
    expect(store.getState().runRecipe.openError).toMatchObject({ code: 'RUN_RECIPE_INVALID', location: { file: 'r.recipe.json' } });
  });

  it('the open files are checked when the recipe opens and whenever the model or a dataset changes; the answer to the latest check lands', () => {
    const { store, client, worker, sent } = setup();
    const stop = watchRecipeFiles(store, client);
    expect(sent('checkRecipeFiles')).toEqual([]);
    store.getState().recipeOpened(recipe);
    expect(sent('checkRecipeFiles')).toHaveLength(1);
    store.setState({ model: { ...store.getState().model, current: { source: 'tiny' } as never } });
    const [first, second] = sent('checkRecipeFiles');
    expect(second).toMatchObject({ recipe });
    const check = { model: { status: 'same' as const }, train: { status: 'missing' as const }, validation: { status: 'same' as const } };
    worker().emit({ type: 'recipeFilesChecked', requestId: first.requestId, check });
    expect(store.getState().runRecipe.opened?.check).toBeNull();
    worker().emit({ type: 'recipeFilesChecked', requestId: second.requestId, check });
    expect(store.getState().runRecipe.opened?.check).toEqual(check);
    stop();
  });

  it('a check the worker could not make ends with its error, the recipe still open', () => {
    const { store, client, worker, sent } = setup();
    store.getState().recipeOpened(recipe);
    client.checkRecipeFiles(recipe);
    const [command] = sent('checkRecipeFiles');
    const error = { code: 'RUN_RECIPE_INVALID', message: 'recipe.config: not an object', location: { field: 'recipe.config' } };
    worker().emit({ type: 'recipeFilesCheckFailed', requestId: command.requestId + 1, error });
    expect(store.getState().runRecipe.openError).toBeNull();
    worker().emit({ type: 'recipeFilesCheckFailed', requestId: command.requestId, error });
    expect(store.getState().runRecipe.openError).toEqual(error);
    expect(store.getState().runRecipe.opened).toMatchObject({ recipe, requestId: null, check: null });
  });

  it('sharing sends Configure\'s config with how the training file was read; the recipe lands for its request', () => {
    const { store, client, worker, sent } = setup();
    store.setState({ dataset: { ...store.getState().dataset, train: { choices: { labelColumn: 'stars' } } as never } });
    client.shareRecipe(recipe.config);
    const [command] = sent('shareRecipe');
    expect(command).toMatchObject({ config: recipe.config, choices: { labelColumn: 'stars' } });
    worker().emit({ type: 'recipeShared', requestId: command.requestId + 1, recipe });
    expect(store.getState().runRecipe.shared.recipe).toBeNull();
    worker().emit({ type: 'recipeShared', requestId: command.requestId, recipe });
    expect(store.getState().runRecipe.shared).toEqual({ requestId: null, recipe, error: null });
  });
});
