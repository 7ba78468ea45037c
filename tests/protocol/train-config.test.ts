// TrainConfig validation: defaults, deep merge, and every bad field listed with path, expectation and found value.
import { describe, expect, it } from 'vitest';
import { LayerwiseError } from '../../src/lib/errors';
import {
  DEFAULT_LORA,
  DEFAULT_TRAIN_CONFIG,
  parseTrainConfig,
  validateTrainConfig,
  type ConfigFieldError,
} from '../../src/protocol/train-config';

function errorsOf(input: unknown): ConfigFieldError[] {
  const result = validateTrainConfig(input);
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.errors;
}

describe('parseTrainConfig', () => {
  it('returns the defaults for an empty object, without aliasing them', () => {
    const config = parseTrainConfig({});
    expect(config).toEqual(DEFAULT_TRAIN_CONFIG);
    config.freeze.push('bert.embeddings');
    config.schedule.plateau.patience = 99;
    expect(DEFAULT_TRAIN_CONFIG.freeze).toEqual([]);
    expect(DEFAULT_TRAIN_CONFIG.schedule.plateau.patience).toBe(2);
  });

  it('merges nested objects field by field', () => {
    const config = parseTrainConfig({
      task: 'token-cls',
      learningRate: 3e-5,
      schedule: { type: 'cosine', plateau: { factor: 0.2 } },
      dropout: { hidden: 0.2 },
      earlyStopping: { metric: 'entity_f1', patience: 2 },
      freeze: ['bert.embeddings', 'bert.encoder.layer.0'],
      lrMultipliers: { classifier: 10 },
      evalEvery: 50,
    });
    expect(config.schedule).toEqual({
      ...DEFAULT_TRAIN_CONFIG.schedule,
      type: 'cosine',
      plateau: { ...DEFAULT_TRAIN_CONFIG.schedule.plateau, factor: 0.2 },
    });
    expect(config.dropout).toEqual({ hidden: 0.2, attention: null, classifier: null });
    expect(config.earlyStopping).toEqual({ metric: 'entity_f1', patience: 2, minDelta: 0, restoreBest: false });
    expect(config.lrMultipliers).toEqual({ classifier: 10 });
    expect(config.evalEvery).toBe(50);
    expect(config.weightDecay).toBe(DEFAULT_TRAIN_CONFIG.weightDecay);
  });

  it('takes earlyStopping: null as "off"', () => {
    const config = parseTrainConfig({ earlyStopping: null });
    expect(config.earlyStopping.patience).toBeNull();
    expect(config.earlyStopping.restoreBest).toBe(false);
  });

  it('lists every bad field at once, nested paths included', () => {
    const errors = errorsOf({
      epochs: 0,
      batchSize: 2.5,
      gradientCheckpointing: 'yes',
      learningRate: '5e-5',
      betas: [0.9],
      schedule: { type: 'cosin', warmupRatio: 1.5, plateau: { factor: 1 } },
      dropout: { hidden: 1 },
      freeze: ['bert..embeddings', 3],
      lrMultipliers: { classifier: 0 },
      evalEvery: 'step',
      lora: { r: 0, targetModules: [], rankPattern: { query: 2.5 } },
      adapters: { kind: 'lora' },
    });
    expect(errors.map((e) => e.path)).toEqual([
      'epochs',
      'batchSize',
      'gradientCheckpointing',
      'learningRate',
      'betas',
      'schedule.type',
      'schedule.warmupRatio',
      'schedule.plateau.factor',
      'dropout.hidden',
      'freeze',
      'lrMultipliers',
      'evalEvery',
      'lora.r',
      'lora.targetModules',
      'lora.rankPattern',
      'adapters.kind',
    ]);
    expect(errors[2]).toEqual({ path: 'gradientCheckpointing', expected: 'true or false', found: '"yes"' });
    expect(errors[3]).toEqual({ path: 'learningRate', expected: 'a number > 0', found: '"5e-5"' });
    expect(errors[5].expected).toContain('"cosine"');
    expect(errors[15].expected).toBe('one of "houlsby", "pfeiffer"');
  });

  it('rejects unknown keys and suggests the field that was meant', () => {
    const errors = errorsOf({ learningrate: 1e-4, schedule: { warmup_ratio: 0.1 }, shuffle: true });
    expect(errors).toEqual([
      { path: 'learningrate', expected: 'no such field (did you mean "learningRate"?)', found: '0.0001' },
      { path: 'schedule.warmup_ratio', expected: 'no such field (did you mean "warmupRatio"?)', found: '0.1' },
      expect.objectContaining({ path: 'shuffle', found: 'true' }),
    ]);
    expect(errors[2].expected).toMatch(/^no such field \(known: task, epochs, /);
  });

  it('takes lora as null (full fine-tuning, the default) or an object merged over PEFT\'s defaults', () => {
    expect(parseTrainConfig({}).lora).toBeNull();
    expect(parseTrainConfig({ lora: null }).lora).toBeNull();
    expect(parseTrainConfig({ lora: { r: 16, targetModules: ['query', 'attention.self.value'] } }).lora).toEqual({
      ...DEFAULT_LORA,
      r: 16,
      targetModules: ['query', 'attention.self.value'],
    });
    expect(parseTrainConfig({ lora: {} }).lora).toEqual(DEFAULT_LORA);
    expect(parseTrainConfig({ lora: {} }).lora).not.toBe(DEFAULT_LORA);
    expect(errorsOf({ lora: 8 })).toEqual([{ path: 'lora', expected: 'an object', found: '8' }]);
    expect(errorsOf({ lora: { rank: 8, dropout: 1 } }).map((e) => e.path)).toEqual(['lora.rank', 'lora.dropout']);
    expect(errorsOf({ lora: { targetModules: ['query value'] } }).map((e) => e.path)).toEqual(['lora.targetModules']);
  });

  it('rejects non-objects and wrong nested types', () => {
    expect(errorsOf(null)).toEqual([{ path: '(config)', expected: 'an object', found: 'null' }]);
    expect(errorsOf([1])[0].path).toBe('(config)');
    expect(errorsOf({ schedule: 'linear' })).toEqual([{ path: 'schedule', expected: 'an object', found: '"linear"' }]);
    expect(errorsOf({ learningRate: NaN })[0].found).toBe('NaN');
  });

  it('checks fields against each other: metric per task and minLr below the learning rate', () => {
    const errors = errorsOf({
      task: 'seq-cls',
      learningRate: 1e-5,
      earlyStopping: { metric: 'entity_f1' },
      schedule: { minLr: 1e-5, plateau: { metric: 'accuracy' } },
    });
    expect(errors.map((e) => e.path)).toEqual(['schedule.minLr', 'earlyStopping.metric']);
    expect(errorsOf({ task: 'mlm', schedule: { plateau: { metric: 'f1_macro' } } })[0]).toMatchObject({
      path: 'schedule.plateau.metric',
      found: '"f1_macro"',
    });
  });

  it('throws TRAIN_CONFIG_INVALID naming every bad field', () => {
    let thrown: unknown;
    try {
      parseTrainConfig({ epochs: -1, maxGradNorm: -1, adapters: 'pfeiffer' }, 'run.json');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(LayerwiseError);
    const err = thrown as LayerwiseError;
    expect(err.code).toBe('TRAIN_CONFIG_INVALID');
    expect(err.location).toEqual({ file: 'run.json', field: 'epochs, maxGradNorm, adapters' });
    expect(err.message).toContain('3 bad fields');
    expect(err.message).toContain('maxGradNorm: expected a number ≥ 0, or null, found -1');
  });

  it('accepts the boundary values', () => {
    const config = parseTrainConfig({
      maxGradNorm: null,
      layerDecay: 1,
      seed: 0,
      maxSteps: 1,
      gradualUnfreeze: 1,
      schedule: { warmupRatio: 1, warmupSteps: 0, gamma: 1 },
      betas: [0, 0.999999],
      lora: null,
    });
    expect(config.seed).toBe(0);
    expect(config.schedule.warmupSteps).toBe(0);
  });
});
