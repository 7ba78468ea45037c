// What the Train panel says about a run, pure: the status line ("Epoch 1/3 · step 120/900 · loss 0.412 ·
// 1,830 tokens/s · ETA 4:10"), the ETA from wall time (pauses excluded; a resumed run's from its resume), the time a
// run has trained over all its sessions, and the early-stopping patience as transformers' EarlyStoppingCallback counts
// it (engine/metrics/early-stopping).
import { METRIC_GOAL, type EarlyStoppingConfig } from '../../../protocol/train-config';
import type { EvalRecord, StepTelemetry } from '../../../protocol/train-events';
import type { TrainingState } from '../../store/training-slice';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 250 -> "4:10", 3723 -> "1:02:03". */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A loss as people read it: 3 decimals, "NaN" when it diverged (never 0, RELIABILITY N1). */
export function formatLoss(loss: number): string {
  return Number.isFinite(loss) ? loss.toFixed(3) : String(loss);
}

/** Seconds left at the pace so far; null before the first step. */
export function etaSeconds(stepsDone: number, totalSteps: number, activeMs: number): number | null {
  if (stepsDone <= 0 || activeMs <= 0) return null;
  return ((totalSteps - stepsDone) * activeMs) / stepsDone / 1000;
}

/** Training time of the run so far, in ms: this session's (pauses left out) and, for a resumed run, the sessions before. */
export function trainedMs(t: TrainingState, now: number): number {
  if (t.startedAt === null) return t.trainedBeforeMs;
  return t.trainedBeforeMs + (t.endedAt ?? now) - t.startedAt - t.pausedMs - (t.pausedAt !== null ? now - t.pausedAt : 0);
}

/**
 * Seconds left at this session's pace, null before its first step: a resumed run's steps before the resume took none
 * of this session's time (counting them made the ETA of a run resumed at step k of n come out far too short).
 */
export function runEtaSeconds(t: TrainingState, step: number, totalSteps: number, now: number): number | null {
  const from = t.resumedAtStep ?? 0;
  return etaSeconds(step - from, totalSteps - from, trainedMs(t, now) - t.trainedBeforeMs);
}

/** Mean tokens per second over the last few steps (one step's figure jumps). */
export function recentTokensPerSecond(steps: readonly StepTelemetry[], window = 10): number {
  const recent = steps.slice(-window);
  const seconds = recent.reduce((n, s) => n + s.seconds, 0);
  return seconds > 0 ? recent.reduce((n, s) => n + s.tokens, 0) / seconds : 0;
}

export interface StatusParts {
  epoch: number;
  epochs: number;
  step: number;
  totalSteps: number;
  loss: number | null;
  tokensPerSecond: number | null;
  eta: number | null;
}

export function statusLine(p: StatusParts): string {
  const parts = [`Epoch ${Math.min(p.epochs, Math.max(1, p.epoch))}/${p.epochs}`, `step ${grouped.format(p.step)}/${grouped.format(p.totalSteps)}`];
  if (p.loss !== null) parts.push(`loss ${formatLoss(p.loss)}`);
  if (p.tokensPerSecond !== null) parts.push(`${grouped.format(p.tokensPerSecond)} tokens/s`);
  if (p.eta !== null) parts.push(`ETA ${formatClock(p.eta)}`);
  return parts.join(' · ');
}

/** The epoch (1-based) a step count is in: the epoch of the last step done, or the first before any. */
export function currentEpoch(lastStep: StepTelemetry | undefined, stepsPerEpoch: number): number {
  if (lastStep === undefined) return 1;
  return Math.floor((lastStep.step - 1) / Math.max(1, stepsPerEpoch)) + 1;
}

export interface PatienceState {
  /** Step and value of the best evaluation so far. */
  best: { step: number; value: number } | null;
  /** Evaluations since the last significant improvement, and the patience (null: early stopping off). */
  waited: number;
  patience: number | null;
  /** Step of the last significant improvement (where the patience count starts). */
  since: number | null;
}

/** Replays EarlyStopping.update over the evaluations so far. */
export function patienceState(evals: readonly EvalRecord[], config: EarlyStoppingConfig): PatienceState {
  const goal = METRIC_GOAL[config.metric];
  let best: { step: number; value: number } | null = null;
  let waited = 0;
  let since: number | null = null;
  for (const r of evals) {
    const value = r[config.metric];
    if (value === undefined) continue;
    const isBest = !Number.isNaN(value) && (best === null || (goal === 'min' ? value < best.value : value > best.value));
    const significant = isBest && (best === null || Math.abs(value - best.value) > config.minDelta);
    waited = significant ? 0 : waited + 1;
    if (significant) since = r.step;
    if (isBest) best = { step: r.step, value };
  }
  return { best, waited, patience: config.patience, since };
}
