// Bytes -> text: the UTF-8 validator, wide-encoding sniffing, chunk boundaries inside UTF-8 sequences, the
// per-line cap of readLines. Byte sequences are written out by hand from the UTF-8 and UTF-16 definitions.
import { describe, expect, it } from 'vitest';
import { bytesFile } from '../../src/formats/source-file';
import { readDataset } from '../../src/formats/datasets/index';
import { decodeText, firstInvalidUtf8, newDecodeReport, readLines, readTextChunks, sniffBinaryFormat, sniffWideEncoding } from '../../src/formats/text-decode';

describe('UTF-8 validation', () => {
  it('finds the first bad byte and accepts a sequence cut at the end', () => {
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xc3, 0xa9, 0x62]))).toBe(-1);
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xe9, 0x62]))).toBe(1);
    expect(firstInvalidUtf8(Uint8Array.from([0xc0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xf0, 0x9f]))).toBe(-1);
  });

  it('decodes a multi-byte character split across chunks', async () => {
    const bytes = new TextEncoder().encode('naïve 😀 café\n');
    for (const chunkBytes of [1, 2, 3, 5]) {
      const { text } = await decodeText(bytesFile('x.txt', bytes), { chunkBytes });
      expect(text).toBe('naïve 😀 café\n');
    }
  });

  it('names UTF-16 and UTF-32 from their BOMs or NUL patterns', () => {
    expect(sniffWideEncoding(Uint8Array.from([0xff, 0xfe, 0x61, 0]))).toBe('UTF-16LE');
    expect(sniffWideEncoding(Uint8Array.from([0xfe, 0xff, 0, 0x61]))).toBe('UTF-16BE');
    expect(sniffWideEncoding(Uint8Array.from([0xff, 0xfe, 0, 0]))).toBe('UTF-32LE');
    expect(sniffWideEncoding(Uint8Array.from([0, 0x61, 0, 0x62, 0, 0x63, 0, 0x0a]))).toBe('UTF-16BE');
    expect(sniffWideEncoding(new TextEncoder().encode('plain ascii text'))).toBeNull();
  });
});

describe('binary files', () => {
  // First bytes of each format as its specification writes them, then a few arbitrary bytes.
  const files: [string, number[], RegExp][] = [
    ['reviews.csv', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], /^reviews\.csv is a PNG image, not a text dataset/],
    ['data.csv', [0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0], /is a ZIP archive \(an Excel \.xlsx workbook.*save the sheet as "CSV UTF-8"/],
    ['report.csv', [0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37], /is a PDF document, not a text dataset/],
    ['train.tsv', [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0], /is a gzip-compressed file.*Decompress it/],
    ['old.csv', [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0], /an old Office document \(an Excel \.xls workbook/],
  ];

  it('are named by their signature instead of "not UTF-8" (DATASET_BINARY_FILE)', async () => {
    for (const [name, bytes, message] of files) {
      await expect(readDataset(bytesFile(name, Uint8Array.from(bytes)))).rejects.toMatchObject({ code: 'DATASET_BINARY_FILE', message: expect.stringMatching(message), location: { file: name } });
    }
  });

  it('leave text alone, a text that starts with the same letters included', () => {
    expect(sniffBinaryFormat(new TextEncoder().encode('text,label\nPK is fine,ok\n'))).toBeNull();
    expect(sniffBinaryFormat(new TextEncoder().encode('GIF is a format,label\n'))).toBeNull();
    expect(sniffBinaryFormat(Uint8Array.from([0x89, 0x50]))).toBeNull();
  });
});

describe('readLines', () => {
  async function lines(text: string, cap: number, chunkBytes: number) {
    const report = newDecodeReport();
    const out: (string | null)[] = [];
    const first: number[] = [];
    for await (const b of readLines(readTextChunks(bytesFile('x', new TextEncoder().encode(text)), report, { chunkBytes }), cap)) {
      first.push(b.firstLine);
      out.push(...b.lines);
    }
    return { out, first };
  }

  it('splits across chunk boundaries and numbers lines', async () => {
    for (const chunkBytes of [1, 4, 100]) {
      const { out } = await lines('ab\ncd\n\nef', 10, chunkBytes);
      expect(out).toEqual(['ab', 'cd', '', 'ef']);
    }
  });

  it('marks a line over the cap as null and keeps none of it', async () => {
    const { out } = await lines('short\n' + 'x'.repeat(50) + '\nafter\n' + 'y'.repeat(11), 10, 7);
    expect(out).toEqual(['short', null, 'after', null]);
  });
});
