// Page objects of issue #18's studio parts: the Sweep panel (the search space, Start/Stop, the trials table and its
// scatter) and Configure's "Check gradients" card (its button, Cancel and the per-module table).
import { expect, type Locator, type Page } from '@playwright/test';

export class SweepPanel {
  readonly page: Page;
  readonly start: Locator;
  readonly stop: Locator;
  readonly trials: Locator;
  readonly scatter: Locator;
  /** The line said when the sweep has ended ("The sweep is done. Best: trial 2, …"). */
  readonly outcome: Locator;

  constructor(page: Page) {
    this.page = page;
    this.start = page.getByRole('button', { name: 'Start sweep' });
    this.stop = page.getByRole('button', { name: 'Stop sweep' });
    this.trials = page.getByRole('table', { name: 'Sweep trials' });
    this.scatter = page.getByRole('figure', { name: 'Trials by setting' });
    this.outcome = page.getByRole('status').filter({ hasText: /The sweep is done|Stopped/ });
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  /** Sets the search: grid or random, and each parameter's values as typed ("1e-3, 1e-4"). */
  async define(method: 'Grid' | 'Random (seeded)', values: Record<string, string | number>): Promise<void> {
    await this.field('Search').selectOption({ label: method });
    for (const [label, value] of Object.entries(values)) await this.field(label).fill(String(value));
  }

  /** The rows of the trials table, best first (the header row left out). */
  rows(): Locator {
    return this.trials.locator('tbody tr');
  }

  async waitUntilDone(timeout = 120_000): Promise<void> {
    await expect(this.outcome).toBeVisible({ timeout });
  }
}

export class GradientCheckCard {
  readonly page: Page;
  readonly card: Locator;
  readonly run: Locator;
  readonly cancel: Locator;
  readonly table: Locator;
  readonly verdict: Locator;

  constructor(page: Page) {
    this.page = page;
    this.card = page.getByRole('region', { name: 'Check gradients' });
    this.run = this.card.getByRole('button', { name: 'Check gradients' });
    this.cancel = this.card.getByRole('button', { name: 'Cancel' });
    this.table = page.getByRole('table', { name: 'Gradient check per module' });
    this.verdict = this.card.getByRole('status');
  }

  /** The result badge ("pass" or "fail") of one module's row: its first cell. */
  result(module: string): Locator {
    return this.table.getByRole('row').filter({ has: this.page.getByRole('rowheader', { name: module, exact: true }) }).getByRole('cell').first();
  }
}
