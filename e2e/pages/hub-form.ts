// Page object of the Model panel's "Load from the Hugging Face Hub" card: user-facing locators only.
import type { Locator, Page } from '@playwright/test';

export class HubForm {
  readonly card: Locator;
  readonly modelId: Locator;
  readonly revision: Locator;
  readonly advanced: Locator;
  readonly endpoint: Locator;
  readonly load: Locator;

  constructor(page: Page) {
    this.card = page.getByRole('region', { name: 'Load from the Hugging Face Hub' });
    this.modelId = this.card.getByLabel('Model id');
    this.revision = this.card.getByLabel('Revision');
    this.advanced = this.card.getByText('Advanced', { exact: true });
    this.endpoint = this.card.getByLabel('Endpoint');
    this.load = this.card.getByRole('button', { name: 'Load' });
  }

  /** Types the id (and the endpoint, under Advanced, when given), then presses Load. */
  async loadModel(id: string, endpoint?: string): Promise<void> {
    await this.modelId.fill(id);
    if (endpoint !== undefined) {
      if (!(await this.endpoint.isVisible())) await this.advanced.click();
      await this.endpoint.fill(endpoint);
    }
    await this.load.click();
  }

  /** The progress bar of the download of `source` ("id@revision"). */
  progress(source: string): Locator {
    return this.card.getByRole('progressbar', { name: `Downloading ${source}` });
  }

  /** The notes shown after a download (served from the cache, ...). */
  notes(): Locator {
    return this.card.getByRole('status');
  }
}
