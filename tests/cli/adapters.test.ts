// Bottleneck adapters through the command line: `layerwise train --config` with an adapters block writes the base model
// and the trained head as model.safetensors (the encoder bit for bit the base's: it was frozen) and the adapter in the
// adapters library's layout in adapter/ (adapter_config.json as build_full_config writes it, adapter.safetensors with
// the library's parameter names; adapters 1.2.0, loading.py / utils.py); `predict` reads adapter/ by itself, a folder
// without it is refused, and `predict --adapter` puts the adapter onto another copy of the model; `gradcheck` checks
// the adapters as their own module.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, layerwise, readTensors } from './run-cli';

const BASE = path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'bert-seq-cls');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-adapters-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('train writes adapter/ in the adapters library layout; predict reads it; the encoder stays the base', async () => {
  const data = path.join(work, 'train.csv');
  writeFileSync(data, 'text,label\ngood film,pos\ngreat film,pos\nbad film,neg\ndull film,neg\nnice film,pos\nawful film,neg\n');
  const config = path.join(work, 'config.json');
  writeFileSync(config, JSON.stringify({ maxSteps: 3, batchSize: 3, learningRate: 0.05, validationSplit: 0, maxLength: 16, adapters: { kind: 'houlsby', reductionFactor: 8 } }));
  const out = path.join(work, 'out');
  const trained = await layerwise('train', '--model', BASE, '--data', data, '--config', config, '--out', out, '--backend', 'cpu', '--json');
  expect(trained.code, trained.stderr).toBe(0);

  const text = readFileSync(path.join(out, 'adapter', 'adapter_config.json'), 'utf8');
  expect(text).toContain('"scaling": 1.0,'); // a float: the library refuses the int 1
  const adapterConfig = JSON.parse(text);
  expect(Object.keys(adapterConfig)).toEqual(['config', 'hidden_size', 'model_class', 'model_name', 'model_type', 'name', 'version']);
  expect(adapterConfig).toMatchObject({ hidden_size: 32, model_class: 'BertForSequenceClassification', model_type: 'bert', name: 'layerwise', version: 'adapters.1.2.0' });
  expect(adapterConfig.config).toMatchObject({ mh_adapter: true, output_adapter: true, original_ln_before: false, original_ln_after: true, residual_before_ln: true, reduction_factor: 8, non_linearity: 'swish', init_weights: 'bert', is_parallel: false });
  expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).layerwise).toEqual({ adapter: 'adapter' });

  const adapter = await readTensors(path.join(out, 'adapter', 'adapter.safetensors'));
  expect([...adapter.keys()].slice(0, 4)).toEqual([
    'bert.encoder.layer.0.attention.output.adapters.layerwise.adapter_down.0.weight',
    'bert.encoder.layer.0.attention.output.adapters.layerwise.adapter_down.0.bias',
    'bert.encoder.layer.0.attention.output.adapters.layerwise.adapter_up.weight',
    'bert.encoder.layer.0.attention.output.adapters.layerwise.adapter_up.bias',
  ]);
  expect(adapter.size).toBe(16);
  expect(adapter.get('bert.encoder.layer.1.output.adapters.layerwise.adapter_up.weight')?.length).toBe(32 * 4); // [H, H // 8]
  // Trained: the zero biases moved.
  expect(Math.max(...Array.from(adapter.get('bert.encoder.layer.0.output.adapters.layerwise.adapter_up.bias') ?? [], Math.abs))).toBeGreaterThan(0);

  const weights = await readTensors(path.join(out, 'model.safetensors'));
  const base = await readTensors(path.join(BASE, 'model.safetensors'));
  expect([...weights.keys()].some((n) => n.includes('.adapters.'))).toBe(false);
  for (const [name, t] of weights) {
    if (name.startsWith('bert.') && !name.startsWith('bert.pooler.')) expect(Array.from(t), name).toEqual(Array.from(base.get(name) ?? []));
  }

  const inputs = path.join(work, 'inputs.json');
  writeFileSync(inputs, JSON.stringify({ input_ids: [[2, 9, 14, 3]] }));
  const withAdapter = await layerwise('predict', '--model', out, '--inputs', inputs, '--backend', 'cpu');
  expect(withAdapter.code, withAdapter.stderr).toBe(0);
  expect(withAdapter.stderr).toContain('ADAPTER_LOADED');
  // The same weights without the adapter: the folder's files but adapter/, and config.json without the marker.
  const bare = path.join(work, 'bare');
  cpSync(out, bare, { recursive: true, filter: (src) => !src.includes(`${path.sep}adapter`) });
  const missing = await layerwise('predict', '--model', bare, '--inputs', inputs, '--backend', 'cpu');
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain('ADAPTER_FILES_MISSING');
  const cfg = JSON.parse(readFileSync(path.join(bare, 'config.json'), 'utf8'));
  delete cfg.layerwise;
  writeFileSync(path.join(bare, 'config.json'), JSON.stringify(cfg));
  const without = await layerwise('predict', '--model', bare, '--inputs', inputs, '--backend', 'cpu');
  const onBare = await layerwise('predict', '--model', bare, '--adapter', path.join(out, 'adapter'), '--inputs', inputs, '--backend', 'cpu');
  for (const r of [without, onBare]) expect(r.code, r.stderr).toBe(0);
  const [a, b, c] = [withAdapter, onBare, without].map((r) => (JSON.parse(r.stdout).logits as number[][]).flat());
  expect(b).toEqual(a);
  expect(Math.max(...a.map((x, i) => Math.abs(x - c[i])))).toBeGreaterThan(1e-4);
}, 180_000);

it('gradcheck checks the adapters as a module of their own', async () => {
  const data = path.join(work, 'grad.csv');
  writeFileSync(data, 'text,label\ngood film,pos\nbad film,neg\n');
  const config = path.join(work, 'grad-config.json');
  writeFileSync(config, JSON.stringify({ adapters: { kind: 'pfeiffer', reductionFactor: 4 } }));
  const r = await layerwise('gradcheck', '--model', BASE, '--data', data, '--config', config, '--examples', '2', '--backend', 'cpu', '--json');
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const report = JSON.parse(r.stdout);
  const modules = report.modules.map((m: { module: string }) => m.module);
  expect(modules).toContain('adapters');
  const adapters = report.modules.find((m: { module: string }) => m.module === 'adapters');
  // 2 layers × 4 tensors × 3 entries.
  expect(adapters.checked).toBe(24);
  expect(adapters.pass).toBe(true);
}, 180_000);
