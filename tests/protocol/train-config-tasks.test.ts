// The TrainConfig fields of #20: defaults, and what parseTrainConfig refuses, every bad field named.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG, validateTrainConfig } from '../../src/protocol/train-config';

const paths = (input: unknown) => {
  const r = validateTrainConfig(input);
  return r.ok ? [] : r.errors.map((e) => e.path);
};

describe('problemType, class weights, focal loss and windows', () => {
  it('default to one label, no weights, plain cross-entropy and cut texts', () => {
    expect(DEFAULT_TRAIN_CONFIG).toMatchObject({ problemType: 'single_label_classification', classWeights: 'none', classWeightBeta: 0.999, focalGamma: 0, windows: null });
  });

  it('windows fill from their defaults; a weight per class name is accepted', () => {
    const r = validateTrainConfig({ windows: { aggregate: 'max' }, classWeights: { spam: 4, ham: 0.5 }, problemType: 'multi_label_classification' });
    expect(r.ok && r.config.windows).toEqual({ stride: 32, aggregate: 'max' });
    expect(r.ok && r.config.classWeights).toEqual({ spam: 4, ham: 0.5 });
  });

  it('refuses what does not fit the task or each other, naming the field', () => {
    expect(paths({ task: 'token-cls', problemType: 'multi_label_classification' })).toEqual(['problemType']);
    expect(paths({ task: 'mlm', classWeights: 'inverse-frequency', focalGamma: 1, windows: {} })).toEqual(['classWeights', 'focalGamma', 'windows']);
    expect(paths({ problemType: 'multi_label_classification', labelSmoothing: 0.1 })).toEqual(['labelSmoothing']);
    expect(paths({ labelSmoothing: 0.1, focalGamma: 2 })).toEqual(['focalGamma']);
    expect(paths({ maxLength: 64, windows: { stride: 40 } })).toEqual(['windows.stride']);
  });

  it('refuses bad values', () => {
    expect(paths({ problemType: 'multi', classWeights: 'balanced', classWeightBeta: 1, focalGamma: -1, windows: { stride: -1, aggregate: 'sum' } }).sort()).toEqual(
      ['classWeightBeta', 'classWeights', 'focalGamma', 'problemType', 'windows.aggregate', 'windows.stride'].sort(),
    );
    expect(paths({ classWeights: { spam: 0 } })).toEqual(['classWeights']);
    expect(paths({ classWeights: {} })).toEqual(['classWeights']);
  });
});
