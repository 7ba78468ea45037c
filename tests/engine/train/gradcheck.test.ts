// The gradient check (src/engine/train/gradcheck.ts): every module of every fixture family and
// task passes against central finite differences, the weights are unchanged after it, and a model whose head has a
// wrong gradient (a custom op that doubles it) fails in that module.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { nodeFolder } from '../../../src/cli/node-files';
import { gradcheck, checkBatch } from '../../../src/engine/train/gradcheck';
import { prepareRun, type PreparedRun } from '../../../src/engine/train/recipe';
import { readDataset } from '../../../src/formats/datasets/index';
import { bytesFile } from '../../../src/formats/source-file';
import { parseTrainConfig } from '../../../src/protocol/train-config';

const GOLDEN = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');

// The wasm backend computes in float32 as cpu does, ten times faster; the CLI's default is cpu.
beforeAll(() => useNodeBackend('wasm'));

const csv = ['text,label', ...Array.from({ length: 6 }, (_, i) => `"the movie number ${i} was ${['fine', 'awful', 'great'][i % 3]}",${['pos', 'neg', 'pos'][i % 3]}`)].join('\n');
const conll = 'John B-PER\nlives O\nin O\nParis B-LOC\n\nMary B-PER\nruns O\nfast O\n\n';

async function prepared(dir: string, task: 'seq-cls' | 'token-cls' | 'mlm'): Promise<PreparedRun> {
  const text = task === 'token-cls' ? conll : csv;
  const data = await readDataset(bytesFile(task === 'token-cls' ? 'ner.conll' : 'reviews.csv', new TextEncoder().encode(text)));
  const folder = nodeFolder(dir);
  // The fixtures' tokenizer.json holds only the special tokens (tests/golden/hf-tiny/README): MLM needs real tokens to
  // mask, which the complete vocab.txt gives.
  if (task === 'mlm') folder.delete('tokenizer.json');
  return prepareRun({ folder, train: data, validation: null }, parseTrainConfig({ task, maxLength: 16, validationSplit: 0 }));
}

describe('gradcheck', () => {
  for (const [fixture, task] of [
    ['bert-seq-cls', 'seq-cls'],
    ['bert-token-cls', 'token-cls'],
    ['bert-mlm', 'mlm'],
    ['distilbert-seq-cls', 'seq-cls'],
    ['roberta-seq-cls', 'seq-cls'],
  ] as const) {
    it(`${fixture} (${task}): every module within the threshold, weights unchanged`, async () => {
      const run = await prepared(path.join(GOLDEN, fixture), task);
      try {
        const before = await run.model.params.snapshot();
        const report = gradcheck(run.model, checkBatch(run, task === 'mlm' ? 6 : 2), { samplesPerTensor: 2 });
        const modules = report.modules.map((m) => m.module).sort();
        expect(modules).toEqual(['LayerNorm', 'attention', 'embeddings', 'feed-forward', 'head'].sort());
        for (const m of report.modules) expect(m.worst.relativeError, `${m.module}: ${JSON.stringify(m.worst)}`).toBeLessThan(report.options.threshold);
        expect(report.pass).toBe(true);
        const after = await run.model.params.snapshot();
        for (const [name, values] of before) expect(Buffer.from(after.get(name)!.buffer).equals(Buffer.from(values.buffer)), name).toBe(true);
      } finally {
        run.trainer.dispose();
        run.model.params.dispose();
      }
    });
  }

  it('a batch with nothing labelled is refused', async () => {
    const run = await prepared(path.join(GOLDEN, 'bert-seq-cls'), 'seq-cls');
    try {
      const batch = checkBatch(run, 2);
      expect(() => gradcheck(run.model, { ...batch, batch: { ...batch.batch, labels: batch.batch.labels.map(() => -100) }, count: 0 })).toThrow(
        expect.objectContaining({ code: 'GRADCHECK_NOTHING_LABELLED' }),
      );
    } finally {
      run.trainer.dispose();
      run.model.params.dispose();
    }
  });

  it('a head parameter whose gradient is doubled fails the head module, naming it', async () => {
    // The built-in model: the fixtures' gradients are so small (logits spanning 0.02) that float32 differences cannot
    // tell one from its double; a pretrained encoder's are 1e-3 to 1e-1.
    const run = await prepared(path.resolve(import.meta.dirname, '..', '..', '..', 'public', 'models', 'default'), 'seq-cls');
    try {
      // Identity in the forward pass, twice the gradient in the backward pass, on the pooler's weight: its analytic
      // gradient is doubled while the loss (and so the finite difference) is unchanged.
      const doubled = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.mul(dy, 2) })) as unknown as Parameters<typeof tf.customGrad>[0]) as (
        x: tf.Tensor,
      ) => tf.Tensor;
      const family = { ...run.model.family, forward: (...args: Parameters<typeof run.model.family.forward>) => {
        const [params, inputs, config, task, opts] = args;
        const hidden = new Map(params);
        const pooler = 'bert.pooler.dense.weight';
        hidden.set(pooler, doubled(params.get(pooler) as tf.Tensor));
        return run.model.family.forward(hidden, inputs, config, task, opts);
      } };
      const report = gradcheck({ ...run.model, family }, checkBatch(run, 2), { samplesPerTensor: 1 });
      expect(report.pass).toBe(false);
      // Every other module passes: with a pretrained encoder's gradients the check has the power the fixtures lack.
      expect(report.modules.filter((m) => !m.pass).map((m) => m.module)).toEqual(['head']);
      const head = report.modules.find((m) => m.module === 'head')!;
      expect(head.pass).toBe(false);
      expect(head.worst.name).toBe('bert.pooler.dense.weight');
      expect(head.worst.analytic / head.worst.numeric).toBeCloseTo(2, 1);
    } finally {
      run.trainer.dispose();
      run.model.params.dispose();
    }
  });
});
