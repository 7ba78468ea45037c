// Understanding a dataset from its first part: the format, the delimiter and quoting of delimited text, whether the
// first row is a header, and which columns hold the text and the label, each with the reason a person would give.
import Papa from 'papaparse';
import type { DatasetFormat } from './types';

export const DELIMITERS = ['\t', ',', ';', '|'] as const;

const EXTENSIONS: Record<string, DatasetFormat> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'json',
  conll: 'conll',
  conllu: 'conll',
  iob: 'conll',
  bio: 'conll',
};

/** The format a file name promises, or null for .txt and unknown extensions (sniffed from the content). */
export function formatFromName(name: string): DatasetFormat | null {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? null : (EXTENSIONS[name.slice(dot + 1).toLowerCase()] ?? null);
}

export function delimiterName(d: string): string {
  return d === '\t' ? 'tab' : d === ',' ? 'comma' : d === ';' ? 'semicolon' : d === '|' ? 'pipe' : JSON.stringify(d);
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
export const isNumeric = (s: string): boolean => NUMBER.test(s.trim());

function isBlankRow(row: string[]): boolean {
  return row.length === 1 && row[0].trim() === '';
}

/** Records of delimited text with papaparse's own parser; `complete` false drops a possibly cut last record. */
export function parseSample(
  text: string,
  delimiter: string,
  quoting: boolean,
  complete: boolean,
): { rows: string[][]; quoteErrors: number; missingQuote: boolean } {
  const parser = new Papa.Parser({ delimiter, newline: '\n', quoteChar: '"', fastMode: quoting ? undefined : true });
  const res = parser.parse(text, 0, !complete) as Papa.ParseResult<string[]>;
  return {
    rows: res.data.filter((r) => !isBlankRow(r)),
    quoteErrors: res.errors.filter((e) => e.type === 'Quotes').length,
    missingQuote: res.errors.some((e) => e.code === 'MissingQuotes'),
  };
}

interface Shape {
  fields: number;
  consistency: number;
}

function shapeOf(rows: string[][]): Shape {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  let fields = 0;
  let best = 0;
  for (const [n, c] of counts) {
    if (c > best || (c === best && n > fields)) {
      fields = n;
      best = c;
    }
  }
  return { fields, consistency: rows.length ? best / rows.length : 0 };
}

export interface DelimitedGuess {
  delimiter: string;
  quoting: boolean;
  /** Fields per record (the most common count in the sample). */
  fields: number;
  reason: string;
  /** Set when quotes were switched off: what was seen. */
  quotingReason?: string;
  rows: string[][];
}

/**
 * How to read quotes with one delimiter. Quotes are honoured unless reading them as text explains the sample
 * better: they are unbalanced (papaparse reports quote errors or records swallow whole lines) while every line has
 * the same number of fields when quotes are plain characters, as in SMS Spam's `ham<TAB>"Hi," she said`.
 */
function chooseQuoting(text: string, delimiter: string, complete: boolean) {
  const q = parseSample(text, delimiter, true, complete);
  const u = parseSample(text, delimiter, false, complete);
  const qs = shapeOf(q.rows);
  const us = shapeOf(u.rows);
  const fieldQuotes = u.rows.some((r) => r.some((c) => c.startsWith('"')));
  const multiline = q.rows.some((r) => r.some((c) => c.includes('\n')));
  const quotedFine = q.quoteErrors === 0 && qs.consistency >= us.consistency;
  if (fieldQuotes && us.fields >= 2 && us.consistency >= 0.99 && (!quotedFine || (multiline && us.consistency === 1))) {
    const what = q.quoteErrors > 0 ? `${q.quoteErrors} malformed quoted fields` : 'quoted fields running across lines';
    return {
      quoting: false,
      shape: us,
      rows: u.rows,
      quotingReason: `quotes read as plain text: honouring them gives ${what}, while every line has ${us.fields} fields without them`,
    };
  }
  return { quoting: true, shape: qs, rows: q.rows, quotingReason: undefined };
}

/**
 * The delimiter that splits the sample into the most consistent records of two or more fields. Null when text has
 * no delimiter at all (one column) — and `undetectable` when delimiters appear but none splits consistently.
 */
export function detectDelimited(
  text: string,
  complete: boolean,
  opts: { delimiter?: string; quoting?: boolean; /** The file extension's delimiter, preferred on ties. */ preferred?: string },
): DelimitedGuess | { undetectable: true; reason: string } | null {
  const candidates = opts.delimiter !== undefined ? [opts.delimiter] : [...DELIMITERS];
  let best: (DelimitedGuess & { consistency: number }) | null = null;
  for (const d of candidates) {
    const c = opts.quoting === undefined ? chooseQuoting(text, d, complete) : forced(text, d, opts.quoting, complete);
    if (c.shape.fields < 2 && opts.delimiter === undefined) continue;
    const better =
      !best ||
      c.shape.consistency > best.consistency + 1e-9 ||
      (Math.abs(c.shape.consistency - best.consistency) <= 1e-9 &&
        (d === opts.preferred || (best.delimiter !== opts.preferred && c.shape.fields > best.fields)));
    if (better) {
      const pct = Math.round(c.shape.consistency * 1000) / 10;
      best = {
        delimiter: d,
        quoting: c.quoting,
        fields: c.shape.fields,
        consistency: c.shape.consistency,
        reason:
          opts.delimiter !== undefined
            ? `${delimiterName(d)}, as chosen`
            : `${delimiterName(d)}: ${pct}% of ${c.rows.length} sampled records have ${c.shape.fields} fields`,
        quotingReason: c.quotingReason,
        rows: c.rows,
      };
    }
  }
  if (!best) return null;
  // A file named .csv or .tsv keeps its own delimiter even when rows are ragged (they are skipped and listed).
  if (opts.delimiter === undefined && best.consistency < 0.8 && best.delimiter !== opts.preferred) {
    return {
      undetectable: true,
      reason: `no delimiter splits the lines consistently (best: ${delimiterName(best.delimiter)}, ${Math.round(best.consistency * 100)}% of records with ${best.fields} fields)`,
    };
  }
  const { consistency: _consistency, ...guess } = best;
  return guess;
}

function forced(text: string, d: string, quoting: boolean, complete: boolean) {
  const p = parseSample(text, d, quoting, complete);
  return { quoting, shape: shapeOf(p.rows), rows: p.rows, quotingReason: undefined };
}

const KNOWN_NAMES = new Set([
  'text', 'texts', 'sentence', 'sentences', 'sentence1', 'sentence2', 'text_a', 'text_b', 'label', 'labels', 'class',
  'category', 'target', 'sentiment', 'review', 'content', 'tweet', 'message', 'title', 'body', 'premise',
  'hypothesis', 'question', 'question1', 'question2', 'answer', 'passage', 'query', 'id', 'idx', 'index', 'document',
  'comment', 'utterance', 'intent', 'emotion', 'tag', 'tags', 'polarity', 'rating', 'topic', 'gold_label', 'y',
]);

const LABEL_NAME = /^(label|labels|class|category|target|sentiment|emotion|intent|tag|y|gold_label|polarity|rating|stars|topic|is_spam|spam)$/i;
const LABEL_LIKE = /(^|_)label(s)?($|_)|^label\d+$/i;
const TEXT_NAME = /^(text|texts|sentence|review|content|tweet|message|document|doc|body|comment|utterance|question|query|passage|abstract|sms|text_a|sentence1|premise)$/i;
const ID_NAME = /^(id|idx|index|guid|uid|uuid|key|row|row_id|unnamed: ?0)$/i;
const PAIRS: [string, string][] = [
  ['sentence1', 'sentence2'],
  ['text_a', 'text_b'],
  ['question1', 'question2'],
  ['premise', 'hypothesis'],
  ['question', 'sentence'],
  ['question', 'passage'],
  ['query', 'passage'],
  ['sentence_a', 'sentence_b'],
  ['text', 'text_pair'],
  ['text1', 'text2'],
];

const quote = (s: string): string => JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s);

interface ColumnStats {
  distinct: Set<string>;
  meanLength: number;
  numeric: number;
  empty: number;
}

function columnStats(rows: string[][], j: number): ColumnStats {
  const distinct = new Set<string>();
  let length = 0;
  let numeric = 0;
  let empty = 0;
  for (const r of rows) {
    const v = r[j] ?? '';
    distinct.add(v);
    length += v.length;
    if (isNumeric(v)) numeric++;
    if (v.trim() === '') empty++;
  }
  const n = Math.max(1, rows.length);
  return { distinct, meanLength: length / n, numeric: numeric / n, empty: empty / n };
}

function isCategorical(s: ColumnStats, n: number): boolean {
  return s.distinct.size <= Math.max(2, Math.min(1000, n * 0.5)) && s.meanLength <= 40;
}

/** Whether the first of the sampled records is a header, and why. */
export function detectHeader(rows: string[][]): { hasHeader: boolean; reason: string } {
  if (rows.length === 0) return { hasHeader: false, reason: 'no rows' };
  const first = rows[0];
  const known = first.filter((c) => KNOWN_NAMES.has(c.trim().toLowerCase()));
  if (known.length > 0) {
    return { hasHeader: true, reason: `the first row holds column names (${known.slice(0, 3).map(quote).join(', ')})` };
  }
  const rest = rows.slice(1, 2001);
  if (rest.length === 0) return { hasHeader: false, reason: 'a single row, which does not look like column names' };
  for (let j = 0; j < first.length; j++) {
    const s = columnStats(rest, j);
    if (isCategorical(s, rest.length) && s.distinct.has(first[j])) {
      return { hasHeader: false, reason: `the first row's ${quote(first[j])} is also a value of column ${j + 1}` };
    }
  }
  for (let j = 0; j < first.length; j++) {
    const s = columnStats(rest, j);
    if (s.numeric >= 0.9 && first[j].trim() !== '' && !isNumeric(first[j])) {
      return { hasHeader: true, reason: `column ${j + 1} holds numbers but the first row has ${quote(first[j])}` };
    }
  }
  if (rest.length >= 20) {
    for (let j = 0; j < first.length; j++) {
      const s = columnStats(rest, j);
      if (isCategorical(s, rest.length) && first[j].trim() !== '' && s.distinct.size <= 50) {
        return { hasHeader: true, reason: `the first row's ${quote(first[j])} is not among the values of column ${j + 1}` };
      }
    }
  }
  return { hasHeader: false, reason: 'the first row looks like data' };
}

/** Header names made usable: empty ones become column_N, duplicates get _1, _2 as papaparse 5 renames them (D8). */
export function renameHeaders(header: string[]): { columns: string[]; renamed: { column: number; from: string; to: string }[] } {
  const renamed: { column: number; from: string; to: string }[] = [];
  const named = header.map((h, i) => {
    const t = h.trim();
    if (t !== '') return t;
    renamed.push({ column: i + 1, from: h, to: `column_${i + 1}` });
    return `column_${i + 1}`;
  });
  const used = new Set(named);
  const count = new Map<string, number>();
  const columns = named.map((h, i) => {
    const seen = count.get(h) ?? 0;
    count.set(h, seen + 1);
    if (seen === 0) return h;
    let k = seen;
    let name = `${h}_${k}`;
    while (used.has(name)) name = `${h}_${++k}`;
    used.add(name);
    renamed.push({ column: i + 1, from: header[i], to: name });
    return name;
  });
  return { columns, renamed };
}

export interface Roles {
  textColumns: string[];
  labelColumn: string | null;
  otherLabelColumns: string[];
  reasons: { textColumns: string; labelColumn: string };
}

/** Proposed text column(s) and label column from names first, then from the values of the sampled rows. */
export function proposeRoles(columns: string[], rows: string[][]): Roles {
  const n = rows.length;
  const stats = columns.map((_, j) => columnStats(rows, j));
  const lower = columns.map((c) => c.toLowerCase());

  let label = -1;
  let labelReason = '';
  const named = lower.findIndex((c) => LABEL_NAME.test(c));
  if (named >= 0) {
    label = named;
    labelReason = `named ${quote(columns[named])}`;
  } else {
    const likeLabel = lower.findIndex((c) => LABEL_LIKE.test(c));
    let bestDistinct = Infinity;
    columns.forEach((_, j) => {
      if (TEXT_NAME.test(columns[j]) || ID_NAME.test(columns[j]) || stats[j].empty > 0.5) return;
      const d = stats[j].distinct.size;
      if (!isCategorical(stats[j], n)) return;
      const score = d >= 2 ? d : 1e9;
      if (score <= bestDistinct) {
        bestDistinct = score;
        label = j;
      }
    });
    if (likeLabel >= 0) label = likeLabel;
    if (label >= 0) {
      const values = [...stats[label].distinct].slice(0, 4).map(quote).join(', ');
      const d = stats[label].distinct.size;
      labelReason =
        label === likeLabel
          ? `named ${quote(columns[label])}`
          : `${d} distinct short value${d === 1 ? '' : 's'} (${values}${d > 4 ? ', …' : ''}) in ${n} sampled rows`;
    } else {
      labelReason = 'no column looks like a label (a few distinct short values); choose one';
    }
  }
  const otherLabelColumns = columns.filter((c, j) => j !== label && (LABEL_NAME.test(c) || LABEL_LIKE.test(c)));

  let textColumns: string[] = [];
  let textReason = '';
  const pair = PAIRS.find(([a, b]) => lower.includes(a) && lower.includes(b));
  if (pair) {
    textColumns = pair.map((p) => columns[lower.indexOf(p)]);
    textReason = `named ${quote(textColumns[0])} and ${quote(textColumns[1])}: a sentence pair`;
  } else {
    const byName = columns.findIndex((c, j) => j !== label && TEXT_NAME.test(c));
    if (byName >= 0) {
      textColumns = [columns[byName]];
      textReason = `named ${quote(columns[byName])}`;
    } else {
      let best = -1;
      columns.forEach((c, j) => {
        if (j === label || ID_NAME.test(c) || stats[j].numeric >= 0.5) return;
        if (best < 0 || stats[j].meanLength > stats[best].meanLength) best = j;
      });
      if (best >= 0) {
        textColumns = [columns[best]];
        textReason =
          columns.length === 1
            ? 'the only column'
            : `the longest values (mean ${Math.round(stats[best].meanLength)} characters)`;
      } else {
        textReason = 'no column holds text; choose one';
      }
    }
  }
  return { textColumns, labelColumn: label >= 0 ? columns[label] : null, otherLabelColumns, reasons: { textColumns: textReason, labelColumn: labelReason } };
}

const IOB_TAG = /^(O|[BIES]-.+)$/;

/** Whether sampled lines look like CoNLL: `-DOCSTART-`, or blank-separated sentences of short tokens and tags. */
export function looksLikeConll(text: string): boolean {
  const lines = text.split('\n');
  if (lines.some((l) => l.startsWith('-DOCSTART-'))) return true;
  const token = lines.map((l) => l.trim()).filter((l) => l !== '');
  const blank = lines.length - token.length;
  const split = token.map((l) => l.split(/[ \t]+/));
  const { fields, consistency } = shapeOf(split);
  const last = split.map((f) => f[f.length - 1]);
  // Every line a token and columns ending in an IOB tag: CoNLL however short (one sentence, no blank line, no
  // final newline), which lines of plain text never all are.
  if (token.length > 0 && fields >= 2 && consistency === 1 && last.every((t) => IOB_TAG.test(t))) return true;
  if (token.length < 4 || blank < 1) return false;
  if (fields < 2 || consistency < 0.95) return false;
  const meanToken = split.reduce((s, f) => s + f[0].length, 0) / split.length;
  if (meanToken >= 25) return false;
  if (last.filter((t) => IOB_TAG.test(t)).length >= 0.9 * last.length) return true;
  return new Set(last).size <= Math.max(10, Math.min(100, token.length / 3));
}

/**
 * Whether a .tsv file holds CoNLL rather than rows: tab-separated tokens and IOB tags in sentences separated by
 * blank lines (a NER dataset saved as .tsv), which a row reading would turn into one example per token.
 */
export function tsvLooksLikeConll(text: string): boolean {
  const lines = text.split('\n').map((l) => l.trim());
  const token = lines.filter((l) => l !== '');
  const inner = lines.slice(lines.findIndex((l) => l !== ''), lines.length - [...lines].reverse().findIndex((l) => l !== ''));
  if (token.length < 2 || !inner.includes('')) return false;
  const split = token.map((l) => l.split('\t'));
  const { fields, consistency } = shapeOf(split);
  return fields >= 2 && consistency >= 0.95 && split.filter((f) => IOB_TAG.test(f[f.length - 1])).length >= 0.9 * split.length;
}

/** Whether a delimited reading of a .txt file is convincing enough to use: every record splits, last field a label. */
export function delimitedTextConvinces(guess: DelimitedGuess): boolean {
  if (guess.rows.length < 2 || guess.fields < 2) return false;
  const full = guess.rows.filter((r) => r.length === guess.fields);
  if (full.length < 0.99 * guess.rows.length) return false;
  return isCategorical(columnStats(full, guess.fields - 1), full.length);
}
