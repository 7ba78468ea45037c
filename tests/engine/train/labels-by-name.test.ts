// A checkpoint's classes are matched to the data's by name, not by position (issue #15 item 1), through the one run
// recipe (prepareRun) that `layerwise train` and the studio use, on copies of the hf-tiny fixtures with an edited
// id2label: the same names in another order keep the head and make the checkpoint's order the run's (a head trained
// for {0: pos, 1: neg} still says pos for pos after a step at lr 1e-9); other names get a new head with the overlap
// reported; two ids with one name are refused; transformers' LABEL_i placeholders keep the head by position.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../../src/cli/node-files';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { readDataset } from '../../../src/formats/datasets/index';
import { readSafetensorsHeader, readTensorFloat32, writeSafetensors } from '../../../src/formats/safetensors';
import { bytesFile, readAll, type SourceFolder } from '../../../src/formats/source-file';
import { loadModelFolder } from '../../../src/engine/load';
import { prepareRun, type PreparedRun } from '../../../src/engine/train/recipe';
import type { TrainEvent } from '../../../src/engine/train/trainer';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { GOLDEN } from './helpers';

beforeAll(() => useNodeBackend('wasm'));

type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

/** A fixture folder with config.json's id2label (and label2id, num_labels) replaced and the head's tensors edited. */
async function checkpoint(fixture: string, id2label: string[], head?: (tensors: Tensors) => void): Promise<SourceFolder> {
  const folder = new Map(nodeFolder(path.join(GOLDEN, fixture)));
  const config = JSON.parse(new TextDecoder().decode(await readAll(folder.get('config.json')!))) as Record<string, unknown>;
  config.id2label = Object.fromEntries(id2label.map((l, i) => [String(i), l]));
  config.label2id = Object.fromEntries(id2label.map((l, i) => [l, i]));
  config.num_labels = id2label.length;
  folder.set('config.json', bytesFile('config.json', new TextEncoder().encode(JSON.stringify(config))));
  if (head) {
    const file = folder.get('model.safetensors')!;
    const header = await readSafetensorsHeader(file);
    const tensors: Tensors = new Map();
    for (const [name, info] of header.tensors) tensors.set(name, { shape: info.shape.map(Number), data: await readTensorFloat32(file, header, name) });
    head(tensors);
    folder.set('model.safetensors', bytesFile('model.safetensors', writeSafetensors(tensors, { format: 'pt' })));
  }
  return folder;
}

/** A two-class head that ignores its input and always says id 0: weights 0, bias [5, -5]. */
const sayFirst = (tensors: Tensors) => {
  tensors.set('classifier.weight', { shape: [2, 32], data: new Float32Array(64) });
  tensors.set('classifier.bias', { shape: [2], data: Float32Array.from([5, -5]) });
};

const csv = (rows: [string, string][]) => readDataset(bytesFile('train.csv', new TextEncoder().encode(`text,label\n${rows.map((r) => r.join(',')).join('\n')}\n`)));
/** Three pos rows and one neg: a model that always says pos is right on 3 of 4. */
const data = () => csv([['good film', 'pos'], ['great film', 'pos'], ['bad film', 'neg'], ['nice film', 'pos']]);

async function runOneStep(folder: SourceFolder): Promise<{ run: PreparedRun; events: TrainEvent[] }> {
  const train = await data();
  const run = await prepareRun({ folder, train, validation: train }, parseTrainConfig({ task: 'seq-cls', learningRate: 1e-9, maxSteps: 1, batchSize: 4, maxLength: 16 }));
  const events: TrainEvent[] = [];
  try {
    for await (const e of run.trainer.run()) events.push(e);
  } finally {
    run.trainer.dispose();
  }
  return { run, events };
}

const bias = async (run: PreparedRun) => Array.from((await run.model.params.get('classifier.bias').data()) as Float32Array);

describe('same names in another order', () => {
  it('{0: pos, 1: neg} on data sorted neg, pos: the head is kept, the run takes its order, pos stays pos', async () => {
    const { run, events } = await runOneStep(await checkpoint('bert-seq-cls', ['pos', 'neg'], sayFirst));
    try {
      expect(run.labels).toEqual(['pos', 'neg']);
      expect(run.model.config.id2label).toEqual(['pos', 'neg']);
      expect(run.model.messages.find((m) => m.code === 'CHECKPOINT_LABELS_MATCHED')?.message).toMatch(/matched by name: the run uses config\.json's order \("pos", "neg"\), not the data's \("neg", "pos"\)/);
      expect(run.model.messages.some((m) => m.code === 'CHECKPOINT_HEAD_REINITIALISED' || m.code === 'CHECKPOINT_LABELS_RENAMED')).toBe(false);
      // Still the head that always says id 0, which is pos: 3 of the 4 rows (classes swapped would give 1 of 4).
      expect((await bias(run)).map((b) => Math.round(b))).toEqual([5, -5]);
      const evaluated = events.filter((e) => e.type === 'evaluated');
      expect(evaluated.at(-1)).toMatchObject({ record: { accuracy: 0.75 } });
      expect(run.data.train.examples.map((e) => run.labels[e.label])).toEqual(['pos', 'pos', 'neg', 'pos']);
    } finally {
      run.model.params.dispose();
    }
  });

  it('token classification: tags {0: O, 1: B-PER, 2: I-PER} keep their head and their order', async () => {
    const folder = await checkpoint('bert-token-cls', ['O', 'B-PER', 'I-PER']);
    const original = await loadModelFolder(folder);
    const conll = await readDataset(bytesFile('train.conll', new TextEncoder().encode('john B-PER\nsmith I-PER\nran O\n\nmary B-PER\nslept O\n\n')));
    const run = await prepareRun({ folder, train: conll, validation: null }, parseTrainConfig({ task: 'token-cls', maxSteps: 1, validationSplit: 0, maxLength: 16 }));
    try {
      expect(run.labels).toEqual(['O', 'B-PER', 'I-PER']);
      const now = (await run.model.params.get('classifier.weight').data()) as Float32Array;
      expect(Array.from(now)).toEqual(Array.from((await original.params.get('classifier.weight').data()) as Float32Array));
    } finally {
      run.trainer.dispose();
      run.model.params.dispose();
      original.params.dispose();
    }
  });
});

describe('other names', () => {
  it('partly overlapping names: a new head, and which names are shared, only in config.json, only in the data', async () => {
    const { run } = await runOneStep(await checkpoint('bert-seq-cls', ['pos', 'neutral'], sayFirst));
    try {
      expect(run.labels).toEqual(['neg', 'pos']);
      const changed = run.model.messages.find((m) => m.code === 'CHECKPOINT_LABELS_CHANGED');
      expect(changed?.level).toBe('warning');
      expect(changed?.message).toMatch(/shared "pos"; only in config\.json "neutral"; only in the data "neg"\. A new head is initialised for the data's 2 classes/);
      expect(run.model.messages.find((m) => m.code === 'CHECKPOINT_HEAD_REINITIALISED')?.tensors?.sort()).toEqual(['classifier.bias', 'classifier.weight']);
      // A fresh head (bias zeros, moved by one step at lr 1e-9 only), not the old rows.
      expect((await bias(run)).every((b) => Math.abs(b) < 1e-6)).toBe(true);
    } finally {
      run.model.params.dispose();
    }
  });

  it('names with nothing in common, same count: a new head, never a rename by position', async () => {
    const { run } = await runOneStep(await checkpoint('bert-seq-cls', ['joy', 'anger'], sayFirst));
    try {
      expect(run.model.messages.find((m) => m.code === 'CHECKPOINT_LABELS_CHANGED')?.message).toMatch(/none shared; only in config\.json "joy", "anger"; only in the data "neg", "pos"/);
      expect((await bias(run)).every((b) => Math.abs(b) < 1e-6)).toBe(true);
    } finally {
      run.model.params.dispose();
    }
  });

  it("transformers' LABEL_0, LABEL_1 name no class: the head is kept by position, with a note", async () => {
    const { run } = await runOneStep(await checkpoint('bert-seq-cls', ['LABEL_0', 'LABEL_1'], sayFirst));
    try {
      expect(run.labels).toEqual(['neg', 'pos']);
      expect(run.model.messages.find((m) => m.code === 'CHECKPOINT_LABELS_RENAMED')?.message).toMatch(/"LABEL_0", "LABEL_1" only \(transformers' defaults\): they become "neg", "pos" by position/);
      expect((await bias(run)).map((b) => Math.round(b))).toEqual([5, -5]);
    } finally {
      run.model.params.dispose();
    }
  });
});

describe('two ids with one name', () => {
  it('id2label {0: pos, 1: pos} is refused with CONFIG_DUPLICATE_LABELS, by the loader (eval, predict) and by a run', async () => {
    const folder = await checkpoint('bert-seq-cls', ['pos', 'pos'], sayFirst);
    await expect(loadModelFolder(folder)).rejects.toMatchObject({
      code: 'CONFIG_DUPLICATE_LABELS',
      message: 'config.json: "id2label" names ids 0 and 1 both "pos": give every class a name of its own',
      location: { file: 'config.json', field: 'id2label' },
    });
    await expect(runOneStep(folder)).rejects.toMatchObject({ code: 'CONFIG_DUPLICATE_LABELS' });
  });
});
