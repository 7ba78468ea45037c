// TrainConfig.headInit (src/engine/params/head-init.ts) on the tiny fixtures: a head the run creates starts normal as
// transformers' _init_weights (the default, bit for bit what the loader did before), Glorot-uniform with torch's
// bound, or with its output layer zeroed; the backbone is never touched, and a fresh initialisation follows it too.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { nodeFolder } from '../../../src/cli/node-files';
import { loadModelFolder } from '../../../src/engine/load';
import { randomModel } from '../../../src/engine/train/init';
import { parseTrainConfig } from '../../../src/protocol/train-config';

const GOLDEN = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');
const labels = ['a', 'b', 'c', 'd', 'e'];

beforeAll(() => useNodeBackend('cpu'));

async function headValues(fixture: string, headInit?: 'normal' | 'xavier' | 'zeros') {
  // Five labels where the fixture's head has another count: its class-sized tensors are created anew; the MLM
  // fixture has no classification head at all, so all of it is new.
  const model = await loadModelFolder(nodeFolder(path.join(GOLDEN, fixture)), { task: 'seq-cls', labels, seed: 7, headInit });
  try {
    return await model.params.snapshot();
  } finally {
    model.params.dispose();
  }
}

describe('headInit', () => {
  it("'normal' is the loader's default, bit for bit; the backbone is the checkpoint's whatever the choice", async () => {
    const plain = await headValues('bert-seq-cls');
    const normal = await headValues('bert-seq-cls', 'normal');
    const zeros = await headValues('bert-seq-cls', 'zeros');
    for (const [name, values] of plain) {
      expect(Buffer.from(normal.get(name)!.buffer).equals(Buffer.from(values.buffer)), name).toBe(true);
      if (name.startsWith('bert.') && !name.startsWith('bert.pooler.')) expect(Buffer.from(zeros.get(name)!.buffer).equals(Buffer.from(values.buffer)), name).toBe(true);
    }
  });

  it("'zeros' zeroes the output layer only: BERT's classifier, RoBERTa's classifier.out_proj", async () => {
    const bert = await headValues('bert-seq-cls', 'zeros');
    expect(bert.get('classifier.weight')!.every((x) => x === 0)).toBe(true);
    expect(bert.get('classifier.weight')).toHaveLength(5 * 32);
    expect(bert.get('bert.pooler.dense.weight')!.some((x) => x !== 0)).toBe(true);
    const roberta = await headValues('roberta-seq-cls', 'zeros');
    expect(roberta.get('classifier.out_proj.weight')!.every((x) => x === 0)).toBe(true);
    expect(roberta.get('classifier.dense.weight')!.some((x) => x !== 0)).toBe(true);
  });

  it("'xavier' draws linear weights from U(±√(6/(in+out))) with that law's variance; biases stay zero", async () => {
    const values = await headValues('bert-mlm', 'xavier');
    const w = values.get('bert.pooler.dense.weight')!;
    const bound = Math.sqrt(6 / (32 + 32));
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    // Var U(-b, b) = b²/3; 1,024 draws put the sample variance within about 10% of it.
    const variance = w.reduce((s, x) => s + x * x, 0) / w.length;
    expect(variance / (bound ** 2 / 3)).toBeGreaterThan(0.85);
    expect(variance / (bound ** 2 / 3)).toBeLessThan(1.15);
    expect(values.get('bert.pooler.dense.bias')!.every((x) => x === 0)).toBe(true);
    const out = values.get('classifier.weight')!;
    expect(Math.max(...out.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / (32 + 5)));
  });

  it('a fresh initialisation applies it to the head only', async () => {
    const make = async (headInit: 'normal' | 'zeros') => {
      const model = await randomModel(nodeFolder(path.join(GOLDEN, 'bert-seq-cls')), { task: 'seq-cls', labels, seed: 3, headInit });
      try {
        return await model.params.snapshot();
      } finally {
        model.params.dispose();
      }
    };
    const [normal, zeros] = [await make('normal'), await make('zeros')];
    expect(zeros.get('classifier.weight')!.every((x) => x === 0)).toBe(true);
    expect(normal.get('classifier.weight')!.some((x) => x !== 0)).toBe(true);
    for (const name of normal.keys()) if (name.startsWith('bert.')) expect(Buffer.from(zeros.get(name)!.buffer).equals(Buffer.from(normal.get(name)!.buffer)), name).toBe(true);
  });

  it('is a validated TrainConfig field', () => {
    expect(parseTrainConfig({}).headInit).toBe('normal');
    expect(() => parseTrainConfig({ headInit: 'kaiming' })).toThrow(/headInit: expected one of "normal", "xavier", "zeros"/);
  });
});
