// The studio ready to train the built-in model on the 40-row reviews sample with `settings` (Configure's labels →
// values), evaluating every 4 steps, the Train panel open: the start of every checkpoint and fault journey.
import { expect, type Page } from '@playwright/test';
import { ModelPanel } from '../pages/model-panel';
import { ConfigurePanel, DatasetPanel, Studio } from '../pages/studio';
import { reviewsCsv } from './datasets';

export async function prepareReviewsRun(page: Page, settings: Record<string, number>): Promise<void> {
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).waitForDefaultModel();
  await studio.open('Dataset');
  await new DatasetPanel(page).choose(reviewsCsv());
  await expect(new DatasetPanel(page).stat('Rows')).toHaveText('40');
  await studio.open('Configure');
  const configure = new ConfigurePanel(page);
  await configure.set(settings);
  await configure.evaluateEvery(4);
  await studio.open('Train');
}
