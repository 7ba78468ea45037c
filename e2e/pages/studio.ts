// Page objects of the journey panels (Dataset, Layers, Configure, Train, Evaluate, Export, History) and the studio
// around them: user-facing locators only (role, label, text); the charts' SVG lines are the one exception.
import { expect, type Locator, type Page } from '@playwright/test';

export type PanelName = 'Model' | 'Dataset' | 'Layers' | 'Configure' | 'Sweep' | 'Train' | 'Evaluate' | 'Export' | 'History';

export class Studio {
  readonly page: Page;
  readonly backendBadge: Locator;
  /** The run in flight, in the header on every panel. */
  readonly runPill: Locator;
  /** The bar under the Train tab while a run goes on. */
  readonly navRunProgress: Locator;

  constructor(page: Page) {
    this.page = page;
    this.backendBadge = page.getByRole('button', { name: /^Compute backend:/ });
    this.runPill = page.getByRole('button', { name: /^Run in progress:/ });
    this.navRunProgress = page.getByRole('progressbar', { name: /^Training progress: / });
  }

  /** The open panel's heading (h1). */
  heading(panel: PanelName): Locator {
    return this.page.getByRole('heading', { level: 1, name: panel });
  }

  async goto(): Promise<void> {
    await this.page.goto('/');
    await expect(this.backendBadge).not.toHaveAccessibleName(/Starting engine|not responding|stopped/, { timeout: 60_000 });
  }

  async open(panel: PanelName): Promise<void> {
    await this.page.getByRole('tab', { name: panel }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: panel })).toBeVisible();
  }

  /** Picks a backend ("WebGPU", "WASM") in the header's menu and waits until the engine runs on it. */
  async chooseBackend(label: string): Promise<void> {
    await this.backendBadge.click();
    await this.page.getByRole('dialog', { name: 'Compute backend' }).getByRole('radio', { name: new RegExp(`^${label}`) }).check();
    await expect(this.backendBadge).toHaveAccessibleName(new RegExp(`^Compute backend: ${label}`), { timeout: 60_000 });
    await this.page.keyboard.press('Escape');
  }
}

export interface FileSpec {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export class DatasetPanel {
  readonly page: Page;
  readonly sample: Locator;
  readonly quickStart: Locator;
  readonly fileInput: Locator;
  readonly loaded: Locator;
  readonly preview: Locator;
  readonly labelChart: Locator;
  readonly error: Locator;
  readonly reading: Locator;

  constructor(page: Page) {
    this.page = page;
    this.fileInput = page.getByLabel('Dataset file');
    this.sample = page.getByRole('button', { name: 'Try the sample dataset' });
    this.quickStart = page.getByRole('region', { name: 'Ready to train' }).getByRole('button', { name: /^Train with (defaults|your settings)$/ });
    this.loaded = page.getByRole('region', { name: 'Loaded dataset' });
    this.preview = page.getByRole('table', { name: 'Dataset preview' });
    this.labelChart = page.getByRole('figure', { name: /Label distribution|Tag distribution/ });
    this.error = page.getByRole('alert').filter({ hasText: /Could not read|was cancelled/ });
    this.reading = page.getByRole('region', { name: 'Reading the dataset' });
  }

  async choose(file: FileSpec): Promise<void> {
    await this.fileInput.setInputFiles(file);
  }

  /** Drops one file onto the panel as a file manager would. */
  async drop(file: FileSpec): Promise<void> {
    const data = await this.page.evaluateHandle(
      (f) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.mimeType }));
        return transfer;
      },
      { name: file.name, mimeType: file.mimeType, bytes: [...file.buffer] },
    );
    const target = this.page.getByRole('heading', { level: 1, name: 'Dataset' });
    await target.dispatchEvent('dragenter', { dataTransfer: data });
    await expect(this.page.getByText('Drop the dataset file to read it')).toBeVisible();
    await target.dispatchEvent('drop', { dataTransfer: data });
  }

  stat(label: string): Locator {
    return this.loaded.getByRole('term').filter({ hasText: new RegExp(`^${label}$`) }).first().locator('xpath=following-sibling::dd[1]');
  }

  warnings(): Locator {
    return this.page.getByRole('list', { name: 'Dataset warnings' }).getByRole('listitem');
  }
}

export class LayersPanel {
  readonly page: Page;
  readonly tree: Locator;
  /** Says that the run makes the head the tree shows. */
  readonly headNote: Locator;

  constructor(page: Page) {
    this.page = page;
    this.tree = page.getByRole('tree', { name: 'Layers' });
    this.headNote = page.getByRole('note').filter({ hasText: /The checkpoint has no .* head: the run makes one/ });
  }

  item(path: string): Locator {
    return this.tree.getByRole('treeitem', { name: path, exact: true });
  }

  trainable(path: string): Locator {
    return this.item(path).getByRole('checkbox');
  }

  /** The "Trainable" figure: "12,345 (41.2%)". */
  trainableShare(): Locator {
    return this.page.getByRole('term').filter({ hasText: /^Trainable$/ }).locator('xpath=following-sibling::dd[1]');
  }

  preset(name: string): Locator {
    return this.page.getByRole('group', { name: 'Layer presets' }).getByRole('button', { name: new RegExp(`^${name}`) });
  }
}

export class ConfigurePanel {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  /** Types values into fields by label ("Batch size": 4). */
  async set(values: Record<string, string | number>): Promise<void> {
    for (const [label, value] of Object.entries(values)) await this.field(label).fill(String(value));
  }

  async evaluateEvery(steps: number): Promise<void> {
    await this.field('Evaluate').selectOption('steps');
    await this.field('N (steps)').fill(String(steps));
  }
}

export class TrainPanel {
  readonly page: Page;
  readonly start: Locator;
  readonly pause: Locator;
  readonly resume: Locator;
  readonly stop: Locator;
  readonly status: Locator;
  readonly progress: Locator;
  readonly evaluateNow: Locator;
  /** "How good is it": the headline score beside the majority-class baseline. */
  readonly result: Locator;

  constructor(page: Page) {
    this.page = page;
    this.evaluateNow = page.getByRole('button', { name: /^(Evaluate now|Evaluating…)$/ });
    this.result = page.getByRole('region', { name: 'How good is it' });
    this.start = page.getByRole('button', { name: 'Start training' });
    this.pause = page.getByRole('button', { name: 'Pause' });
    this.resume = page.getByRole('button', { name: 'Resume' });
    this.stop = page.getByRole('button', { name: 'Stop' });
    this.status = page.getByRole('status', { name: 'Training status' });
    this.progress = page.getByRole('progressbar', { name: 'Training progress' });
  }

  chart(name: 'Loss' | 'Accuracy and F1' | 'Learning rate' | 'Gradient norm' | 'Layer telemetry'): Locator {
    return this.page.getByRole('figure', { name, exact: true });
  }

  /** The drawn path of each of a chart's lines (one SVG path per series). */
  async linePaths(name: 'Loss' | 'Accuracy and F1' | 'Learning rate' | 'Gradient norm'): Promise<string[]> {
    return this.chart(name).locator('.lc-series path').evaluateAll((paths) => paths.map((p) => p.getAttribute('d') ?? ''));
  }

  async waitUntilFinished(timeout = 90_000): Promise<void> {
    await expect(this.status).toHaveText(/^(Finished|Stopped)/, { timeout });
  }
}

/** "Adapt to my text" in the Train panel: the text, the settings, Adapt / Stop, its status and progress. */
export class AdaptCard {
  readonly page: Page;
  readonly card: Locator;
  readonly textFile: Locator;
  readonly start: Locator;
  readonly stopAndKeep: Locator;
  readonly stopAndDiscard: Locator;
  readonly status: Locator;
  readonly progress: Locator;

  constructor(page: Page) {
    this.page = page;
    this.card = page.getByRole('region', { name: 'Adapt to my text (optional)' });
    this.textFile = this.card.getByLabel('Adaptation text file');
    this.start = this.card.getByRole('button', { name: 'Adapt the model' });
    this.stopAndKeep = this.card.getByRole('button', { name: 'Stop and keep' });
    this.stopAndDiscard = this.card.getByRole('button', { name: 'Stop and discard' });
    this.status = this.card.getByRole('status', { name: 'Adaptation status' });
    this.progress = this.card.getByRole('progressbar', { name: 'Adaptation progress' });
  }

  /** Unfolds the card (it is folded below the run's status and charts until used). */
  async open(): Promise<void> {
    const summary = this.page.getByText('Adapt to my text first (optional)');
    if (!(await this.card.isVisible())) await summary.click();
    await expect(this.card).toBeVisible();
  }

  source(name: 'The training dataset’s text' | 'A separate text file'): Locator {
    return this.card.getByRole('radio', { name: new RegExp(`^${name}`) });
  }

  /** Runs a number of steps instead of epochs, and types the other settings by label ("Batch size": 4). */
  async set(values: { steps?: number } & Record<string, string | number | undefined>): Promise<void> {
    const { steps, ...fields } = values;
    if (steps !== undefined) {
      await this.card.getByLabel('Length in', { exact: true }).selectOption('steps');
      await this.card.getByLabel('Steps', { exact: true }).fill(String(steps));
    }
    for (const [label, value] of Object.entries(fields)) await this.card.getByLabel(label, { exact: true }).fill(String(value));
  }
}

export class EvaluatePanel {
  readonly page: Page;
  readonly result: Locator;
  readonly metrics: Locator;
  readonly confusion: Locator;
  readonly perClass: Locator;
  readonly text: Locator;
  readonly predictButton: Locator;

  constructor(page: Page) {
    this.page = page;
    this.result = page.getByRole('region', { name: 'How good is it' });
    this.metrics = page.getByRole('table', { name: 'Metrics', exact: true });
    this.confusion = page.getByRole('table', { name: 'Confusion matrix' });
    this.perClass = page.getByRole('table', { name: 'Per-class metrics' });
    this.text = page.getByLabel('Playground text');
    this.predictButton = page.getByRole('button', { name: 'Predict', exact: true });
  }

  async predict(text: string): Promise<void> {
    await this.text.fill(text);
    await this.predictButton.click();
  }

  probabilities(): Locator {
    return this.page.getByRole('list', { name: 'Label probabilities' }).getByRole('listitem');
  }
}

const EXPORT_TITLES = { hf: 'Hugging Face folder', onnx: 'ONNX for transformers.js' } as const;

export class ExportPanel {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  /** The card of one export format. */
  card(format: keyof typeof EXPORT_TITLES): Locator {
    return this.page.getByRole('region', { name: EXPORT_TITLES[format] });
  }

  exportButton(format: keyof typeof EXPORT_TITLES): Locator {
    return this.card(format).getByRole('button', { name: format === 'hf' ? 'Export Hugging Face folder' : 'Export ONNX' });
  }

  files(format: keyof typeof EXPORT_TITLES): Locator {
    return this.page.getByRole('table', { name: `Exported files: ${EXPORT_TITLES[format]}` });
  }

  /** The check of the export against the engine, one line per file. */
  verification(format: keyof typeof EXPORT_TITLES): Locator {
    return this.card(format).getByRole('group', { name: 'Verification' }).getByRole('listitem');
  }
}

export class HistoryPanel {
  readonly page: Page;
  readonly runs: Locator;
  readonly diff: Locator;

  constructor(page: Page) {
    this.page = page;
    this.runs = page.getByRole('table', { name: 'Runs' });
    this.diff = page.getByRole('table', { name: 'Config differences' });
  }

  row(name: string): Locator {
    return this.runs.getByRole('row').filter({ has: this.page.getByRole('rowheader', { name: new RegExp(`^${name}\\b`) }) });
  }

  async compare(...names: string[]): Promise<void> {
    for (const n of names) await this.page.getByRole('checkbox', { name: `Compare ${n}` }).check();
  }
}
