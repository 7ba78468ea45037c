// The shared datasets are read with exactly the counts their PROVENANCE.md files give (../shared/data; never
// committed). Skipped, with a message, where that folder is absent.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFile } from '../../../src/cli/node-files';
import { readDataset, type ExampleDataset, type TokenDataset } from '../../../src/formats/datasets/index';
import { hasSharedData, SHARED_DATA_SKIP, sharedData } from './helpers';

if (!hasSharedData) console.warn(SHARED_DATA_SKIP);

const read = (path: string) => readDataset(nodeFile(resolve(sharedData, path)));
const codes = (ds: { warnings: { code: string }[] }) => ds.warnings.map((w) => w.code);

describe.skipIf(!hasSharedData)('shared datasets, counts from PROVENANCE.md', () => {
  it('SST-2 train: 67,349 rows, header label<TAB>text_a, label column first', async () => {
    const ds = (await read('sst2/train.tsv')) as ExampleDataset;
    expect(ds).toMatchObject({ kind: 'examples', format: 'tsv', hasHeader: true, columns: ['label', 'text_a'], textColumns: ['text_a'], labelColumn: 'label' });
    expect(ds.rows.length).toBe(67_349);
    expect(ds.labels).toEqual(new Map([['0', 29_780], ['1', 37_569]]));
    expect(ds.rows[0]).toEqual(['0', 'hide new secretions from the parental units ']);
    expect(ds.skipped).toEqual([]);
  });

  it('SST-2 dev: 872 rows, header sentence<TAB>label, sentence first', async () => {
    const ds = (await read('sst2/dev.tsv')) as ExampleDataset;
    expect(ds).toMatchObject({ format: 'tsv', columns: ['sentence', 'label'], textColumns: ['sentence'], labelColumn: 'label' });
    expect(ds.rows.length).toBe(872);
    expect(ds.labels).toEqual(new Map([['1', 444], ['0', 428]]));
    expect(ds.rows[0][0]).toBe("it 's a charming and often affecting journey . ");
  });

  it('SMS Spam: 5,574 rows read with quoting off (and the user told), 4,827 ham / 747 spam', async () => {
    const ds = (await read('sms-spam-collection/SMSSpamCollection.tsv')) as ExampleDataset;
    expect(ds).toMatchObject({ format: 'tsv', hasHeader: false, quoting: false, labelColumn: 'column_1', textColumns: ['column_2'] });
    expect(ds.rows.length).toBe(5_574);
    expect(ds.labels).toEqual(new Map([['ham', 4_827], ['spam', 747]]));
    expect(codes(ds)).toContain('DATASET_QUOTES_IGNORED');
    expect(ds.warnings.find((w) => w.code === 'DATASET_DUPLICATE_ROWS')?.message).toMatch(/^403 rows/);
  });

  it('emotion: 16,000 / 2,000 / 2,000 rows of text;label without a header', async () => {
    const counts = {
      'train.txt': { total: 16_000, joy: 5_362, sadness: 4_666, anger: 2_159, fear: 1_937, love: 1_304, surprise: 572 },
      'val.txt': { total: 2_000, joy: 704, sadness: 550, anger: 275, fear: 212, love: 178, surprise: 81 },
      'test.txt': { total: 2_000, joy: 695, sadness: 581, anger: 275, fear: 224, love: 159, surprise: 66 },
    };
    for (const [file, { total, ...labels }] of Object.entries(counts)) {
      const ds = (await read(`emotion/${file}`)) as ExampleDataset;
      expect(ds).toMatchObject({ format: 'csv', delimiter: ';', hasHeader: false, textColumns: ['column_1'], labelColumn: 'column_2' });
      expect(ds.rows.length, file).toBe(total);
      expect(Object.fromEntries(ds.labels)).toEqual(labels);
    }
  });

  it('CoNLL-2003: 14,041 / 3,250 / 3,453 sentences with the PROVENANCE tag counts', async () => {
    const counts = {
      'train.txt': [14_041, 203_621, { O: 169_578, 'B-LOC': 7_140, 'I-LOC': 1_157, 'B-MISC': 3_438, 'I-MISC': 1_155, 'B-ORG': 6_321, 'I-ORG': 3_704, 'B-PER': 6_600, 'I-PER': 4_528 }],
      'valid.txt': [3_250, 51_362, { O: 42_759, 'B-LOC': 1_837, 'I-LOC': 257, 'B-MISC': 922, 'I-MISC': 346, 'B-ORG': 1_341, 'I-ORG': 751, 'B-PER': 1_842, 'I-PER': 1_307 }],
      'test.txt': [3_453, 46_435, { O: 38_323, 'B-LOC': 1_668, 'I-LOC': 257, 'B-MISC': 702, 'I-MISC': 216, 'B-ORG': 1_661, 'I-ORG': 835, 'B-PER': 1_617, 'I-PER': 1_156 }],
    } as const;
    for (const [file, [sentences, tokens, tags]] of Object.entries(counts)) {
      const ds = (await read(`conll2003/${file}`)) as TokenDataset;
      expect(ds).toMatchObject({ kind: 'tokens', format: 'conll', columnCount: 4, tagColumn: 3 });
      expect(ds.sentences.length, file).toBe(sentences);
      expect(ds.sentences.reduce((n, s) => n + s.tokens.length, 0)).toBe(tokens);
      expect(Object.fromEntries(ds.tags)).toEqual(tags);
      expect(codes(ds)).not.toContain('DATASET_IOB_REPAIRED');
    }
  });

  it('WikiText-2 test (CRLF): 2,891 non-blank lines as plain text, CRLF reported', async () => {
    const ds = (await read('wikitext-2-raw/wiki.test.raw.txt')) as ExampleDataset;
    expect(ds).toMatchObject({ format: 'txt', columns: ['text'], labelColumn: null });
    expect(ds.rows.length).toBe(2_891);
    expect(ds.decode.lineEndings).toEqual({ lf: 0, crlf: 4_358, cr: 0 });
    expect(ds.rows.some((r) => r[0].includes('\r'))).toBe(false);
  });
});
