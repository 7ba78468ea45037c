// The built-in model (public/models/default) as the CLI and the studio use it: the architecture its build script
// names, under 15 MB of weights, loaded strictly (no warning), and `--model default` serving `predict`.
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFolder } from '../../src/cli/node-files';
import { DEFAULT_MODEL_DIR } from '../../src/cli/train-data';
import { useNodeBackend } from '../../src/cli/node-backend';
import { loadModelFolder } from '../../src/engine/load';
import { ROOT, layerwise } from './run-cli';

describe('the built-in model', () => {
  it('is the architecture of scripts/default-model/config.json, a BertForMaskedLM under 15 MB', () => {
    const recipe = JSON.parse(readFileSync(path.join(ROOT, 'scripts', 'default-model', 'config.json'), 'utf8')) as Record<string, unknown>;
    const shipped = JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['model_type', 'vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'max_position_embeddings']) {
      expect(shipped[key], key).toEqual(recipe[key]);
    }
    expect(shipped.architectures).toEqual(['BertForMaskedLM']);
    expect(statSync(path.join(DEFAULT_MODEL_DIR, 'model.safetensors')).size).toBeLessThan(15e6);
    expect(readFileSync(path.join(DEFAULT_MODEL_DIR, 'README.md'), 'utf8')).toMatch(/layerwise pretrain/);
  });

  it('loads strictly: every tensor present, the tokenizer matching the embedding, no warning', async () => {
    await useNodeBackend('cpu');
    const model = await loadModelFolder(nodeFolder(DEFAULT_MODEL_DIR));
    try {
      expect(model.task).toBe('mlm');
      expect(model.messages.filter((m) => m.level !== 'info')).toEqual([]);
      expect(model.tokenizer?.vocabSize).toBe(model.config.vocab_size);
      expect(model.nonFinite.size).toBe(0);
    } finally {
      model.params.dispose();
    }
  });

  it('is what --model default means', async () => {
    const inputs = path.join(mkdtempSync(path.join(tmpdir(), 'layerwise-default-')), 'texts.json');
    writeFileSync(inputs, JSON.stringify({ texts: ['the movie was [MASK] .'] }));
    const r = await layerwise('predict', '--model', 'default', '--inputs', inputs, '--json');
    expect(r.code, r.stderr).toBe(0);
    const logits = (JSON.parse(r.stdout) as { logits: number[][][] }).logits;
    // [CLS] the movie was [MASK] . [SEP]: 7 positions of 8,192 logits each.
    expect(logits[0]).toHaveLength(7);
    expect(logits[0][4]).toHaveLength(8192);
    expect(logits[0][4].every(Number.isFinite)).toBe(true);
  });
});
