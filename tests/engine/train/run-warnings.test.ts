// The run recipe hands the readers' warnings to its hosts (issue #15 item 6): the studio shows run.data.warnings
// (fine-tuning) and run.warnings (Adapt to my text) as the CLI prints them, and a single class is refused before
// the model is loaded, for both hosts alike.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../../src/cli/node-files';
import { useNodeBackend } from '../../../src/cli/node-backend';
import { textCorpus } from '../../../src/engine/data/text-corpus';
import { readDataset, type ExampleDataset } from '../../../src/formats/datasets/index';
import { bytesFile } from '../../../src/formats/source-file';
import { prepareMlmRun, prepareRun } from '../../../src/engine/train/recipe';
import { parseTrainConfig } from '../../../src/protocol/train-config';
import { GOLDEN } from './helpers';

beforeAll(() => useNodeBackend('wasm'));

const jsonl = (name: string, lines: string[]) => readDataset(bytesFile(name, new TextEncoder().encode(`${lines.join('\n')}\n`)));
const row = (text: string, label: string) => JSON.stringify({ text, label });

describe('reader warnings in the prepared run', () => {
  it('fine-tuning: the training and validation files\' warnings, the validation one marked; how the file was read left out', async () => {
    const train = await jsonl('train.jsonl', [row('good', 'LABEL_0'), '{"text": oops', row('bad', 'LABEL_1'), row('fine', 'LABEL_0'), row('sad', 'LABEL_1')]);
    const validation = await jsonl('valid.jsonl', [row('nice', 'LABEL_0'), '[1, 2]', row('awful', 'LABEL_1')]);
    const run = await prepareRun({ folder: nodeFolder(path.join(GOLDEN, 'bert-seq-cls')), train, validation }, parseTrainConfig({ task: 'seq-cls', maxSteps: 1, maxLength: 16 }));
    try {
      const skipped = run.data.warnings.filter((w) => w.code === 'DATASET_ROWS_SKIPPED').map((w) => w.message);
      expect(skipped).toEqual([expect.stringMatching(/^1 row of 5 skipped: 1 not a usable JSON record \(rows 2\)/), expect.stringMatching(/^validation: 1 row of 3 skipped/)]);
      expect(run.data.warnings.some((w) => w.code === 'DATASET_FORMAT')).toBe(false);
    } finally {
      run.trainer.dispose();
      run.model.params.dispose();
    }
  });

  it('masked LM on text: the text file\'s warnings', async () => {
    const text = textCorpus(await jsonl('text.jsonl', [row('good film', 'a'), '{"text": oops', row('bad film', 'b'), row('fine film', 'a')])) as ExampleDataset;
    const run = await prepareMlmRun({ folder: nodeFolder(path.join(GOLDEN, 'bert-mlm')), text, heldOut: null, validationShare: 0 }, parseTrainConfig({ task: 'mlm', maxSteps: 1, maxLength: 16 }), { mode: 'line' });
    try {
      expect(run.warnings.map((w) => w.code)).toContain('DATASET_ROWS_SKIPPED');
    } finally {
      run.trainer.dispose();
      run.model.params.dispose();
    }
  });

  it('one class is DATA_ONE_CLASS, for sequence labels and for tags', async () => {
    const one = await jsonl('one.jsonl', [row('good', 'pos'), row('fine', 'pos'), row('nice', 'pos')]);
    const config = parseTrainConfig({ task: 'seq-cls', maxSteps: 1, validationSplit: 0 });
    await expect(prepareRun({ folder: nodeFolder(path.join(GOLDEN, 'bert-seq-cls')), train: one, validation: null }, config)).rejects.toMatchObject({
      code: 'DATA_ONE_CLASS',
      message: expect.stringMatching(/^Every row of one\.jsonl for training has the label "pos": a classifier needs at least two classes/),
    });
    const tags = await readDataset(bytesFile('o.conll', new TextEncoder().encode('the O\nfilm O\n\nwas O\n\n')));
    await expect(prepareRun({ folder: nodeFolder(path.join(GOLDEN, 'bert-token-cls')), train: tags, validation: null }, parseTrainConfig({ task: 'token-cls', maxSteps: 1, validationSplit: 0 }))).rejects.toMatchObject({
      code: 'DATA_ONE_CLASS',
      message: expect.stringMatching(/^Every token of o\.conll for training has the tag "O"/),
    });
  });
});
