// The Tasks card's draft (#18): adding a head on a file of rows makes the run's own label column head one and the
// next label column head two, a config `layerwise train --config` reads as the same heads; a bad name, weight or
// watched head is a field error at its path; removing the watched head watches the mean, removing every head makes
// the run single-task again.
import { expect, it } from 'vitest';
import type { DatasetSummary } from '../../src/protocol/dataset-summary';
import { parseTrainConfig, validateTrainConfig } from '../../src/protocol/train-config';
import { createEngineClient } from '../../src/ui/engine-client';
import { createAppStore } from '../../src/ui/store/app-store';
import { FakeWorker } from './fake-worker';

const summary: DatasetSummary = {
  role: 'train', file: 'two.csv', size: 10, format: 'csv', labels: { items: [], total: 0 }, warnings: { items: [], total: 0 }, skipped: { items: [], total: 0 },
  decode: { encoding: 'utf-8', bom: false, lineEndings: { lf: 1, crlf: 0, cr: 0 } }, choices: {}, readMs: 1,
  kind: 'examples', columns: ['text', 'sentiment', 'topic area'], textColumns: ['text'], labelColumn: 'sentiment', otherLabelColumns: ['topic area'], reasons: { textColumns: '', labelColumn: '' },
  hasHeader: true, renamedHeaders: [], rowCount: 1, preview: [], multiLabel: null, unlabelledRows: 0, cooccurrence: [],
};

it('adds heads on the label columns, as a config the CLI reads, with field errors at the heads\' paths', () => {
  const store = createAppStore();
  const worker = new FakeWorker();
  const client = createEngineClient(store, () => worker);
  const s = () => store.getState();
  const errors = () => {
    const r = validateTrainConfig(s().config.draft);
    return r.ok ? [] : r.errors.map((e) => e.path);
  };
  worker.emit({ type: 'datasetRead', requestId: 1, summary });
  s().taskHeadAdded();
  const cli = parseTrainConfig({ tasks: [{ name: 'sentiment', task: 'seq-cls', labelColumn: 'sentiment' }, { name: 'topic_area', task: 'seq-cls', labelColumn: 'topic area' }] });
  expect(validateTrainConfig(s().config.draft)).toEqual({ ok: true, config: { ...cli, learningRate: s().config.draft.learningRate } });
  // Every label column has its head: nothing more to add.
  s().taskHeadAdded();
  expect(s().config.draft.tasks?.map((h) => h.labelColumn)).toEqual(['sentiment', 'topic area']);

  s().taskHeadChanged(1, 'name', 'topic area');
  s().taskHeadChanged(1, 'weight', 0);
  s().configFieldChanged('multiTask.watch', 'topic');
  expect(errors()).toEqual(['tasks[1].name', 'tasks[1].weight', 'multiTask.watch']);
  s().taskHeadChanged(1, 'name', 'topic');
  s().taskHeadChanged(1, 'weight', 2);
  s().configFieldChanged('multiTask.sampler', 'temperature');
  s().configFieldChanged('multiTask.temperature', 3);
  expect(errors()).toEqual([]);
  expect(s().config.draft.multiTask).toEqual({ sampler: 'temperature', temperature: 3, watch: 'topic' });

  s().taskHeadRemoved(1);
  expect(s().config.draft.multiTask.watch).toBeNull();
  s().taskHeadRemoved(0);
  expect(s().config.draft.tasks).toBeNull();
  expect(errors()).toEqual([]);
  client.dispose();
});
