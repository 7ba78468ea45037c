// The worker's plain-data views of a dataset (src/worker/dataset-summary.ts) on a CSV and a CoNLL file made here:
// a bounded preview, counts most frequent first, the split a run would make (sizes per class as a stratified 10%
// split of 40 rows gives them: round(4 × 14/40) etc.), augmentation examples; and the export zip
// (src/worker/export-zip.ts): a folder that loads back with the same weights, a sanitised name, NaN refused.
import path from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import { nodeFolder } from '../../src/cli/node-files';
import { loadModelFolder } from '../../src/engine/load';
import { readDataset } from '../../src/formats/datasets/index';
import { bytesFile, type SourceFolder } from '../../src/formats/source-file';
import { DEFAULT_TRAIN_CONFIG } from '../../src/protocol/train-config';
import { planRunData, summarizeDataset, PREVIEW_ROWS } from '../../src/worker/dataset-summary';
import { writeModelFolder } from '../../src/engine/export/model-folder';
import { exportName, zipModelFolder } from '../../src/worker/export-zip';

const GOLDEN = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny');
const text = (s: string) => new TextEncoder().encode(s);

/** 60 rows: 30 "pos", 20 "neg", 10 "<b>odd</b>" (a label that must stay text). */
function csv(): Uint8Array {
  const rows = ['text,label'];
  for (let i = 0; i < 60; i++) rows.push(`"review number ${i} is here",${i % 6 < 3 ? 'pos' : i % 6 < 5 ? 'neg' : '<b>odd</b>'}`);
  return text(`${rows.join('\n')}\n`);
}

beforeAll(() => useNodeBackend('cpu'));

describe('dataset summary', () => {
  it('sends a bounded preview and the label counts, most frequent first', async () => {
    const ds = await readDataset(bytesFile('reviews.csv', csv()));
    const s = summarizeDataset(ds, 'train', 1234, {}, 5);
    expect(s.kind).toBe('examples');
    if (s.kind !== 'examples') return;
    expect(s.rowCount).toBe(60);
    expect(s.preview).toHaveLength(PREVIEW_ROWS);
    expect(s.preview[0]).toEqual({ line: 2, cells: ['review number 0 is here', 'pos'] });
    expect(s.labels.items).toEqual([
      { label: 'pos', count: 30 },
      { label: 'neg', count: 20 },
      { label: '<b>odd</b>', count: 10 },
    ]);
    expect(s.textColumns).toEqual(['text']);
    expect(s.labelColumn).toBe('label');
  });

  it('plans a stratified split per class, and augmentation of the training split only', async () => {
    const ds = await readDataset(bytesFile('reviews.csv', csv()));
    const plan = planRunData('seq-cls', ds, null, { validationSplit: 0.1, seed: 3, augment: { ...DEFAULT_TRAIN_CONFIG.augment, copies: 2 } });
    expect(plan.validationSource).toBe('split');
    expect(plan.validationExamples).toBe(6);
    expect(plan.trainExamples).toBe(54);
    expect(plan.augmentedExamples).toBe(54 * 3);
    // 6 held out in proportion 30:20:10 → 3, 2, 1; classes in run_glue's sorted order.
    expect(plan.classes.items).toEqual([
      { label: '<b>odd</b>', train: 9, validation: 1 },
      { label: 'neg', train: 18, validation: 2 },
      { label: 'pos', train: 27, validation: 3 },
    ]);
    expect(plan.augmentation.length).toBeGreaterThan(0);
    expect(plan.augmentation.every((a) => ['swap', 'delete', 'insert'].includes(a.op))).toBe(true);
  });

  it('summarises token data and refuses it for sequence classification', async () => {
    const conll = text('John B-PER\nlives O\nin O\nParis B-LOC\n\nMary B-PER\nran O\n\n');
    const ds = await readDataset(bytesFile('ner.conll', conll));
    const s = summarizeDataset(ds, 'train', conll.length, {}, 1);
    expect(s.kind).toBe('tokens');
    if (s.kind !== 'tokens') return;
    expect(s.sentenceCount).toBe(2);
    expect(s.tokenCount).toBe(6);
    expect(s.preview[0]).toEqual({ line: 1, tokens: ['John', 'lives', 'in', 'Paris'], tags: ['B-PER', 'O', 'O', 'B-LOC'] });
    expect(() => planRunData('seq-cls', ds, null, { validationSplit: 0.1, seed: 1, augment: DEFAULT_TRAIN_CONFIG.augment })).toThrow(/TRAIN_TASK_DATA_MISMATCH|task seq-cls needs/);
  });
});

describe('export zip', () => {
  const fixture = path.join(GOLDEN, 'bert-seq-cls');

  it('zips a Hugging Face folder that loads back with the same weights', async () => {
    const folder = nodeFolder(fixture);
    const model = await loadModelFolder(folder);
    try {
      const exported = zipModelFolder(await writeModelFolder({ model, source: folder }), 'bert-seq-cls', 'hf', { examples: 0, source: 'generated', checks: [] });
      expect(exported.fileName).toBe('bert-seq-cls-finetuned.zip');
      const files = unzipSync(new Uint8Array(exported.zip));
      const names = Object.keys(files).sort();
      expect(names).toEqual([...new Set(['config.json', 'model.safetensors', 'tokenizer_config.json', ...model.tokenizerFiles])].map((n) => `bert-seq-cls-finetuned/${n}`).sort());
      expect(exported.files.map((f) => f.size)).toEqual(exported.files.map((f) => files[`bert-seq-cls-finetuned/${f.name}`].length));
      const back: SourceFolder = new Map(Object.entries(files).map(([n, bytes]) => [n.split('/')[1], bytesFile(n.split('/')[1], bytes)]));
      const again = await loadModelFolder(back);
      try {
        const a = await model.params.snapshot();
        const b = await again.params.snapshot();
        expect([...b.keys()]).toEqual([...a.keys()]);
        for (const [name, values] of a) expect(b.get(name)).toEqual(values);
        expect(again.config.id2label).toEqual(model.config.id2label);
      } finally {
        again.params.dispose();
      }
    } finally {
      model.params.dispose();
    }
  });

  it('refuses NaN weights unless told to export them', async () => {
    const folder = nodeFolder(fixture);
    const model = await loadModelFolder(folder);
    try {
      const name = 'classifier.bias';
      const nan = new Float32Array(model.params.get(name).size).fill(NaN);
      const tf = await import('@tensorflow/tfjs-core');
      model.params.assign(name, tf.tensor(nan, model.params.shape(name)));
      await expect(writeModelFolder({ model, source: folder })).rejects.toMatchObject({ code: 'EXPORT_NON_FINITE', location: { tensor: name } });
      await expect(writeModelFolder({ model, source: folder, allowNonFinite: true })).resolves.toHaveLength(model.tokenizerFiles.includes('tokenizer_config.json') ? 2 + model.tokenizerFiles.length : 3 + model.tokenizerFiles.length);
    } finally {
      model.params.dispose();
    }
  });

  it('sanitises the folder name', () => {
    expect(exportName('../../etc/passwd')).toBe('etc-passwd-finetuned');
    expect(exportName('org/model@main')).toBe('org-model-main-finetuned');
    expect(exportName('')).toBe('model-finetuned');
    expect(exportName('ｂｅｒｔ')).toBe('bert-finetuned');
  });
});
