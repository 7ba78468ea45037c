// Collects token sequences with their tags (CoNLL, JSONL tokens or NER spans) and ends with the tag counts. In IOB2
// data an entity that starts with I- (after O or another type, as IOB1 files do) is repaired to B- and reported
// (RELIABILITY D14: never silent); files in other schemes (BIOES, bare tags) are left as they are.
import { LayerwiseError } from '../../lib/errors';
import type { DecodeReport } from '../text-decode';
import { listRows, plural } from './examples';
import type { DatasetWarning, SkippedRow, TokenDataset, TokenSentence } from './types';

const BIO = /^(O|[BI]-.+)$/;

export interface TokenCollectorInit {
  file: string;
  format: TokenDataset['format'];
  columnCount: number;
  tagColumn: number;
  decode: DecodeReport;
  warnings: DatasetWarning[];
}

export class TokenCollector {
  private readonly init: TokenCollectorInit;
  private readonly sentences: TokenSentence[] = [];
  private readonly lines: number[] = [];
  private readonly skipped: SkippedRow[] = [];
  /** I- tags that start an entity: [sentence, token, line]. */
  private readonly repairs: [number, number, number][] = [];
  private nonBio: string | null = null;

  constructor(init: TokenCollectorInit) {
    this.init = init;
  }

  get count(): number {
    return this.sentences.length;
  }

  /** One sentence; `tokenLines[i]` is the line of token i where known (CoNLL), else the sentence's line. */
  add(tokens: string[], tags: string[], line: number, tokenLines?: number[]): void {
    const s = this.sentences.length;
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i];
      if (this.nonBio === null && !BIO.test(tag)) this.nonBio = tag;
      if (tag.startsWith('I-')) {
        const prev = i > 0 ? tags[i - 1] : 'O';
        if (prev === 'O' || prev.slice(2) !== tag.slice(2)) this.repairs.push([s, i, tokenLines?.[i] ?? line]);
      }
    }
    this.sentences.push({ tokens, tags });
    this.lines.push(line);
  }

  skip(row: number, line: number | undefined, reason: string): void {
    this.skipped.push(line === undefined ? { row, reason } : { row, line, reason });
  }

  finish(): TokenDataset {
    const { file } = this.init;
    if (this.sentences.length === 0) {
      const why = this.skipped.length ? `: all ${plural(this.skipped.length, 'record')} were skipped (${this.skipped[0].reason})` : '';
      throw new LayerwiseError('DATASET_EMPTY', `No rows found in ${file}${why}.`, { file });
    }
    const warnings = [...this.init.warnings];
    if (this.repairs.length > 0 && this.nonBio === null) {
      for (const [s, i] of this.repairs) {
        const tags = this.sentences[s].tags;
        tags[i] = 'B-' + tags[i].slice(2);
      }
      warnings.push({
        code: 'DATASET_IOB_REPAIRED',
        level: 'warning',
        message: `${plural(this.repairs.length, 'entity', 'entities')} started with I- after O or another type (IOB1 style); they were changed to B- (IOB2). Lines ${listRows(this.repairs.map((r) => r[2]))}.`,
        line: this.repairs[0][2],
      });
    }
    if (this.skipped.length > 0) {
      warnings.push({
        code: 'DATASET_ROWS_SKIPPED',
        level: 'warning',
        message: `${plural(this.skipped.length, 'record')} skipped (${this.skipped
          .slice(0, 3)
          .map((s) => `${s.line !== undefined ? `line ${s.line}` : `record ${s.row}`}: ${s.reason}`)
          .join('; ')}${this.skipped.length > 3 ? '; …' : ''}). ${this.sentences.length.toLocaleString('en-US')} read.`,
        row: this.skipped[0].row,
        line: this.skipped[0].line,
      });
    }
    const tags = new Map<string, number>();
    for (const s of this.sentences) for (const t of s.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
    if (tags.size === 1) {
      const [only] = tags.keys();
      warnings.push({ code: 'DATASET_ONE_CLASS', level: 'warning', message: `Every token has the tag ${JSON.stringify(only)}; there is nothing to learn.` });
    }
    return {
      kind: 'tokens',
      format: this.init.format,
      file,
      sentences: this.sentences,
      sentenceLines: this.lines,
      columnCount: this.init.columnCount,
      tagColumn: this.init.tagColumn,
      tags,
      warnings,
      skipped: this.skipped,
      decode: this.init.decode,
    };
  }
}
