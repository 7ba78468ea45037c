// What the studio writes, in the user's words (issue 16 items 11 and 13), rendered as the studio renders it
// (react-dom/server): one elapsed-time and one date format everywhere, no "Header row" for JSON Lines (its rows
// name their fields), a coded message as a sentence with its code on a details line under it, and the "Train with
// defaults" label only for the defaults.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../src/protocol/dataset-summary';
import { DEFAULT_TRAIN_CONFIG, defaultLearningRate } from '../../src/protocol/train-config';
import { CodedMessage } from '../../src/ui/components/coded-message';
import { ErrorAlert } from '../../src/ui/components/error-alert';
import { EngineContext } from '../../src/ui/engine-context';
import type { EngineClient } from '../../src/ui/engine-client';
import { DatasetOverview } from '../../src/ui/features/dataset/dataset-overview';
import { isDefaultConfig } from '../../src/ui/features/dataset/quick-start';
import { formatDateTime, formatElapsed } from '../../src/ui/format';

describe('formatElapsed and formatDateTime', () => {
  it('write a duration and a moment the same way in every panel', () => {
    expect(formatElapsed(8)).toBe('8 s');
    expect(formatElapsed(46.4)).toBe('46 s');
    expect(formatElapsed(65)).toBe('1 min 5 s');
    expect(formatElapsed(3720)).toBe('1 h 2 min');
    expect(formatDateTime(new Date(2026, 11, 7, 19, 22).getTime())).toBe('7 Dec 2026, 19:22');
  });
});

describe('DatasetOverview', () => {
  const base = {
    role: 'train', file: 'rows', size: 10, labels: { items: [], total: 2 }, warnings: { items: [], total: 0 }, skipped: { items: [], total: 0 },
    decode: { encoding: 'utf-8', bom: false, lineEndings: { lf: 1, crlf: 0, cr: 0 } }, choices: {}, readMs: 1, kind: 'examples', columns: ['text', 'label'],
    textColumns: ['text'], labelColumn: 'label', otherLabelColumns: [], reasons: { textColumns: '', labelColumn: '' }, hasHeader: true, renamedHeaders: [], rowCount: 3, preview: [],
  };
  const render = (summary: unknown) =>
    renderToStaticMarkup(createElement(EngineContext.Provider, { value: {} as EngineClient }, createElement(DatasetOverview, { summary: summary as DatasetSummary })));

  it('has a "Header row" for delimited text only', () => {
    expect(render({ ...base, file: 'rows.csv', format: 'csv', delimiter: ',' })).toContain('Header row');
    expect(render({ ...base, file: 'rows.jsonl', format: 'jsonl' })).not.toContain('Header row');
  });
});

describe('coded messages', () => {
  it('say the sentence first and the code on a details line under it', () => {
    const html = renderToStaticMarkup(createElement(CodedMessage, { code: 'CONFIG_NORMALISED', message: 'The config was read as BERT.' }));
    expect(html).toBe('<span class="coded-message"><bdi>The config was read as BERT.</bdi></span><span class="code-line"><code>CONFIG_NORMALISED</code></span>');
    const alert = renderToStaticMarkup(
      createElement(ErrorAlert, { title: 'Could not read “photo.csv”', error: { code: 'DATASET_BINARY_FILE', message: 'photo.csv is a PNG image.', location: { file: 'photo.csv' } } }),
    );
    expect(alert.indexOf('photo.csv is a PNG image.')).toBeLessThan(alert.indexOf('DATASET_BINARY_FILE'));
    expect(alert).toMatch(/<span class="code-line"><code>DATASET_BINARY_FILE<\/code> · <bdi>[^<]*photo\.csv[^<]*<\/bdi><\/span>/);
  });
});

describe('isDefaultConfig', () => {
  it('is the defaults whatever the task and with the learning rate of the model\'s width; any other setting is not', () => {
    const defaults = { ...DEFAULT_TRAIN_CONFIG, task: 'token-cls' as const, learningRate: defaultLearningRate(128) };
    expect(isDefaultConfig(defaults, 128)).toBe(true);
    expect(isDefaultConfig({ ...defaults, epochs: 1 }, 128)).toBe(false);
    expect(isDefaultConfig({ ...defaults, freeze: ['bert.embeddings'] }, 128)).toBe(false);
    expect(isDefaultConfig({ ...defaults, learningRate: 1e-3 }, 128)).toBe(false);
  });
});
