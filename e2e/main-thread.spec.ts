// Journey: a run streams while the user walks through every panel, twice. The page must stay responsive: every
// main-thread task (Long Tasks API, PerformanceObserver "longtask": tasks over 50 ms) stays under 100 ms while the
// worker streams steps and evaluations. The built-in model on WASM, a few hundred rows, evaluations every few steps.
import { cpus, loadavg } from 'node:os';
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, Studio, TrainPanel, type PanelName } from './pages/studio';
import { reviewsCsv } from './support/datasets';
import { machineOversubscribed, watchLongTasks } from './support/long-tasks';

const PANELS: PanelName[] = ['Model', 'Dataset', 'Layers', 'Configure', 'Train', 'Evaluate', 'Export', 'History'];

// Playwright's trace snapshots the whole DOM around every action, on the page's main thread: that would be measured
// as the studio's own long tasks.
test.use({ trace: 'off' });

test('the main thread stays free while a run streams and the user switches panels', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).waitForDefaultModel();

  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.choose(reviewsCsv(400));
  await expect(dataset.stat('Rows')).toHaveText('400');

  await studio.open('Configure');
  const configure = new ConfigurePanel(page);
  await configure.set({ Epochs: 40, 'Batch size': 8, 'Max length (tokens)': 32 });
  await configure.evaluateEvery(10);

  await studio.open('Train');
  const train = new TrainPanel(page);
  await train.start.click();
  await expect(train.status).toHaveText(/^Epoch \d+\/40 · step [\d,]+\//, { timeout: 60_000 });
  const longTasks = await watchLongTasks(page);
  const started = await page.evaluate(() => performance.now());
  const opened: { panel: PanelName; at: number }[] = [];
  for (let round = 0; round < 2; round++) {
    for (const panel of PANELS) {
      opened.push({ panel, at: await page.evaluate(() => performance.now()) });
      await studio.open(panel);
      await page.waitForTimeout(1500);
    }
  }
  await studio.open('Train');
  await expect(train.status).toHaveText(/^Epoch \d+\/40 · step/);
  const ended = await page.evaluate(() => performance.now());
  const tasks = await longTasks();
  await train.stop.click();
  await train.waitUntilFinished();

  const durations = tasks.map((t) => t.duration);
  const longest = Math.max(0, ...durations);
  const blocked = durations.reduce((a, b) => a + b, 0);
  const line = `${tasks.length} main-thread tasks over 50 ms in ${((ended - started) / 1000).toFixed(1)} s of a streaming run with panel switches; ${Math.round(blocked)} ms in them (${((100 * blocked) / (ended - started)).toFixed(1)}% of the time), longest ${Math.round(longest)} ms`;
  // Each long task with the panel opened last before it, the longest first.
  const during = (t: { start: number }) => opened.filter((o) => o.at <= t.start).at(-1)?.panel ?? 'Train';
  const worst = [...tasks].sort((a, b) => b.duration - a.duration).slice(0, 8).map((t) => `${during(t)} ${Math.round(t.duration)}`);
  // The budget is 100 ms. A task's length is wall time, so on a machine running several times more work than it has
  // cores (shared CI, other test suites) the page's thread waits its turn inside a task: there the test allows 250 ms
  // and says so. Before the fix, the same walk took 650–900 ms in a task (recharts' charts, whole panels in one task).
  const oversubscribed = machineOversubscribed();
  const budget = oversubscribed ? 250 : 100;
  console.log(`${line}; the longest by the panel opened before them: ${worst.join(', ')}; load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores, budget ${budget} ms`);
  testInfo.annotations.push({ type: 'long tasks while a run streams', description: line });
  expect(longest).toBeLessThan(budget);
  expect(blocked / (ended - started)).toBeLessThan(oversubscribed ? 0.05 : 0.02);
});
