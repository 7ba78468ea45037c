// Journey: after a run, "Download predictions (CSV)" in the Evaluate panel gives the run's validation examples with
// the model's predictions (RELIABILITY D16). Every text and label of the dataset starts like a spreadsheet formula
// (= + - @ tab): each comes back neutralised with a leading quote, and the probabilities stay plain numbers. The file
// is read with Python's csv module, the reference reader.
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, DatasetPanel, EvaluatePanel, Studio, TrainPanel, type FileSpec } from './pages/studio';

const TEXTS = ['=HYPERLINK("http://x.invalid","great movie")', "=cmd|' /C calc'!A0 boring plot", '+lovely music', '-awful acting', '@SUM(1) excellent film', '\tterrible film'];
const LABELS = ['=good', '+bad'];

/** 40 rows; the text fixes the label (six texts, two labels), so any held-out row is one of these pairs. */
function formulaCsv(): FileSpec {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = ['text,label'];
  for (let i = 0; i < 40; i++) lines.push(`${quote(TEXTS[i % TEXTS.length])},${quote(LABELS[i % LABELS.length])}`);
  return { name: 'formulas.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

function pythonCsvRows(file: string): string[][] {
  const script = 'import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))))';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as string[][];
}

test('the validation predictions download as a CSV whose formula-like cells are neutralised', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const studio = new Studio(page);
  await studio.goto();
  await new ModelPanel(page).waitForDefaultModel();
  await studio.open('Dataset');
  const dataset = new DatasetPanel(page);
  await dataset.choose(formulaCsv());
  await expect(dataset.stat('Rows')).toHaveText('40');
  await studio.open('Configure');
  await new ConfigurePanel(page).set({ Epochs: 1, 'Batch size': 4, 'Max length (tokens)': 32, 'Max steps': 4 });
  await studio.open('Train');
  const train = new TrainPanel(page);
  await train.start.click();
  await train.waitUntilFinished();

  await studio.open('Evaluate');
  const evaluate = new EvaluatePanel(page);
  const examples = Number(/On (\d+) validation examples/.exec((await evaluate.result.textContent()) ?? '')?.[1]);
  expect(examples).toBeGreaterThan(0);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download predictions (CSV)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/-predictions\.csv$/);
  const path = testInfo.outputPath('predictions.csv');
  await file.saveAs(path);

  const [header, ...rows] = pythonCsvRows(path);
  expect(header).toEqual(['text', 'label', 'predicted', 'probability']);
  // The rows the run evaluated on, one each.
  expect(rows).toHaveLength(examples);
  for (const [text, label, predicted, probability] of rows) {
    expect(TEXTS.map((t) => `'${t}`)).toContain(text);
    expect(label).toBe(`'${LABELS[TEXTS.indexOf(text.slice(1)) % LABELS.length]}`);
    expect(LABELS.map((l) => `'${l}`)).toContain(predicted);
    expect(probability).toMatch(/^(0|1)(\.\d+)?(e-\d+)?$/);
    expect(Number(probability)).toBeGreaterThanOrEqual(0.5);
    expect(Number(probability)).toBeLessThanOrEqual(1);
  }
});
