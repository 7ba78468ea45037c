// The page's long tasks (Long Tasks API, PerformanceObserver "longtask": main-thread tasks over 50 ms), recorded
// from the moment of the call, for the specs that check the page stays responsive while the worker works.
import { cpus, loadavg } from 'node:os';
import type { Page } from '@playwright/test';

export interface LongTask {
  start: number;
  duration: number;
}

/** Records the page's long tasks from now on; the function returned reads them (start and duration, in ms). */
export async function watchLongTasks(page: Page): Promise<() => Promise<LongTask[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: LongTask[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push({ start: e.startTime, duration: e.duration }))).observe({ type: 'longtask' });
  });
  return () => page.evaluate(() => (window as unknown as { __longTasks: LongTask[] }).__longTasks);
}

/**
 * Whether this machine runs several times more work than it has cores (shared CI, other test suites). A task's
 * length is wall time, so there the page's thread waits its turn inside a task and budgets must allow for it.
 */
export function machineOversubscribed(): boolean {
  return loadavg()[0] > 1.5 * cpus().length;
}
