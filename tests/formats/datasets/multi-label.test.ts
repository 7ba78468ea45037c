// Rows of several labels: detection of a separated label column, JSON arrays and 0/1 columns (with the reason),
// the user's choice, rows that cannot be read, label counts, co-occurrence; and their iterative stratification.
import { describe, expect, it } from 'vitest';
import { iterativeSplit, makeSplits } from '../../../src/engine/data/split';
import { readDataset, type ExampleDataset } from '../../../src/formats/datasets/index';
import { labelCooccurrence, rowLabels } from '../../../src/formats/datasets/multi-label';
import { expectCode, textFile } from './helpers';

const read = async (name: string, text: string, opts = {}) => (await readDataset(textFile(name, text), opts)) as ExampleDataset;
const counts = (ds: ExampleDataset) => Object.fromEntries([...ds.labels].sort());

describe('multi-label data', () => {
  it('a label column of names separated by ";" is detected and counted per label', async () => {
    const ds = await read('m.csv', 'text,labels\nhappy and loved,joy;love\nso sad,sadness\nwow,surprise;joy\nfine,\nmeh,joy\n');
    expect(ds.multiLabel).toEqual({ kind: 'separated', separator: ';' });
    expect(ds.reasons.labelColumn).toContain('separated by ";"');
    expect(counts(ds)).toEqual({ joy: 3, love: 1, sadness: 1, surprise: 1 });
    expect(ds.unlabelledRows).toBe(1);
    expect(ds.rows.map((_, i) => rowLabels(ds, i))).toEqual([['joy', 'love'], ['sadness'], ['surprise', 'joy'], [], ['joy']]);
    expect(ds.warnings.find((w) => w.code === 'DATASET_MULTI_LABEL')?.message).toContain('4 labels read from labels separated by ";"; 1.20 labels per row, 1 row with none');
    expect(labelCooccurrence(ds)).toEqual([['joy', 'love', 1], ['joy', 'surprise', 1]]);
  });

  it('a comma inside a tab-separated label column (GoEmotions) is a separator; a comma-delimited file never splits labels on commas', async () => {
    const ds = await read('g.tsv', 'text\tlabels\na\tjoy,love\nb\tanger\nc\tjoy\nd\tlove,anger\n');
    expect(ds.multiLabel).toEqual({ kind: 'separated', separator: ',' });
    const single = await read('s.csv', 'text,label\n"a, b",pos\nc,neg\nd,pos\n');
    expect(single.multiLabel).toBeNull();
  });

  it('sentences with punctuation are not label lists', async () => {
    const ds = await read('q.tsv', 'label\ttext\npos\tgood; really good\nneg\tbad; awful. really\npos\tfine\n');
    expect(ds.labelColumn).toBe('label');
    expect(ds.multiLabel).toBeNull();
  });

  it('JSON arrays under the label key, names or ids; an empty array is a row with no label', async () => {
    const ds = await read('a.jsonl', '{"text":"a","labels":["x","y"]}\n{"text":"b","labels":[]}\n{"text":"c","labels":["y"]}\n{"text":"d","labels":"y"}\n');
    expect(ds.multiLabel).toEqual({ kind: 'json-array' });
    expect(counts(ds)).toEqual({ x: 1, y: 2 });
    expect(ds.skipped).toEqual([{ row: 4, line: 4, reason: 'label "y" is not a list of label names or ids' }]);
    const ids = await read('i.jsonl', '{"text":"a","labels":[0,2]}\n{"text":"b","labels":[1]}\n');
    expect(counts(ids)).toEqual({ 0: 1, 1: 1, 2: 1 });
  });

  it('several 0/1 columns without a label column are one label each (Jigsaw-style); a bad cell skips its row', async () => {
    const ds = await read('t.csv', 'id,comment_text,toxic,obscene,threat\n1,you are nice,0,0,0\n2,go away,1,0,0\n3,awful words,1,1,0\n4,or else,1,0,1\n5,hmm,0,2,0\n');
    expect(ds.multiLabel).toEqual({ kind: 'binary-columns', columns: ['toxic', 'obscene', 'threat'] });
    expect(ds.labelColumn).toBeNull();
    expect(ds.textColumns).toEqual(['comment_text']);
    expect(counts(ds)).toEqual({ obscene: 1, threat: 1, toxic: 3 });
    expect(ds.skipped).toEqual([{ row: 5, line: 6, reason: 'column "obscene" holds "2", not 0 or 1' }]);
  });

  it('a named label column beside a 0/1 flag stays single-label', async () => {
    const ds = await read('f.csv', 'text,label,is_question\na,pos,0\nb,neg,1\nc,pos,1\n');
    expect(ds.multiLabel).toBeNull();
    expect(ds.labelColumn).toBe('label');
  });

  it('the user chooses: a separator, 0/1 columns, or one label per row; bad choices are coded errors', async () => {
    const text = 'text,tags\na,x/y\nb,y\nc,x\n';
    expect((await read('c.csv', text)).multiLabel).toBeNull();
    const chosen = await read('c.csv', text, { labelColumn: 'tags', labelSeparator: '/' });
    expect(chosen.multiLabel).toEqual({ kind: 'separated', separator: '/' });
    expect(counts(chosen)).toEqual({ x: 2, y: 2 });
    const off = await read('m.csv', 'text,labels\na,joy;love\nb,joy\nc,love;joy\n', { labelSeparator: null });
    expect(off.multiLabel).toBeNull();
    expect(counts(off)).toEqual({ joy: 1, 'joy;love': 1, 'love;joy': 1 });
    const cols = await read('b.csv', 'text,a,b\nx,1,0\ny,0,1\n', { labelColumns: ['a', '3'] });
    expect(cols.multiLabel).toEqual({ kind: 'binary-columns', columns: ['a', 'b'] });
    await expectCode(readDataset(textFile('b.csv', 'text,a\nx,1\n'), { labelColumns: ['nope'] }), 'DATASET_UNKNOWN_COLUMN');
    await expectCode(readDataset(textFile('b.csv', 'text,a\nx,1\n'), { labelColumns: ['text'] }), 'DATASET_BAD_OPTION');
    await expectCode(readDataset(textFile('c.csv', text), { labelColumn: 'tags', labelSeparator: ',' }), 'DATASET_BAD_OPTION');
  });
});

describe('iterative stratification', () => {
  it('every label lands in each split in about the ratio, rare labels included; seeded', () => {
    const sets: string[][] = [];
    for (let i = 0; i < 400; i++) {
      const s: string[] = [];
      if (i % 2 === 0) s.push('common');
      if (i % 10 === 0) s.push('rare');
      if (i % 40 === 0) s.push('rarest');
      if (i % 7 === 0) s.push('other');
      sets.push(s);
    }
    const split = iterativeSplit(sets, { validation: 0.25, test: 0 }, 5);
    expect(split.train.length + split.validation.length).toBe(400);
    expect(split.validation.length).toBe(100);
    const inVal = (l: string) => split.validation.filter((i) => sets[i].includes(l)).length;
    expect(inVal('common')).toBe(50);
    expect(inVal('rare')).toBe(10);
    expect(inVal('rarest')).toBeGreaterThanOrEqual(2);
    expect(inVal('rarest')).toBeLessThanOrEqual(3);
    expect(iterativeSplit(sets, { validation: 0.25, test: 0 }, 5)).toEqual(split);
    expect(iterativeSplit(sets, { validation: 0.25, test: 0 }, 6)).not.toEqual(split);
  });

  it('makeSplits stratifies a multi-label dataset iteratively and recounts its labels', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `t${i},${['a', 'a;b', 'b', 'a;c'][i % 4]}`).join('\n');
    const ds = await read('s.csv', `text,labels\n${rows}\n`);
    const { train, validation } = makeSplits({ train: ds }, { validation: 0.25, test: 0 }, 1);
    expect(validation?.rows).toHaveLength(10);
    expect(validation?.labels.get('c')).toBeGreaterThanOrEqual(2);
    expect((train.labels.get('a') ?? 0) + (validation?.labels.get('a') ?? 0)).toBe(30);
  });
});
