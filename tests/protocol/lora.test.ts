// Which layers LoRA adapts (protocol/lora.ts), as PEFT matches target_modules and rank_pattern: whole trailing
// segments, never the head; PEFT's modules_to_save are the head's outermost modules; the share LoRA r = 8 on query and
// value trains of the built-in model and of a BERT-base-shaped one (issue: under 2%), counted from the families' shapes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getModelFamily, parseModelConfig } from '../../src/engine/models/index';
import { benchConfig, BENCH_MODELS } from '../../src/engine/bench/train-bench';
import { LayerwiseError } from '../../src/lib/errors';
import { adapterParameterCount, adapterShapes, headModules, loraModules, patternKey } from '../../src/protocol/lora';
import { DEFAULT_LORA, type LoraConfig } from '../../src/protocol/train-config';
import type { ModelConfig } from '../../src/formats/hf-config';

function paramsOf(config: ModelConfig) {
  const family = getModelFamily(config);
  const shapes = family.parameterShapes(config, 'seq-cls');
  const isHead = (n: string) => family.depthOf(n, config) > config.num_hidden_layers;
  return { params: [...shapes].map(([name, shape]) => ({ name, shape })), isHead, names: [...shapes.keys()] };
}

const bertBase = () => benchConfig(BENCH_MODELS.base);
const lora = (over: Partial<LoraConfig>): LoraConfig => ({ ...DEFAULT_LORA, ...over });

function thrown(fn: () => unknown): LayerwiseError {
  try {
    fn();
  } catch (err) {
    return err as LayerwiseError;
  }
  throw new Error('did not throw');
}

describe('loraModules', () => {
  it('adapts the layers whose names end in a target, in whole segments, outside the head', () => {
    const { params, isHead } = paramsOf(bertBase());
    const modules = loraModules(params, lora({ targetModules: ['query', 'output.dense'] }), isHead);
    // output.dense: attention.output.dense and output.dense of each of 12 layers; never the pooler's dense.
    expect(modules.map((m) => m.module).filter((m) => m.startsWith('bert.encoder.layer.0.'))).toEqual([
      'bert.encoder.layer.0.attention.self.query',
      'bert.encoder.layer.0.attention.output.dense',
      'bert.encoder.layer.0.output.dense',
    ]);
    expect(modules).toHaveLength(36);
    expect(modules.find((m) => m.module.endsWith('layer.0.output.dense'))).toMatchObject({ r: 8, scaling: 1, inFeatures: 3072, outFeatures: 768 });
    expect(loraModules(params, lora({ targetModules: ['dense'] }), isHead).some((m) => m.module.includes('pooler'))).toBe(false);
  });

  it('takes ranks from rankPattern as PEFT\'s get_pattern_key, with scaling alpha / r', () => {
    const { params, isHead } = paramsOf(bertBase());
    const modules = loraModules(params, lora({ alpha: 16, rankPattern: { 'layer.11.attention.self.value': 2, query: 4 } }), isHead);
    expect(modules.find((m) => m.module === 'bert.encoder.layer.11.attention.self.value')).toMatchObject({ r: 2, scaling: 8 });
    expect(modules.find((m) => m.module === 'bert.encoder.layer.10.attention.self.value')).toMatchObject({ r: 8, scaling: 2 });
    expect(modules.find((m) => m.module === 'bert.encoder.layer.3.attention.self.query')).toMatchObject({ r: 4, scaling: 4 });
    expect(patternKey(['value'], 'x.self.value')).toBe('value');
    expect(patternKey(['alue'], 'x.self.value')).toBeNull();
  });

  it('refuses targets that name no layer and rank patterns that name no adapted layer', () => {
    const { params, isHead } = paramsOf(bertBase());
    const none = thrown(() => loraModules(params, lora({ targetModules: ['q_lin', 'uery', 'classifier'] }), isHead));
    expect(none.code).toBe('LORA_NO_TARGET');
    expect(none.location).toEqual({ field: 'lora.targetModules' });
    const unused = thrown(() => loraModules(params, lora({ rankPattern: { key: 4, value: 2 } }), isHead));
    expect([unused.code, unused.message]).toEqual(['LORA_PATTERN_UNUSED', expect.stringContaining(': key.')]);
  });

  it('names the adapters A [r, in] and B [out, r] as PEFT saves them', () => {
    const { params, isHead } = paramsOf(bertBase());
    const [first] = loraModules(params, DEFAULT_LORA, isHead);
    expect(adapterShapes([first])).toEqual([
      ['bert.encoder.layer.0.attention.self.query.lora_A.weight', [8, 768]],
      ['bert.encoder.layer.0.attention.self.query.lora_B.weight', [768, 8]],
    ]);
  });
});

describe('headModules (PEFT modules_to_save)', () => {
  it('takes the outermost modules that hold only head parameters', () => {
    const bert = paramsOf(bertBase());
    expect(headModules(bert.names, bert.isHead).sort()).toEqual(['bert.pooler', 'classifier']);
    const roberta = paramsOf({ ...bertBase(), model_type: 'roberta', family: 'roberta', pad_token_id: 1 });
    expect(headModules(roberta.names, roberta.isHead)).toEqual(['classifier']);
  });
});

describe('the share LoRA trains (r 8, query and value, with the head)', () => {
  it.each([
    ['the built-in model', parseModelConfig(readFileSync(path.resolve(import.meta.dirname, '../../public/models/default/config.json'), 'utf8')).config, 0.02],
    ['a BERT-base-shaped model', bertBase(), 0.01],
  ])('%s: under its bound', (_name, config, bound) => {
    const { params, isHead } = paramsOf({ ...config, num_labels: 2, id2label: ['neg', 'pos'] });
    const total = params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    const head = params.filter((p) => isHead(p.name)).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    const adapters = adapterParameterCount(loraModules(params, DEFAULT_LORA, isHead));
    const share = (adapters + head) / (total + adapters);
    console.log(`${_name}: ${adapters + head} of ${total + adapters} trainable (${(100 * share).toFixed(2)}%)`);
    expect(share).toBeLessThan(bound);
    expect(adapters).toBeGreaterThan(0);
  });
});
