// Understanding a file: format, delimiter, header and column roles with reasons; JSON arrays; NER spans and token
// lists from JSONL; the user's overrides. Expected values are worked out by hand from the small inputs.
import { describe, expect, it } from 'vitest';
import { detectHeader, proposeRoles, renameHeaders } from '../../../src/formats/datasets/detect';
import { detectFormat, readDataset, type ExampleDataset, type TokenDataset } from '../../../src/formats/datasets/index';
import { spansToBio, splitWords } from '../../../src/formats/datasets/spans';
import { expectCode, textFile } from './helpers';

describe('format detection', () => {
  const cases: [string, string, string][] = [
    ['a.csv', 'x,y\n1,2\n', 'csv'],
    ['a.tsv', 'x\ty\n', 'tsv'],
    ['a.json', '[{"text":"a"}]', 'json'],
    ['a.json', '{"text":"a","label":"b"}\n{"text":"c","label":"d"}\n', 'jsonl'],
    ['a.ndjson', '{"text":"a"}\n', 'jsonl'],
    ['data', '{"text":"a"}\n{"text":"b"}\n', 'jsonl'],
    ['data.txt', '[{"text":"a"}]', 'json'],
    ['train.txt', '-DOCSTART- -X- O\n\nEU NNP B-ORG\n', 'conll'],
    ['train.txt', 'EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\nPeter B-PER\nBlackburn I-PER\n', 'conll'],
    ['train.txt', 'i feel happy;joy\ni am sad;sadness\nso angry now;anger\nwhat a day;joy\nlovely;joy\nsad day;sadness\n', 'csv'],
    ['train.txt', 'To be, or not to be; that is the question.\nWhether tis nobler in the mind to suffer\n', 'txt'],
  ];
  for (const [name, text, format] of cases) {
    it(`${name}: ${JSON.stringify(text.slice(0, 30))} -> ${format}`, () => {
      expect(detectFormat(name, text, true).format).toBe(format);
    });
  }
});

describe('header detection', () => {
  it('sees column names, numbers under a name, and first-row values that recur', () => {
    expect(detectHeader([['sentence', 'label'], ['good', '1']])).toMatchObject({ hasHeader: true });
    expect(detectHeader([['review_body', 'stars'], ['nice', '5'], ['bad', '1'], ['ok', '3']])).toEqual({
      hasHeader: true,
      reason: 'column 2 holds numbers but the first row has "stars"',
    });
    expect(detectHeader([['ham', 'hello'], ['spam', 'win'], ['ham', 'bye']])).toEqual({
      hasHeader: false,
      reason: 'the first row\'s "ham" is also a value of column 1',
    });
  });

  it('renames empty and duplicate names as papaparse 5 does', () => {
    expect(renameHeaders(['a', 'a', 'a_1', '', 'a'])).toEqual({
      columns: ['a', 'a_2', 'a_1', 'column_4', 'a_3'],
      renamed: [
        { column: 4, from: '', to: 'column_4' },
        { column: 2, from: 'a', to: 'a_2' },
        { column: 5, from: 'a', to: 'a_3' },
      ],
    });
  });
});

describe('column roles', () => {
  it('proposes a text and a label column by name, with the reason', () => {
    const roles = proposeRoles(['id', 'review', 'sentiment'], [['1', 'great film', 'pos'], ['2', 'dull', 'neg']]);
    expect(roles).toEqual({
      textColumns: ['review'],
      labelColumn: 'sentiment',
      otherLabelColumns: [],
      reasons: { textColumns: 'named "review"', labelColumn: 'named "sentiment"' },
    });
  });

  it('proposes a sentence pair', () => {
    const roles = proposeRoles(['sentence1', 'sentence2', 'label'], [['a', 'b', 'entailment']]);
    expect(roles.textColumns).toEqual(['sentence1', 'sentence2']);
  });

  it('finds roles from values when there is no header', () => {
    const rows = Array.from({ length: 40 }, (_, i) => [`message number ${i} is quite a bit longer`, i % 3 ? 'ham' : 'spam', String(i)]);
    const roles = proposeRoles(['column_1', 'column_2', 'column_3'], rows);
    expect(roles.textColumns).toEqual(['column_1']);
    expect(roles.labelColumn).toBe('column_2');
    expect(roles.reasons.labelColumn).toBe('2 distinct short values ("spam", "ham") in 40 sampled rows');
    expect(roles.reasons.textColumns).toBe('the longest values (mean 39 characters)');
  });

  it('names further label columns as a multi-task set', async () => {
    const ds = (await readDataset(textFile('m.csv', 'text,label_topic,label_sentiment\na,x,p\nb,y,n\n'))) as ExampleDataset;
    expect(ds.labelColumn).toBe('label_topic');
    expect(ds.otherLabelColumns).toEqual(['label_sentiment']);
    expect(ds.warnings.map((w) => w.code)).toContain('DATASET_SEVERAL_LABEL_COLUMNS');
  });

  it('takes the user\'s columns, and refuses one column as both text and label', async () => {
    const text = 'a,b,c\nhello,x,1\nworld,y,2\n';
    const ds = (await readDataset(textFile('u.csv', text), { hasHeader: true, textColumns: ['b'], labelColumn: 'c' })) as ExampleDataset;
    expect([ds.textColumns, ds.labelColumn]).toEqual([['b'], 'c']);
    await expectCode(readDataset(textFile('u.csv', text), { hasHeader: true, textColumns: ['a'], labelColumn: 'a' }), 'DATASET_BAD_OPTION');
  });
});

describe('JSON arrays', () => {
  it('reads an array of records as examples, numbering elements', async () => {
    const ds = (await readDataset(textFile('d.json', '[{"text":"a","label":"x"},{"text":"b"},{"text":"c","label":"y"}]'))) as ExampleDataset;
    expect(ds.format).toBe('json');
    expect(ds.rows).toEqual([['a', 'x'], ['c', 'y']]);
    expect(ds.skipped).toEqual([{ row: 2, reason: 'no "label" key' }]);
  });

  it('refuses a JSON value that is not an array, and invalid JSON with its line', async () => {
    await expectCode(readDataset(textFile('d.json', '"just a string"')), 'DATASET_JSON_NOT_ARRAY');
    const err = await expectCode(readDataset(textFile('d.json', '[\n{"text": "a"},\n{"text": }\n]')), 'DATASET_JSON_INVALID');
    expect(err.location?.file).toBe('d.json');
  });
});

describe('NER spans to BIO', () => {
  it('splits words on spaces and punctuation, keeping offsets', () => {
    expect(splitWords('Hi, Ann-Marie!')).toEqual([
      { text: 'Hi', start: 0, end: 2 },
      { text: ',', start: 2, end: 3 },
      { text: 'Ann', start: 4, end: 7 },
      { text: '-', start: 7, end: 8 },
      { text: 'Marie', start: 8, end: 13 },
      { text: '!', start: 13, end: 14 },
    ]);
  });

  it('tags aligned spans, widens spans that cut a word, drops overlaps, and reports both', () => {
    const text = 'Angela Merkel visited Parisian cafes.';
    const r = spansToBio(text, [
      { start: 0, end: 13, label: 'PER' },
      { start: 22, end: 27, label: 'LOC' },
      { start: 7, end: 13, label: 'ORG' },
    ]);
    expect(r.tokens).toEqual(['Angela', 'Merkel', 'visited', 'Parisian', 'cafes', '.']);
    expect(r.tags).toEqual(['B-PER', 'I-PER', 'O', 'B-LOC', 'O', 'O']);
    expect(r.problems).toEqual([
      { kind: 'overlap', detail: 'entity "Merkel" (ORG) overlaps an earlier one and was left out' },
      { kind: 'misaligned', detail: 'entity "Paris" (LOC) cuts a word; tagged as "Parisian"' },
    ]);
  });

  it('counts offsets in code points, as Python does', () => {
    const r = spansToBio('😀 Berlin now', [[2, 8, 'LOC']]);
    expect(r.tags).toEqual(['O', 'B-LOC', 'O']);
    expect(r.problems).toEqual([]);
  });

  it('reads JSONL spans as token data with the problems reported by line', async () => {
    const lines = [
      JSON.stringify({ text: 'Angela Merkel visited Paris', entities: [{ start: 0, end: 13, label: 'PER' }, { start: 22, end: 27, label: 'LOC' }] }),
      JSON.stringify({ text: 'Visit Berlinale', entities: [{ start: 6, end: 12, label: 'LOC' }] }),
      JSON.stringify({ text: 'Nothing', entities: [{ start: 3, end: 99, label: 'X' }] }),
    ];
    const ds = (await readDataset(textFile('ner.jsonl', lines.join('\n')))) as TokenDataset;
    expect(ds.kind).toBe('tokens');
    expect(ds.sentences[0]).toEqual({ tokens: ['Angela', 'Merkel', 'visited', 'Paris'], tags: ['B-PER', 'I-PER', 'O', 'B-LOC'] });
    expect(ds.sentences[1].tags).toEqual(['O', 'B-LOC']);
    const codes = Object.fromEntries(ds.warnings.map((w) => [w.code, w.line]));
    expect(codes).toMatchObject({ DATASET_SPAN_NOT_ON_TOKEN_BOUNDARY: 2, DATASET_SPAN_INVALID: 3 });
  });

  it('reads JSONL token lists (tokens + ner_tags)', async () => {
    const ds = (await readDataset(textFile('t.jsonl', '{"tokens":["EU","rejects"],"ner_tags":["B-ORG","O"]}\n{"tokens":["a"],"ner_tags":["O","O"]}\n'))) as TokenDataset;
    expect(ds.sentences).toEqual([{ tokens: ['EU', 'rejects'], tags: ['B-ORG', 'O'] }]);
    expect(ds.skipped).toEqual([{ row: 2, line: 2, reason: '1 tokens but 2 tags' }]);
  });
});

describe('plain text', () => {
  it('keeps one example per non-blank line', async () => {
    const ds = (await readDataset(textFile('corpus.txt', 'First line.\n\n   \nSecond, with; punctuation.\n'))) as ExampleDataset;
    expect(ds.format).toBe('txt');
    expect(ds.rows).toEqual([['First line.'], ['Second, with; punctuation.']]);
    expect(ds.rowLines).toEqual([1, 4]);
  });
});

describe('samples of very long lines', () => {
  it('grows the detection sample past cells longer than it', async () => {
    const long = 'word '.repeat(40_000);
    const csv = (await readDataset(textFile('long.csv', `review;stars\n${long};5\nshort;1\n${long};5\n`))) as ExampleDataset;
    expect([csv.delimiter, csv.hasHeader, csv.rows.length, csv.labelColumn]).toEqual([';', true, 3, 'stars']);
    const jsonl = (await readDataset(textFile('long.jsonl', `{"text":"${long}","label":"a"}\n{"text":"b","label":"c"}\n`))) as ExampleDataset;
    expect(jsonl.columns).toEqual(['text', 'label']);
    expect(jsonl.rows.length).toBe(2);
  });

  it('refuses JSON Lines whose first lines hold no object', async () => {
    await expectCode(readDataset(textFile('x.jsonl', 'not json\n[1]\n"s"\n')), 'DATASET_TOO_MANY_BAD_ROWS');
  });
});
