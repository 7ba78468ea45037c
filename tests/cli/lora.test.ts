// LoRA through the command line as outside checks call it: `layerwise train --config` with a lora block writes
// PEFT's adapter_config.json and adapter_model.safetensors beside the merged model.safetensors, and `predict` gives the
// same logits for the written folder and for the base folder with `--adapter` pointing at it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, layerwise } from './run-cli';

const BASE = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'bert-seq-cls');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-lora-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('train writes the PEFT adapter beside the merged weights; predict --adapter on the base gives the same logits', async () => {
  const data = path.join(work, 'train.csv');
  writeFileSync(data, 'text,label\ngood film,pos\ngreat film,pos\nbad film,neg\ndull film,neg\nnice film,pos\nawful film,neg\n');
  const config = path.join(work, 'config.json');
  writeFileSync(config, JSON.stringify({ maxSteps: 2, batchSize: 3, learningRate: 0.05, validationSplit: 0, maxLength: 16, lora: { r: 2, alpha: 4 } }));
  const out = path.join(work, 'out');
  const trained = await layerwise('train', '--model', BASE, '--data', data, '--config', config, '--out', out, '--backend', 'cpu', '--json');
  expect(trained.code, trained.stderr).toBe(0);
  const adapterConfig = JSON.parse(readFileSync(path.join(out, 'adapter_config.json'), 'utf8'));
  expect(adapterConfig).toMatchObject({ peft_type: 'LORA', r: 2, lora_alpha: 4, target_modules: ['query', 'value'], task_type: 'SEQ_CLS' });
  const inputs = path.join(work, 'inputs.json');
  writeFileSync(inputs, JSON.stringify({ input_ids: [[2, 9, 14, 3]] }));
  const merged = await layerwise('predict', '--model', out, '--inputs', inputs, '--backend', 'cpu');
  const onBase = await layerwise('predict', '--model', BASE, '--adapter', out, '--inputs', inputs, '--backend', 'cpu');
  const base = await layerwise('predict', '--model', BASE, '--inputs', inputs, '--backend', 'cpu');
  for (const r of [merged, onBase, base]) expect(r.code, r.stderr).toBe(0);
  expect(onBase.stderr).toContain('PEFT_ADAPTER_MERGED');
  const [a, b, c] = [merged, onBase, base].map((r) => (JSON.parse(r.stdout).logits as number[][]).flat());
  a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(1e-5));
  // The base has three classes, the run's head two: the adapter's head replaced it.
  expect([a.length, c.length]).toEqual([2, 3]);
}, 120_000);
