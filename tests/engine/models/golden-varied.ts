// The varied golden suite, run once per backend by golden-varied-<backend>.test.ts: each hf-tiny fixture's
// reference_varied.json (six rows of 24 tokens: ids spread over the vocabulary, padding, two segments where the
// model has token types; logits from an independent PyTorch forward, shared/reference/ref_forward.py) through the
// `predict` path: the folder loaded by the engine's strict loader, the file's ids read as `layerwise predict
// --inputs` reads them, validated, one forward in eval mode. reference.json's inputs are too uniform to show a
// wrong padding mask, segment embedding or position (RoBERTa's four identical two-token rows without padding,
// DistilBERT's logits spanning 3e-3); these are not.
//
// Tolerance: the golden tests' LOGITS_TOL (1e-4), tightened to 1e-3 of the reference logits' range where that is
// smaller: the sequence-classification heads are freshly initialised and their logits span only ~0.02, so a forward
// that ignores the padding mask moves them by 4e-5 to 9e-5, under 1e-4 (the engine is within ~1e-8 of them). The
// last test of each fixture checks that the tolerance catches exactly that (mask ignored, segments dropped).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { batchTensors, inputsBatch, type IdsBatch } from '../../../src/cli/batch-file';
import { nodeFolder } from '../../../src/cli/node-files';
import { loadModelFolder, type LoadedModel } from '../../../src/engine/load';
import { maxSequenceLength, validateInputIds } from '../../../src/engine/models/validate-inputs';
import { LOGITS_TOL } from './golden';
import { FIXTURE_ROOT, FIXTURES, maxAbsDiff } from './golden-fixtures';

interface VariedReference {
  source: string;
  inputs: IdsBatch;
  logits: number[][] | number[][][];
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
const shapeOf = (x: unknown): number[] => (Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : []);

/** The predict path's forward (eval mode) of one batch of ids; returns the logits' values and shape. */
async function predict(model: LoadedModel, batch: IdsBatch): Promise<{ values: Float32Array; shape: number[] }> {
  validateInputIds(batch.input_ids, model.config, batch.token_type_ids);
  const inputs = batchTensors(batch);
  const logits = tf.tidy(() => model.family.forward(model.params.tensors(), inputs, model.config, model.task, { training: false }));
  tf.dispose(Object.values(inputs));
  const values = (await logits.data()) as Float32Array;
  const shape = logits.shape;
  logits.dispose();
  return { values, shape };
}

/** LOGITS_TOL, or 1e-3 of the reference logits' range where that is smaller. */
export function variedTolerance(expected: readonly number[]): number {
  return Math.min(LOGITS_TOL, 1e-3 * (Math.max(...expected) - Math.min(...expected)));
}

/**
 * Registers the varied golden tests for every fixture; the backend is already current, unless `unavailable` gives
 * the reason why it could not start (then every test is reported as skipped with that reason).
 */
export function describeGoldenVaried(backend: string, fixtures: readonly string[] = FIXTURES, unavailable: string | null = null): void {
  describe.each(fixtures)(`golden varied %s on ${backend} (predict path)`, (name) => {
    let model: LoadedModel | null = null;
    let reference: VariedReference;
    let batch: IdsBatch;
    let expected: number[];
    let tolerance: number;
    beforeEach((ctx) => ctx.skip(unavailable !== null, `${backend} backend unavailable: ${unavailable}`));
    beforeAll(async () => {
      if (unavailable !== null) return;
      const dir = join(FIXTURE_ROOT, name);
      reference = JSON.parse(readFileSync(join(dir, 'reference_varied.json'), 'utf8')) as VariedReference;
      model = await loadModelFolder(nodeFolder(dir));
      const notes: string[] = [];
      batch = inputsBatch(reference, 'reference_varied.json', model.tokenizer, maxSequenceLength(model.config), notes);
      expect(notes).toEqual([]);
      expected = flat(reference.logits);
      tolerance = variedTolerance(expected);
    });
    afterAll(() => model?.params.dispose());

    test('the inputs are varied: ids across the vocabulary, padding, two segments where the model has them', () => {
      const { input_ids, attention_mask, token_type_ids } = reference.inputs;
      const vocab = model!.config.vocab_size;
      const lengths = attention_mask.map((row) => row.reduce((a, b) => a + b, 0));
      expect(new Set(lengths).size).toBeGreaterThan(3);
      expect(Math.min(...lengths)).toBeLessThan(input_ids[0].length);
      const ids = new Set(input_ids.flatMap((row, r) => row.filter((_, j) => attention_mask[r][j] === 1)));
      expect(ids.size).toBeGreaterThan(Math.min(40, vocab / 2));
      expect(Math.max(...ids)).toBeGreaterThanOrEqual(vocab - Math.ceil(vocab / 8));
      if (model!.config.type_vocab_size > 1) expect(token_type_ids?.flat()).toContain(1);
      // The rows' logits differ by far more than the tolerance.
      const rows = reference.logits.map((r) => flat(r));
      expect(Math.max(...rows.slice(1).map((r) => maxAbsDiff(r, rows[0])))).toBeGreaterThan(50 * tolerance);
    });

    test(`logits match the reference within ${LOGITS_TOL} (or 1e-3 of their range)`, async () => {
      const out = await predict(model!, batch);
      expect(out.shape).toEqual(shapeOf(reference.logits));
      const diff = maxAbsDiff(out.values, expected);
      console.log(`${backend} ${name} varied: logits ${diff.toExponential(2)} (tolerance ${tolerance.toExponential(1)})`);
      expect(diff).toBeLessThanOrEqual(tolerance);
    });

    test('the tolerance catches a forward that ignores the padding mask or the segments', async () => {
      const noMask = await predict(model!, { ...batch, attention_mask: batch.attention_mask.map((row) => row.map(() => 1)) });
      expect(maxAbsDiff(noMask.values, expected)).toBeGreaterThan(tolerance);
      if (batch.token_type_ids && model!.config.type_vocab_size > 1) {
        const oneSegment = await predict(model!, { ...batch, token_type_ids: batch.token_type_ids.map((row) => row.map(() => 0)) });
        expect(maxAbsDiff(oneSegment.values, expected)).toBeGreaterThan(tolerance);
      }
    });
  });
}
