// Unlabeled text from any dataset (src/engine/data/text-corpus.ts): one line per example in a single text column,
// labels dropped; sentence pairs joined, CoNLL sentences written back as their tokens with spaces.
import { describe, expect, it } from 'vitest';
import { textCorpus } from '../../../src/engine/data/text-corpus';
import { readDataset } from '../../../src/formats/datasets/index';
import { bytesFile } from '../../../src/formats/source-file';

const read = (name: string, text: string) => readDataset(bytesFile(name, new TextEncoder().encode(text)));

describe('textCorpus', () => {
  it('keeps the text column of a labelled CSV, one row a line, and drops the labels', async () => {
    const corpus = textCorpus(await read('r.csv', 'text,label\ngreat movie,pos\n"bad, boring plot",neg\n'));
    expect(corpus).toMatchObject({ kind: 'examples', columns: ['text'], textColumns: ['text'], labelColumn: null, rows: [['great movie'], ['bad, boring plot']], rowLines: [2, 3] });
    expect(corpus.labels.size).toBe(0);
  });

  it('joins the two texts of a sentence pair', async () => {
    const corpus = textCorpus(await read('p.csv', 'sentence1,sentence2,label\nthe cat sat,a cat was sitting,1\n'));
    expect(corpus.rows).toEqual([['the cat sat a cat was sitting']]);
  });

  it('writes CoNLL sentences back as their tokens joined by spaces', async () => {
    const corpus = textCorpus(await read('t.conll', 'paris B-LOC\nand O\nrome B-LOC\n\nmary B-PER\nsaw O\n'));
    expect(corpus.rows).toEqual([['paris and rome'], ['mary saw']]);
    expect(corpus.rowLines).toEqual([1, 5]);
  });

  it('refuses a file whose columns hold no text', async () => {
    const ds = await read('n.csv', 'a,b\n1,2\n3,4\n');
    expect(() => textCorpus({ ...ds, textColumns: [] } as typeof ds)).toThrow(expect.objectContaining({ code: 'DATA_NO_TEXT_COLUMN' }));
  });
});
