// Journey: a run survives a reload (RELIABILITY F8, F11–F14) and one tab trains at a time (F10). On the built-in
// model and a tiny labelled CSV (WASM, a few steps): the run checkpoints, the page reloads mid-run, the Train panel
// offers "Resume run … from step k of n", the dataset is opened again, and the run finishes with its steps
// continuing from k — and with the same losses and final evaluation as an uninterrupted run (the resume is exact).
import { expect, test, type Page } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, Studio, TrainPanel } from './pages/studio';
import { reviewsCsv } from './support/datasets';

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

async function prepare(page: Page): Promise<void> {
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).waitForDefaultModel();
  await studio.open('Dataset');
  await new DatasetPanel(page).choose(reviewsCsv());
  await expect(new DatasetPanel(page).stat('Rows')).toHaveText('40');
  await studio.open('Configure');
  const configure = new ConfigurePanel(page);
  await configure.set(SETTINGS);
  await configure.evaluateEvery(4);
  await studio.open('Train');
}

test('a run checkpoints, survives a reload, resumes from step k and ends as an uninterrupted run does', async ({ page }) => {
  test.setTimeout(240_000);
  const studio = new Studio(page);
  const train = new TrainPanel(page);
  const pause = page.getByRole('button', { name: 'Pause', exact: true });
  const checkpoint = page.getByLabel('Checkpoint status');
  await prepare(page);
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

  await page.reload();
  await expect(studio.backendBadge).not.toHaveAccessibleName(/Starting engine|not responding|stopped/, { timeout: 60_000 });
  await new ModelPanel(page).waitForDefaultModel();
  await studio.open('Train');
  const offer = page.getByRole('region', { name: 'Unfinished run' });
  // Its text has the card's width; the long Resume button goes under it (it squeezed the text into 80 px).
  expect((await offer.getByText(/^Saved in this browser on /).boundingBox())?.width).toBeGreaterThan(400);
  const resume = offer.getByRole('button', { name: new RegExp(`^Resume run reviews\\.csv on .+ from step ${k} of 20$`) });
  await expect(resume).toBeVisible();
  await expect(offer).toContainText('the built-in model, loaded again by the page');
  await expect(offer).toContainText('Open reviews.csv');
  // The browser keeps no copy of the user's files: the dataset is opened again.
  await expect(resume).toBeDisabled();
  await studio.open('Dataset');
  await new DatasetPanel(page).choose(reviewsCsv());
  await expect(new DatasetPanel(page).stat('Rows')).toHaveText('40');
  await studio.open('Train');
  await resume.click();
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
  await prepare(page);
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
