// The config draft follows the training file's labels: rows of several labels make a multi-label head, one label per
// row a softmax one, and a task other than sequence classification is always single-label (#20).
import { expect, it } from 'vitest';
import type { DatasetSummary, MultiLabelSummary } from '../../src/protocol/dataset-summary';
import { createEngineClient } from '../../src/ui/engine-client';
import { createAppStore } from '../../src/ui/store/app-store';
import { FakeWorker } from './fake-worker';

function summary(file: string, multiLabel: MultiLabelSummary | null): DatasetSummary {
  return {
    role: 'train', file, size: 10, format: 'csv', labels: { items: [], total: 0 }, warnings: { items: [], total: 0 }, skipped: { items: [], total: 0 },
    decode: { encoding: 'utf-8', bom: false, lineEndings: { lf: 1, crlf: 0, cr: 0 } }, choices: {}, readMs: 1,
    kind: 'examples', columns: ['text', 'labels'], textColumns: ['text'], labelColumn: multiLabel?.kind === 'binary-columns' ? null : 'labels', otherLabelColumns: [], reasons: { textColumns: '', labelColumn: '' },
    hasHeader: true, renamedHeaders: [], rowCount: 1, preview: [], multiLabel, unlabelledRows: 0, cooccurrence: [],
  };
}

it('problemType follows the file; another task sets it back to one label', () => {
  const store = createAppStore();
  const worker = new FakeWorker();
  const client = createEngineClient(store, () => worker);
  const s = () => store.getState();
  worker.emit({ type: 'datasetRead', requestId: 1, summary: summary('m.tsv', { kind: 'separated', separator: ';' }) });
  expect(s().config.draft).toMatchObject({ task: 'seq-cls', problemType: 'multi_label_classification' });
  s().taskChosen('mlm');
  expect(s().config.draft).toMatchObject({ task: 'mlm', problemType: 'single_label_classification' });
  s().taskChosen('seq-cls');
  expect(s().config.draft.problemType).toBe('multi_label_classification');
  // 0/1 columns have no label column, and still feed sequence classification.
  worker.emit({ type: 'datasetRead', requestId: 2, summary: summary('t.csv', { kind: 'binary-columns', columns: ['toxic', 'threat'] }) });
  expect(s().config.draft).toMatchObject({ task: 'seq-cls', problemType: 'multi_label_classification' });
  worker.emit({ type: 'datasetRead', requestId: 3, summary: summary('one.csv', null) });
  expect(s().config.draft.problemType).toBe('single_label_classification');
  client.dispose();
});
