// The sweep plan (src/protocol/sweep.ts): validation with coded errors, the grid's points, seeded random draws
// within their ranges, the epochs and survivors of each rung of successive halving, and the ranking.
import { describe, expect, it } from 'vitest';
import { halvingPlan, parseSweepConfig, planTrials, rankTrials, type TrialResult } from '../../src/protocol/sweep';

const base = { epochs: 4, batchSize: 8 };

describe('sweep plan', () => {
  it('a grid is the product of the lists, each point a valid TrainConfig', () => {
    const sweep = parseSweepConfig({ base, method: 'grid', trials: 6, space: { learningRate: [1e-4, 3e-4], freeze: [[], ['bert.embeddings'], ['bert.embeddings', 'bert.encoder.layer.0']] } });
    const trials = planTrials(sweep);
    expect(trials.map((t) => [t.values.learningRate, (t.values.freeze as string[]).length])).toEqual([
      [1e-4, 0], [1e-4, 1], [1e-4, 2], [3e-4, 0], [3e-4, 1], [3e-4, 2],
    ]);
    expect(trials[4].config).toMatchObject({ learningRate: 3e-4, freeze: ['bert.embeddings'], epochs: 4, batchSize: 8 });
  });

  it('random trials are seeded, within their ranges (log-uniform where asked), and set nested fields', () => {
    const config = { base, method: 'random', trials: 50, seed: 7, space: { learningRate: { min: 1e-5, max: 1e-3, log: true }, warmupRatio: [0, 0.1], dropout: { min: 0, max: 0.3 } } };
    const a = planTrials(parseSweepConfig(config));
    expect(planTrials(parseSweepConfig(config))).toEqual(a);
    expect(planTrials(parseSweepConfig({ ...config, seed: 8 }))).not.toEqual(a);
    const lrs = a.map((t) => t.values.learningRate as number);
    expect(Math.min(...lrs)).toBeGreaterThanOrEqual(1e-5);
    expect(Math.max(...lrs)).toBeLessThanOrEqual(1e-3);
    // Log-uniform: about half of the draws fall below the geometric middle 1e-4 (uniform would put 9% there).
    expect(lrs.filter((x) => x < 1e-4).length).toBeGreaterThan(15);
    const t = a[0];
    expect(t.config.schedule).toMatchObject({ warmupRatio: t.values.warmupRatio, warmupSteps: null });
    expect(t.config.dropout).toMatchObject({ hidden: t.values.dropout, attention: t.values.dropout, classifier: null });
  });

  it('successive halving: short rungs first, the best 1/eta go on, the last rung trains the full epochs', () => {
    const sweep = parseSweepConfig({ base, trials: 9, space: { learningRate: [1e-4, 2e-4] }, halving: { eta: 3, rungs: 3 } });
    expect(halvingPlan(sweep, 9, 4)).toEqual([{ epochs: 4 / 9, trials: 9 }, { epochs: 4 / 3, trials: 3 }, { epochs: 4, trials: 1 }]);
    expect(halvingPlan({ ...sweep, halving: null }, 9, 4)).toEqual([{ epochs: 4, trials: 9 }]);
  });

  it('ranks by the metric\'s goal, unscored trials last', () => {
    const result = (id: number, score: number | null): TrialResult => ({ id, rung: 0, epochs: 1, values: {}, score, metrics: null, error: null, seconds: 0 });
    const results = [result(0, 0.5), result(1, null), result(2, 0.9), result(3, 0.7)];
    expect(rankTrials(parseSweepConfig({ base, space: { batchSize: [8] }, metric: 'accuracy' }), results).map((r) => r.id)).toEqual([2, 3, 0, 1]);
    expect(rankTrials(parseSweepConfig({ base, space: { batchSize: [8] }, metric: 'eval_loss' }), results).map((r) => r.id)).toEqual([0, 3, 2, 1]);
  });

  it('refuses bad sweeps with SWEEP_CONFIG_INVALID naming the field', () => {
    const bad = (input: unknown, field: string) => expect(() => parseSweepConfig(input)).toThrow(expect.objectContaining({ code: 'SWEEP_CONFIG_INVALID', location: expect.objectContaining({ field }) }));
    bad({ base, space: {} }, 'space');
    bad({ base, space: { momentum: [0.9] } }, 'space.momentum');
    bad({ base, method: 'grid', space: { learningRate: { min: 1e-5, max: 1e-3 } } }, 'space.learningRate');
    bad({ base, space: { learningRate: { min: 0, max: 1e-3, log: true } } }, 'space.learningRate');
    bad({ base, method: 'grid', trials: 3, space: { learningRate: [1e-4, 2e-4], batchSize: [8, 16] } }, 'trials');
    bad({ base, space: { batchSize: [0] } }, 'space');
    bad({ base, space: { batchSize: [8] }, metric: 'perplexity' }, 'metric');
    bad({ base, space: { batchSize: [8] }, metric: 'entity_f1' }, 'metric');
    bad({ base, space: { batchSize: [8] }, halving: { eta: 1, rungs: 2 } }, 'halving');
    bad({ base, space: { batchSize: [8] }, budget: 3 }, 'budget');
    expect(() => parseSweepConfig({ base: { epochs: -1 }, space: { batchSize: [8] } })).toThrow(expect.objectContaining({ code: 'TRAIN_CONFIG_INVALID' }));
  });
});
