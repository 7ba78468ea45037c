// The training recipe's Python modules (src/engine/export/recipe/layerwise_plan.py and layerwise_metrics.py, which
// train.py runs on the cluster) against the engine's TypeScript, on the same checkpoint names and TrainConfigs:
// every parameter's group, depth, frozen or not (and why), learning-rate scale and weight decay; the rate and decay
// real torch.optim.AdamW groups hold at several steps; the schedules, the step counts, ReduceLROnPlateau, early
// stopping, and the classification and entity metrics. Names come from every registered family's parameter list
// for every task. Needs Debian's python3-torch; skipped with that message where it is missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getModelFamily, parseModelConfig } from '../../../src/engine/models/index';
import { classificationReport } from '../../../src/engine/metrics/classification';
import { EarlyStopping } from '../../../src/engine/metrics/early-stopping';
import { entityReport } from '../../../src/engine/metrics/entities';
import { createRng } from '../../../src/lib/random';
import { effectiveLr, planParameterGroups } from '../../../src/protocol/param-groups';
import { deriveSchedule, learningRateAt, PlateauScheduler } from '../../../src/protocol/schedule';
import { parseTrainConfig, type TrainConfig } from '../../../src/protocol/train-config';
import type { Task } from '../../../src/protocol/task';

const PYTHON = '/usr/bin/python3';
const DRIVER = path.join(import.meta.dirname, 'recipe_parity.py');
const GOLDEN = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');

const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const missing = probe.status === 0 ? null : 'python3-torch is not installed (apt-get install python3-torch)';

/** Checkpoint names of each family for each task, as the engine names its parameters. */
function familyNames(): { label: string; family: string; numLayers: number; names: string[]; base: string; depthOf: (name: string) => number }[] {
  const configs: Record<string, string> = {
    bert: readFileSync(path.join(GOLDEN, 'bert-seq-cls', 'config.json'), 'utf8'),
    roberta: readFileSync(path.join(GOLDEN, 'roberta-seq-cls', 'config.json'), 'utf8'),
    distilbert: readFileSync(path.join(GOLDEN, 'distilbert-seq-cls', 'config.json'), 'utf8'),
    electra: JSON.stringify({ model_type: 'electra', vocab_size: 50, embedding_size: 8, hidden_size: 16, num_hidden_layers: 3, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 }),
  };
  return Object.entries(configs).flatMap(([name, text]) => {
    const { config } = parseModelConfig(text);
    const family = getModelFamily(config);
    return (['seq-cls', 'token-cls', 'mlm'] as Task[]).map((task) => ({
      label: `${name} ${task}`,
      family: family.name,
      numLayers: config.num_hidden_layers,
      names: [...family.parameterShapes(config, task).keys()],
      base: family.basePrefix,
      depthOf: (n: string) => family.depthOf(n, config),
    }));
  });
}

/** TrainConfigs that exercise every part of the plan; prefixes follow the family's base-model prefix. */
function configsFor(base: string, names: readonly string[]): { label: string; config: TrainConfig; epochs: number[] }[] {
  const head = names.find((n) => !n.startsWith(`${base}.`))!.split('.')[0];
  const layer = names.some((n) => n.includes('.encoder.layer.1.')) ? `${base}.encoder.layer.1` : `${base}.transformer.layer.1`;
  return [
    { label: 'defaults', config: parseTrainConfig({}), epochs: [0] },
    {
      label: 'freeze, pyramid, multipliers, decay exclusions, cosine',
      config: parseTrainConfig({
        freeze: [`${base}.embeddings`],
        layerDecay: 0.8,
        lrMultipliers: { [head]: 10, [`${layer}.attention`]: 0.5, [layer]: 2 },
        weightDecay: 0.05,
        noDecay: ['bias', 'LayerNorm', 'layer_norm', 'position'],
        learningRate: 3e-4,
        schedule: { type: 'cosine', warmupRatio: 0.1, minLr: 1e-6, numCycles: 0.7 },
      }),
      epochs: [0],
    },
    {
      label: 'gradual unfreezing with a pyramid, polynomial',
      config: parseTrainConfig({ gradualUnfreeze: 1, layerDecay: 0.9, schedule: { type: 'polynomial', power: 2, minLr: 1e-6, warmupSteps: 3 } }),
      epochs: [0, 1, 2, 3, 4],
    },
    { label: 'cosine with restarts', config: parseTrainConfig({ schedule: { type: 'cosine-restarts', restartCycles: 3, warmupRatio: 0.05 }, layerDecay: 0.7 }), epochs: [0] },
    { label: 'step decay', config: parseTrainConfig({ schedule: { type: 'step', stepSize: 4, gamma: 0.5, warmupSteps: 2 } }), epochs: [0] },
    { label: 'constant', config: parseTrainConfig({ schedule: { type: 'constant', warmupSteps: 0 }, freeze: [head] }), epochs: [0] },
  ];
}

type Case = Record<string, unknown> & { kind: string };
const cases: Case[] = [];
const expectations: ((answer: unknown) => void)[] = [];
let answers: unknown[] = [];
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-recipe-'));

const STEPS = [0, 1, 2, 3, 4, 5, 10, 17, 25, 36, 37];
const TOTAL = 37;

function closeTo(actual: number, expected: number, what: string): void {
  // Both sides compute in float64; pow and cos may differ in the last bit between V8 and libm.
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(Math.abs(expected), Number.MIN_VALUE));
}

function addCase(c: Case, check: (answer: unknown) => void): number {
  cases.push(c);
  expectations.push(check);
  return cases.length - 1;
}

const planCases: { label: string; index: number }[] = [];
for (const f of familyNames()) {
  for (const c of configsFor(f.base, f.names)) {
    const index = addCase({ kind: 'plan', names: f.names, family: f.family, num_layers: f.numLayers, config: c.config, epochs: c.epochs, steps: STEPS, total: TOTAL }, (answer) => {
      const { plans, rates } = answer as { plans: { params: Record<string, unknown>[]; groups: Record<string, unknown>[] }[]; rates: Record<string, [number, number]>[] };
      c.epochs.forEach((epoch, k) => {
        const ts = planParameterGroups(f.names, f.depthOf, f.numLayers, c.config, epoch);
        const py = plans[k];
        expect(py.params.map((p) => [p.name, p.group, p.depth, p.trainable, p.frozen_by, p.weight_decay])).toEqual(
          ts.params.map((p) => [p.name, p.group, p.depth, p.trainable, p.frozenBy, p.weightDecay]),
        );
        ts.params.forEach((p, i) => closeTo(py.params[i].lr_scale as number, p.lrScale, `${p.name} lrScale at epoch ${epoch}`));
        expect(py.groups.map((g) => [g.name, g.depth, g.params, g.trainable])).toEqual(ts.groups.map((g) => [g.name, g.depth, g.params, g.trainable]));
        ts.groups.forEach((g, i) => closeTo(py.groups[i].lr_scale as number, g.lrScale, `group ${g.name} lrScale`));
      });
      // AdamW's groups: every parameter not frozen by `freeze` is there, with the engine's rate and decay at each step.
      const epoch0 = planParameterGroups(f.names, f.depthOf, f.numLayers, { ...c.config, gradualUnfreeze: null });
      STEPS.forEach((step, s) => {
        const inOptimizer = Object.keys(rates[s]).sort();
        expect(inOptimizer).toEqual(epoch0.params.filter((p) => p.frozenBy !== 'freeze').map((p) => p.name).sort());
        for (const p of epoch0.params.filter((q) => q.frozenBy !== 'freeze')) {
          closeTo(rates[s][p.name][0], effectiveLr(p.lrScale, step, TOTAL, c.config), `${p.name} lr at step ${step}`);
          expect(rates[s][p.name][1]).toBe(p.weightDecay);
        }
      });
    });
    planCases.push({ label: `${f.label}: ${c.label}`, index });
  }
}

const unknownPrefix = parseTrainConfig({ freeze: ['bert.encoder.layer.1', 'bert.encoder.layer.9'], lrMultipliers: { 'bert.pooler.dens': 2 } });
const errorIndex = addCase({ kind: 'error', names: familyNames()[0].names, family: 'bert', num_layers: 2, config: unknownPrefix }, (answer) => {
  const err = answer as { code: string; message: string };
  expect(err.code).toBe('TRAIN_CONFIG_UNKNOWN_PREFIX');
  expect(err.message).toContain('freeze "bert.encoder.layer.9"');
  expect(err.message).toContain('lrMultipliers "bert.pooler.dens"');
  expect(err.message).not.toContain('"bert.encoder.layer.1"');
});

const scheduleIndex: number[] = [];
for (const schedule of [
  { type: 'linear', warmupRatio: 0.1 },
  { type: 'cosine', warmupSteps: 5, minLr: 2e-6, numCycles: 0.5 },
  { type: 'cosine', warmupRatio: 0, numCycles: 1.5 },
  { type: 'cosine-restarts', restartCycles: 4, warmupSteps: 1 },
  { type: 'polynomial', power: 0.5, minLr: 1e-7, warmupRatio: 0.2 },
  { type: 'step', stepSize: 3, gamma: 0.3, warmupSteps: 0 },
  { type: 'constant', warmupRatio: 0.25 },
  { type: 'plateau', warmupSteps: 4 },
]) {
  const config = parseTrainConfig({ learningRate: 4e-5, schedule });
  const steps = Array.from({ length: TOTAL + 3 }, (_, i) => i);
  scheduleIndex.push(
    addCase({ kind: 'schedule', config, steps, total: TOTAL }, (answer) => {
      (answer as number[]).forEach((lr, i) => closeTo(lr, learningRateAt(steps[i], TOTAL, config.schedule, config.learningRate), `${schedule.type} step ${steps[i]}`));
    }),
  );
}

const deriveIndex: number[] = [];
for (const [input, batches] of [
  [{ epochs: 3 }, 10],
  [{ epochs: 2.5, gradAccumulation: 4 }, 10],
  [{ epochs: 5, maxSteps: 7, schedule: { warmupRatio: 0.3 } }, 3],
  [{ epochs: 0.3, gradAccumulation: 2, schedule: { warmupSteps: 2 } }, 1],
] as const) {
  const config = parseTrainConfig(input);
  deriveIndex.push(
    addCase({ kind: 'derive', config, batches }, (answer) => {
      const d = deriveSchedule(config, batches);
      expect(answer).toEqual({ steps_per_epoch: d.stepsPerEpoch, total_steps: d.totalSteps, warmup_steps: d.warmupSteps, epochs: d.epochs });
    }),
  );
}

const plateauIndex: number[] = [];
for (const [plateau, goal, values] of [
  [{ metric: 'eval_loss', factor: 0.5, patience: 1, threshold: 1e-4, thresholdMode: 'rel', cooldown: 1 }, 'min', [1, 0.9, 0.95, 0.96, 0.97, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]],
  [{ metric: 'accuracy', factor: 0.2, patience: 0, threshold: 0.01, thresholdMode: 'abs', cooldown: 0 }, 'max', [0.5, 0.505, 0.52, 0.52, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]],
] as const) {
  const config = parseTrainConfig({ schedule: { type: 'plateau', minLr: 1e-6, plateau: { ...plateau } }, earlyStopping: { metric: plateau.metric } });
  plateauIndex.push(
    addCase({ kind: 'plateau', config, goal, values }, (answer) => {
      const p = new PlateauScheduler(config.learningRate, config.schedule, goal);
      expect(answer).toEqual(values.map((v) => [p.step(v), p.lr]));
    }),
  );
}

const earlyIndex: number[] = [];
for (const [earlyStopping, values] of [
  [{ metric: 'eval_loss', patience: 2, minDelta: 0.01 }, [1, 0.995, 0.99, 0.98, 0.975, 0.97, 0.5]],
  [{ metric: 'f1_macro', patience: 3, minDelta: 0 }, [0.2, 0.3, 0.3, 0.29, 0.31, 0.31, 0.31, 0.31]],
  [{ metric: 'accuracy', patience: null, minDelta: 0 }, [0.1, 0.2, 0.1]],
] as const) {
  const config = parseTrainConfig({ earlyStopping: { ...earlyStopping, restoreBest: true } });
  earlyIndex.push(
    addCase({ kind: 'early', config, values }, (answer) => {
      const e = new EarlyStopping(config.earlyStopping);
      expect(answer).toEqual(values.map((v, i) => {
        const d = e.update(i + 1, { [earlyStopping.metric]: v });
        return [d.isBest, d.shouldStop];
      }));
    }),
  );
}

const metricIndex: number[] = [];
for (const seed of [1, 2, 3]) {
  const rng = createRng(seed, 3);
  const classes = 2 + seed;
  const yTrue = Array.from({ length: 60 }, () => rng.int(classes));
  // Some predictions outside the label list (as an unknown id would be) and some classes never predicted.
  const yPred = yTrue.map((t) => (rng.next() < 0.6 ? t : rng.int(classes + 1)));
  const labels = Array.from({ length: classes }, (_, i) => i);
  metricIndex.push(
    addCase({ kind: 'classification', true: yTrue, pred: yPred, labels }, (answer) => {
      const r = classificationReport(yTrue, yPred, labels);
      const py = answer as { accuracy: number; per_class: { label: number; precision: number; recall: number; f1: number; support: number }[]; macro: object; micro: object; weighted: object; confusion: number[][] };
      closeTo(py.accuracy, r.accuracy, 'accuracy');
      expect(py.confusion).toEqual(r.confusion);
      py.per_class.forEach((c, i) => {
        expect([c.label, c.support]).toEqual([r.perClass[i].label, r.perClass[i].support]);
        for (const k of ['precision', 'recall', 'f1'] as const) closeTo(c[k], r.perClass[i][k], `class ${i} ${k}`);
      });
      for (const avg of ['macro', 'micro', 'weighted'] as const) for (const k of ['precision', 'recall', 'f1'] as const) closeTo((py[avg] as Record<string, number>)[k], r[avg][k], `${avg} ${k}`);
    }),
  );
  const tags = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];
  const sentences = Array.from({ length: 25 }, () => Array.from({ length: 3 + rng.int(9) }, () => tags[rng.int(tags.length)]));
  const guessed = sentences.map((s) => s.map((t) => (rng.next() < 0.7 ? t : tags[rng.int(tags.length)])));
  metricIndex.push(
    addCase({ kind: 'entities', true: sentences, pred: guessed }, (answer) => {
      const r = entityReport(sentences, guessed, 'strict');
      const py = answer as { per_type: { type: string; precision: number; recall: number; f1: number; support: number }[]; micro: Record<string, number> };
      expect(py.per_type.map((t) => [t.type, t.support])).toEqual(r.perType.map((t) => [t.type, t.support]));
      py.per_type.forEach((t, i) => closeTo(t.f1, r.perType[i].f1, `${t.type} f1`));
      for (const k of ['precision', 'recall', 'f1'] as const) closeTo(py.micro[k], r.micro[k], `entity micro ${k}`);
    }),
  );
}

beforeAll(() => {
  if (missing !== null) return;
  writeFileSync(path.join(work, 'cases.json'), JSON.stringify(cases));
  const run = spawnSync(PYTHON, [DRIVER, path.join(work, 'cases.json')], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.status !== 0) throw new Error(`recipe_parity.py failed: ${run.stderr}`);
  answers = JSON.parse(run.stdout) as unknown[];
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the recipe\'s layerwise_plan.py against the engine\'s parameter plan', () => {
  beforeEach((ctx) => ctx.skip(missing !== null, missing ?? ''));
  it.each(planCases)('$label: groups, depth, frozen, scale and decay per parameter; AdamW rates at 11 steps', ({ index }) => expectations[index](answers[index]));
  it('names every freeze / lrMultipliers prefix that matches no parameter, as TRAIN_CONFIG_UNKNOWN_PREFIX', () => expectations[errorIndex](answers[errorIndex]));
  it('learning_rate_at equals learningRateAt for every schedule at every step', () => scheduleIndex.forEach((i) => expectations[i](answers[i])));
  it('derive_schedule equals deriveSchedule', () => deriveIndex.forEach((i) => expectations[i](answers[i])));
  it('PlateauScheduler reduces on the same evaluations to the same rates', () => plateauIndex.forEach((i) => expectations[i](answers[i])));
});

describe('the recipe\'s layerwise_metrics.py against the engine\'s metrics', () => {
  beforeEach((ctx) => ctx.skip(missing !== null, missing ?? ''));
  it('EarlyStopping: the same best evaluations and the same stop', () => earlyIndex.forEach((i) => expectations[i](answers[i])));
  it('classification report and strict IOB2 entity scores on seeded predictions', () => metricIndex.forEach((i) => expectations[i](answers[i])));
});
