// RELIABILITY.md D1–D16 and D19 for the dataset readers (D17/D18 tokenisation halves live in tests/engine/data).
// Each case is a small file written here; D4 compares with Python's csv module (fixtures/make_quoted_fixtures.py).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { parseDelimited } from '../../../src/formats/datasets/csv';
import { countsToObject, DEFAULT_MAX_LINE_CHARS, readDataset, type Dataset, type ExampleDataset, type TokenDataset } from '../../../src/formats/datasets/index';
import { writePredictionsCsv } from '../../../src/formats/datasets/predictions-csv';
import { bytesFile } from '../../../src/formats/source-file';
import { newDecodeReport, READ_CHUNK_BYTES, readTextChunks } from '../../../src/formats/text-decode';
import { expectCode, generatedFile, textFile, watchRead, type Segment } from './helpers';

const fixtures = resolve(import.meta.dirname, 'fixtures');

function examples(ds: Dataset): ExampleDataset {
  expect(ds.kind).toBe('examples');
  return ds as ExampleDataset;
}

function tokens(ds: Dataset): TokenDataset {
  expect(ds.kind).toBe('tokens');
  return ds as TokenDataset;
}

const codes = (ds: Dataset) => ds.warnings.map((w) => w.code);

describe('D1 empty input', () => {
  it('rejects an empty file', async () => {
    const err = await expectCode(readDataset(textFile('empty.csv', '')), 'DATASET_EMPTY');
    expect(err.message).toContain('No rows found in empty.csv');
  });

  it('rejects a header-only CSV', async () => {
    const err = await expectCode(readDataset(textFile('header.csv', 'text,label\n')), 'DATASET_EMPTY');
    expect(err.message).toContain('No rows found in header.csv');
  });

  it('rejects whitespace-only JSONL', async () => {
    await expectCode(readDataset(textFile('blank.jsonl', '  \n\n\t\n')), 'DATASET_EMPTY');
  });

  it('changes nothing when a read fails: the earlier result is intact', async () => {
    const good = examples(await readDataset(textFile('good.csv', 'text,label\nhello,a\nbye,b\n')));
    const snapshot = JSON.stringify({ rows: good.rows, labels: [...good.labels] });
    await expectCode(readDataset(textFile('bad.csv', '')), 'DATASET_EMPTY');
    expect(JSON.stringify({ rows: good.rows, labels: [...good.labels] })).toBe(snapshot);
  });
});

describe('D2 UTF-8 byte-order mark', () => {
  it('strips it before the header, so the first column name is the visible text', async () => {
    const ds = examples(await readDataset(textFile('excel.csv', '\ufefftext,label\nhello,pos\nbad,neg\n')));
    expect(ds.columns).toEqual(['text', 'label']);
    expect(ds.textColumns).toEqual(['text']);
    expect(codes(ds)).toContain('DATASET_BOM_REMOVED');
  });

  it('strips it without a header, so the first cell is the visible text', async () => {
    const ds = examples(await readDataset(textFile('excel.csv', '\ufeffham,hello there\nspam,win money\nham,see you\n'), { hasHeader: false }));
    expect(ds.rows[0][0]).toBe('ham');
    expect(ds.labels.get('ham')).toBe(2);
  });
});

describe('D3 line endings', () => {
  const lines = ['text,label', 'one,a', '"two\nlines",b', 'three,a'];
  const variants: Record<string, string> = {
    lf: lines.join('\n') + '\n',
    crlf: lines.join('\r\n').replace('two\r\nlines', 'two\r\nlines') + '\r\n',
    cr: lines.join('\r') + '\r',
    mixed: 'text,label\r\none,a\n"two\rlines",b\rthree,a',
  };

  it('gives the rows of the LF file for CRLF, lone CR and mixed endings', async () => {
    const ref = examples(await readDataset(textFile('lf.csv', variants.lf)));
    expect(ref.rows).toEqual([['one', 'a'], ['two\nlines', 'b'], ['three', 'a']]);
    for (const [name, text] of Object.entries(variants)) {
      for (const chunkBytes of [3, 1 << 20]) {
        const ds = examples(await readDataset(textFile(`${name}.csv`, text), { chunkBytes }));
        expect(ds.rows, `${name} / chunk ${chunkBytes}`).toEqual(ref.rows);
      }
    }
  });

  it('reports what it normalised', async () => {
    const ds = await readDataset(textFile('mixed.csv', variants.mixed));
    expect(ds.decode.lineEndings).toEqual({ lf: 1, crlf: 1, cr: 2 });
    expect(ds.warnings.find((w) => w.code === 'DATASET_LINE_ENDINGS')?.message).toMatch(/Mixed line endings/);
  });

  it('does not split a CRLF pair across chunks', async () => {
    const report = newDecodeReport();
    const chunks: string[] = [];
    for await (const c of readTextChunks(textFile('x.txt', 'a\r\nb\r\nc'), report, { chunkBytes: 2 })) chunks.push(c);
    expect(chunks.join('')).toBe('a\nb\nc');
    expect(report.lineEndings).toEqual({ lf: 0, crlf: 2, cr: 0 });
  });
});

describe('D4 quoted fields with newlines, commas and "" escapes', () => {
  const expected = JSON.parse(readFileSync(resolve(fixtures, 'quoted-expected.json'), 'utf8')) as Record<string, { records: number; rows: string[][] }>;

  for (const [name, ref] of Object.entries(expected)) {
    it(`reads ${name} as Python's csv module does`, async () => {
      const bytes = new Uint8Array(readFileSync(resolve(fixtures, name)));
      const want = ref.rows.map((r) => r.map((c) => c.replace(/\r\n?/g, '\n')));
      for (const chunkBytes of [5, 64, 1 << 20]) {
        const report = newDecodeReport();
        const got: string[][] = [];
        const chunks = readTextChunks(bytesFile(name, bytes), report, { chunkBytes });
        for await (const b of parseDelimited(chunks, { delimiter: ',', quoting: true, hasHeader: true }, name, 1 << 20)) got.push(...b.records);
        expect(got.length, `chunk ${chunkBytes}`).toBe(ref.records);
        expect(got).toEqual(want);
      }
      const ds = examples(await readDataset(bytesFile(name, bytes)));
      expect(ds.quoting).toBe(true);
      expect(ds.rows.length + ds.skipped.length).toBe(ref.records - 1);
    });
  }
});

describe('D5 ragged rows', () => {
  it('skips rows with too few or too many fields, lists them by row number, never shifts columns', async () => {
    const text = 'text,label\ngood one,a\nmissing label\ngood two,b\ntoo,many,fields\ngood three,a\n';
    const ds = examples(await readDataset(textFile('ragged.csv', text)));
    expect(ds.rows).toEqual([['good one', 'a'], ['good two', 'b'], ['good three', 'a']]);
    expect(ds.skipped.map((s) => [s.row, s.line])).toEqual([[2, 3], [4, 5]]);
    expect(ds.skipped[0].reason).toContain('1 fields');
    expect(ds.warnings.find((w) => w.code === 'DATASET_ROWS_SKIPPED')?.message).toContain('rows 2, 4');
  });

  it('refuses the file when more than 10% of many rows are ragged', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => (i % 5 === 0 ? `x${i},a,extra` : `x${i},${i % 2 ? 'a' : 'b'}`));
    await expectCode(readDataset(textFile('bad.csv', 'text,label\n' + rows.join('\n'))), 'DATASET_TOO_MANY_BAD_ROWS');
  });
});

describe('D6 unclosed quote', () => {
  it('is a hard error naming the row and line where the quote opens', async () => {
    const text = 'text,label\nfine,a\n"quoted, with a comma",b\n"never closed,a\nmore,b\n';
    const err = await expectCode(readDataset(textFile('open.csv', text)), 'DATASET_UNCLOSED_QUOTE');
    expect(err.location).toMatchObject({ row: 3, line: 4 });
  });

  it('reads quotes as text, and says so, when that makes every line fit (SMS Spam style)', async () => {
    const text = 'ham\t"Hi," she said\nspam\tWIN "free" now\nham\tok\nham\t"quoted start\n';
    const ds = examples(await readDataset(textFile('sms.tsv', text)));
    expect(ds.quoting).toBe(false);
    expect(ds.rows.map((r) => r[1])).toEqual(['"Hi," she said', 'WIN "free" now', 'ok', '"quoted start']);
    expect(ds.warnings.find((w) => w.code === 'DATASET_QUOTES_IGNORED')?.level).toBe('warning');
  });

  it('is found even when the quote opens in an earlier chunk', async () => {
    const head = Array.from({ length: 50 }, (_, i) => `row ${i},a`).join('\n');
    const text = `text,label\n${head}\n"open here,b\n${'x,a\n'.repeat(200)}`;
    const err = await expectCode(readDataset(textFile('open.csv', text), { chunkBytes: 64, delimiter: ',', quoting: true }), 'DATASET_UNCLOSED_QUOTE');
    expect(err.location).toMatchObject({ row: 51, line: 52 });
  });
});

describe('D7 delimiters', () => {
  it('detects a semicolon CSV and shows it in the preview before reading on', async () => {
    const previews: unknown[] = [];
    const ds = examples(await readDataset(textFile('eu.csv', 'text;label\nbonjour, monde;a\nsalut;b\nhallo, welt;a\n'), { onPreview: (p) => previews.push(p) }));
    expect(ds.delimiter).toBe(';');
    expect(ds.rows[0]).toEqual(['bonjour, monde', 'a']);
    expect(previews).toHaveLength(1);
    expect(previews[0]).toMatchObject({ delimiter: ';', columns: ['text', 'label'] });
  });

  it('reads a TSV whose text holds commas with the tab', async () => {
    const ds = examples(await readDataset(textFile('data.csv', 'sentence\tlabel\na, b, c\t1\nd, e\t0\nf, g, h, i\t1\n')));
    expect(ds.format).toBe('tsv');
    expect(ds.rows[2]).toEqual(['f, g, h, i', '1']);
  });

  it('asks for the delimiter when none splits the lines consistently, and takes the one given', async () => {
    const text = 'a,b;c\nd;e|f,g,h\ni|j\nk,l;m;n|o|p\nq\n';
    const err = await expectCode(readDataset(textFile('odd.dat', text), { format: 'csv' }), 'DATASET_DELIMITER_UNDETECTABLE');
    expect(err.message).toMatch(/Choose the delimiter/);
    const ds = examples(await readDataset(textFile('odd.csv', 'x|y\n1|2\n3|4\n'), { delimiter: '|', hasHeader: true }));
    expect(ds.columns).toEqual(['x', 'y']);
  });
});

describe('D8 duplicate or empty header names', () => {
  it('renames them as papaparse does and says so', async () => {
    const ds = examples(await readDataset(textFile('h.csv', ',text,text,label\n0,a,b,x\n1,c,d,y\n'), { hasHeader: true }));
    expect(ds.columns).toEqual(['column_1', 'text', 'text_1', 'label']);
    expect(ds.renamedHeaders).toEqual([
      { column: 1, from: '', to: 'column_1' },
      { column: 3, from: 'text', to: 'text_1' },
    ]);
    expect(codes(ds)).toContain('DATASET_HEADERS_RENAMED');
  });

  it('lets the user pick the columns by name or number', async () => {
    const ds = examples(await readDataset(textFile('h.csv', ',text,text,label\n0,a,b,x\n1,c,d,y\n'), { hasHeader: true, textColumns: ['text_1'], labelColumn: '4' }));
    expect(ds.textColumns).toEqual(['text_1']);
    expect(ds.labelColumn).toBe('label');
    expect(ds.reasons).toEqual({ textColumns: 'as chosen', labelColumn: 'as chosen' });
    await expectCode(readDataset(textFile('h.csv', 'text,label\na,b\n'), { labelColumn: 'nope' }), 'DATASET_UNKNOWN_COLUMN');
  });
});

describe('D9 large files stream with progress and Cancel', () => {
  const big = 'text,label\n' + Array.from({ length: 20_000 }, (_, i) => `example number ${i},${i % 3}`).join('\n') + '\n';

  it('reports progress chunk by chunk and shows the preview first', async () => {
    const events: string[] = [];
    const ds = examples(
      await readDataset(textFile('big.csv', big), {
        chunkBytes: 16 * 1024,
        onPreview: () => events.push('preview'),
        onProgress: (done, total) => events.push(`${done}/${total}`),
      }),
    );
    expect(ds.rows.length).toBe(20_000);
    expect(events[0]).toBe('preview');
    const progress = events.slice(1).map((e) => Number(e.split('/')[0]));
    expect(progress.length).toBeGreaterThan(10);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress[progress.length - 1]).toBe(big.length);
  });

  it('stops with DATASET_READ_CANCELLED when cancelled', async () => {
    const ac = new AbortController();
    const read = readDataset(textFile('big.csv', big), { chunkBytes: 16 * 1024, signal: ac.signal, onProgress: (done) => done > 50_000 && ac.abort() });
    await expectCode(read, 'DATASET_READ_CANCELLED');
  });

  it('reads an 8 MB CSV a chunk at a time: no decoded string and no parser input longer than a chunk and a record', async () => {
    const row = new TextEncoder().encode('"a long enough review text that is repeated many times over",positive\n');
    const count = Math.ceil(8_000_000 / row.byteLength);
    const file = generatedFile('large.csv', [new TextEncoder().encode('text,label\n'), ...Array.from({ length: count }, () => row)]);
    // papaparse's Parser defines parse() in its constructor: instances are wrapped as they are made.
    const Parser = Papa.Parser;
    const parsed = { longest: 0, calls: 0 };
    Papa.Parser = function (config: Papa.ParseConfig) {
      const parser = new Parser(config);
      const parse = parser.parse.bind(parser);
      parser.parse = (...args: Parameters<Papa.Parser['parse']>) => {
        parsed.longest = Math.max(parsed.longest, args[0].length);
        parsed.calls++;
        return parse(...args);
      };
      return parser;
    } as unknown as typeof Papa.Parser;
    const watch = watchRead();
    let ds: ExampleDataset;
    try {
      ds = examples(await readDataset(file));
    } finally {
      watch.stop();
      Papa.Parser = Parser;
    }
    expect(ds.rows.length).toBe(count);
    expect(watch.seen.longestDecoded).toBeLessThanOrEqual(READ_CHUNK_BYTES);
    expect(watch.seen.decodedChars).toBeGreaterThanOrEqual(file.size);
    expect(parsed.calls).toBeGreaterThanOrEqual(file.size / READ_CHUNK_BYTES);
    expect(parsed.longest).toBeLessThanOrEqual(READ_CHUNK_BYTES + row.byteLength);
  });
});

describe('D10 long JSONL lines', () => {
  it('rejects a line over the cap with its line number and reads the rest', async () => {
    const long = JSON.stringify({ text: 'x'.repeat(5000), label: 'a' });
    const text = ['{"text":"one","label":"a"}', long, '{"text":"three","label":"b"}'].join('\n');
    const ds = examples(await readDataset(textFile('d.jsonl', text), { maxLineChars: 1000, chunkBytes: 256 }));
    expect(ds.rows.map((r) => r[0])).toEqual(['one', 'three']);
    expect(ds.skipped).toEqual([{ row: 2, line: 2, reason: 'longer than 1,000 characters' }]);
  });

  it('drops a 9M-character line under the default cap without failing the file', async () => {
    const text = `{"text":"short","label":"a"}\n{"text":"${'y'.repeat(9_000_000)}","label":"b"}\n{"text":"after","label":"b"}\n`;
    const ds = examples(await readDataset(textFile('huge.jsonl', text)));
    expect(ds.rows.map((r) => r[0])).toEqual(['short', 'after']);
    expect(ds.skipped[0]).toMatchObject({ line: 2 });
  });

  /**
   * JSON Lines made as they are read: `blocks` times 20 short records then one record whose text is `bigChars`
   * characters. Block k's records are on lines 21k+1 .. 21k+20 and its long one on line 21k+21.
   */
  function longLinesFile(blocks: number, bigChars: number) {
    const segments: Segment[] = [];
    const texts: string[] = [];
    for (let k = 0; k < blocks; k++) {
      const rows = Array.from({ length: 20 }, (_, i) => ({ text: `row ${21 * k + i + 1}`, label: i % 2 ? 'a' : 'b' }));
      texts.push(...rows.map((r) => r.text));
      segments.push(new TextEncoder().encode(rows.map((r) => JSON.stringify(r) + '\n').join('') + '{"text":"'));
      segments.push({ byte: 0x79, length: bigChars });
      segments.push(new TextEncoder().encode('","label":"b"}\n'));
    }
    return { file: generatedFile('long-lines.jsonl', segments), texts, longLines: Array.from({ length: blocks }, (_, k) => 21 * k + 21) };
  }

  it('skips a 50 MB line by its line number without building a string of it: decoded text comes a chunk at a time, the live heap stays under half the line', async () => {
    const { file, texts, longLines } = longLinesFile(1, 50_000_000);
    const watch = watchRead(16);
    let ds: ExampleDataset;
    try {
      ds = examples(await readDataset(file, { onProgress: watch.onProgress }));
    } finally {
      watch.stop();
    }
    expect(ds.rows.map((r) => r[0])).toEqual(texts);
    expect(ds.skipped).toEqual(longLines.map((line) => ({ row: line, line, reason: `longer than ${DEFAULT_MAX_LINE_CHARS.toLocaleString('en-US')} characters` })));
    expect(watch.seen.longestDecoded).toBeLessThanOrEqual(READ_CHUNK_BYTES);
    expect(watch.seen.decodedChars).toBeGreaterThanOrEqual(file.size);
    // The line is dropped once it passes the cap (8 MiB): holding it whole would put 50 MB in the live heap.
    expect(watch.seen.samples).toBeGreaterThan(5);
    expect(watch.seen.peakLive - watch.seen.liveBefore).toBeLessThan(25_000_000);
  });

  it('reads a file over 512 MB, longer than V8 allows any string to be, with the same stream: every 50 MB line skipped by number, the records kept', async () => {
    const { file, texts, longLines } = longLinesFile(11, 50_000_000);
    // V8's longest string is 2^29 - 24 characters: this file cannot be one string, so a read that builds one fails.
    expect(file.size).toBeGreaterThan(512 * 2 ** 20);
    expect(() => 'y'.repeat(file.size)).toThrow(RangeError);
    const watch = watchRead(64);
    let ds: ExampleDataset;
    try {
      ds = examples(await readDataset(file, { onProgress: watch.onProgress }));
    } finally {
      watch.stop();
    }
    expect(ds.rows.map((r) => r[0])).toEqual(texts);
    expect(ds.skipped.map((s) => s.line)).toEqual(longLines);
    expect(watch.seen.longestDecoded).toBeLessThanOrEqual(READ_CHUNK_BYTES);
    expect(watch.seen.decodedChars).toBeGreaterThanOrEqual(file.size);
    expect(watch.seen.peakLive - watch.seen.liveBefore).toBeLessThan(25_000_000);
  });
});

describe('D11 text that is not UTF-8', () => {
  const utf16 = (s: string, bom: boolean) => {
    const out = new Uint8Array((bom ? 2 : 0) + 2 * s.length);
    if (bom) out.set([0xff, 0xfe]);
    for (let i = 0; i < s.length; i++) out[(bom ? 2 : 0) + 2 * i] = s.charCodeAt(i);
    return out;
  };

  it('names UTF-16LE, with or without a BOM', async () => {
    for (const bom of [true, false]) {
      const err = await expectCode(readDataset(bytesFile('u16.csv', utf16('text,label\nhello,a\nbye,b\n', bom))), 'DATASET_NOT_UTF8');
      expect(err.message).toContain('not UTF-8 (looks like UTF-16LE)');
    }
  });

  it('reads unambiguous Latin-1 and says so', async () => {
    const bytes = Uint8Array.from([...'text,label\ncaf', 0xe9, ...',a\nna', 0xef, ...'ve,b\n'].map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c)));
    const ds = examples(await readDataset(bytesFile('latin.csv', bytes)));
    expect(ds.rows.map((r) => r[0])).toEqual(['café', 'naïve']);
    expect(ds.decode.encoding).toBe('latin-1');
    expect(codes(ds)).toContain('DATASET_DECODED_LATIN1');
  });

  it('refuses Windows-1252 quotes and 8-bit scripts instead of guessing (no mojibake)', async () => {
    const cp1252 = Uint8Array.from([...'text\n', 0x93, ...'quoted', 0x94, ...'\n'].map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c)));
    const err = await expectCode(readDataset(bytesFile('w.txt', cp1252)), 'DATASET_NOT_UTF8');
    expect(err.message).toMatch(/byte 5 \(byte 0x93\)/);
    const koi8 = Uint8Array.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, 0x0a]);
    await expectCode(readDataset(bytesFile('k.txt', koi8)), 'DATASET_NOT_UTF8');
  });
});

describe('D12 bad JSONL lines', () => {
  it('skips each with its line number and counts good and bad lines', async () => {
    const lines = [
      '{"text": "good one", "label": "pos"}',
      '{"text": "trailing comma", "label": "neg",}',
      '["an", "array"]',
      '{"label": "pos"}',
      '{"text": "no label"}',
      '{"text": "null label", "label": null}',
      '{"text": "fraction", "label": 1.5}',
      '{"text": "integer label", "label": 1}',
      '',
      '{"text": "good two", "label": "neg"}',
      '{"text": "truncated", "lab',
    ];
    const ds = examples(await readDataset(textFile('bad.jsonl', lines.join('\n'))));
    expect(ds.rows.map((r) => r[ds.columns.indexOf('text')])).toEqual(['good one', 'integer label', 'good two']);
    expect(ds.labels).toEqual(new Map([['pos', 1], ['1', 1], ['neg', 1]]));
    expect(ds.skipped.map((s) => s.line)).toEqual([2, 3, 4, 5, 6, 7, 11]);
    const reasons = ds.skipped.map((s) => s.reason);
    expect(reasons[0]).toMatch(/not valid JSON/);
    expect(reasons[1]).toBe('an array where an object was expected');
    expect(reasons[2]).toBe('no "text" key');
    expect(reasons[3]).toBe('no "label" key');
    expect(reasons[4]).toBe('"label" is null');
    expect(reasons[5]).toBe('"label" is the number 1.5, not a class');
    const summary = ds.warnings.find((w) => w.code === 'DATASET_ROWS_SKIPPED');
    expect(summary?.message).toMatch(/^7 rows of 10 skipped: .* 3 rows read\.$/);
  });
});

describe('D13 CoNLL with mismatched columns', () => {
  it('stops at the first mismatched line and gives its column count', async () => {
    const text = 'EU NNP B-ORG\nrejects VBZ O\n\nGerman JJ\ncall NN O\n';
    const err = await expectCode(readDataset(textFile('a.conll', text)), 'DATASET_CONLL_COLUMNS');
    expect(err.location).toMatchObject({ line: 4, column: 2 });
    expect(err.message).toContain('line 4 has 2 columns where the lines before have 3');
  });

  it('takes the tag column from the user (0-based option), the last by default', async () => {
    const text = 'EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n';
    expect([...tokens(await readDataset(textFile('a.conll', text))).tags.keys()]).toEqual(['B-ORG', 'O']);
    const chunks = tokens(await readDataset(textFile('a.conll', text), { tagColumn: 2 }));
    expect(chunks.sentences[0].tags).toEqual(['B-NP', 'B-VP']);
    await expectCode(readDataset(textFile('a.conll', text), { tagColumn: 9 }), 'DATASET_CONLL_COLUMNS');
  });
});

describe('D14 CoNLL separators and IOB', () => {
  it('handles mixed tab/space, -DOCSTART-, doubled or whitespace-only blank lines and trailing spaces', async () => {
    const text = '-DOCSTART- -X- O\n\nEU\tB-ORG  \nrejects O\n\n \n\t\nPeter  B-PER\nBlackburn\tI-PER\n\n\n-DOCSTART- -X- O\nBRUSSELS B-LOC\n';
    const ds = tokens(await readDataset(textFile('x.txt', text)));
    expect(ds.format).toBe('conll');
    expect(ds.sentences).toEqual([
      { tokens: ['EU', 'rejects'], tags: ['B-ORG', 'O'] },
      { tokens: ['Peter', 'Blackburn'], tags: ['B-PER', 'I-PER'] },
      { tokens: ['BRUSSELS'], tags: ['B-LOC'] },
    ]);
    expect(ds.sentenceLines).toEqual([3, 8, 13]);
  });

  it('repairs an I- that starts an entity to B- and reports it', async () => {
    const text = 'the O\nEuropean I-ORG\nUnion I-ORG\nand O\nParis I-LOC\n';
    const ds = tokens(await readDataset(textFile('iob1.conll', text)));
    expect(ds.sentences[0].tags).toEqual(['O', 'B-ORG', 'I-ORG', 'O', 'B-LOC']);
    const w = ds.warnings.find((x) => x.code === 'DATASET_IOB_REPAIRED');
    expect(w?.message).toContain('2 entities');
    expect(w?.message).toContain('Lines 2, 5');
  });

  it('leaves other tag schemes alone', async () => {
    const ds = tokens(await readDataset(textFile('bioes.conll', 'New B-LOC\nYork E-LOC\nis O\nbig I-X\n')));
    expect(ds.sentences[0].tags).toEqual(['B-LOC', 'E-LOC', 'O', 'I-X']);
    expect(codes(ds)).not.toContain('DATASET_IOB_REPAIRED');
  });
});

describe('D15 hostile label strings', () => {
  const hostile = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'abc\u202Edef', 'zero\u200Bwidth', 'L'.repeat(10_000), '__proto__', 'constructor', 'toString'];

  it('stores them untouched in a Map and exports them as own JSON keys', async () => {
    const lines = hostile.map((l, i) => JSON.stringify({ text: `text ${i}`, label: l }));
    const ds = examples(await readDataset(textFile('h.jsonl', lines.join('\n'))));
    expect([...ds.labels.keys()]).toEqual(hostile);
    const obj = countsToObject(ds.labels);
    expect(Object.keys(obj).sort()).toEqual([...hostile].sort());
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    const back = JSON.parse(JSON.stringify(obj)) as Record<string, number>;
    expect(Object.keys(back).sort()).toEqual([...hostile].sort());
  });

  it('keeps them in CSV too', async () => {
    const csv = Papa.unparse({ fields: ['text', 'label'], data: hostile.map((l, i) => [`t${i}`, l]) });
    const ds = examples(await readDataset(textFile('h.csv', csv)));
    expect(new Set(ds.labels.keys())).toEqual(new Set(hostile));
  });
});

describe('D16 formula-like cells in exported predictions', () => {
  it('neutralises them with a leading quote and leaves numbers alone', () => {
    const csv = writePredictionsCsv([
      { text: '=HYPERLINK("http://x","y")', label: '@SUM(A1)', score: -0.25 },
      { text: '+1', label: 'plain', score: 0.5 },
      { text: '-2', label: '\tTAB', score: 1 },
    ]);
    const rows = Papa.parse<string[]>(csv.trim()).data;
    expect(rows).toEqual([
      ['text', 'label', 'score'],
      [`'=HYPERLINK("http://x","y")`, `'@SUM(A1)`, '-0.25'],
      [`'+1`, 'plain', '0.5'],
      [`'-2`, `'\tTAB`, '1'],
    ]);
  });
});

describe('D19 numbers as labels', () => {
  it('rejects NaN and Infinity labels with their row numbers and never guesses types', async () => {
    const text = 'text,label\na,1\nb,NaN\nc,007\nd,Infinity\ne,1.0\nf,-inf\n';
    const ds = examples(await readDataset(textFile('n.csv', text)));
    expect(ds.skipped.map((s) => s.row)).toEqual([2, 4, 6]);
    expect(ds.skipped[0].reason).toBe('label "NaN" is not a finite value');
    expect([...ds.labels.keys()]).toEqual(['1', '007', '1.0']);
    expect(codes(ds)).toContain('DATASET_SIMILAR_LABELS');
  });
});
