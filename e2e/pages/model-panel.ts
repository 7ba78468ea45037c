// Page object of the Model panel: user-facing locators only (role, label, text).
import { expect, type Locator, type Page } from '@playwright/test';

/** The name the studio gives the built-in model it loads on first visit (public/models/default/). */
export const DEFAULT_MODEL_NAME = 'Layerwise default (BERT 4×128, pretrained here)';

export class ModelPanel {
  readonly page: Page;
  readonly tab: Locator;
  readonly emptyState: Locator;
  readonly folderInput: Locator;
  readonly loading: Locator;
  readonly summary: Locator;
  readonly error: Locator;
  readonly backendBadge: Locator;
  readonly modelCard: Locator;
  readonly adaptations: Locator;
  readonly loadBuiltIn: Locator;

  constructor(page: Page) {
    this.page = page;
    this.tab = page.getByRole('tab', { name: 'Model' });
    this.emptyState = page.getByText('No model loaded — open a Hugging Face checkpoint folder');
    this.folderInput = page.getByLabel('Open checkpoint folder');
    this.loading = page.getByRole('status').filter({ hasText: 'Loading' });
    this.summary = page.getByRole('region', { name: 'Loaded model' });
    this.error = page.getByRole('alert').filter({ hasText: 'Could not load' });
    this.backendBadge = page.getByRole('button', { name: /^Compute backend:/ });
    this.modelCard = page.getByRole('region', { name: 'Model card' });
    this.adaptations = page.getByRole('list', { name: 'Adaptations' }).getByRole('listitem');
    this.loadBuiltIn = page.getByRole('button', { name: 'Load the built-in model' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/');
    await expect(this.tab).toHaveAttribute('aria-selected', 'true');
  }

  /**
   * Waits until the built-in model, which every page loads when it opens, is loaded. A folder opened before that is
   * loaded after it (the worker runs loads in order), so waiting first keeps a spec's own checks free of the switch.
   */
  async waitForDefaultModel(): Promise<void> {
    await expect(this.overviewTitle()).toHaveText(DEFAULT_MODEL_NAME, { timeout: 60_000 });
  }

  /** Waits until the engine worker reports a backend (the badge stops saying "Starting engine"). */
  async waitForEngine(): Promise<void> {
    await expect(this.backendBadge).not.toHaveAccessibleName(/Starting engine|not responding|stopped/);
  }

  /** Opens the backend menu and picks a backend by its label ("WebGPU", "WASM", "CPU"). */
  async chooseBackend(label: string): Promise<void> {
    await this.backendBadge.click();
    await this.page.getByRole('dialog', { name: 'Compute backend' }).getByRole('radio', { name: new RegExp(`^${label}`) }).check();
    await expect(this.backendBadge).toHaveAccessibleName(new RegExp(`^Compute backend: ${label}`));
    await this.page.keyboard.press('Escape');
  }

  /** Chooses a checkpoint folder in the directory picker, as a user does. */
  async openFolder(dir: string): Promise<void> {
    await this.folderInput.setInputFiles(dir);
  }

  /**
   * Drops files onto `target` (inside the panel) as a file manager would; a synthetic DataTransfer carries
   * loose files only, not a folder entry.
   */
  async dropFiles(target: Locator, files: { name: string; bytes: number[] }[]): Promise<void> {
    const data = await this.page.evaluateHandle((list) => {
      const transfer = new DataTransfer();
      for (const f of list) transfer.items.add(new File([new Uint8Array(f.bytes)], f.name));
      return transfer;
    }, files);
    await target.dispatchEvent('dragenter', { dataTransfer: data });
    await expect(this.page.getByText('Drop the checkpoint folder to load it')).toBeVisible();
    await target.dispatchEvent('drop', { dataTransfer: data });
    await expect(this.page.getByText('Drop the checkpoint folder to load it')).toBeHidden();
  }

  /** The value (dd) of one summary figure, by its label (dt: "Layers", "Parameters"); ARIA gives a dd no name. */
  stat(label: string): Locator {
    return this.summary.getByRole('term').filter({ hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]');
  }

  /** Runs the loaded model on a text from the "Try the model" card. */
  async predict(text: string): Promise<void> {
    await this.summary.getByLabel('Text', { exact: true }).fill(text);
    await this.summary.getByRole('button', { name: 'Predict' }).click();
  }

  /** The rows of the seq-cls result, most likely label first. */
  labelScores(): Locator {
    return this.summary.getByRole('list', { name: 'Label probabilities' }).getByRole('listitem');
  }

  overviewTitle(): Locator {
    return this.summary.getByRole('heading', { level: 2 }).first();
  }
}
