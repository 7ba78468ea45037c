// Early stopping on one evaluation metric, as transformers' EarlyStoppingCallback with load_best_model_at_end:
// the best evaluation is any strict improvement; patience counts evaluations that improve on the previous best by
// no more than minDelta (early_stopping_threshold), and training stops when the count reaches patience.
import { LayerwiseError } from '../../lib/errors';
import { METRIC_GOAL, type EarlyStoppingConfig, type EvalMetric } from '../../protocol/train-config';

/** Resumable state (plain data, stored with checkpoints). */
export interface EarlyStoppingState {
  best: number | null;
  bestStep: number | null;
  badEvaluations: number;
}

export interface EarlyStoppingDecision {
  /** This evaluation is the best so far: keep its weights when restoreBest is on. */
  isBest: boolean;
  /** Stop training now: patience evaluations in a row without an improvement beyond minDelta. */
  shouldStop: boolean;
}

export class EarlyStopping {
  private readonly config: EarlyStoppingConfig;
  private readonly goal: 'min' | 'max';
  private current: EarlyStoppingState;

  constructor(config: EarlyStoppingConfig, state?: EarlyStoppingState) {
    this.config = config;
    this.goal = METRIC_GOAL[config.metric];
    this.current = state ? { ...state } : { best: null, bestStep: null, badEvaluations: 0 };
  }

  /** Best value of the watched metric so far, and the optimizer step of that evaluation. */
  get best(): { value: number; step: number } | null {
    const { best, bestStep } = this.current;
    return best === null || bestStep === null ? null : { value: best, step: bestStep };
  }

  snapshot(): EarlyStoppingState {
    return { ...this.current };
  }

  private better(value: number, than: number): boolean {
    return this.goal === 'min' ? value < than : value > than;
  }

  /** Feeds one evaluation's metrics (taken after optimizer step `step`); a NaN value is never an improvement. */
  update(step: number, metrics: Readonly<Partial<Record<EvalMetric, number>>>): EarlyStoppingDecision {
    const value = metrics[this.config.metric];
    if (value === undefined) {
      throw new LayerwiseError(
        'EARLY_STOPPING_METRIC_MISSING',
        `Early stopping watches ${this.config.metric}, but the evaluation reported only ${Object.keys(metrics).join(', ')}`,
        { field: 'earlyStopping.metric' },
      );
    }
    const s = this.current;
    const previous = s.best;
    const isBest = !Number.isNaN(value) && (previous === null || this.better(value, previous));
    const significant = isBest && (previous === null || Math.abs(value - previous) > this.config.minDelta);
    s.badEvaluations = significant ? 0 : s.badEvaluations + 1;
    if (isBest) {
      s.best = value;
      s.bestStep = step;
    }
    const { patience } = this.config;
    return { isBest, shouldStop: patience !== null && s.badEvaluations >= patience };
  }
}
