// The learning-rate curve of every parameter group before a run starts, computed with the functions the training
// loop uses (protocol/schedule deriveSchedule + learningRateAt, protocol/param-groups planParameterGroups per epoch
// for gradual unfreezing), so the preview is what the loop will do. The plateau schedule's reductions depend on
// evaluations and cannot be previewed: its curve is the one before any reduction.
import type { ParameterInfo } from '../../../protocol/messages';
import { effectiveLr, planParameterGroups, type GroupPlan } from '../../../protocol/param-groups';
import { deriveSchedule, learningRateAt, type DerivedSchedule } from '../../../protocol/schedule';
import type { TrainConfig } from '../../../protocol/train-config';

export interface SchedulePreview {
  derived: DerivedSchedule;
  /** 0-based optimizer steps sampled. */
  steps: number[];
  /** Base rate (before layer-wise scales) at each sampled step. */
  base: number[];
  groups: { name: string; depth: number; values: number[] }[];
}

/** About this many samples; the warmup's end and the last step are always among them. */
const SAMPLES = 160;

export function sampleSteps(totalSteps: number, warmupSteps: number, samples = SAMPLES): number[] {
  const set = new Set<number>([0, Math.max(0, totalSteps - 1)]);
  if (warmupSteps > 0 && warmupSteps < totalSteps) set.add(warmupSteps);
  const stride = Math.max(1, (totalSteps - 1) / (samples - 1));
  for (let i = 0; i < samples; i++) set.add(Math.min(totalSteps - 1, Math.round(i * stride)));
  return [...set].sort((a, b) => a - b);
}

export function schedulePreview(config: TrainConfig, batchesPerEpoch: number, parameters: readonly ParameterInfo[], numLayers: number): SchedulePreview {
  const derived = deriveSchedule(config, batchesPerEpoch);
  const steps = sampleSteps(derived.totalSteps, derived.warmupSteps);
  const names = parameters.map((p) => p.name);
  const depth = new Map(parameters.map((p) => [p.name, p.depth]));
  const depthOf = (n: string) => depth.get(n) ?? 0;
  const plans = new Map<number, GroupPlan[]>();
  // Only gradual unfreezing changes the plan from epoch to epoch: otherwise one plan serves the whole run.
  const plan = (epoch: number) => {
    if (config.gradualUnfreeze === null) epoch = 0;
    let groups = plans.get(epoch);
    if (!groups) {
      groups = planParameterGroups(names, depthOf, numLayers, config, epoch).groups;
      plans.set(epoch, groups);
    }
    return groups;
  };
  const first = plan(0);
  const base = steps.map((s) => learningRateAt(s, derived.totalSteps, config.schedule, config.learningRate));
  const groups = first.map((g, gi) => ({
    name: g.name,
    depth: g.depth,
    values: steps.map((s) => effectiveLr(plan(Math.floor(s / derived.stepsPerEpoch))[gi].lrScale, s, derived.totalSteps, config)),
  }));
  return { derived, steps, base, groups };
}
