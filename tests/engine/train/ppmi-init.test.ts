// `--init ppmi` on the hf-tiny BERT MLM architecture: the word embeddings of a fresh model become the PPMI-SVD
// vectors of the text's lines (blocks split at [CLS]/[SEP], as grouped pretraining blocks hold several lines), rows the
// text does not cover keep their fresh init, and words of one topic end up closer to each other than to the other's.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../../src/cli/node-files';
import { ppmiEmbeddings } from '../../../src/engine/embeddings/ppmi';
import { randomModel } from '../../../src/engine/train/init';
import { initialiseWordEmbeddingsFromText } from '../../../src/engine/train/ppmi-init';
import { createRng } from '../../../src/lib/random';
import { GOLDEN } from './helpers';

const NAME = 'bert.embeddings.word_embeddings.weight';
const [CLS, SEP] = [2, 3];
const TOPICS = [Array.from({ length: 10 }, (_, i) => 40 + i), Array.from({ length: 10 }, (_, i) => 60 + i)];

/** Seeded lines of 4 to 12 words, each line from one topic. */
function lines(count: number): number[][] {
  const rng = createRng(3);
  return Array.from({ length: count }, (_, i) => Array.from({ length: 4 + rng.int(9) }, () => TOPICS[i % 2][rng.int(10)]));
}

/** Grouped blocks of 32 ids, as `--mode group` cuts them: [CLS] line [SEP] [CLS] line [SEP] ... */
function blocks(text: number[][]): Int32Array[] {
  const flat = text.flatMap((l) => [CLS, ...l, SEP]);
  return Array.from({ length: Math.floor(flat.length / 32) }, (_, b) => Int32Array.from(flat.slice(b * 32, (b + 1) * 32)));
}

function cosine(e: Float32Array, dim: number, a: number, b: number): number {
  let ab = 0, aa = 0, bb = 0;
  for (let j = 0; j < dim; j++) {
    const x = e[a * dim + j], y = e[b * dim + j];
    ab += x * y; aa += x * x; bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('initialiseWordEmbeddingsFromText', () => {
  it('writes the PPMI-SVD rows of the covered ids, keeps the fresh init elsewhere, and separates the topics', async () => {
    const model = await randomModel(nodeFolder(path.join(GOLDEN, 'bert-mlm')), { task: 'mlm', seed: 5 });
    const before = model.params.get(NAME).dataSync() as Float32Array;
    const fresh = Float32Array.from(before);
    const sequences = blocks(lines(400));
    const report = initialiseWordEmbeddingsFromText(model, sequences, { seed: 9, scale: 0.02 });
    const after = model.params.get(NAME).dataSync() as Float32Array;
    const dim = 32;
    expect(report).toMatchObject({ name: NAME, vocabSize: 328, dim });

    // The reference: the same function on the lines themselves, which is what the blocks hold between specials
    // (each block's first and last line may be cut, so take the runs from the blocks by hand).
    const runs: number[][] = [];
    for (const block of sequences) {
      let run: number[] = [];
      for (const id of block) {
        if (id === CLS || id === SEP) {
          if (run.length > 1) runs.push(run);
          run = [];
        } else run.push(id);
      }
      if (run.length > 1) runs.push(run);
    }
    const special = [0, 1, 2, 3, 4];
    const ref = ppmiEmbeddings(runs, 328, { dim, scale: 0.02, seed: 9, specialIds: special });
    const covered = TOPICS.flat();
    expect(report.covered).toBe(covered.length);
    for (let id = 0; id < 328; id++) {
      const row = Array.from(after.subarray(id * dim, (id + 1) * dim));
      const expected = ref.covered[id] === 1 ? ref.vectors.subarray(id * dim, (id + 1) * dim) : fresh.subarray(id * dim, (id + 1) * dim);
      expect(ref.covered[id], `id ${id}`).toBe(covered.includes(id) ? 1 : 0);
      row.forEach((v, j) => expect(v, `id ${id} column ${j}`).toBeCloseTo(expected[j], 6));
    }

    let within = 0, across = 0;
    for (const a of TOPICS[0]) for (const b of TOPICS[0]) if (a !== b) within += cosine(after, dim, a, b) / 90;
    for (const a of TOPICS[0]) for (const b of TOPICS[1]) across += cosine(after, dim, a, b) / 100;
    expect(within).toBeGreaterThan(across + 0.5);
    model.params.dispose();
  });

  it('refuses a model without word embeddings by name', async () => {
    const model = await randomModel(nodeFolder(path.join(GOLDEN, 'bert-mlm')), { task: 'mlm', seed: 5 });
    const renamed = { ...model, params: { ...model.params, names: () => ['something.else'] } } as unknown as typeof model;
    expect(() => initialiseWordEmbeddingsFromText(renamed, [], { seed: 1, scale: 0.02 })).toThrow(expect.objectContaining({ code: 'PPMI_NO_EMBEDDINGS' }));
    model.params.dispose();
  });
});
