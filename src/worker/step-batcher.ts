// Throttling of per-step events (the issue: charts update at most about ten times a second): steps are collected
// and sent together once REPORT_INTERVAL_MS has passed since the last report, and always before an event that
// must not overtake them (an evaluation, a pause, the end). Events still carry only the new steps, never histories.
import type { StepTelemetry } from '../protocol/train-events';

export const REPORT_INTERVAL_MS = 100;

export class StepBatcher {
  private pending: StepTelemetry[] = [];
  private lastReport: number;
  private readonly now: () => number;
  private readonly interval: number;

  constructor(now: () => number = () => performance.now(), interval = REPORT_INTERVAL_MS) {
    this.now = now;
    this.interval = interval;
    this.lastReport = now();
  }

  /** Adds a step; returns the steps to report when the interval has passed, else null. */
  push(step: StepTelemetry): StepTelemetry[] | null {
    this.pending.push(step);
    return this.now() - this.lastReport >= this.interval ? this.flush() : null;
  }

  /** The steps not yet reported (possibly none). */
  flush(): StepTelemetry[] {
    const out = this.pending;
    this.pending = [];
    this.lastReport = this.now();
    return out;
  }
}

/**
 * Lets the worker's event loop run (pause, stop and cancel messages; the heartbeat). A tfjs readback may resolve as
 * a microtask, so a loop of fast steps would otherwise never give queued messages a turn. A MessageChannel message
 * is a task that, unlike a nested setTimeout, is not clamped to 4 ms.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
