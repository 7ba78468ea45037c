// JSON Lines streamed line by line (no whole-file string: RELIABILITY D10) and JSON arrays, as examples (keys become
// columns) or as token data (`text` + `entities` spans, or `tokens` + `ner_tags`). A bad line is skipped and reported
// with its line number, and the summary counts good and bad lines (D12).
import { LayerwiseError } from '../../lib/errors';
import { parseJsonText } from '../json-text';
import { decodeText, newDecodeReport, readLines, type DecodeReport } from '../text-decode';
import { applyRoleOverrides, decodeNotes, fileChunks, maxLineChars, PREVIEW_ROWS, roleNotes, type ReadContext } from './context';
import { proposeRoles, type Roles } from './detect';
import { ExampleCollector, MAX_BAD_ROW_FRACTION, BAD_ROWS_ALWAYS_TOLERATED, plural } from './examples';
import { chooseMultiLabel } from './multi-label';
import { spansToBio, type SpanProblem } from './spans';
import { TokenCollector } from './tokens';
import type { Dataset, DatasetWarning } from './types';

type JsonObject = Record<string, unknown>;
const TOKEN_KEYS = ['tokens', 'words'];
const TAG_KEYS = ['ner_tags', 'tags', 'labels', 'ner', 'tag'];

/** One record at a time, in file order; `row` counts records, `line` is set for JSONL. */
interface RecordSink {
  add(value: unknown, row: number, line: number | undefined): void;
  bad(row: number, line: number | undefined, reason: string): void;
  finish(): Dataset;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function cell(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** D12/D19: a label must be a non-empty string or an integer class id; null, fractions and booleans are refused. */
function labelProblem(v: unknown, key: string): string | null {
  if (v === undefined) return `no ${JSON.stringify(key)} key`;
  if (v === null) return `${JSON.stringify(key)} is null`;
  if (typeof v === 'number') return Number.isInteger(v) ? null : `${JSON.stringify(key)} is the number ${v}, not a class`;
  if (typeof v !== 'string') return `${JSON.stringify(key)} is ${describe(v)}, not a string`;
  return null;
}

function exampleSink(ctx: ReadContext, format: 'jsonl' | 'json', sample: JsonObject[], report: DecodeReport, notes: DatasetWarning[]): RecordSink {
  const columns: string[] = [];
  for (const o of sample) for (const k of Object.keys(o)) if (!columns.includes(k)) columns.push(k);
  const sampleRows = sample.map((o) => columns.map((c) => cell(o[c])));
  const proposed: Roles = applyRoleOverrides(columns, proposeRoles(columns, sampleRows), ctx.opts, ctx.file.name);
  // A label key holding arrays in most sampled records is a multi-label set (["joy", "love"]).
  const key = proposed.labelColumn;
  const arrays = key !== null && sample.filter((o) => Array.isArray(o[key])).length >= Math.max(1, sample.length / 2);
  const { roles, multiLabel } = chooseMultiLabel(columns, sampleRows, proposed, ctx.opts, { file: ctx.file.name, arrays });
  ctx.opts.onPreview?.({ format, columns, rows: sampleRows.slice(0, PREVIEW_ROWS), hasHeader: true });
  notes.push(...roleNotes(roles));
  const collector = new ExampleCollector({ file: ctx.file.name, format, columns, roles, hasHeader: true, decode: report, warnings: notes, multiLabel });
  const known = new Set(columns);
  const extra = new Set<string>();
  return {
    add(value, row, line) {
      if (!isObject(value)) return this.bad(row, line, `${describe(value)} where an object was expected`);
      for (const k of Object.keys(value)) if (!known.has(k)) extra.add(k);
      for (const t of roles.textColumns) {
        const v = value[t];
        if (typeof v !== 'string') return this.bad(row, line, v === undefined ? `no ${JSON.stringify(t)} key` : `${JSON.stringify(t)} is ${describe(v)}, not text`);
      }
      if (roles.labelColumn !== null && multiLabel?.kind !== 'json-array') {
        const problem = labelProblem(value[roles.labelColumn], roles.labelColumn);
        if (problem) return this.bad(row, line, problem);
      }
      collector.add(columns.map((c) => cell(value[c])), row, line ?? 0);
    },
    bad(row, line, reason) {
      collector.skip(row, line, 'bad-line', reason);
    },
    finish() {
      if (extra.size > 0) {
        notes.push({
          code: 'DATASET_EXTRA_KEYS',
          level: 'info',
          message: `Keys that first appear after the first records were left out: ${[...extra].slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}.`,
        });
      }
      return collector.finish();
    },
  };
}

function tokenSink(ctx: ReadContext, format: 'jsonl' | 'json', kind: 'spans' | { tokens: string; tags: string }, report: DecodeReport, notes: DatasetWarning[]): RecordSink {
  const collector = new TokenCollector({ file: ctx.file.name, format, columnCount: 2, tagColumn: 1, decode: report, warnings: notes });
  const problems: (SpanProblem & { line: number })[] = [];
  let bad = 0;
  let total = 0;
  return {
    add(value, row, line) {
      total++;
      const at = line ?? row;
      if (!isObject(value)) return this.bad(row, line, `${describe(value)} where an object was expected`);
      if (kind === 'spans') {
        if (typeof value.text !== 'string') return this.bad(row, line, 'no "text" string');
        if (!Array.isArray(value.entities)) return this.bad(row, line, 'no "entities" list');
        const bio = spansToBio(value.text, value.entities);
        for (const p of bio.problems) problems.push({ ...p, line: at });
        if (bio.tokens.length === 0) return this.bad(row, line, 'empty text');
        collector.add(bio.tokens, bio.tags, at);
        return;
      }
      const tokens = value[kind.tokens];
      const tags = value[kind.tags];
      if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) return this.bad(row, line, `${JSON.stringify(kind.tokens)} is not a list of strings`);
      if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' || Number.isInteger(t))) return this.bad(row, line, `${JSON.stringify(kind.tags)} is not a list of tags`);
      if (tags.length !== tokens.length) return this.bad(row, line, `${tokens.length} tokens but ${tags.length} tags`);
      if (tokens.length === 0) return this.bad(row, line, 'no tokens');
      collector.add(tokens as string[], tags.map(String), at);
    },
    bad(row, line, reason) {
      bad++;
      collector.skip(row, line, reason);
    },
    finish() {
      if (bad > BAD_ROWS_ALWAYS_TOLERATED && bad > MAX_BAD_ROW_FRACTION * total) {
        throw new LayerwiseError('DATASET_TOO_MANY_BAD_ROWS', `${ctx.file.name}: ${plural(bad, 'record')} of ${total.toLocaleString('en-US')} cannot be read. Check the format.`, { file: ctx.file.name });
      }
      const kinds: [SpanProblem['kind'], string, string][] = [
        ['misaligned', 'DATASET_SPAN_NOT_ON_TOKEN_BOUNDARY', 'do not fall on word boundaries and were widened to whole words'],
        ['overlap', 'DATASET_SPAN_OVERLAP', 'overlap an earlier entity and were left out'],
        ['invalid', 'DATASET_SPAN_INVALID', 'are invalid and were left out'],
      ];
      for (const [k, code, what] of kinds) {
        const list = problems.filter((p) => p.kind === k);
        if (list.length === 0) continue;
        notes.push({
          code,
          level: 'warning',
          message: `${plural(list.length, 'entity span')} ${what}: ${list.slice(0, 3).map((p) => `line ${p.line}: ${p.detail}`).join('; ')}${list.length > 3 ? '; …' : ''}.`,
          line: list[0].line,
        });
      }
      return collector.finish();
    },
  };
}

/** Which kind of records these are, from a sample of them. */
function makeSink(ctx: ReadContext, format: 'jsonl' | 'json', sample: JsonObject[], report: DecodeReport, notes: DatasetWarning[]): RecordSink {
  const most = (pred: (o: JsonObject) => boolean) => sample.length > 0 && sample.filter(pred).length >= sample.length / 2;
  if (ctx.opts.textColumns === undefined && ctx.opts.labelColumn === undefined) {
    if (most((o) => typeof o.text === 'string' && Array.isArray(o.entities))) return tokenSink(ctx, format, 'spans', report, notes);
    const tokens = TOKEN_KEYS.find((k) => most((o) => Array.isArray(o[k])));
    const tags = TAG_KEYS.find((k) => most((o) => Array.isArray(o[k])));
    if (tokens && tags) return tokenSink(ctx, format, { tokens, tags }, report, notes);
  }
  return exampleSink(ctx, format, sample, report, notes);
}

const SAMPLE_RECORDS = 500;

export async function readJsonlDataset(ctx: ReadContext): Promise<Dataset> {
  const sample: JsonObject[] = [];
  for (const line of ctx.sample.text.split('\n')) {
    if (sample.length >= SAMPLE_RECORDS) break;
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isObject(v)) sample.push(v);
    } catch {
      // Bad lines are reported with their numbers by the full read below.
    }
  }
  if (sample.length === 0 && ctx.sample.text.trim() !== '') {
    const first = ctx.sample.text.split('\n').findIndex((l) => l.trim() !== '') + 1;
    throw new LayerwiseError('DATASET_TOO_MANY_BAD_ROWS', `${ctx.file.name}: none of the first lines holds a JSON object (first at line ${first}); is this JSON Lines?`, { file: ctx.file.name, line: first });
  }
  const report = newDecodeReport();
  const notes: DatasetWarning[] = [];
  const sink = makeSink(ctx, 'jsonl', sample, report, notes);
  // A JSONL record's row number is its line number.
  for await (const batch of readLines(fileChunks(ctx, report), maxLineChars(ctx))) {
    for (let k = 0; k < batch.lines.length; k++) {
      const text = batch.lines[k];
      const line = batch.firstLine + k;
      if (text === null) {
        sink.bad(line, line, `longer than ${maxLineChars(ctx).toLocaleString('en-US')} characters`);
        continue;
      }
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        sink.bad(line, line, `not valid JSON (${(err as Error).message})`);
        continue;
      }
      sink.add(value, line, line);
    }
  }
  notes.unshift(...decodeNotes(report));
  return sink.finish();
}

/** A JSON array of records; the whole file is one value, so it is read at once (JSONL is the format for big sets). */
export async function readJsonArrayDataset(ctx: ReadContext): Promise<Dataset> {
  const { text, report } = await decodeText(ctx.file, { encoding: ctx.encoding, chunkBytes: ctx.opts.chunkBytes, onProgress: ctx.opts.onProgress, signal: ctx.opts.signal });
  const { value } = parseJsonText(text, ctx.file.name, 'DATASET_JSON_INVALID');
  if (!Array.isArray(value)) {
    throw new LayerwiseError('DATASET_JSON_NOT_ARRAY', `${ctx.file.name} holds ${describe(value)}; a JSON dataset is an array of records (or use JSON Lines).`, { file: ctx.file.name });
  }
  const notes: DatasetWarning[] = decodeNotes(report);
  const sink = makeSink(ctx, 'json', value.slice(0, SAMPLE_RECORDS).filter(isObject), report, notes);
  value.forEach((v, i) => sink.add(v, i + 1, undefined));
  return sink.finish();
}
