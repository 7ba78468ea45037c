// train.py of the training recipe, run for real on this machine's PyTorch with stand-ins for transformers and
// accelerate (recipe_doubles/: a BERT of the checkpoint's named parameters, a whitespace tokenizer, one process on the
// CPU; see its README). What this checks is train.py's own logic against the engine: the step count and the
// learning rate of every step (deriveSchedule, learningRateAt), evaluations every evalEvery steps and at the end,
// early stopping's decisions on the reported metrics (the engine's EarlyStopping), restore-best, freezing (the frozen
// embeddings come back bit for bit), and a model folder the engine's strict loader opens. It does not check
// transformers' models or accelerate's distributed paths: those are not installed here. Needs python3-torch.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeFile, nodeFolder } from '../../../src/cli/node-files';
import { writeRecipe } from '../../../src/engine/export/recipe';
import { EarlyStopping } from '../../../src/engine/metrics/early-stopping';
import { loadModelFolder } from '../../../src/engine/load';
import { parseModelConfig } from '../../../src/engine/models/index';
import { readDataset } from '../../../src/formats/datasets/index';
import { readSafetensorsHeader, readTensorFloat32 } from '../../../src/formats/safetensors';
import { deriveSchedule, learningRateAt } from '../../../src/protocol/schedule';
import { parseTrainConfig, type TrainConfig } from '../../../src/protocol/train-config';

const PYTHON = '/usr/bin/python3';
const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');
const GOLDEN = path.join(FIXTURES, 'bert-seq-cls');
const DOUBLES = path.join(import.meta.dirname, 'recipe_doubles');
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const missing = probe.status === 0 ? null : 'python3-torch is not installed (apt-get install python3-torch)';
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-recipe-train-'));

const POSITIVE = ['great', 'good', 'wonderful', 'excellent', 'lovely', 'charming'];
const NEGATIVE = ['bad', 'worst', 'boring', 'terrible', 'awful'];
const NEUTRAL = ['movie', 'film', 'story', 'plot', 'scene'];

interface Line {
  entity_f1?: number;
  perplexity?: number;
  step?: number;
  learning_rate?: number;
  loss?: number;
  eval_loss?: number;
  finished?: string;
  steps?: number;
}

async function runRecipe(name: string, config: TrainConfig, data: string, file: string, modelDir = GOLDEN) {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file), data);
  const dataset = await readDataset(nodeFile(path.join(dir, file)));
  const modelConfig = parseModelConfig(readFileSync(path.join(modelDir, 'config.json'), 'utf8')).config;
  const files = ['config.json', 'model.safetensors', 'vocab.txt'].map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(path.join(modelDir, n))) }));
  const recipe = writeRecipe({ config, modelConfig, start: { kind: 'folder', files, label: 'bert-seq-cls' }, data: { train: dataset, validation: null } });
  const root = path.join(dir, 'recipe');
  for (const f of recipe) {
    mkdirSync(path.dirname(path.join(root, f.name)), { recursive: true });
    writeFileSync(path.join(root, f.name), f.bytes);
  }
  const run = spawnSync(PYTHON, ['train.py'], { cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONPATH: DOUBLES, PYTHONDONTWRITEBYTECODE: '1' } });
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
  const trainExamples = readFileSync(path.join(root, 'data', 'train.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  return { root, run, lines, trainExamples };
}

let seq: Awaited<ReturnType<typeof runRecipe>>;
let tok: Awaited<ReturnType<typeof runRecipe>>;
let mlm: Awaited<ReturnType<typeof runRecipe>>;
const tokConfig = parseTrainConfig({ task: 'token-cls', epochs: 2, batchSize: 4, evalEvery: 'epoch', validationSplit: 0.25, learningRate: 1e-3, seed: 5 });
const mlmConfig = parseTrainConfig({ task: 'mlm', epochs: 1, batchSize: 4, gradAccumulation: 3, evalEvery: 2, validationSplit: 0.2, learningRate: 1e-3, mlm: { probability: 0.3, wholeWord: true } });
const seqConfig = parseTrainConfig({
  epochs: 3,
  batchSize: 4,
  gradAccumulation: 2,
  evalEvery: 2,
  seed: 3,
  learningRate: 1e-3,
  validationSplit: 0.25,
  freeze: ['bert.embeddings'],
  layerDecay: 0.8,
  lrMultipliers: { classifier: 5 },
  l2sp: 0.01,
  labelSmoothing: 0.1,
  maxGradNorm: 1,
  schedule: { type: 'cosine', warmupSteps: 2 },
  earlyStopping: { metric: 'eval_loss', patience: 2, restoreBest: true },
});

beforeAll(async () => {
  if (missing !== null) return;
  await tf.setBackend('cpu');
  const rows = Array.from({ length: 30 }, (_, i) => {
    const [words, label] = i % 3 === 0 ? [POSITIVE, 'pos'] : i % 3 === 1 ? [NEGATIVE, 'neg'] : [NEUTRAL, 'neu'];
    return `"the ${words[i % words.length]} ${NEUTRAL[i % NEUTRAL.length]} was ${words[(i + 1) % words.length]}",${label}`;
  });
  seq = await runRecipe('seq', seqConfig, `text,label\n${rows.join('\n')}\n`, 'train.csv');
  const sentences = Array.from({ length: 16 }, (_, i) => `the O\n${POSITIVE[i % POSITIVE.length]} B-GOOD\n${NEUTRAL[i % NEUTRAL.length]} I-GOOD\nwas O\n${NEGATIVE[i % NEGATIVE.length]} B-BAD\n`);
  tok = await runRecipe('tok', tokConfig, sentences.join('\n'), 'train.conll');
  const lines = Array.from({ length: 25 }, (_, i) => `the ${NEUTRAL[i % 5]} was ${POSITIVE[i % 6]} and ${NEGATIVE[i % 5]} at all`);
  mlm = await runRecipe('mlm', mlmConfig, `text\n${lines.map((l) => `"${l}"`).join('\n')}\n`, 'text.csv', path.join(FIXTURES, 'bert-mlm'));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('train.py (sequence classification, with test doubles for transformers and accelerate)', () => {
  beforeEach((ctx) => ctx.skip(missing !== null, missing ?? ''));

  it('runs to the end and writes the model folder', () => {
    expect(seq.run.stderr).not.toMatch(/Traceback/);
    expect(seq.run.status, seq.run.stderr).toBe(0);
    expect(seq.lines.at(-1)!.finished).toMatch(/^(completed|early-stopped)$/);
  });

  it('takes the studio\'s steps at the studio\'s learning rates', () => {
    const plan = deriveSchedule(seqConfig, Math.ceil(seq.trainExamples / seqConfig.batchSize));
    const steps = seq.lines.filter((l) => l.step !== undefined && l.loss !== undefined);
    expect(steps.length).toBeGreaterThan(3);
    for (const l of steps) expect(l.learning_rate).toBeCloseTo(learningRateAt(l.step! - 1, plan.totalSteps, seqConfig.schedule, seqConfig.learningRate), 15);
    for (const l of steps) expect(Number.isFinite(l.loss)).toBe(true);
    const finished = seq.lines.at(-1)!;
    if (finished.finished === 'completed') expect(finished.steps).toBe(plan.totalSteps);
  });

  it('evaluates every evalEvery steps and stops when the engine\'s EarlyStopping would, then restores the best evaluation', () => {
    const evaluations = seq.lines.filter((l) => l.eval_loss !== undefined && l.finished === undefined);
    const plan = deriveSchedule(seqConfig, Math.ceil(seq.trainExamples / seqConfig.batchSize));
    const stopper = new EarlyStopping(seqConfig.earlyStopping);
    let best = -1;
    let stopAt: number | null = null;
    for (const e of evaluations) {
      const d = stopper.update(e.step!, { eval_loss: e.eval_loss! });
      if (d.isBest) best = e.step!;
      if (d.shouldStop) {
        stopAt = e.step!;
        break;
      }
    }
    const expectedSteps = Array.from({ length: Math.floor(plan.totalSteps / 2) }, (_, i) => 2 * (i + 1)).filter((s) => stopAt === null || s <= stopAt);
    if (stopAt === null && plan.totalSteps % 2 !== 0) expectedSteps.push(plan.totalSteps);
    expect(evaluations.map((e) => e.step)).toEqual(expectedSteps);
    expect(seq.lines.at(-1)!.finished).toBe(stopAt === null ? 'completed' : 'early-stopped');
    const metrics = JSON.parse(readFileSync(path.join(seq.root, 'output', 'model', 'metrics.json'), 'utf8')) as { eval_loss: number; train: { restored_best_step: number }; config: TrainConfig };
    expect(metrics.train.restored_best_step).toBe(best);
    expect(metrics.eval_loss).toBe(evaluations.find((e) => e.step === best)!.eval_loss);
    expect(metrics.config).toEqual(seqConfig);
  });

  it('the folder opens in the engine; the frozen embeddings are the checkpoint\'s bit for bit, the encoder and head trained', async () => {
    const out = path.join(seq.root, 'output', 'model');
    const model = await loadModelFolder(nodeFolder(out));
    expect(model.task).toBe('seq-cls');
    expect(model.config.id2label).toEqual(['neg', 'neu', 'pos']);
    model.params.dispose();
    const read = async (file: string, name: string) => {
      const source = nodeFile(file);
      return readTensorFloat32(source, await readSafetensorsHeader(source), name);
    };
    const before = path.join(GOLDEN, 'model.safetensors');
    const after = path.join(out, 'model.safetensors');
    for (const name of ['bert.embeddings.word_embeddings.weight', 'bert.embeddings.LayerNorm.weight']) {
      expect(Buffer.from((await read(after, name)).buffer).equals(Buffer.from((await read(before, name)).buffer)), name).toBe(true);
    }
    const q0 = await read(before, 'bert.encoder.layer.1.attention.self.query.weight');
    const q1 = await read(after, 'bert.encoder.layer.1.attention.self.query.weight');
    expect(q1.some((v, i) => v !== q0[i])).toBe(true);
  });
});

describe('train.py (token classification and masked LM, with the same test doubles)', () => {
  beforeEach((ctx) => ctx.skip(missing !== null, missing ?? ''));

  it('token classification: every step, an evaluation per epoch with strict IOB2 entity scores, a folder the engine opens', async () => {
    expect(tok.run.status, tok.run.stderr).toBe(0);
    const plan = deriveSchedule(tokConfig, Math.ceil(tok.trainExamples / tokConfig.batchSize));
    expect(tok.lines.at(-1)).toMatchObject({ finished: 'completed', steps: plan.totalSteps });
    const evaluations = tok.lines.filter((l) => l.eval_loss !== undefined && l.finished === undefined);
    expect(evaluations.map((e) => e.step)).toEqual([plan.stepsPerEpoch, 2 * plan.stepsPerEpoch]);
    for (const e of evaluations) expect(e.entity_f1).toBeGreaterThanOrEqual(0);
    const model = await loadModelFolder(nodeFolder(path.join(tok.root, 'output', 'model')));
    expect(model.task).toBe('token-cls');
    expect(model.config.id2label).toEqual(['B-BAD', 'B-GOOD', 'I-GOOD', 'O']);
    model.params.dispose();
  });

  it('masked LM: whole-word masking, accumulation over 3 micro-batches, evaluations with perplexity, a folder the engine opens', async () => {
    expect(mlm.run.status, mlm.run.stderr).toBe(0);
    const plan = deriveSchedule(mlmConfig, Math.ceil(mlm.trainExamples / mlmConfig.batchSize));
    expect(mlm.lines.at(-1)).toMatchObject({ finished: 'completed', steps: plan.totalSteps });
    const evaluations = mlm.lines.filter((l) => l.eval_loss !== undefined && l.finished === undefined);
    expect(evaluations.length).toBeGreaterThan(0);
    for (const e of evaluations) expect(e.perplexity).toBeCloseTo(Math.exp(e.eval_loss!), 6);
    const model = await loadModelFolder(nodeFolder(path.join(mlm.root, 'output', 'model')));
    expect(model.task).toBe('mlm');
    model.params.dispose();
  });
});
