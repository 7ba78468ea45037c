// Runs a sweep (protocol/sweep.ts): each rung of successive halving trains its trials one after another with the
// engine's run recipe (prepareRun, as `layerwise train` does), ranks them by the sweep's metric and keeps the best
// for the next rung. The same for `layerwise sweep` and the studio; the host reports progress and yields.
import { toErrorData } from '../../lib/errors';
import { halvingPlan, planTrials, rankTrials, type PlannedTrial, type SweepConfig, type TrialResult } from '../../protocol/sweep';
import type { EvalMetrics } from '../../protocol/train-events';
import { prepareRun, type FineTuneSources, type RecipeOptions } from './recipe';

export interface SweepHooks {
  /** Stops the sweep after the current step (the trial in flight ends unscored). */
  signal?: AbortSignal;
  onTrialStarted?(trial: PlannedTrial, rung: number, epochs: number): void;
  onTrialFinished?(result: TrialResult): void;
  /** Awaited after every step: the host's chance to report progress and give its event loop a turn. */
  onStep?(step: number, totalSteps: number): Promise<void>;
  /** The backend's limits, which every trial is planned against (the studio's; the CLI plans none). */
  memory?: RecipeOptions['memory'];
}

export interface SweepOutcome {
  trials: PlannedTrial[];
  /** Every trial at every rung it ran, in order. */
  results: TrialResult[];
  /** The best trial of the last rung, null when none was scored. */
  best: TrialResult | null;
  stopped: boolean;
}

/** Trains one trial for `epochs` and scores it; a failed run is a result with its error, not a failed sweep. */
async function runTrial(sources: FineTuneSources, sweep: SweepConfig, trial: PlannedTrial, rung: number, epochs: number, hooks: SweepHooks): Promise<TrialResult> {
  const started = performance.now();
  const result = (metrics: EvalMetrics | null, error: string | null): TrialResult => {
    const numbers = metrics === null ? null : Object.fromEntries(Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number'));
    const score = numbers?.[sweep.metric];
    return { id: trial.id, rung, epochs, values: trial.values, score: score !== undefined && Number.isFinite(score) ? score : null, metrics: numbers, error, seconds: (performance.now() - started) / 1000 };
  };
  let run;
  try {
    run = await prepareRun(sources, { ...trial.config, epochs }, { signal: hooks.signal, telemetryPoints: 0, memory: hooks.memory });
  } catch (err) {
    return result(null, toErrorData(err).message);
  }
  const { trainer, model } = run;
  const stop = () => trainer.stop();
  hooks.signal?.addEventListener('abort', stop);
  try {
    for await (const event of trainer.run()) {
      if (event.type === 'stepCompleted') await hooks.onStep?.(event.telemetry.step, trainer.plan.totalSteps);
      else if (event.type === 'failed') return result(null, `${event.error.code}: ${event.error.message}`);
      else if (event.type === 'finished') return event.reason === 'stopped' && hooks.signal?.aborted ? result(null, 'the sweep was stopped') : result(event.metrics, null);
    }
    return result(null, 'the run ended without an outcome');
  } finally {
    hooks.signal?.removeEventListener('abort', stop);
    trainer.dispose();
    model.params.dispose();
  }
}

/** The best scored result, or null. */
function bestOf(sweep: SweepConfig, results: readonly TrialResult[]): TrialResult | null {
  const best = rankTrials(sweep, results)[0];
  return best === undefined || best.score === null ? null : best;
}

export async function runSweep(sources: FineTuneSources, sweep: SweepConfig, hooks: SweepHooks = {}): Promise<SweepOutcome> {
  const trials = planTrials(sweep);
  const plan = halvingPlan(sweep, trials.length, trials[0].config.epochs);
  const results: TrialResult[] = [];
  let alive = trials;
  let last: TrialResult[] = [];
  for (const [rung, { epochs, trials: keep }] of plan.entries()) {
    alive = rung === 0 ? alive : rankTrials(sweep, last).slice(0, keep).map((r) => trials[r.id]);
    last = [];
    for (const trial of alive) {
      if (hooks.signal?.aborted) return { trials, results, best: bestOf(sweep, last), stopped: true };
      hooks.onTrialStarted?.(trial, rung, epochs);
      const r = await runTrial(sources, sweep, trial, rung, epochs, hooks);
      results.push(r);
      last.push(r);
      hooks.onTrialFinished?.(r);
    }
  }
  return { trials, results, best: bestOf(sweep, last), stopped: hooks.signal?.aborted === true };
}
