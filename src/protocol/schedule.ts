// Learning-rate schedules as pure functions of the optimizer step, shared by the training loop, the CLI and the UI's
// schedule preview. Values follow transformers' get_*_schedule_with_warmup (LambdaLR multipliers, optimization.py),
// torch's CosineAnnealingLR (eta_min), StepLR and ReduceLROnPlateau.
import type { ScheduleConfig, TrainConfig } from './train-config';

/** Step counts of a run, derived once from the config and the size of an epoch. */
export interface DerivedSchedule {
  /** Optimizer steps per epoch: micro-batches / gradAccumulation, rounded up (a last partial window still steps). */
  stepsPerEpoch: number;
  /** Optimizer steps of the whole run: ceil(epochs · stepsPerEpoch), capped by maxSteps. */
  totalSteps: number;
  /** Steps of linear warmup: warmupSteps, or ceil(totalSteps · warmupRatio) as TrainingArguments.get_warmup_steps. */
  warmupSteps: number;
  /** Epochs the loop starts (the last one may stop part-way). */
  epochs: number;
}

/** Warmup length for a run of totalSteps optimizer steps. */
export function warmupStepsFor(schedule: ScheduleConfig, totalSteps: number): number {
  return schedule.warmupSteps ?? Math.ceil(totalSteps * schedule.warmupRatio);
}

/** The one derivation of step counts used by the loop, the CLI and the preview; batchesPerEpoch counts micro-batches. */
export function deriveSchedule(config: TrainConfig, batchesPerEpoch: number): DerivedSchedule {
  const stepsPerEpoch = Math.max(1, Math.ceil(batchesPerEpoch / config.gradAccumulation));
  const planned = Math.ceil(config.epochs * stepsPerEpoch);
  const totalSteps = config.maxSteps === null ? planned : Math.min(planned, config.maxSteps);
  return {
    stepsPerEpoch,
    totalSteps,
    warmupSteps: warmupStepsFor(config.schedule, totalSteps),
    epochs: Math.ceil(totalSteps / stepsPerEpoch),
  };
}

/**
 * Optimizer steps between two evaluations for a run of totalSteps: evalEvery as given, or a share of the run rounded
 * up (at least 1); 'epoch' is the epoch's length. The loop, the worker and the previews all count with this.
 */
export function evalInterval(evalEvery: TrainConfig['evalEvery'], schedule: Pick<DerivedSchedule, 'totalSteps' | 'stepsPerEpoch'>): number {
  if (evalEvery === 'epoch') return schedule.stepsPerEpoch;
  if (evalEvery < 1) return Math.max(1, Math.ceil(evalEvery * schedule.totalSteps));
  return evalEvery;
}

/** transformers' warmup branch: step / max(1, warmup). */
function warmupFactor(step: number, warmup: number): number {
  return step / Math.max(1, warmup);
}

/** Multiplier of the base rate after warmup, as the matching LambdaLR lambda of transformers (or torch scheduler). */
function decayFactor(step: number, totalSteps: number, warmup: number, s: ScheduleConfig, baseLr: number): number {
  const decaySteps = Math.max(1, totalSteps - warmup);
  const progress = (step - warmup) / decaySteps;
  switch (s.type) {
    case 'constant':
    case 'plateau':
      return 1;
    case 'linear':
      return Math.max(0, (totalSteps - step) / decaySteps);
    case 'cosine': {
      // get_cosine_with_min_lr_schedule_with_warmup; with warmup 0 and numCycles 0.5 this is CosineAnnealingLR.
      const minRate = s.minLr / baseLr;
      const factor = 0.5 * (1 + Math.cos(Math.PI * s.numCycles * 2 * progress));
      return Math.max(0, factor * (1 - minRate) + minRate);
    }
    case 'cosine-restarts':
      if (progress >= 1) return 0;
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * ((s.restartCycles * progress) % 1))));
    case 'polynomial': {
      if (step > totalSteps) return s.minLr / baseLr;
      return ((baseLr - s.minLr) * (1 - progress) ** s.power + s.minLr) / baseLr;
    }
    case 'step':
      return s.gamma ** Math.floor((step - warmup) / s.stepSize);
  }
}

/**
 * The learning rate of the step-th optimizer update (0-based), as LambdaLR gives it when scheduler.step() follows
 * each optimizer.step(): baseLr · λ(step). A parameter group's rate is this times its lrScale. For 'plateau', pass
 * PlateauScheduler.lr as baseLr: the curve is warmup then constant at the plateau's current rate.
 */
export function learningRateAt(step: number, totalSteps: number, schedule: ScheduleConfig, baseLr: number): number {
  const warmup = warmupStepsFor(schedule, totalSteps);
  if (step < warmup) return baseLr * warmupFactor(step, warmup);
  return baseLr * decayFactor(step, totalSteps, warmup, schedule, baseLr);
}

/** Resumable state of a PlateauScheduler (plain data, stored with checkpoints). */
export interface PlateauState {
  lr: number;
  best: number;
  badEvaluations: number;
  cooldownLeft: number;
}

/** torch's ReduceLROnPlateau eps: reductions smaller than this are ignored. */
const PLATEAU_EPS = 1e-8;

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau on the base learning rate, fed with one metric value per evaluation.
 * The floor schedule.minLr applies to the base rate; groups keep their lrScale ratios under it.
 */
export class PlateauScheduler {
  private readonly config: ScheduleConfig['plateau'];
  private readonly goal: 'min' | 'max';
  private readonly minLr: number;
  private current: PlateauState;

  constructor(baseLr: number, schedule: ScheduleConfig, goal: 'min' | 'max', state?: PlateauState) {
    this.config = schedule.plateau;
    this.goal = goal;
    this.minLr = schedule.minLr;
    this.current = state
      ? { ...state }
      : { lr: baseLr, best: goal === 'min' ? Infinity : -Infinity, badEvaluations: 0, cooldownLeft: 0 };
  }

  /** The base learning rate after the reductions so far. */
  get lr(): number {
    return this.current.lr;
  }

  snapshot(): PlateauState {
    return { ...this.current };
  }

  private isBetter(value: number, best: number): boolean {
    const { threshold, thresholdMode } = this.config;
    if (this.goal === 'min') return thresholdMode === 'rel' ? value < best * (1 - threshold) : value < best - threshold;
    return thresholdMode === 'rel' ? value > best * (threshold + 1) : value > best + threshold;
  }

  /** Records one evaluation's metric; returns true when it lowered the rate. A NaN counts as no improvement. */
  step(metric: number): boolean {
    const s = this.current;
    if (this.isBetter(metric, s.best)) {
      s.best = metric;
      s.badEvaluations = 0;
    } else {
      s.badEvaluations += 1;
    }
    if (s.cooldownLeft > 0) {
      s.cooldownLeft -= 1;
      s.badEvaluations = 0;
    }
    if (s.badEvaluations <= this.config.patience) return false;
    s.cooldownLeft = this.config.cooldown;
    s.badEvaluations = 0;
    const next = Math.max(s.lr * this.config.factor, this.minLr);
    if (s.lr - next <= PLATEAU_EPS) return false;
    s.lr = next;
    return true;
  }
}
