// Journey: the whole studio with the mouse, on WASM and on WebGPU (SwiftShader here). Load the tiny BERT, drop a
// 40-row CSV, freeze a layer by clicking it, set a short run, train and watch the status and the charts move,
// read the evaluation, export the model, open the export again and get the same predictions in the playground.
// Nothing may leave the page's origin, and no main-thread task may block the page for long while it trains.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, EvaluatePanel, ExportPanel, LayersPanel, Studio, TrainPanel } from './pages/studio';
import { BERT_SEQ_CLS } from './support/checkpoints';
import { reviewsCsv } from './support/datasets';
import { guardOrigin } from './support/origin-guard';
import { unzipTo } from './support/unzip';
import { valueCount } from './support/weights';

/** Records the page's long tasks (PerformanceObserver "longtask": main-thread tasks over 50 ms). */
async function watchLongTasks(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({ type: 'longtask' });
  });
  return () => page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
}

/** Records every text the training status shows (it changes faster than a test can poll). */
async function watchStatus(status: Locator): Promise<() => Promise<string[]>> {
  await status.evaluate((el) => {
    const seen: string[] = [];
    (window as unknown as { __statusTexts: string[] }).__statusTexts = seen;
    new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { characterData: true, childList: true, subtree: true });
  });
  return () => status.page().evaluate(() => (window as unknown as { __statusTexts: string[] }).__statusTexts);
}

/** Steps per backend: WASM runs the tiny model in milliseconds, WebGPU on SwiftShader in about a second. */
// 36 training examples in batches of 4: 9 steps an epoch. On WASM the run must outlast the round trip of the Pause
// click (24 steps took 1 s once the engine had its own WebAssembly kernels, and finished before the pause landed).
const STEPS = { WASM: { epochs: 18, maxSteps: 160 }, WebGPU: { epochs: 1, maxSteps: 6 } };

for (const backend of ['WASM', 'WebGPU'] as const) {
  test(`fine-tune, evaluate, export and reload on ${backend}`, async ({ page, baseURL }, testInfo) => {
    test.setTimeout(240_000);
    const origin = guardOrigin(page, new URL(baseURL!).origin);
    const studio = new Studio(page);
    await studio.goto();
    if (backend === 'WebGPU') await studio.chooseBackend('WebGPU');
    else await expect(studio.backendBadge).toHaveAccessibleName(/^Compute backend: WASM/);

    const model = new ModelPanel(page);
    await model.openFolder(BERT_SEQ_CLS);
    await expect(model.stat('Layers')).toHaveText('2');

    await studio.open('Dataset');
    const dataset = new DatasetPanel(page);
    await dataset.drop(reviewsCsv());
    await expect(dataset.loaded).toBeVisible();
    await expect(dataset.stat('Rows')).toHaveText('40');
    await expect(dataset.preview.getByRole('row')).toHaveCount(41);
    await expect(dataset.labelChart).toBeVisible();
    await expect(page.getByRole('table', { name: 'Examples per class and split' })).toContainText('positive');
    await expect(page.getByText(/36 training examples/)).toBeVisible();

    await studio.open('Layers');
    const layers = new LayersPanel(page);
    await expect(layers.trainable('bert.embeddings')).toBeChecked();
    await layers.item('bert.embeddings').click();
    await expect(layers.trainable('bert.embeddings')).not.toBeChecked();
    await expect(layers.trainable('bert')).not.toBeChecked();
    await expect(layers.item('bert.embeddings')).toContainText('frozen');
    const weights = `${BERT_SEQ_CLS}/model.safetensors`;
    const all = await valueCount(weights);
    const trainable = all - (await valueCount(weights, 'bert.embeddings'));
    await expect(layers.trainableShare()).toHaveText(`${trainable.toLocaleString('en-US')} (${((100 * trainable) / all).toFixed(1)}%)`);

    await studio.open('Configure');
    const configure = new ConfigurePanel(page);
    const { epochs, maxSteps } = STEPS[backend];
    await configure.set({ Epochs: epochs, 'Batch size': 4, 'Max length (tokens)': 32, 'Max steps': maxSteps, 'Learning rate': 0.001 });
    await configure.evaluateEvery(3);
    await expect(page.getByRole('figure', { name: 'Learning-rate schedule' })).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'need attention' })).toHaveCount(0);

    await studio.open('Train');
    const train = new TrainPanel(page);
    const longTasks = await watchLongTasks(page);
    const statusTexts = await watchStatus(train.status);
    await train.start.click();
    // Pause as soon as the run has started: the status and the charts hold still to be read. The click can land
    // several steps in (a clean-clone CI run paused at step 15 of 24, in epoch 2), so any epoch is accepted.
    await train.pause.click();
    await expect(train.status).toHaveText(new RegExp(`^Paused · Epoch \\d+/${epochs} · step \\d+/${maxSteps} · loss \\d+\\.\\d{3} · [\\d,]+ tokens/s$`), { timeout: 90_000 });
    await expect(train.resume).toBeEnabled();
    const early = await train.linePaths('Loss');
    expect(early.length).toBeGreaterThan(0);
    await train.resume.click();
    await train.waitUntilFinished();
    await expect(train.status).toHaveText(new RegExp(`^Finished · Epoch ${epochs}/${epochs} · step ${maxSteps}/${maxSteps} · loss`));
    await expect(train.progress).toHaveAttribute('value', String(maxSteps));
    // While it ran, the status read like the example: epoch, step, loss, tokens/s and ETA.
    expect(await statusTexts()).toContainEqual(expect.stringMatching(new RegExp(`^Epoch \\d+/${epochs} · step \\d+/${maxSteps} · loss \\d+\\.\\d{3} · [\\d,]+ tokens/s · ETA \\d+:\\d{2}$`)));
    for (const chart of ['Loss', 'Accuracy and F1', 'Learning rate', 'Gradient norm', 'Layer telemetry'] as const) await expect(train.chart(chart)).toBeVisible();
    expect(await train.linePaths('Loss')).not.toEqual(early);
    // The evaluations (every 3 steps) are drawn as points on the accuracy chart.
    await expect(train.chart('Accuracy and F1').locator('.lc-dot')).not.toHaveCount(0);
    const tasks = await longTasks();
    const longest = Math.max(0, ...tasks);
    testInfo.annotations.push({ type: 'longest main-thread task during training (ms)', description: String(Math.round(longest)) });
    console.log(`${backend}: ${tasks.length} main-thread tasks over 50 ms during training, longest ${Math.round(longest)} ms`);
    // The budget is 50 ms; on two shared cores (SwiftShader's threads, other processes) the scheduler alone can
    // stretch a task, so this guards against real regressions (a chart library's 100–600 ms redraws) only.
    expect(longest).toBeLessThan(250);

    await studio.open('Evaluate');
    const evaluate = new EvaluatePanel(page);
    await expect(evaluate.metrics).toContainText('Accuracy');
    await expect(evaluate.confusion.getByRole('columnheader')).toContainText(['negative', 'neutral', 'positive']);
    await expect(evaluate.perClass.getByRole('row')).toHaveCount(4);
    const sentence = 'great movie and wonderful acting';
    await evaluate.predict(sentence);
    await expect(evaluate.probabilities()).toHaveCount(3);
    const before = await evaluate.probabilities().allTextContents();

    await studio.open('Export');
    const exporter = new ExportPanel(page);
    const download = page.waitForEvent('download');
    await exporter.exportButton('hf').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('bert-seq-cls-finetuned.zip');
    await expect(exporter.files('hf')).toContainText('model.safetensors');
    await expect(exporter.verification('hf')).toContainText(['verified']);
    const zipPath = testInfo.outputPath('export.zip');
    await file.saveAs(zipPath);
    const folder = await unzipTo(zipPath, testInfo.outputPath('unzipped'));
    expect((await readdir(folder)).sort()).toEqual(['README.md', 'config.json', 'metrics.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    // The model card says what the run was: its base model, its data and its results beside the majority class.
    const card = await readFile(path.join(folder, 'README.md'), 'utf8');
    expect(card).toContain('Fine-tuned from `bert-seq-cls`');
    expect(card).toContain('majority-class baseline');

    await studio.open('Model');
    await model.openFolder(folder);
    await expect(model.overviewTitle()).toHaveText('bert-seq-cls-finetuned');
    await expect(model.summary.getByRole('list', { name: 'Labels' }).getByRole('listitem')).toHaveText([/negative/, /neutral/, /positive/]);
    await studio.open('Evaluate');
    await evaluate.predict(sentence);
    await expect(evaluate.probabilities()).toHaveText(before);

    expect(origin.foreignRequests).toEqual([]);
    expect(origin.cspViolations).toEqual([]);
  });
}
