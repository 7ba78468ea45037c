// The studio's worker side of #20 (worker/studio.ts with a fake post): a multi-label file's summary and run (the
// model takes its tuned thresholds, the playground answers at them, the export's config.json carries them), the data
// plan's imbalance and length figures, and a run over long texts in windows predicted in windows.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import type { BackendProbe, FromWorker } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/protocol/train-config';
import { MemoryStorage } from './memory-storage';
import { inOrder, recordedStudio } from './studio-harness';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const PROBE: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };
/** The fixture without its tokenizer.json (special tokens only), so that vocab.txt's words are real tokens. */
const folderFiles = () => readdirSync(FIXTURE).filter((n) => n !== 'tokenizer.json').map((name) => new File([readFileSync(path.join(FIXTURE, name))], name));

const studio = () => recordedStudio({ storage: new MemoryStorage(), enqueue: inOrder() });

const config = (over: Partial<TrainConfig>): TrainConfig => ({ ...DEFAULT_TRAIN_CONFIG, batchSize: 8, maxLength: 16, epochs: 2, learningRate: 5e-3, validationSplit: 0.25, ...over });
const FILLER = ['the', 'movie', 'film', 'story', 'was', 'is', 'very', 'really'];

beforeAll(() => useNodeBackend('wasm'));

describe('studio tasks', () => {
  it('multi-label: summary, run, tuned thresholds adopted, playground and export answer at them', async () => {
    const t = studio();
    await t.s.start(PROBE);
    await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: folderFiles() });
    const rows = Array.from({ length: 48 }, (_, i) => {
      const labels = ['happy', 'love'].filter((_, k) => (i >> k) % 2 === 1);
      return `${FILLER[i % 8]} ${labels.map((l) => (l === 'happy' ? 'great' : 'lovely')).join(' ')} ${FILLER[(i * 3) % 8]}\t${labels.join(';')}`;
    });
    await t.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: new File([`text\tlabels\n${rows.join('\n')}\n`], 'm.tsv'), choices: {} });
    const { summary } = t.of('datasetRead')[0];
    expect(summary).toMatchObject({ kind: 'examples', multiLabel: { kind: 'separated', separator: ';' }, unlabelledRows: 12, cooccurrence: [['happy', 'love', 12]] });
    t.s.planData({ type: 'planData', requestId: 2, task: 'seq-cls', validationSplit: 0.25, seed: 42, augment: DEFAULT_TRAIN_CONFIG.augment, maxLength: 4, windows: false });
    const { plan } = t.of('dataPlanned')[0];
    expect(plan.imbalance?.suggested.map((s) => s.label)).toEqual(['happy', 'love']);
    expect(plan.length).toMatchObject({ maxLength: 4, texts: 36, windows: false });
    expect(plan.length?.over).toBeGreaterThan(0);
    await t.s.startTraining({ type: 'startTraining', runId: 'r1', config: config({ problemType: 'multi_label_classification' }) });
    const end = await t.ended();
    expect(end, JSON.stringify(end)).toMatchObject({ type: 'trainingFinished' });
    const metrics = (end as Extract<FromWorker, { type: 'trainingFinished' }>).metrics;
    expect(metrics?.tuned?.thresholds).toHaveLength(2);
    await t.s.predict({ type: 'predict', requestId: 3, text: 'the movie was great' });
    const { prediction } = t.of('predicted')[0];
    expect(prediction).toMatchObject({ task: 'seq-cls', multiLabel: true, windows: 1 });
    if (prediction.task !== 'seq-cls') throw new Error('seq-cls expected');
    expect(prediction.labels.map((l) => l.threshold)).toEqual(metrics?.tuned?.thresholds);
    await t.s.exportModel({ type: 'exportModel', requestId: 4, format: 'hf', quantize: false, allowNonFinite: false });
    const { exported } = t.of('modelExported')[0];
    const files = unzipSync(new Uint8Array(exported.zip));
    const configJson = JSON.parse(new TextDecoder().decode(files['bert-seq-cls-finetuned/config.json'])) as { problem_type: string; layerwise: { thresholds: Record<string, number> } };
    expect(configJson.problem_type).toBe('multi_label_classification');
    expect(Object.values(configJson.layerwise.thresholds)).toEqual(metrics?.tuned?.thresholds);
  }, 120_000);

  it('long texts: a run in windows, and the playground reads a long text in windows', async () => {
    const t = studio();
    await t.s.start(PROBE);
    await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: folderFiles() });
    const rows = Array.from({ length: 24 }, (_, i) => `${Array.from({ length: 30 }, (_, k) => FILLER[(i + k) % 8]).join(' ')} ${i % 2 ? 'great' : 'awful'},${i % 2 ? 'pos' : 'neg'}`);
    await t.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: new File([`text,label\n${rows.join('\n')}\n`], 'l.csv'), choices: {} });
    await t.s.startTraining({ type: 'startTraining', runId: 'r1', config: config({ windows: { stride: 4, aggregate: 'max' } }) });
    const end = await t.ended();
    expect(end, JSON.stringify(end)).toMatchObject({ type: 'trainingFinished' });
    expect((end as Extract<FromWorker, { type: 'trainingFinished' }>).metrics).toMatchObject({ eval_samples: 6 });
    await t.s.predict({ type: 'predict', requestId: 2, text: rows[0].split(',')[0] });
    const { prediction } = t.of('predicted')[0];
    expect(prediction).toMatchObject({ task: 'seq-cls', multiLabel: false });
    expect((prediction as { windows: number }).windows).toBeGreaterThan(1);
  }, 120_000);
});
