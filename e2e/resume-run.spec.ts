// Journey: a run survives a reload (RELIABILITY F8, F11–F14), a worker that dies (F5) and a hidden tab (F9), and one
// tab trains at a time (F10). On the built-in model and a tiny labelled CSV (WASM, a few steps): the run checkpoints
// and keeps a copy of its dataset; leaving the page asks first; after the reload every panel offers "Resume … from
// step k", with the run's settings back and without asking for the dataset, and the run finishes with its steps
// continuing from k — with the same losses and final evaluation as an uninterrupted run (the resume is exact).
import { expect, test, type Page } from '@playwright/test';
import { DEFAULT_MODEL_NAME, ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, Studio, TrainPanel } from './pages/studio';
import { reviewsCsv } from './support/datasets';
import { engineWorker } from './support/engine-worker';
import { prepareReviewsRun } from './support/prepare-run';

const SETTINGS = { Epochs: 3, 'Batch size': 4, 'Max length (tokens)': 32, 'Max steps': 20 };

interface StoredRun {
  id: string;
  startedAt: number;
  outcome: string;
  stepsDone: number;
  config: unknown;
  curve: { step: number[]; loss: number[] };
  evals: { step: number; eval_loss: number }[];
  finalMetrics: { eval_loss: number } | null;
}

/** The run history as the studio keeps it in IndexedDB (features/history/run-store.ts). */
function storedRuns(page: Page): Promise<StoredRun[]> {
  return page.evaluate(
    () =>
      new Promise<StoredRun[]>((resolve, reject) => {
        const open = indexedDB.open('layerwise');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('runs').objectStore('runs').getAll();
          get.onsuccess = () => resolve(get.result as StoredRun[]);
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

test('a run checkpoints, survives a reload, resumes from step k and ends as an uninterrupted run does', async ({ page }) => {
  test.setTimeout(240_000);
  const studio = new Studio(page);
  const train = new TrainPanel(page);
  const pause = page.getByRole('button', { name: 'Pause', exact: true });
  const checkpoint = page.getByLabel('Checkpoint status');
  await prepareReviewsRun(page, SETTINGS);
  await train.start.click();
  // The headline in the user's words; where it is stored on a details line.
  await expect(checkpoint).toContainText(/Progress saved at step \d+: a reload or a crash loses at most the steps after it\./, { timeout: 60_000 });
  await expect(checkpoint).toContainText(/in OPFS, slot A$/);
  await pause.click();
  await expect(train.status).toHaveText(/^Paused/);
  // A paused run checkpoints where it waits: that is the step a reload resumes from.
  const saved = /Progress saved at step (\d+)/.exec((await checkpoint.textContent()) ?? '');
  const k = Number(saved?.[1]);
  expect(k).toBeGreaterThanOrEqual(4);
  expect(k).toBeLessThan(20);

  // A copy of the dataset is kept with the checkpoints.
  await expect(page.getByLabel('Dataset kept')).toHaveText('A copy of reviews.csv is kept with the checkpoint: resuming after a reload does not ask for it again.');

  // Leaving a page with a run in it asks first (the run is paused, not ended).
  const asked = new Promise<string>((resolve) => page.once('dialog', (dialog) => void dialog.accept().then(() => resolve(dialog.type()))));
  await page.reload();
  expect(await asked).toBe('beforeunload');
  await expect(studio.backendBadge).not.toHaveAccessibleName(/Starting engine|not responding|stopped/, { timeout: 60_000 });
  await new ModelPanel(page).waitForDefaultModel();
  // The run's settings came back with it, and every panel offers it (here the Configure panel).
  await studio.open('Configure');
  for (const [label, value] of Object.entries(SETTINGS)) await expect(new ConfigurePanel(page).field(label)).toHaveValue(String(value));
  const banner = page.getByRole('region', { name: 'Unfinished run' });
  await expect(banner).toContainText(`Unfinished run: reviews.csv on ${DEFAULT_MODEL_NAME}`);
  await expect(banner).toContainText(`Saved at step ${k} of 20`);
  await studio.open('Train');
  const offer = page.getByRole('region', { name: 'Unfinished run' });
  // Its text has the card's width; the long Resume button goes under it (it squeezed the text into 80 px).
  expect((await offer.getByText(/^Saved in this browser on /).boundingBox())?.width).toBeGreaterThan(400);
  const resume = offer.getByRole('button', { name: new RegExp(`^Resume run reviews\\.csv on .+ from step ${k} of 20$`) });
  await expect(resume).toBeVisible();
  await expect(offer).toContainText('the built-in model, loaded again by the page');
  // The dataset is not asked for: its copy is read again as the run read it.
  await expect(offer).toContainText(`reviews.csv (${(reviewsCsv().buffer.length / 1000).toFixed(1)} kB): a copy is kept in this browser with the checkpoint`);
  await expect(resume).toBeEnabled();
  await studio.open('Dataset');
  await expect(page.getByRole('region', { name: 'Loaded dataset' })).toHaveCount(0);
  await page.getByRole('region', { name: 'Unfinished run' }).getByRole('button', { name: `Resume from step ${k}` }).click();
  await expect(new DatasetPanel(page).stat('Rows')).toHaveText('40');
  await studio.open('Train');
  await train.waitUntilFinished();
  await expect(train.status).toHaveText(/^Finished · Epoch 3\/3 · step 20\/20/);
  await expect(offer).toHaveCount(0);

  // The same run again, uninterrupted, on the same page.
  await studio.open('Configure');
  await new ConfigurePanel(page).set(SETTINGS);
  await new ConfigurePanel(page).evaluateEvery(4);
  await studio.open('Train');
  await train.start.click();
  await train.waitUntilFinished();

  await expect.poll(async () => (await storedRuns(page)).filter((r) => r.outcome === 'completed').length, { timeout: 10_000 }).toBe(2);
  const runs = (await storedRuns(page)).sort((a, b) => a.startedAt - b.startedAt);
  expect(runs).toHaveLength(2);
  const [resumed, straight] = runs;
  // The resumed run's curve runs 1..20 without a gap (steps before k come from the checkpoint's records).
  expect(resumed!.curve.step).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(resumed!.config).toEqual(straight!.config);
  expect(resumed!.curve.loss.slice(k)).toEqual(straight!.curve.loss.slice(k));
  expect(resumed!.evals.map((e) => [e.step, e.eval_loss])).toEqual(straight!.evals.map((e) => [e.step, e.eval_loss]));
  expect(resumed!.finalMetrics?.eval_loss).toBe(straight!.finalMetrics?.eval_loss);
});

test('a second tab finds the training lock held, says so and cannot start a run', async ({ page, context }) => {
  test.setTimeout(180_000);
  const train = new TrainPanel(page);
  await prepareReviewsRun(page, SETTINGS);
  await new Studio(page).open('Configure');
  await new ConfigurePanel(page).set({ Epochs: 30, 'Max steps': 200 });
  await new Studio(page).open('Train');
  await train.start.click();
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(train.status).toHaveText(/^Paused/, { timeout: 60_000 });

  const second = await context.newPage();
  const studio2 = new Studio(second);
  await studio2.goto();
  await studio2.open('Train');
  const notice = second.getByRole('status', { name: 'Training in another tab' });
  await expect(notice).toContainText('Layerwise is training in another tab');
  await expect(new TrainPanel(second).start).toBeDisabled();
  await expect(second.getByRole('region', { name: 'Unfinished run' })).toHaveCount(0);
  // It can still browse.
  await studio2.open('History');

  // Once the first tab's run ends, its lock is free and the notice goes.
  await train.stop.click();
  await train.waitUntilFinished();
  await studio2.open('Train');
  await expect(notice).toHaveCount(0, { timeout: 10_000 });
});

test('a worker that dies mid-run: the run is said to have stopped within seconds, and after a restart one click resumes it (F5)', async ({ page }) => {
  test.setTimeout(240_000);
  const studio = new Studio(page);
  const train = new TrainPanel(page);
  const checkpoint = page.getByLabel('Checkpoint status');
  await prepareReviewsRun(page, SETTINGS);
  await studio.open('Configure');
  await new ConfigurePanel(page).set({ Epochs: 60, 'Max steps': 400 });
  await studio.open('Train');
  await train.start.click();
  await expect(checkpoint).toContainText(/Progress saved at step \d+/, { timeout: 60_000 });
  const k = Number(/Progress saved at step (\d+)/.exec((await checkpoint.textContent()) ?? '')?.[1]);
  // The worker goes away as a killed one does: no error event, no goodbye, no more heartbeats.
  const worker = await engineWorker(page);
  await worker.evaluate(() => self.close());
  const gone = Date.now();
  await expect(train.status).toHaveText(/^Failed at step \d+: Training stopped unexpectedly: the engine has not answered for 10 seconds/, { timeout: 20_000 });
  expect(Date.now() - gone).toBeLessThan(15_000);
  await expect(train.status).not.toHaveAttribute('aria-busy', 'true');
  const alert = page.getByRole('alert').filter({ hasText: 'The engine is not responding' });
  await expect(alert).toContainText('the run then resumes from its last checkpoint');
  await alert.getByRole('button', { name: 'Restart engine' }).click();
  // The new engine loads the built-in model again and offers the run, dataset and all.
  await studio.open('Model');
  await new ModelPanel(page).waitForDefaultModel();
  const banner = page.getByRole('region', { name: 'Unfinished run' });
  await expect(banner).toContainText('Unfinished run: reviews.csv on');
  const resume = banner.getByRole('button', { name: /^Resume from step \d+$/ });
  const from = Number(/\d+/.exec((await resume.textContent()) ?? '')?.[0]);
  expect(from).toBeGreaterThanOrEqual(k);
  await resume.click();
  await studio.open('Train');
  await expect(train.status).toHaveText(/^Epoch \d+\/\d+ · step (\d+)\/400/, { timeout: 60_000 });
  await train.pause.click();
  await expect(train.status).toHaveText(/^Paused/, { timeout: 60_000 });
  const at = Number(/step (\d+)\/400/.exec((await train.status.textContent()) ?? '')?.[1]);
  expect(at).toBeGreaterThan(from);
  await train.stop.click();
  await train.waitUntilFinished();
});

test('a hidden tab: training goes on in the worker, a checkpoint is taken as the tab goes, and the panel says how far it went (F9)', async ({ page }) => {
  test.setTimeout(180_000);
  const studio = new Studio(page);
  const train = new TrainPanel(page);
  const checkpoint = page.getByLabel('Checkpoint status');
  await prepareReviewsRun(page, SETTINGS);
  await studio.open('Configure');
  // No evaluation in the run, so the only checkpoints are the 30 s interval's and the ones asked for.
  await new ConfigurePanel(page).set({ Epochs: 60, 'Max steps': 400 });
  await new ConfigurePanel(page).evaluateEvery(1000);
  await studio.open('Train');
  await train.start.click();
  await expect(train.status).toHaveText(/^Epoch \d+\/\d+ · step \d+\/400/, { timeout: 60_000 });
  await expect(page.getByRole('note', { name: 'Training in the background' })).toHaveText(
    'Training goes on in the engine while this tab is hidden or another window is in front; progress is saved when you switch away.',
  );
  await expect(checkpoint).toHaveText(/^Progress is saved in this browser about every 30 s/);
  const setVisibility = (state: 'hidden' | 'visible') =>
    page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  const hiddenAt = Date.now();
  await setVisibility('hidden');
  await expect(checkpoint).toContainText(/Progress saved at step \d+/, { timeout: 10_000 });
  expect(Date.now() - hiddenAt).toBeLessThan(10_000);
  const saved = Number(/Progress saved at step (\d+)/.exec((await checkpoint.textContent()) ?? '')?.[1]);
  // The worker trains on while hidden.
  await expect.poll(async () => Number(/step (\d+)\/400/.exec((await train.status.textContent()) ?? '')?.[1]), { timeout: 30_000 }).toBeGreaterThan(saved + 5);
  await setVisibility('visible');
  await expect(page.getByRole('note', { name: 'Training in the background' })).toHaveText(/^While this tab was hidden, training went on from step \d+ to step \d+\.$/);
  await train.stop.click();
  await train.waitUntilFinished();
});

test('the page is frozen and resumed mid-run: a checkpoint is stored as it freezes, the run goes on, and the panel says how long it was frozen (F9)', async ({ page }) => {
  test.setTimeout(180_000);
  const studio = new Studio(page);
  const train = new TrainPanel(page);
  const checkpoint = page.getByLabel('Checkpoint status');
  await prepareReviewsRun(page, SETTINGS);
  await studio.open('Configure');
  // No evaluation in the run, so the only checkpoints are the 30 s interval's and the ones asked for.
  await new ConfigurePanel(page).set({ Epochs: 60, 'Max steps': 400 });
  await new ConfigurePanel(page).evaluateEvery(1000);
  await studio.open('Train');
  await train.start.click();
  await expect(train.status).toHaveText(/^Epoch \d+\/\d+ · step \d+\/400/, { timeout: 60_000 });
  await expect(checkpoint).toHaveText(/^Progress is saved in this browser about every 30 s/);
  // The Page Lifecycle events Chrome sends as it freezes a page and as it resumes it, 3 s apart. Chrome's own freeze
  // (CDP Page.setWebLifecycleState 'frozen') does nothing in headless Chromium 156: timers run on, and neither
  // event comes (checked on 2026-12-08, also with the window minimised).
  const frozenAt = Date.now();
  await page.evaluate(() => document.dispatchEvent(new Event('freeze')));
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await page.evaluate(() => document.dispatchEvent(new Event('resume')));
  const note = page.getByRole('note', { name: 'Page frozen' });
  await expect(note).toHaveText(/^The browser froze this page for \d+ s; a checkpoint was asked for as it froze\. The run was at step \d+ then, and at step \d+ when the page came back\.$/);
  const [, seconds, from] = /for (\d+) s;.* at step (\d+) then/.exec((await note.textContent()) ?? '') ?? [];
  expect(Number(seconds)).toBeGreaterThanOrEqual(3);
  expect(Number(seconds)).toBeLessThanOrEqual(Math.ceil((Date.now() - frozenAt) / 1000));
  // The checkpoint asked for on freeze is stored (the 30 s interval is far), at or after the step the page froze at.
  await expect(checkpoint).toContainText(/Progress saved at step \d+/, { timeout: 15_000 });
  expect(Date.now() - frozenAt).toBeLessThan(25_000);
  const saved = Number(/Progress saved at step (\d+)/.exec((await checkpoint.textContent()) ?? '')?.[1]);
  expect(saved).toBeGreaterThanOrEqual(Number(from));
  // And the run goes on after the resume.
  await expect.poll(async () => Number(/step (\d+)\/400/.exec((await train.status.textContent()) ?? '')?.[1]), { timeout: 30_000 }).toBeGreaterThan(saved + 3);
  await train.stop.click();
  await train.waitUntilFinished();
});
