// ONNX export tested with its real consumer: `layerwise export --format onnx --quantize int8` writes the folder,
// transformers.js (@huggingface/transformers, which runs onnxruntime-node) loads it from disk with remote models off,
// and its logits equal `layerwise predict`'s on the same ids within 1e-4, for every family and both classification
// tasks, masked LM (tied and untied decoder), and the built-in model read through its own tokenizer; the int8 file
// loads and stays within the studio's int8 tolerance. Both commands run in this process (their `run`), on cpu.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutoModelForMaskedLM, AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoTokenizer, Tensor, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { run as exportCommand } from '../../../src/cli/commands/export';
import { run as predictCommand } from '../../../src/cli/commands/predict';
import { VERIFY_INT8_RELATIVE_TOLERANCE } from '../../../src/engine/export/verify';
import type { Task } from '../../../src/protocol/task';
import { writeExportCases, type ExportCase, type IdRows } from './onnx-cases';

const root = mkdtempSync(path.join(tmpdir(), 'layerwise-onnx-'));
let cases: ExportCase[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  cases = await writeExportCases(root);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = root;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs a command's `run` in this process; returns its exit code and what it printed on stdout. */
async function command(run: (argv: string[]) => Promise<number>, ...argv: string[]): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    return { code: await run(argv), stdout: out.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

const AUTO: Record<Task, typeof AutoModelForSequenceClassification> = {
  'seq-cls': AutoModelForSequenceClassification,
  'token-cls': AutoModelForTokenClassification,
  mlm: AutoModelForMaskedLM,
};

function feeds(rows: IdRows): Record<string, Tensor> {
  const dims = [rows.input_ids.length, rows.input_ids[0].length];
  const t = (v: number[][]) => new Tensor('int64', BigInt64Array.from(v.flat().map(BigInt)), dims);
  return { input_ids: t(rows.input_ids), attention_mask: t(rows.attention_mask), ...(rows.token_type_ids ? { token_type_ids: t(rows.token_type_ids) } : {}) };
}

async function transformersJsLogits(name: string, task: Task, dtype: 'fp32' | 'q8', rows: IdRows): Promise<{ data: Float32Array; dims: number[] }> {
  const model = await AUTO[task].from_pretrained(name, { dtype, device: 'cpu' });
  try {
    const { logits } = (await model(feeds(rows))) as { logits: Tensor };
    return { data: logits.data as Float32Array, dims: logits.dims };
  } finally {
    await model.dispose();
  }
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) || (Number.isNaN(a[i] - b[i]) ? Infinity : 0));
  return worst;
};

describe('transformers.js reads `layerwise export --format onnx` as `layerwise predict` computes', () => {
  // One test per case, named by the case: the list is fixed in onnx-cases.ts.
  for (const name of ['bert-seq-cls', 'bert-token-cls', 'bert-mlm', 'distilbert-seq-cls', 'distilbert-token-cls', 'roberta-seq-cls', 'roberta-token-cls', 'electra-seq-cls', 'electra-token-cls', 'bert-mlm-untied']) {
    it(`${name}: fp32 logits within 1e-4 of predict's; int8 loads and stays close`, async () => {
      const c = cases.find((x) => x.name === name) as ExportCase;
      const out = `${name}-onnx`;
      const exported = await command(exportCommand, '--model', c.dir, '--format', 'onnx', '--quantize', 'int8', '--out', path.join(root, out), '--backend', 'cpu', '--json');
      expect(exported.code).toBe(0);
      const report = JSON.parse(exported.stdout) as { files: { name: string }[]; verification: { checks: { passed: boolean }[] } };
      expect(report.files.map((f) => f.name)).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']));
      expect(report.verification.checks.map((x) => x.passed)).toEqual([true, true]);

      const predicted = await command(predictCommand, '--model', c.dir, '--inputs', c.inputsFile, '--backend', 'cpu');
      expect(predicted.code).toBe(0);
      const want = flat((JSON.parse(predicted.stdout) as { logits: unknown }).logits);

      const fp32 = await transformersJsLogits(out, c.task, 'fp32', c.rows);
      expect(fp32.dims).toEqual(c.task === 'seq-cls' ? [c.rows.input_ids.length, want.length / c.rows.input_ids.length] : [c.rows.input_ids.length, c.rows.input_ids[0].length, want.length / c.rows.input_ids.length / c.rows.input_ids[0].length]);
      expect(maxAbsDiff(fp32.data, want)).toBeLessThanOrEqual(1e-4);

      const int8 = await transformersJsLogits(out, c.task, 'q8', c.rows);
      const largest = Math.max(...want.map(Math.abs));
      expect(maxAbsDiff(int8.data, want)).toBeLessThanOrEqual(VERIFY_INT8_RELATIVE_TOLERANCE * largest);
    });
  }

  it('the built-in model (MLM): transformers.js tokenises texts from the exported tokenizer files and gives predict\'s logits; int8 at most half the size', async () => {
    const texts = ['the film was a [MASK] surprise .', 'paris is the capital of [MASK] .'];
    const out = 'default-onnx';
    const exported = await command(exportCommand, '--model', 'default', '--format', 'onnx', '--quantize', 'int8', '--out', path.join(root, out), '--backend', 'cpu');
    expect(exported.code).toBe(0);
    const textsFile = path.join(root, 'texts.json');
    (await import('node:fs')).writeFileSync(textsFile, JSON.stringify({ texts }));
    const predicted = await command(predictCommand, '--model', 'default', '--inputs', textsFile, '--backend', 'cpu');
    const want = flat((JSON.parse(predicted.stdout) as { logits: unknown }).logits);

    const tokenizer = await AutoTokenizer.from_pretrained(out);
    const encoded = tokenizer(texts, { padding: true }) as Record<string, Tensor>;
    const model = await AutoModelForMaskedLM.from_pretrained(out, { dtype: 'fp32', device: 'cpu' });
    const { logits } = (await model(encoded)) as { logits: Tensor };
    expect(maxAbsDiff(logits.data as Float32Array, want)).toBeLessThanOrEqual(1e-4);
    await model.dispose();

    const size = (f: string) => statSync(path.join(root, out, 'onnx', f)).size;
    expect(size('model_quantized.onnx')).toBeLessThanOrEqual(size('model.onnx') / 2);
    // The folder's config is the checkpoint's, for the task transformers.js builds.
    expect(JSON.parse(readFileSync(path.join(root, out, 'config.json'), 'utf8')).architectures).toEqual(['BertForMaskedLM']);
  });
});
