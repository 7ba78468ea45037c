// matchesPrefix: a prefix covers whole dotted segments of a checkpoint name (DESIGN.md "Names are the checkpoint's names").
import { describe, expect, it } from 'vitest';
import { matchesPrefix } from '../../../src/engine/params/names';

describe('matchesPrefix', () => {
  it('covers the module and everything under it', () => {
    expect(matchesPrefix('bert.encoder.layer.1.output.dense.weight', 'bert.encoder.layer.1')).toBe(true);
    expect(matchesPrefix('bert.encoder.layer.1', 'bert.encoder.layer.1')).toBe(true);
    expect(matchesPrefix('bert.encoder.layer.1.output.dense.weight', 'bert.encoder.layer.1.')).toBe(true);
  });

  it('never a longer segment that starts the same', () => {
    expect(matchesPrefix('bert.encoder.layer.10.output.dense.weight', 'bert.encoder.layer.1')).toBe(false);
    expect(matchesPrefix('bert.encoder.layer.10.output.dense.weight', 'bert.encoder.layer.1.')).toBe(false);
    expect(matchesPrefix('classifier.weight', 'classifier.w')).toBe(false);
    expect(matchesPrefix('bert.pooler.dense.weight', 'pooler')).toBe(false);
  });

  it('the empty prefix covers every name', () => {
    expect(matchesPrefix('classifier.bias', '')).toBe(true);
  });
});
