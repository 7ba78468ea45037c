// NER spans -> BIO tags: `{"text", "entities": [{"start", "end", "label"}]}` (or doccano's `[start, end, label]`),
// offsets in Unicode code points as Python, spaCy and doccano count them. Words are split on whitespace with each
// punctuation character a word of its own (as BERT's BasicTokenizer does); a span that cuts a word is widened to
// whole words and reported, an overlapping or invalid span is left out and reported.

export interface Word {
  text: string;
  /** UTF-16 offsets [start, end) in the text. */
  start: number;
  end: number;
}

// ASCII punctuation (BERT counts all non-alphanumeric printable ASCII) and Unicode punctuation.
const PUNCT = /[!-/:-@[-`{-~]|\p{P}/u;
const SPACE = /\s/u;

export function splitWords(text: string): Word[] {
  const words: Word[] = [];
  let start = -1;
  const close = (at: number) => {
    if (start >= 0) words.push({ text: text.slice(start, at), start, end: at });
    start = -1;
  };
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    const next = i + ch.length;
    if (SPACE.test(ch)) close(i);
    else if (PUNCT.test(ch)) {
      close(i);
      words.push({ text: ch, start: i, end: next });
    } else if (start < 0) start = i;
    i = next;
  }
  close(text.length);
  return words;
}

export interface SpanProblem {
  kind: 'misaligned' | 'overlap' | 'invalid';
  detail: string;
}

/** Code-point offset -> UTF-16 offset (they differ only after characters outside the BMP, such as emoji). */
function unitOffsets(text: string): ((cp: number) => number) | null {
  if (!/[\uD800-\uDFFF]/.test(text)) return null;
  const map: number[] = [];
  for (let i = 0; i < text.length; ) {
    map.push(i);
    i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  map.push(text.length);
  return (cp) => map[cp] ?? -1;
}

interface Span {
  start: number;
  end: number;
  label: string;
}

function readSpan(e: unknown, textLength: number): Span | string {
  let start: unknown;
  let end: unknown;
  let label: unknown;
  if (Array.isArray(e)) [start, end, label] = e;
  else if (e && typeof e === 'object') ({ start, end, label } = e as Record<string, unknown>);
  else return `entity ${JSON.stringify(e)} is not an object`;
  if (!Number.isInteger(start) || !Number.isInteger(end)) return `entity ${JSON.stringify(e)} needs integer start and end`;
  if (typeof label !== 'string' || label.trim() === '') return `entity ${JSON.stringify(e)} needs a label`;
  const s = start as number;
  const t = end as number;
  if (s < 0 || t > textLength || s >= t) return `entity [${s}, ${t}) is outside the text (length ${textLength}) or empty`;
  return { start: s, end: t, label };
}

/** Words and BIO tags of one record, and what did not fit. */
export function spansToBio(text: string, entities: readonly unknown[]): { tokens: string[]; tags: string[]; problems: SpanProblem[] } {
  const words = splitWords(text);
  const tags = words.map(() => 'O');
  const problems: SpanProblem[] = [];
  const toUnit = unitOffsets(text);
  const cpLength = toUnit ? [...text].length : text.length;
  const spans: Span[] = [];
  for (const e of entities) {
    const span = readSpan(e, cpLength);
    if (typeof span === 'string') problems.push({ kind: 'invalid', detail: span });
    else spans.push(toUnit ? { ...span, start: toUnit(span.start), end: toUnit(span.end) } : span);
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  for (const span of spans) {
    const covered: number[] = [];
    words.forEach((w, i) => {
      if (w.end > span.start && w.start < span.end) covered.push(i);
    });
    const shown = JSON.stringify(text.slice(span.start, span.end));
    if (covered.length === 0) {
      problems.push({ kind: 'invalid', detail: `entity ${shown} covers no word` });
      continue;
    }
    if (covered.some((i) => tags[i] !== 'O')) {
      problems.push({ kind: 'overlap', detail: `entity ${shown} (${span.label}) overlaps an earlier one and was left out` });
      continue;
    }
    const first = words[covered[0]];
    const last = words[covered[covered.length - 1]];
    if (first.start !== span.start || last.end !== span.end) {
      const widened = JSON.stringify(text.slice(first.start, last.end));
      problems.push({ kind: 'misaligned', detail: `entity ${shown} (${span.label}) cuts a word; tagged as ${widened}` });
    }
    covered.forEach((i, k) => (tags[i] = (k === 0 ? 'B-' : 'I-') + span.label));
  }
  return { tokens: words.map((w) => w.text), tags, problems };
}
