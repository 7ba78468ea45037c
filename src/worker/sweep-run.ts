// A hyperparameter sweep in the worker (issue #18): the engine's runSweep (engine/train/sweep.ts, as `layerwise
// sweep` runs it), each trial prepared by the run recipe on the folder runs start from and the open datasets, its
// progress posted as protocol events (steps at most every REPORT_INTERVAL_MS). It runs beside the command queue as a
// training run does; stop acts at once (the trial in flight ends unscored). It never changes the studio's model.
import type { FineTuneSources } from '../engine/train/recipe';
import { runSweep } from '../engine/train/sweep';
import { toErrorData, type LayerwiseErrorData } from '../lib/errors';
import type { MemoryLimits } from '../protocol/memory-plan';
import type { FromWorker } from '../protocol/messages';
import { halvingPlan, planTrials, type SweepConfig } from '../protocol/sweep';
import { REPORT_INTERVAL_MS, yieldToEventLoop } from './step-batcher';

/** Longest stretch of steps without giving the worker's event loop a turn (stop, heartbeat). */
const YIELD_EVERY_MS = 30;

export class SweepRun {
  readonly sweepId: string;
  state: 'running' | 'ended' = 'running';
  private readonly post: (event: FromWorker) => void;
  private readonly controller = new AbortController();
  private readonly memory: MemoryLimits | null;
  /** The GPU device was lost (RELIABILITY F2): the sweep ends with this error. */
  private lost: LayerwiseErrorData | null = null;

  constructor(sweepId: string, post: (event: FromWorker) => void, memory: MemoryLimits | null = null) {
    this.sweepId = sweepId;
    this.post = post;
    this.memory = memory;
  }

  /** Ends the sweep after the current step. */
  stop(): void {
    this.controller.abort();
  }

  /** The GPU device is gone: the sweep stops as a stop would, and ends with `error` (GPU_DEVICE_LOST) instead of its best. */
  deviceLost(error: LayerwiseErrorData): void {
    if (this.state === 'ended') return;
    this.lost = error;
    this.controller.abort();
  }

  /**
   * Runs every rung of the (validated) sweep to its end, or to a stop; resolves when it has ended. `read` gives the
   * trials' files (a multi-task sweep's heads are read first, and a failure to read them is the sweep's).
   */
  async run(read: () => Promise<FineTuneSources>, sweep: SweepConfig): Promise<void> {
    const { sweepId } = this;
    try {
      const sources = await read();
      const trials = planTrials(sweep);
      this.post({ type: 'sweepStarted', sweepId, trials, rungs: halvingPlan(sweep, trials.length, trials[0].config.epochs) });
      let reported = 0;
      let yielded = performance.now();
      const outcome = await runSweep(sources, sweep, {
        signal: this.controller.signal,
        memory: this.memory ?? undefined,
        onTrialStarted: (trial, rung, epochs) => this.post({ type: 'sweepTrialStarted', sweepId, id: trial.id, rung, epochs }),
        onTrialFinished: (result) => this.post({ type: 'sweepTrialFinished', sweepId, result }),
        onStep: async (step, totalSteps) => {
          const now = performance.now();
          if (now - reported >= REPORT_INTERVAL_MS || step === totalSteps) {
            reported = now;
            this.post({ type: 'sweepProgressed', sweepId, step, totalSteps });
          }
          if (now - yielded >= YIELD_EVERY_MS) {
            await yieldToEventLoop();
            yielded = performance.now();
          }
        },
      });
      if (this.lost !== null) this.post({ type: 'sweepFailed', sweepId, error: this.lost });
      else this.post({ type: 'sweepFinished', sweepId, best: outcome.best, stopped: outcome.stopped });
    } catch (err) {
      this.post({ type: 'sweepFailed', sweepId, error: this.lost ?? toErrorData(err) });
    } finally {
      this.state = 'ended';
    }
  }
}
