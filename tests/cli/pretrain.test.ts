// `layerwise pretrain` in a child process: continued masked-LM training of the hf-tiny BERT MLM fixture and training
// from a random initialisation on generated text. The written folder reloads as a BertForMaskedLM for `predict`;
// a run interrupted with Ctrl-C and resumed from its checkpoint ends bit for bit where an uninterrupted run ends;
// bad input gets coded errors. The last evaluation's eval_loss and masked-token accuracy are recounted here from the
// written model's full logits on the held-out text, masked as the run's evaluation masks it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import { nodeFolder } from '../../src/cli/node-files';
import { readDatasetFile } from '../../src/cli/train-data';
import { planBatches } from '../../src/engine/data/batches';
import { encodeExamples, IGNORE_INDEX } from '../../src/engine/data/encode';
import { mlmTokenizerInfo } from '../../src/engine/data/mlm-collator';
import { textCorpus } from '../../src/engine/data/text-corpus';
import { loadModelFolder } from '../../src/engine/load';
import { maxSequenceLength } from '../../src/engine/models/validate-inputs';
import { batchTensors } from '../../src/engine/train/step';
import { microBatch } from '../../src/engine/train/windows';
import { createRng } from '../../src/lib/random';
import type { TrainConfig } from '../../src/protocol/train-config';
import { ROOT, layerwise, layerwiseInterrupted, readTensors as tensors } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'bert-mlm');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-pretrain-'));
const model = path.join(work, 'model');
const text = path.join(work, 'text.txt');
const heldOut = path.join(work, 'held-out.txt');

/** Seeded lines of the fixture vocabulary's whole words (4 to 40 words), so that every word is a real token. */
function sentences(count: number, seed: number): string {
  const words = readFileSync(path.join(GOLDEN, 'vocab.txt'), 'utf8').split('\n').filter((w) => /^[a-z]{3,}$/.test(w));
  const rng = createRng(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 4 + rng.int(37);
    lines.push(Array.from({ length: n }, () => words[rng.int(words.length)]).join(' '));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The held-out text scored by the model in `dir` as the run's evaluation scores it (one window of max-length tokens
 * per line, batches in file order, masks seeded by (seed, batch)), counted here: every position's logits in eval
 * mode, then over the masked positions the float64 cross-entropy and whether argmax == label.
 */
async function recount(dir: string, config: TrainConfig, textFile = heldOut): Promise<{ total: number; correct: number; loss: number }> {
  const model = await loadModelFolder(nodeFolder(dir), { task: 'mlm' });
  try {
    const tokenizer = model.tokenizer!;
    const maxLength = Math.min(config.maxLength, maxSequenceLength(model.config));
    const data = await encodeExamples(textCorpus(await readDatasetFile(textFile, 'validation', {})), tokenizer, 'mlm', { maxLength, mlmMode: 'window' });
    const masking = { info: mlmTokenizerInfo(tokenizer), options: { mlmProbability: config.mlm.probability, wholeWord: config.mlm.wholeWord } };
    const source = { data, batchSize: config.batchSize, seed: config.seed, padding: { padId: tokenizer.special.pad, maxLength }, masking };
    const batches = planBatches(data.examples.map((e) => e.ids.length), { batchSize: config.batchSize, seed: config.seed, epoch: 0, shuffle: false });
    let [total, correct, nll] = [0, 0, 0];
    for (const [b, indices] of batches.entries()) {
      const { batch } = microBatch(source, indices, false, b);
      const logits = tf.tidy(() => model.family.forward(model.params.tensors(), batchTensors(batch, 'mlm').inputs, model.config, 'mlm', { training: false }));
      const values = (await logits.data()) as Float32Array;
      const vocab = logits.shape.at(-1)!;
      logits.dispose();
      batch.labels.forEach((label, i) => {
        if (label === IGNORE_INDEX) return;
        const row = values.subarray(i * vocab, (i + 1) * vocab);
        let best = 0;
        for (let v = 1; v < vocab; v++) if (row[v] > row[best]) best = v;
        let sum = 0;
        for (const x of row) sum += Math.exp(x - row[best]);
        nll += row[best] + Math.log(sum) - row[label];
        total += 1;
        if (best === label) correct += 1;
      });
    }
    return { total, correct, loss: nll / total };
  } finally {
    model.params.dispose();
  }
}

beforeAll(async () => {
  await useNodeBackend('cpu');
  // The fixture without its tokenizer.json (special tokens only, see tests/golden/hf-tiny/README.md): vocab.txt is read.
  mkdirSync(model);
  for (const f of readdirSync(GOLDEN)) if (!f.startsWith('reference') && f !== 'tokenizer.json') copyFileSync(path.join(GOLDEN, f), path.join(model, f));
  writeFileSync(text, sentences(120, 1));
  writeFileSync(heldOut, sentences(20, 2));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const RUN = ['--text', text, '--validation', heldOut, '--max-length', '16', '--batch-size', '8', '--backend', 'cpu'];

describe('continued pretraining of a checkpoint', () => {
  it('trains, evaluates on the held-out text, and writes a BertForMaskedLM folder that predict reloads', async () => {
    const out = path.join(work, 'continued');
    const r = await layerwise('pretrain', '--model', model, ...RUN, '--max-steps', '6', '--eval-every', '3', '--whole-word', '--json', '--out', out);
    expect(r.stderr).toMatch(/6 steps .* continued from the checkpoint/);
    expect(r.code, r.stderr).toBe(0);
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    expect(records.map((x) => x.step)).toEqual([3, 6]);
    for (const x of records) expect(x.perplexity).toBeCloseTo(Math.exp(x.eval_loss), 6);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as { architectures: string[] };
    expect(config.architectures).toEqual(['BertForMaskedLM']);
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')) as { train: Record<string, unknown>; config: TrainConfig };
    // The evaluation after step 6 scored the weights written to --out: its accuracy and loss are recounted here.
    const last = records.at(-1)!;
    const counted = await recount(out, metrics.config);
    expect(counted.total).toBeGreaterThan(20);
    expect(last.accuracy).toBe(counted.correct / counted.total);
    expect(Math.abs(last.eval_loss - counted.loss) / counted.loss).toBeLessThan(1e-5);
    expect(metrics.train).toMatchObject({ steps: 6, mode: 'window', init: 'pretrained', finish_reason: 'completed' });
    expect(metrics.config.mlm).toEqual({ probability: 0.15, wholeWord: true });
    // Every parameter moved from the fixture's value (learning rate 5e-4, six steps).
    const before = await tensors(path.join(model, 'model.safetensors'));
    const after = await tensors(path.join(out, 'model.safetensors'));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, w] of after) expect(w.some((v, i) => v !== (before.get(name) as Float32Array)[i]), name).toBe(true);
    const predicted = await layerwise('predict', '--model', out, '--inputs', path.join(GOLDEN, 'reference.json'), '--backend', 'cpu', '--json');
    expect(predicted.code, predicted.stderr).toBe(0);
    const logits = (JSON.parse(predicted.stdout) as { logits: number[][][] }).logits;
    expect(logits[0][0]).toHaveLength(328);
  });

  it('reports the masked-token accuracy of its evaluation: a recount where the model guesses about half', async () => {
    // Lines of two words: ten steps teach the model to answer one of them, so the accuracy is neither 0 nor 1.
    const words = ['good', 'bad'].filter((w) => readFileSync(path.join(GOLDEN, 'vocab.txt'), 'utf8').split('\n').includes(w));
    expect(words).toHaveLength(2);
    const lines = (count: number, seed: number) => {
      const rng = createRng(seed);
      return `${Array.from({ length: count }, () => Array.from({ length: 6 + rng.int(10) }, () => words[rng.int(2)]).join(' ')).join('\n')}\n`;
    };
    const twoWords = path.join(work, 'two-words.txt');
    const twoWordsHeldOut = path.join(work, 'two-words-held-out.txt');
    writeFileSync(twoWords, lines(80, 3));
    writeFileSync(twoWordsHeldOut, lines(30, 4));
    const out = path.join(work, 'two-words');
    const r = await layerwise('pretrain', '--model', model, '--text', twoWords, '--validation', twoWordsHeldOut, '--max-length', '16', '--batch-size', '8',
      '--backend', 'cpu', '--max-steps', '10', '--eval-every', '10', '--lr', '3e-3', '--json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')) as { config: TrainConfig };
    const counted = await recount(out, metrics.config, twoWordsHeldOut);
    console.log(`pretrain, two words: ${counted.correct} of ${counted.total} masked tokens guessed`);
    expect(counted.correct / counted.total).toBeGreaterThan(0.2);
    expect(counted.correct / counted.total).toBeLessThan(0.95);
    expect(last.step).toBe(10);
    expect(last.accuracy).toBe(counted.correct / counted.total);
    expect(Math.abs(last.eval_loss - counted.loss) / counted.loss).toBeLessThan(1e-5);
  });

  it('resumed after Ctrl-C, ends bit for bit where an uninterrupted run ends', async () => {
    const args = ['pretrain', '--model', model, ...RUN, '--max-steps', '20', '--eval-every', '10', '--seed', '7'];
    const whole = await layerwise(...args, '--out', path.join(work, 'whole'));
    expect(whole.code, whole.stderr).toBe(0);
    const checkpoints = path.join(work, 'checkpoints');
    const first = await layerwiseInterrupted(/step \d+\/20/, ...args, '--checkpoint-dir', checkpoints, '--out', path.join(work, 'part'));
    expect(first.code, first.stderr).toBe(0);
    const stoppedAt = Number(/stopped after (\d+) steps/.exec(first.stderr)?.[1]);
    expect(stoppedAt, first.stderr).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(20);
    const resumed = await layerwise('pretrain', '--model', model, '--text', text, '--validation', heldOut, '--backend', 'cpu', '--resume', checkpoints, '--out', path.join(work, 'resumed'));
    expect(resumed.code, resumed.stderr).toBe(0);
    const a = await tensors(path.join(work, 'whole', 'model.safetensors'));
    const b = await tensors(path.join(work, 'resumed', 'model.safetensors'));
    for (const [name, w] of a) expect(Buffer.from((b.get(name) as Float32Array).buffer).equals(Buffer.from(w.buffer)), name).toBe(true);
  });
});

describe('from a random initialisation', () => {
  it('reads only config.json and the tokenizer, and lowers the held-out loss', async () => {
    const out = path.join(work, 'scratch');
    const r = await layerwise('pretrain', '--model', model, '--init', 'random', ...RUN, '--mode', 'group', '--max-steps', '30', '--eval-every', '15', '--lr', '3e-3', '--json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/MODEL_INITIALISED/);
    const [early, late] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { eval_loss: number });
    // A random model starts near ln(328) ≈ 5.8 nats per masked token; 30 steps on a 200-word vocabulary get below it.
    expect(late.eval_loss).toBeLessThan(early.eval_loss);
    expect(late.eval_loss).toBeLessThan(Math.log(328));
  });

  it('with --init ppmi, starts from the text\'s PPMI-SVD word embeddings', async () => {
    const out = path.join(work, 'ppmi');
    const r = await layerwise('pretrain', '--model', model, '--init', 'ppmi', '--ppmi-scale', '0.05', ...RUN, '--mode', 'group', '--max-steps', '2', '--eval-every', '2', '--checkpoint-dir', path.join(work, 'ppmi-checkpoint'), '--out', out);
    expect(r.code, r.stderr).toBe(0);
    // Every whole word of the text occurs in a pair; the vocabulary's other ids keep their fresh init.
    expect(r.stderr).toMatch(/PPMI_INIT: \d+ of 328 rows of bert\.embeddings\.word_embeddings\.weight/);
    expect(r.stderr).toMatch(/from a random initialisation with PPMI-SVD word embeddings/);
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')) as { train: Record<string, unknown> };
    expect(metrics.train).toMatchObject({ steps: 2, init: 'ppmi' });
    const bad = await layerwise('pretrain', '--model', model, '--init', 'glove', ...RUN, '--out', path.join(work, 'x'), '--json');
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'CLI_BAD_ARGUMENT', location: { field: 'init' } });
    const stray = await layerwise('pretrain', '--model', model, '--init', 'random', '--ppmi-scale', '0.1', ...RUN, '--out', path.join(work, 'x'), '--json');
    expect(JSON.parse(stray.stdout).error).toMatchObject({ code: 'CLI_BAD_ARGUMENT', location: { field: 'ppmi-scale' } });
    // A resumed run keeps its checkpoint's weights: a scale for embeddings it will not compute is refused.
    const resumed = await layerwise('pretrain', '--model', model, '--init', 'ppmi', '--ppmi-scale', '0.1', '--text', text, '--resume', path.join(work, 'ppmi-checkpoint'), '--out', path.join(work, 'x'), '--json');
    expect(JSON.parse(resumed.stdout).error).toMatchObject({ code: 'CLI_BAD_ARGUMENT', location: { field: 'ppmi-scale' } });
  });
});

describe('bad input', () => {
  it('needs --text with a text column, and refuses a bad mode and a classification config', async () => {
    const none = await layerwise('pretrain', '--model', model, '--out', path.join(work, 'x'), '--json');
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout).error.code).toBe('CLI_MISSING_ARGUMENT');
    const numbers = path.join(work, 'numbers.csv');
    writeFileSync(numbers, 'a,b\n1,2\n3,4\n5,6\n');
    const noText = await layerwise('pretrain', '--model', model, '--text', numbers, '--out', path.join(work, 'x'), '--json');
    expect(JSON.parse(noText.stdout).error).toMatchObject({ code: 'DATA_NO_TEXT_COLUMN', location: { file: 'numbers.csv' } });
    const mode = await layerwise('pretrain', '--model', model, '--text', text, '--mode', 'blocks', '--out', path.join(work, 'x'), '--json');
    expect(JSON.parse(mode.stdout).error).toMatchObject({ code: 'CLI_BAD_ARGUMENT', location: { field: 'mode' } });
    const cfg = path.join(work, 'cls.json');
    writeFileSync(cfg, '{"task":"seq-cls"}');
    const task = await layerwise('pretrain', '--model', model, '--text', text, '--config', cfg, '--out', path.join(work, 'x'), '--json');
    expect(JSON.parse(task.stdout).error).toMatchObject({ code: 'TRAIN_CONFIG_INVALID', location: { field: 'task' } });
  });
});
