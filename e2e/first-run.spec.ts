// Journey: a first run in three clicks on the built-in model (a masked-LM checkpoint with no task head), and a result
// that says how good it is. The sample dataset; the Layers tree and the schedule preview showing the pooler and
// classifier the run makes (not the checkpoint's `cls` head), "Head only" training exactly them, as the run then
// does; "Train with your settings" from the Dataset panel; the run's progress on every panel; the status and the
// charts above the fold at 900 px; Evaluate now mid-run ("after step N of M"); the final result beside the
// majority-class baseline, more than three evaluations on the chart; then a CoNLL file switches the next run to
// token classification, and a run stopped after a few steps still ends with an evaluation. WASM.
import { expect, test, type Page } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, EvaluatePanel, HistoryPanel, LayersPanel, Studio, TrainPanel } from './pages/studio';
import { placesConll } from './support/datasets';
import { guardOrigin } from './support/origin-guard';

// The built-in model: BERT 4×128. A sequence-classification run on 2 classes adds a pooler (128·128 + 128) and a
// classifier (2·128 + 2) to the encoder (1,858,560), and has none of the masked-LM head (24,960).
const HEAD = 16_512 + 258;
const RUN_TOTAL = 1_858_560 + HEAD;

const inViewport = async (page: Page, name: string) => {
  const figure = page.getByRole('figure', { name, exact: true });
  await expect(figure).toBeVisible();
  const box = await figure.boundingBox();
  return box !== null && box.y >= 0 && box.y + 40 <= (page.viewportSize()?.height ?? 0);
};

/** Contrast of an unselected panel number against its circle (WCAG relative luminance). */
async function navStepContrast(page: Page): Promise<number> {
  return page.evaluate(() => {
    const el = document.querySelector('[role="tab"][aria-selected="false"] .nav-step') as HTMLElement;
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}

test('a first run in three clicks on the built-in model, with a result beside its baseline', async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1360, height: 900 });
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const studio = new Studio(page);
  const model = new ModelPanel(page);
  await studio.goto();
  await model.waitForDefaultModel();
  // The checkpoint is named by its own head, and says which task that is.
  await expect(model.summary).toContainText('BertForMaskedLM');
  await expect(model.summary).toContainText('Masked language modelling');
  // Its card speaks to the user, not of the machines it was built on.
  await expect(model.modelCard).toContainText('a starting point to fine-tune a classifier');
  await expect(model.modelCard).not.toContainText("this project's machines");
  // The panel numbers in the nav read at 4.5:1 or more, in both themes.
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect(await navStepContrast(page), scheme).toBeGreaterThanOrEqual(4.5);
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // 1. The sample dataset, for a visitor without one.
  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.sample.click();
  await expect(dataset.stat('Rows')).toHaveText('300');
  await expect(dataset.stat('Labels')).toHaveText('2');
  // No LABEL_0/LABEL_1 of a head the checkpoint does not have.
  await expect(page.getByRole('note').filter({ hasText: 'The checkpoint has no sequence classification head: training makes a new one for your 2 classes' })).toBeVisible();
  await expect(page.getByText('LABEL_0')).toHaveCount(0);
  await expect(dataset.quickStart).toHaveText('Train with defaults');
  // The preview's text column takes the width the panel has (it stopped at 520 px).
  expect((await dataset.preview.locator('td.is-text .cell-text').first().boundingBox())?.width).toBeGreaterThan(700);

  // "Next" opens the next panel at its top, its heading focused.
  await page.mouse.wheel(0, 2000);
  await page.getByRole('button', { name: 'Next: choose the layers to train' }).click();
  await expect(studio.heading('Layers')).toBeFocused();
  expect(await page.evaluate(() => window.scrollY)).toBe(0);

  // The tree is the run's model: the new pooler and classifier, no cls; Head only trains exactly them.
  const layers = new LayersPanel(page);
  await expect(layers.headNote).toContainText('bert.pooler.dense');
  await expect(layers.item('classifier')).toBeVisible();
  await expect(layers.item('bert.pooler')).toBeVisible();
  await expect(layers.item('cls')).toHaveCount(0);
  await layers.preset('Head only').click();
  await expect(layers.trainable('bert.pooler')).toBeChecked();
  await expect(layers.trainable('classifier')).toBeChecked();
  await expect(layers.item('bert.embeddings')).toHaveAttribute('aria-checked', 'false');
  await expect(layers.item('bert.embeddings')).toHaveAttribute('aria-description', 'frozen');
  await expect(layers.item('bert')).toHaveAttribute('aria-checked', 'mixed');
  await expect(layers.trainableShare()).toHaveText(new RegExp(`^${HEAD.toLocaleString('en-US')} \\(0\\.89?%\\)$`));

  // The schedule preview has the head's groups, and the task says what the checkpoint was saved for. One epoch of
  // short examples keeps this journey short (17 steps; a visitor's defaults train three of up to 128 tokens).
  await studio.open('Configure');
  await new ConfigurePanel(page).set({ Epochs: 1, 'Max length (tokens)': 32 });
  await expect(page.getByRole('figure', { name: 'Learning-rate schedule' })).toContainText('classifier');
  await expect(page.getByText('The checkpoint was saved for masked language modelling; a new head is made for this task.')).toBeVisible();

  // 2–3. Train from the Dataset panel: the Train panel opens with the run going.
  await studio.open('Dataset');
  await expect(dataset.quickStart).toHaveText('Train with your settings');
  await dataset.quickStart.click();
  await expect(studio.heading('Train')).toBeFocused();
  const train = new TrainPanel(page);
  await expect(train.status).toHaveText(/^(Preparing|Epoch)/);
  // The run trains what the Layers panel said.
  await expect(page.getByText(`${HEAD.toLocaleString('en-US')} of ${RUN_TOTAL.toLocaleString('en-US')} parameters train`)).toBeVisible({ timeout: 60_000 });
  // Status and charts first: at 900 px they are in view.
  expect(await train.status.boundingBox().then((b) => b !== null && b.y + b.height < 900)).toBe(true);
  expect(await inViewport(page, 'Loss')).toBe(true);

  await expect(train.status).toHaveText(/^(Epoch|Finished)/, { timeout: 60_000 });
  await train.waitUntilFinished();
  await expect(train.status).toHaveText(/^Finished · Epoch 1\/1 · step 17\/17 · loss \d\.\d{3} · [\d,]+ tokens\/s · took (\d+ min )?\d+ s$/);
  // The default evaluates every tenth of the run: more than three points on the accuracy chart.
  expect(await train.chart('Accuracy and F1').locator('.lc-series').first().locator('.lc-dot').count()).toBeGreaterThan(3);
  await expect(train.result).toContainText(/Always guessing “ham” gets \d+\.\d% \(the majority-class baseline\); this model is/);
  await expect(train.result).toContainText('Final');
  const took = /took ((\d+ min )?\d+ s)$/.exec((await train.status.textContent()) ?? '')?.[1];

  await studio.open('Evaluate');
  const evaluate = new EvaluatePanel(page);
  await expect(evaluate.metrics.getByRole('columnheader', { name: 'Final' })).toBeVisible();
  await expect(evaluate.result).toContainText('Accuracy');
  await expect(evaluate.result).toContainText(/Always guessing “ham” gets \d+\.\d%/);

  // The History says the same time as the status.
  await studio.open('History');
  await expect(new HistoryPanel(page).runs.getByRole('row').nth(1)).toContainText(took ?? '—');

  // 4. After a run on rows, a CoNLL file switches the next run to token classification.
  await studio.open('Dataset');
  await dataset.choose(placesConll(40));
  await expect(dataset.stat('Sentences')).toHaveText('40');
  await expect(page.getByRole('note').filter({ hasText: /The run’s task is now token classification: places\.conll holds tagged sentences \(it was sequence classification\)/ })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'does not fit' })).toHaveCount(0);
  await studio.open('Configure');
  await expect(new ConfigurePanel(page).field('Task')).toHaveValue('token-cls');
  await new ConfigurePanel(page).set({ Epochs: 200, 'Batch size': 4 });

  // A long run: its progress shows on every panel; Evaluate now measures it mid-run; Stop still leaves a result.
  await studio.open('Train');
  await train.start.click();
  await expect(train.status).toHaveText(/^Epoch \d+\/200 · step/, { timeout: 60_000 });
  const total = /step [\d,]+\/([\d,]+)/.exec((await train.status.textContent()) ?? '')?.[1] ?? '';
  await studio.open('Model');
  await expect(studio.runPill).toContainText(new RegExp(`^Training · step [\\d,]+ of ${total}`));
  await expect(studio.navRunProgress).toBeVisible();
  await studio.runPill.click();
  await expect(studio.heading('Train')).toBeFocused();
  await train.pause.click();
  await expect(train.status).toHaveText(/^Paused/);
  const paused = Number(/step ([\d,]+)\//.exec((await train.status.textContent()) ?? '')?.[1].replace(/,/g, ''));
  await expect(studio.runPill).toContainText(`Paused · step ${paused.toLocaleString('en-US')} of ${total}`);
  await train.evaluateNow.click();
  await expect(train.result).toContainText(`After step ${paused.toLocaleString('en-US')} of ${total}`);
  await expect(train.result).toContainText('Entity F1');
  await studio.open('Evaluate');
  await expect(evaluate.metrics.getByRole('columnheader', { name: `After step ${paused.toLocaleString('en-US')} of ${total}` })).toBeVisible();
  await studio.open('Train');
  await train.resume.click();
  await train.stop.click();
  await train.waitUntilFinished();
  const stoppedAt = Number(/step ([\d,]+)\//.exec((await train.status.textContent()) ?? '')?.[1].replace(/,/g, ''));
  await expect(studio.runPill).toHaveCount(0);
  await studio.open('Evaluate');
  await expect(evaluate.metrics.getByRole('columnheader', { name: `Final (stopped at step ${stoppedAt.toLocaleString('en-US')} of ${total})` })).toBeVisible();
  await expect(evaluate.result).toContainText(/Always guessing “[^”]+” finds no entity/);

  expect(origin.foreignRequests).toEqual([]);
  expect(origin.cspViolations).toEqual([]);
});
