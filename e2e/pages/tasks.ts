// Page objects for the #20 controls: how rows hold their labels (Dataset), the rare-class and long-text notes with
// their one-click changes, Configure's "Labels, imbalance and long texts" card, and what Evaluate adds (multi-label
// thresholds, recall beside the baseline, the playground's answer).
import type { Locator, Page } from '@playwright/test';

export class DatasetLabels {
  readonly page: Page;
  readonly labelsPerRow: Locator;
  readonly together: Locator;
  readonly rareClass: Locator;
  readonly longTexts: Locator;
  readonly useWeights: Locator;
  readonly useWindows: Locator;

  constructor(page: Page) {
    this.page = page;
    this.labelsPerRow = page.getByLabel('Labels per row', { exact: true });
    this.together = page.getByLabel('Labels met together');
    this.rareClass = page.getByRole('note', { name: 'Rare class' });
    this.longTexts = page.getByRole('note', { name: 'Long texts' });
    this.useWeights = page.getByRole('button', { name: 'Use inverse-frequency class weights' });
    this.useWindows = page.getByRole('button', { name: 'Read long texts in sliding windows' });
  }
}

export class TaskOptions {
  readonly page: Page;
  readonly card: Locator;
  readonly labelsPerExample: Locator;
  readonly classWeights: Locator;
  readonly positiveWeights: Locator;
  readonly focalGamma: Locator;
  readonly windows: Locator;
  readonly stride: Locator;
  readonly aggregate: Locator;

  constructor(page: Page) {
    this.page = page;
    this.card = page.getByRole('region', { name: 'Labels, imbalance and long texts' });
    this.labelsPerExample = this.card.getByLabel('Labels per example', { exact: true });
    this.classWeights = this.card.getByLabel('Class weights', { exact: true });
    this.positiveWeights = this.card.getByLabel('Positive weights', { exact: true });
    this.focalGamma = this.card.getByLabel('Focal loss γ', { exact: true });
    this.windows = this.card.getByLabel('Sliding windows over long texts');
    this.stride = this.card.getByLabel('Window stride (tokens)', { exact: true });
    this.aggregate = this.card.getByLabel('Windows combined by', { exact: true });
  }
}

export class EvaluateTasks {
  readonly page: Page;
  readonly multiLabelScores: Locator;
  readonly thresholds: Locator;
  readonly recall: Locator;
  readonly answer: Locator;

  constructor(page: Page) {
    this.page = page;
    this.multiLabelScores = page.getByRole('table', { name: 'Multi-label scores' });
    this.thresholds = page.getByRole('table', { name: 'Thresholds per label' });
    this.recall = page.getByRole('table', { name: 'Recall per class beside the baseline' });
    this.answer = page.locator('.prediction-answer');
  }

  /** The row of a metric or label in one of the tables, as its cells' texts. */
  row(table: Locator, name: string): Locator {
    return table.getByRole('row', { name: new RegExp(`^${name}\\b`) });
  }
}
