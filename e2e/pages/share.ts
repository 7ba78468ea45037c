// Page objects of the Export panel's "Push to the Hugging Face Hub" and "Training recipe" cards: user-facing locators.
import type { Locator, Page } from '@playwright/test';

export class PushCard {
  readonly card: Locator;
  readonly repo: Locator;
  readonly token: Locator;
  readonly advanced: Locator;
  readonly endpoint: Locator;
  readonly push: Locator;

  constructor(page: Page) {
    this.card = page.getByRole('region', { name: 'Push to the Hugging Face Hub' });
    this.repo = this.card.getByRole('textbox', { name: 'Repository' });
    this.token = this.card.getByLabel('Access token');
    this.advanced = this.card.getByText('Advanced', { exact: true });
    this.endpoint = this.card.getByLabel('Endpoint');
    this.push = this.card.getByRole('button', { name: 'Push' });
  }

  /** Fills the form (the endpoint under Advanced) without pressing Push. */
  async fill(repo: string, token: string, endpoint: string): Promise<void> {
    await this.repo.fill(repo);
    await this.token.fill(token);
    if (!(await this.endpoint.isVisible())) await this.advanced.click();
    await this.endpoint.fill(endpoint);
  }

  progress(): Locator {
    return this.card.getByRole('progressbar', { name: 'Pushing to the Hub' });
  }

  /** The line that links to the repository once the push is done. */
  result(): Locator {
    return this.card.getByRole('status');
  }
}

export class RecipeCard {
  readonly card: Locator;
  readonly export: Locator;

  constructor(page: Page) {
    this.card = page.getByRole('region', { name: 'Training recipe for a GPU cluster' });
    this.export = this.card.getByRole('button', { name: 'Export as training recipe' });
  }

  files(): Locator {
    return this.card.getByRole('table', { name: 'Recipe files' });
  }
}
