// Journey: hostile names on every surface that shows them (RELIABILITY M14, D15). A checkpoint whose extra tensors
// are named `<img onerror>`, with U+202E/U+200F, zero-width characters and 64 KB: refused as unexpected tensors, then
// (as dropped buffers) loaded with a note listing them. A dataset whose labels are the same kinds of text (a 10,000
// character one) is trained on for a few steps, so that the label chart, the confusion matrix and the per-class
// table show them. Nothing runs, every name appears literally, bidi marks are isolated, and the page stays as wide as
// the window.
import { expect, test, type Page } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, EvaluatePanel, Studio, TrainPanel } from './pages/studio';
import { checkpointWithExtraTensors, HOSTILE_LABELS, HOSTILE_TENSOR_NAMES, hostileLabelsCsv, overflowingElements, unisolatedNames } from './support/hostile-names';
import { guardOrigin } from './support/origin-guard';

/** The names with U+202E or U+200F, as the loader shows them (a dropped buffer keeps its suffix) and as labels. */
const BIDI_NAMES = [HOSTILE_TENSOR_NAMES.rtl, `${HOSTILE_TENSOR_NAMES.rtl}.position_ids`, HOSTILE_LABELS.rtl];

/** What a hostile name could have done to the page: run script, add an image, open a dialog, widen the layout. */
async function expectUnharmed(page: Page, dialogs: string[]): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await expect(page.locator('img, script:not([src])')).toHaveCount(0);
  expect(await unisolatedNames(page, BIDI_NAMES)).toEqual([]);
  const width = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
  expect(width.page, (await overflowingElements(page)).join('\n')).toBeLessThanOrEqual(width.window);
}

test('hostile tensor names and labels are shown as text, isolated and cut to the layout, and never run', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(240_000);
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const studio = new Studio(page);
  await studio.goto();
  const model = new ModelPanel(page);
  await model.waitForDefaultModel();
  const names = Object.values(HOSTILE_TENSOR_NAMES);

  // Extra tensors refuse the load (M19); the refusal names every one of them, as text.
  await model.openFolder(await checkpointWithExtraTensors(testInfo.outputPath(), 'hostile-unexpected', names));
  await expect(model.error).toContainText('CHECKPOINT_UNEXPECTED_TENSORS');
  const refusal = (await model.error.textContent()) ?? '';
  for (const name of names) expect(refusal).toContain(name);
  await expectUnharmed(page, dialogs);
  await model.error.getByRole('button', { name: 'Dismiss error' }).click();

  // The same names as buffers the loader drops: the model loads, and the note lists each name exactly.
  const buffers = names.map((n) => `${n}.position_ids`);
  await model.openFolder(await checkpointWithExtraTensors(testInfo.outputPath(), 'hostile-buffers', buffers));
  await expect(model.overviewTitle()).toHaveText('hostile-buffers');
  const note = model.summary.getByRole('list', { name: 'Loader messages' }).getByRole('listitem').filter({ hasText: 'CHECKPOINT_DROPPED_BUFFERS' });
  await expect(note).toBeVisible();
  expect(await note.getByRole('list').getByRole('listitem').allTextContents()).toEqual(buffers);
  // The 64 KB name is cut to a few lines, not spread down the page.
  const longName = note.getByRole('list').getByRole('listitem').filter({ hasText: HOSTILE_TENSOR_NAMES.long.slice(0, 100) }).locator('code');
  const box = await longName.evaluate((el) => ({ height: el.getBoundingClientRect().height, content: el.scrollHeight }));
  expect(box.height).toBeLessThan(80);
  expect(box.content).toBeGreaterThan(box.height);
  await expectUnharmed(page, dialogs);

  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.choose(hostileLabelsCsv());
  await expect(dataset.stat('Rows')).toHaveText('40');
  await expect(dataset.labelChart).toBeVisible();
  const labels = Object.values(HOSTILE_LABELS);
  // The chart shows each label's start as text (a long one cut short); its table keeps every label whole.
  const bars = await dataset.labelChart.getByRole('listitem').allTextContents();
  for (const label of labels) expect(bars.filter((b) => b.startsWith(label.slice(0, 20)))).toHaveLength(1);
  await page.getByText('Counts as a table').click();
  expect((await page.getByRole('table', { name: 'Label counts' }).locator('tbody td:first-child').allTextContents()).sort()).toEqual([...labels].sort());
  await expectUnharmed(page, dialogs);

  await studio.open('Configure');
  const configure = new ConfigurePanel(page);
  await configure.set({ Epochs: 1, 'Batch size': 4, 'Max length (tokens)': 32, 'Max steps': 6, 'Learning rate': 0.001 });
  await configure.evaluateEvery(3);
  await studio.open('Train');
  const train = new TrainPanel(page);
  await train.start.click();
  await train.waitUntilFinished();
  await expect(train.chart('Accuracy and F1').locator('.lc-dot')).not.toHaveCount(0);
  await expectUnharmed(page, dialogs);

  await studio.open('Evaluate');
  const evaluate = new EvaluatePanel(page);
  await expect(evaluate.confusion).toBeVisible();
  // Columns after the corner cell, rows by their header: each label whole, in the run's class order.
  const columns = (await evaluate.confusion.getByRole('columnheader').allTextContents()).slice(1);
  expect([...columns].sort()).toEqual([...labels].sort());
  expect((await evaluate.confusion.getByRole('rowheader').allTextContents()).sort()).toEqual([...labels].sort());
  expect((await evaluate.perClass.getByRole('rowheader').allTextContents()).sort()).toEqual([...labels].sort());
  // The 10,000-character label is cut with an ellipsis in its header cell, not stretched across the page.
  const long = evaluate.confusion.getByRole('columnheader').filter({ hasText: HOSTILE_LABELS.long.slice(0, 50) });
  const cell = await long.evaluate((el) => ({ width: el.getBoundingClientRect().width, overflow: getComputedStyle(el).textOverflow, content: el.scrollWidth }));
  expect(cell.overflow).toBe('ellipsis');
  expect(cell.width).toBeLessThan(200);
  expect(cell.content).toBeGreaterThan(cell.width);
  await expectUnharmed(page, dialogs);

  expect(origin.foreignRequests).toEqual([]);
  expect(origin.cspViolations).toEqual([]);
});
