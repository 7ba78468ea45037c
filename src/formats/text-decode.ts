// Bytes -> text for user files, read in chunks: UTF-8 with its BOM stripped (reported), every line ending
// turned into LF (reported), UTF-16 and other non-UTF-8 text detected and named, Latin-1 decoded only when that
// is unambiguous (RELIABILITY D2, D3, D11). `TextDecoder('utf-8', {fatal: true})` does the validation. A file that
// is not text at all (an image, a PDF, a spreadsheet, an archive: recognised by its first bytes) is said to be that.
import { LayerwiseError } from '../lib/errors';
import type { SourceFile } from './source-file';

export type TextEncoding = 'utf-8' | 'latin-1';

/** What decoding found; filled in while the chunks are read. */
export interface DecodeReport {
  encoding: TextEncoding;
  /** A UTF-8 byte-order mark was removed. */
  bom: boolean;
  /** Line endings seen before normalisation to LF. */
  lineEndings: { lf: number; crlf: number; cr: number };
}

export interface TextReadOptions {
  encoding?: TextEncoding;
  chunkBytes?: number;
  /** Stop after this many bytes (a detection sample). */
  maxBytes?: number;
  onProgress?: (bytesRead: number, total: number) => void;
  signal?: AbortSignal;
}

/** 256 KiB: a chunk decodes, parses and is collected in about 10 ms, so no step holds the thread for long (D9). */
export const READ_CHUNK_BYTES = 256 * 1024;

/** Thrown when the bytes are not UTF-8; `latin1` says whether the caller may re-read the file as Latin-1. */
export class NotUtf8Error extends LayerwiseError {
  readonly latin1: boolean;
  constructor(message: string, file: string, latin1: boolean) {
    super('DATASET_NOT_UTF8', message, { file });
    this.latin1 = latin1;
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, file: string): void {
  if (signal?.aborted) throw new LayerwiseError('DATASET_READ_CANCELLED', `Reading ${file} was cancelled.`, { file });
}

/** Common binary formats by their signature ("magic number"), as a person would name the file. */
const SIGNATURES: { bytes: number[]; what: string; hint: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG image', hint: 'Open the data file itself' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image', hint: 'Open the data file itself' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image', hint: 'Open the data file itself' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document', hint: 'Export its table as CSV' },
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    what: 'a ZIP archive (an Excel .xlsx workbook, a Word .docx or a zipped folder)',
    hint: 'From a spreadsheet, save the sheet as "CSV UTF-8"; from an archive, unzip it and open the data file',
  },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: 'an empty ZIP archive', hint: 'Unzip the data file and open it' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file', hint: 'Decompress it (gunzip) and open the text file inside' },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    what: 'an old Office document (an Excel .xls workbook or a Word .doc)',
    hint: 'Save the sheet as "CSV UTF-8"',
  },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66], what: 'an SQLite database', hint: 'Export the table as CSV' },
];

/** What a file is when its first bytes are a known binary signature; null for anything else (text included). */
export function sniffBinaryFormat(head: Uint8Array): { what: string; hint: string } | null {
  const found = SIGNATURES.find((s) => s.bytes.length <= head.length && s.bytes.every((b, i) => head[i] === b));
  return found ? { what: found.what, hint: found.hint } : null;
}

/** "UTF-16LE" etc. when the first bytes say so (a BOM, or NUL bytes in every other position); null otherwise. */
export function sniffWideEncoding(head: Uint8Array): string | null {
  if (head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) return 'UTF-32LE';
  if (head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff) return 'UTF-32BE';
  if (head[0] === 0xff && head[1] === 0xfe) return 'UTF-16LE';
  if (head[0] === 0xfe && head[1] === 0xff) return 'UTF-16BE';
  const n = Math.min(head.length, 4096) & ~1;
  if (n < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZeros++;
    if (head[i + 1] === 0) oddZeros++;
  }
  const half = n / 2;
  if (oddZeros > 0.3 * half && evenZeros < 0.05 * half) return 'UTF-16LE';
  if (evenZeros > 0.3 * half && oddZeros < 0.05 * half) return 'UTF-16BE';
  return null;
}

/** Byte offset of the first byte that breaks UTF-8 in bytes (an incomplete sequence at the very end is allowed). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) {
      if (i + k >= bytes.length) return -1;
      const c = bytes[i + k];
      const lo = k === 1 && b === 0xe0 ? 0xa0 : k === 1 && b === 0xf0 ? 0x90 : 0x80;
      const hi = k === 1 && b === 0xed ? 0x9f : k === 1 && b === 0xf4 ? 0x8f : 0xbf;
      if (c < lo || c > hi) return i;
    }
    i += len;
  }
  return -1;
}

// Latin-1, Latin-9 and Windows-1252 agree on 0xA0–0xFF except these eight bytes.
const LATIN_AMBIGUOUS = new Set([0xa4, 0xa6, 0xa8, 0xb4, 0xb8, 0xbc, 0xbd, 0xbe]);

/**
 * Whether a non-UTF-8 file reads unambiguously as Latin-1: no NUL, no C1 bytes (0x80–0x9F, which would mean
 * Windows-1252), none of the bytes where Latin-1 and Latin-9 differ, and non-ASCII bytes only in runs of at most
 * two (accented letters inside Western European words; KOI8-R or other 8-bit scripts have whole words of them).
 */
export async function isUnambiguousLatin1(file: SourceFile, signal?: AbortSignal): Promise<boolean> {
  let run = 0;
  for (let start = 0; start < file.size; start += READ_CHUNK_BYTES) {
    throwIfAborted(signal, file.name);
    const bytes = await file.slice(start, Math.min(file.size, start + READ_CHUNK_BYTES));
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0) return false;
      if (b < 0x80) {
        run = 0;
        continue;
      }
      if (b < 0xa0 || LATIN_AMBIGUOUS.has(b) || ++run > 2) return false;
    }
  }
  return true;
}

function latin1Decode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 8192)));
  }
  return out;
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * The file as text chunks with LF line endings. A chunk never ends inside a CRLF pair or a UTF-8 sequence.
 * The report is complete once the generator has finished.
 */
export async function* readTextChunks(
  file: SourceFile,
  report: DecodeReport,
  opts: TextReadOptions = {},
): AsyncGenerator<string> {
  const chunkBytes = opts.chunkBytes ?? READ_CHUNK_BYTES;
  const end = Math.min(file.size, opts.maxBytes ?? file.size);
  report.encoding = opts.encoding ?? 'utf-8';
  const decoder = report.encoding === 'utf-8' ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }) : null;
  let heldCr = false;
  for (let start = 0; start < end; start += chunkBytes) {
    throwIfAborted(opts.signal, file.name);
    const stop = Math.min(end, start + chunkBytes);
    let bytes = await file.slice(start, stop);
    if (start === 0) {
      const binary = sniffBinaryFormat(bytes);
      if (binary) {
        throw new LayerwiseError(
          'DATASET_BINARY_FILE',
          `${file.name} is ${binary.what}, not a text dataset. A dataset is a CSV, TSV, JSON Lines or CoNLL text file: ${binary.hint}.`,
          { file: file.name },
        );
      }
      const wide = sniffWideEncoding(bytes);
      if (wide) throw new NotUtf8Error(`${file.name} is not UTF-8 (looks like ${wide}). Save it as UTF-8 and load it again.`, file.name, false);
      if (decoder && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        report.bom = true;
        bytes = bytes.subarray(3);
      }
    }
    let text: string;
    if (decoder) {
      try {
        text = decoder.decode(bytes, { stream: stop < file.size });
      } catch {
        const bad = firstInvalidUtf8(bytes);
        const offset = start + (bad < 0 ? bytes.length : bad) + (start === 0 && report.bom ? 3 : 0);
        const byte = bad < 0 ? '' : ` (byte 0x${bytes[bad].toString(16).toUpperCase().padStart(2, '0')})`;
        const latin1 = await isUnambiguousLatin1(file, opts.signal);
        throw new NotUtf8Error(
          `${file.name} is not UTF-8: invalid byte sequence at byte ${offset}${byte}. ` +
            (latin1 ? 'It reads unambiguously as Latin-1.' : 'Save it as UTF-8 and load it again.'),
          file.name,
          latin1,
        );
      }
    } else {
      text = latin1Decode(bytes);
    }
    if (heldCr) text = '\r' + text;
    heldCr = stop < end && text.endsWith('\r');
    if (heldCr) text = text.slice(0, -1);
    if (text.indexOf('\r') !== -1) {
      const crlf = countChar(text, '\r\n');
      const cr = countChar(text, '\r') - crlf;
      report.lineEndings.crlf += crlf;
      report.lineEndings.cr += cr;
      report.lineEndings.lf += countChar(text, '\n') - crlf;
      text = text.replace(/\r\n?/g, '\n');
    } else {
      report.lineEndings.lf += countChar(text, '\n');
    }
    opts.onProgress?.(stop, file.size);
    if (text.length > 0) yield text;
  }
  if (heldCr) {
    report.lineEndings.cr++;
    yield '\n';
  }
}

export function newDecodeReport(): DecodeReport {
  return { encoding: 'utf-8', bom: false, lineEndings: { lf: 0, crlf: 0, cr: 0 } };
}

/** A whole (small) file as text, with its report. */
export async function decodeText(file: SourceFile, opts: TextReadOptions = {}): Promise<{ text: string; report: DecodeReport }> {
  const report = newDecodeReport();
  let text = '';
  for await (const chunk of readTextChunks(file, report, opts)) text += chunk;
  return { text, report };
}

/** One batch of lines from readLines: `null` marks a line longer than the cap (its text is not kept). */
export interface LineBatch {
  /** 1-based line number of lines[0]. */
  firstLine: number;
  lines: (string | null)[];
}

/**
 * Text chunks split into lines (LF already normalised), without building the whole file as one string.
 * A line longer than maxLineChars is dropped while it streams past, so one huge line costs no memory.
 */
export async function* readLines(chunks: AsyncIterable<string>, maxLineChars: number): AsyncGenerator<LineBatch> {
  let partial = '';
  let partialLength = 0;
  let tooLong = false;
  let lineNo = 1;
  for await (const chunk of chunks) {
    const lines: (string | null)[] = [];
    const firstLine = lineNo;
    let pos = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', pos)) {
      const piece = chunk.slice(pos, nl);
      if (tooLong || partialLength + piece.length > maxLineChars) lines.push(null);
      else lines.push(partial + piece);
      partial = '';
      partialLength = 0;
      tooLong = false;
      pos = nl + 1;
      lineNo++;
    }
    const rest = chunk.slice(pos);
    partialLength += rest.length;
    if (tooLong || partialLength > maxLineChars) {
      tooLong = true;
      partial = '';
    } else {
      partial += rest;
    }
    if (lines.length > 0) yield { firstLine, lines };
  }
  if (partialLength > 0) yield { firstLine: lineNo, lines: [tooLong ? null : partial] };
}
