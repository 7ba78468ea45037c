// The Configure panel's schedule preview (src/ui/features/configure/schedule-preview.ts) against torch: each group's
// curve is its lrScale times the rate torch's LambdaLR gives at the sampled steps (tests/protocol/
// schedule_reference.json, made by make_schedule_reference.py), frozen groups stay at 0, and gradual unfreezing
// lets a group in at the epoch planParameterGroups says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParameterInfo } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG, type ScheduleConfig, type TrainConfig } from '../../src/protocol/train-config';
import { sampleSteps, schedulePreview } from '../../src/ui/features/configure/schedule-preview';

interface Case {
  name: string;
  schedule: Partial<ScheduleConfig>;
  baseLr: number;
  totalSteps: number;
  lrs: number[];
}
const reference = JSON.parse(readFileSync(new URL('../protocol/schedule_reference.json', import.meta.url), 'utf8')) as { cases: Case[] };

const PARAMS: ParameterInfo[] = [
  { name: 'bert.embeddings.word_embeddings.weight', shape: [4, 2], depth: 0, nonFinite: 0 },
  { name: 'bert.encoder.layer.0.output.dense.weight', shape: [2, 2], depth: 1, nonFinite: 0 },
  { name: 'bert.encoder.layer.1.output.dense.weight', shape: [2, 2], depth: 2, nonFinite: 0 },
  { name: 'classifier.weight', shape: [2, 2], depth: 3, nonFinite: 0 },
];

function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-6 * Math.abs(expected) + 1e-15;
}

describe('schedule preview', () => {
  it.each(reference.cases.filter((c) => !('plateau' in c.schedule)).map((c) => [c.name, c] as const))('%s: every group follows torch times its scale', (_n, c) => {
    // One batch per step, so totalSteps optimizer steps in one epoch.
    const config: TrainConfig = {
      ...DEFAULT_TRAIN_CONFIG,
      epochs: 1,
      learningRate: c.baseLr,
      layerDecay: 0.5,
      schedule: { ...DEFAULT_TRAIN_CONFIG.schedule, warmupRatio: 0, ...c.schedule },
    };
    const preview = schedulePreview(config, c.totalSteps, PARAMS, 2);
    expect(preview.derived.totalSteps).toBe(c.totalSteps);
    const scales = [0.25, 0.5, 1, 1];
    preview.groups.forEach((g, gi) => {
      preview.steps.forEach((s, i) => {
        if (!close(g.values[i], scales[gi] * c.lrs[s])) throw new Error(`${g.name} step ${s}: ${g.values[i]} vs ${scales[gi] * c.lrs[s]}`);
      });
    });
  });

  it('frozen groups are at 0, and gradual unfreezing brings layers in epoch by epoch', () => {
    const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, epochs: 3, gradualUnfreeze: 1, schedule: { ...DEFAULT_TRAIN_CONFIG.schedule, type: 'constant', warmupRatio: 0 } };
    const preview = schedulePreview(config, 10, PARAMS, 2);
    const at = (group: string, step: number) => preview.groups.find((g) => g.name === group)!.values[preview.steps.indexOf(step)];
    // Epoch 0 (steps 0-9): head only; epoch 1: + layer 1; epoch 2: + layer 0; embeddings (depth 0) never in 3 epochs.
    expect(at('classifier', 0)).toBe(config.learningRate);
    expect(at('bert.encoder.layer.1', 0)).toBe(0);
    expect(at('bert.encoder.layer.1', preview.steps.find((s) => s >= 10 && s < 20)!)).toBe(config.learningRate);
    expect(at('bert.encoder.layer.0', preview.steps.find((s) => s >= 10 && s < 20)!)).toBe(0);
    expect(at('bert.encoder.layer.0', 29)).toBe(config.learningRate);
    expect(at('bert.embeddings', 29)).toBe(0);
    const frozen = schedulePreview({ ...config, gradualUnfreeze: null, freeze: ['bert.encoder.layer.0'] }, 10, PARAMS, 2);
    expect(frozen.groups.find((g) => g.name === 'bert.encoder.layer.0')!.values.every((v) => v === 0)).toBe(true);
  });

  it('samples the first step, the end of warmup and the last step', () => {
    const steps = sampleSteps(10_000, 123, 50);
    expect(steps[0]).toBe(0);
    expect(steps).toContain(123);
    expect(steps.at(-1)).toBe(9_999);
    expect(steps.length).toBeLessThanOrEqual(52);
    expect(sampleSteps(5, 0, 50)).toEqual([0, 1, 2, 3, 4]);
  });
});
