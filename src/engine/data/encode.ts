// Tokenises a dataset into model examples, in chunks with progress and Cancel (the worker runs it off the page's
// thread). Sequence classification: text (or a pair) -> ids + class id. Token classification: words -> subwords, the
// first subword of each word carries its tag and the rest get -100, as in transformers' run_ner.py. Multi-label
// classification: the row's label ids. Texts over maxLength are cut, or with TrainConfig.windows become sliding
// windows (long-text.ts). Masked LM: lines as they are, or concatenated and cut into blocks as run_mlm.py's
// group_texts does.
import type { ExampleDataset, TokenDataset } from '../../formats/datasets/index';
import { rowLabels } from '../../formats/datasets/multi-label';
import type { TextTokenizer } from '../../formats/tokenizer';
import { LayerwiseError } from '../../lib/errors';
import type { Task } from '../../protocol/task';
import type { WindowConfig } from '../../protocol/train-config';
import { MAX_WINDOWS, windowOwners, windowSpans } from './long-text';
import type { DataWarning } from './warnings';

/** Label of positions the loss ignores (PyTorch's CrossEntropyLoss ignore_index). */
export const IGNORE_INDEX = -100;
/** D17: a classification head with more classes than this is refused. */
export const MAX_CLASSES = 10_000;
/** D18: a cell is cut to maxLength × this many characters before tokenising, so a 1 MB cell costs no more than a long one. */
export const MAX_CHARS_PER_TOKEN = 32;
/** Texts per tokeniser call; between chunks the reader yields to the event loop, reports progress and checks Cancel. */
export const ENCODE_CHUNK = 512;

export interface EncodedExample {
  /** Token ids with the special tokens, unpadded: [seq]. */
  ids: Int32Array;
  /** token_type_ids: [seq]. */
  typeIds: Uint8Array;
  /** Sequence classification: the class id; otherwise -1 (also for multi-label). */
  label: number;
  /** Multi-label: the ids of the row's labels, any number of them (none included). */
  labelSet?: Int32Array;
  /** Token classification: one label per position, IGNORE_INDEX where there is none: [seq]. */
  tokenLabels?: Int32Array;
  /** Token classification: the word (index in its sentence) each labelled position tags, -1 elsewhere: [seq]. */
  wordOf?: Int32Array;
}

export interface EncodedDataset {
  task: Task;
  examples: EncodedExample[];
  /** Row or sentence index in the source dataset of each example (MLM blocks: the row where the block starts). */
  source: number[];
  /** Class name -> id (empty for MLM). */
  label2id: Map<string, number>;
  id2label: string[];
  maxLength: number;
  /** Examples cut to maxLength tokens (or whose cell was cut to MAX_CHARS_PER_TOKEN × maxLength characters). */
  truncated: number;
  /** Rows left out, e.g. a label that the label map does not know (only in validation). */
  skipped: { index: number; reason: string }[];
  warnings: DataWarning[];
  /** Sequence classification with any number of labels per row: labelSet holds them, the head has a sigmoid per label (absent: false). */
  multiLabel?: boolean;
  /** Sliding windows over long texts (several examples of one source), or null (absent: null): texts cut to maxLength. */
  windows?: WindowConfig | null;
  /** Token classification: the tag id of every word of each source sentence, the truth a stitched evaluation scores. */
  sentenceTags?: Int32Array[];
  /** Tokens of the full texts (special tokens included) and how many of them no example holds (cut away); absent where not counted. */
  tokenStats?: { tokens: number; lost: number };
}

/** How masked-LM text becomes examples: one line truncated, lines grouped into blocks, or each line cut into windows. */
export type MlmMode = 'line' | 'group' | 'window';

export interface EncodeOptions {
  maxLength: number;
  /** Class ids to use (the training split's); by default built from this dataset's labels. */
  label2id?: Map<string, number>;
  /**
   * MLM: 'group' concatenates lines and cuts blocks of maxLength (run_mlm's default); 'line' keeps one line each,
   * truncated (run_mlm's --line_by_line); 'window' keeps one line each and cuts a longer line into consecutive
   * windows, each with the special tokens, so that no text is lost and no block mixes unrelated lines.
   */
  mlmMode?: MlmMode;
  /** Sequence classification: rows hold several labels (rowLabels); the examples carry labelSet. */
  multiLabel?: boolean;
  /** Sequence and token classification: windows over texts longer than maxLength instead of cutting them. */
  windows?: WindowConfig | null;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Class ids in sorted order, as run_glue.py and run_ner.py sort their label lists: numerically when every label is
 * an integer, otherwise by code point. Refuses more than MAX_CLASSES classes (D17).
 */
export function buildLabelMap(labels: Iterable<string>): Map<string, number> {
  const list = [...new Set(labels)];
  if (list.length > MAX_CLASSES) {
    throw new LayerwiseError('DATA_TOO_MANY_CLASSES', `${list.length.toLocaleString('en-US')} classes is more than a classification head of ${MAX_CLASSES.toLocaleString('en-US')}; is the label column right?`, { field: 'labels' });
  }
  const integers = list.every((l) => /^[+-]?\d+$/.test(l));
  list.sort(integers ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return new Map(list.map((l, i) => [l, i]));
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function checkCancel(signal?: AbortSignal): void {
  if (signal?.aborted) throw new LayerwiseError('DATA_ENCODE_CANCELLED', 'Tokenisation was cancelled.');
}

function truncationWarnings(truncated: number, cut: number, total: number, maxLength: number, stats?: { tokens: number; lost: number }): DataWarning[] {
  const out: DataWarning[] = [];
  if (truncated > 0) {
    const lost = stats && stats.lost > 0 ? ` ${stats.lost.toLocaleString('en-US')} of ${stats.tokens.toLocaleString('en-US')} tokens (${((100 * stats.lost) / stats.tokens).toFixed(1)}%) are lost; sliding windows (TrainConfig.windows) keep them.` : '';
    out.push({
      code: 'DATA_TRUNCATED',
      level: truncated > 0.05 * total ? 'warning' : 'info',
      message: `${truncated.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} examples are longer than ${maxLength} tokens and were truncated.${lost}`,
    });
  }
  if (cut > 0) {
    out.push({
      code: 'DATA_LONG_CELL_CUT',
      level: 'warning',
      message: `${cut.toLocaleString('en-US')} texts over ${(maxLength * MAX_CHARS_PER_TOKEN).toLocaleString('en-US')} characters were cut before tokenising (only the first ${maxLength} tokens are used anyway).`,
    });
  }
  return out;
}

/** The row's label ids (unknown labels left out and counted); one id, or for multi-label any number. */
function labelIdsOf(ds: ExampleDataset, i: number, label2id: Map<string, number>, unknown: { count: number; first: number }): number[] {
  const ids: number[] = [];
  for (const label of rowLabels(ds, i)) {
    const id = label2id.get(label);
    if (id === undefined) {
      if (unknown.count++ === 0) unknown.first = i;
    } else ids.push(id);
  }
  return ids;
}

/** Rows of an example dataset as sequence-classification or masked-LM examples. */
export async function encodeExamples(ds: ExampleDataset, tokenizer: TextTokenizer, task: 'seq-cls' | 'mlm', opts: EncodeOptions): Promise<EncodedDataset> {
  const { maxLength } = opts;
  const textIdx = ds.textColumns.map((c) => ds.columns.indexOf(c));
  if (textIdx.length === 0 || textIdx.some((j) => j < 0)) {
    throw new LayerwiseError('DATA_NO_TEXT_COLUMN', `${ds.file}: choose the text column before tokenising.`, { file: ds.file, field: 'textColumns' });
  }
  if (task === 'mlm' && opts.mlmMode === 'group') return encodeGrouped(ds, tokenizer, textIdx[0], opts);
  if (task === 'mlm' && opts.mlmMode === 'window') return encodeWindows(ds, tokenizer, textIdx[0], opts);
  const multiLabel = task === 'seq-cls' && opts.multiLabel === true;
  if (multiLabel && ds.multiLabel === null) {
    throw new LayerwiseError('DATA_NOT_MULTI_LABEL', `${ds.file} holds one label per row; multi-label classification needs rows of several labels (a separated label column, JSON arrays or 0/1 columns).`, { file: ds.file, field: 'problemType' });
  }
  const labelIdx = ds.labelColumn === null ? -1 : ds.columns.indexOf(ds.labelColumn);
  if (task === 'seq-cls' && labelIdx < 0 && !multiLabel) {
    throw new LayerwiseError('DATA_NO_LABEL_COLUMN', `${ds.file}: choose the label column for sequence classification.`, { file: ds.file, field: 'labelColumn' });
  }
  const label2id = task === 'seq-cls' ? (opts.label2id ?? buildLabelMap(ds.labels.keys())) : new Map<string, number>();
  const windows = task === 'seq-cls' && textIdx.length === 1 ? (opts.windows ?? null) : null;
  const maxChars = maxLength * MAX_CHARS_PER_TOKEN * (windows === null ? 1 : MAX_WINDOWS);
  const out: EncodedDataset = {
    task, examples: [], source: [], label2id, id2label: [...label2id.keys()], maxLength, truncated: 0, skipped: [], warnings: [],
    multiLabel, windows, tokenStats: { tokens: 0, lost: 0 },
  };
  const unknown = { count: 0, first: 0 };
  let cut = 0;
  for (let start = 0; start < ds.rows.length; start += ENCODE_CHUNK) {
    checkCancel(opts.signal);
    const rows: number[] = [];
    const labels: number[] = [];
    const sets: (Int32Array | undefined)[] = [];
    for (let i = start; i < Math.min(ds.rows.length, start + ENCODE_CHUNK); i++) {
      let label = -1;
      let set: Int32Array | undefined;
      if (multiLabel) set = Int32Array.from(labelIdsOf(ds, i, label2id, unknown)).sort();
      else if (task === 'seq-cls') {
        const id = label2id.get(ds.rows[i][labelIdx]);
        if (id === undefined) {
          out.skipped.push({ index: i, reason: `label ${JSON.stringify(ds.rows[i][labelIdx])} is not one of the training labels` });
          continue;
        }
        label = id;
      }
      rows.push(i);
      labels.push(label);
      sets.push(set);
    }
    const wasCut = new Set<number>();
    const clip = (s: string, k: number): string => {
      if (s.length <= maxChars) return s;
      wasCut.add(k);
      return s.slice(0, maxChars);
    };
    if (windows !== null) {
      rows.forEach((row, k) => {
        const ids = tokenizer.encode(clip(ds.rows[row][textIdx[0]], k)).ids;
        (out.tokenStats as { tokens: number; lost: number }).tokens += ids.length;
        for (const w of textWindows(ids, maxLength, windows.stride)) {
          out.examples.push({ ids: w, typeIds: new Uint8Array(w.length), label: labels[k], labelSet: sets[k] });
          out.source.push(row);
        }
        const inner = Math.max(0, ids.length - 2);
        const covered = windowSpans(inner, maxLength - 2, windows.stride).at(-1)?.end ?? 0;
        if (covered < inner || wasCut.has(k)) {
          out.truncated++;
          (out.tokenStats as { tokens: number; lost: number }).lost += inner - covered;
        }
      });
    } else {
      const inputs =
        task === 'seq-cls' && textIdx.length === 2
          ? rows.map((i, k) => [clip(ds.rows[i][textIdx[0]], k), clip(ds.rows[i][textIdx[1]], k)] as const)
          : rows.map((i, k) => clip(ds.rows[i][textIdx[0]], k));
      const enc = tokenizer.encodeBatch(inputs, { maxLength, padTo: 'longest' });
      out.truncated += enc.truncated;
      rows.forEach((row, k) => {
        const len = enc.attention_mask[k].reduce((a, b) => a + b, 0);
        // A cut cell that still fits in maxLength tokens was not truncated by the tokeniser, but it did lose text.
        if (wasCut.has(k) && len < maxLength) out.truncated++;
        // What truncation loses: the full length of a text that fills maxLength (cheap: only those are encoded again).
        const full = len < maxLength || textIdx.length === 2 ? len : tokenizer.encode(inputs[k] as string).ids.length;
        (out.tokenStats as { tokens: number; lost: number }).tokens += full;
        (out.tokenStats as { tokens: number; lost: number }).lost += full - len;
        out.examples.push({ ids: Int32Array.from(enc.input_ids[k].slice(0, len)), typeIds: Uint8Array.from(enc.token_type_ids[k].slice(0, len)), label: labels[k], labelSet: sets[k] });
        out.source.push(row);
      });
    }
    cut += wasCut.size;
    opts.onProgress?.(Math.min(ds.rows.length, start + ENCODE_CHUNK), ds.rows.length);
    await tick();
  }
  if (windows === null) out.warnings.push(...truncationWarnings(out.truncated, cut, ds.rows.length, maxLength, out.tokenStats));
  else if (out.truncated > 0) {
    out.warnings.push({
      code: 'DATA_WINDOWS_CAPPED',
      level: 'warning',
      message: `${out.truncated.toLocaleString('en-US')} texts are longer than ${MAX_WINDOWS} windows of ${maxLength} tokens; ${(out.tokenStats as { tokens: number; lost: number }).lost.toLocaleString('en-US')} tokens after their last window are left out.`,
    });
  }
  if (windows !== null && out.examples.length > ds.rows.length) {
    out.warnings.push({ code: 'DATA_WINDOWS', level: 'info', message: `${ds.rows.length.toLocaleString('en-US')} texts became ${out.examples.length.toLocaleString('en-US')} windows of at most ${maxLength} tokens (stride ${windows.stride}).` });
  }
  if (out.skipped.length > 0) {
    out.warnings.push({
      code: 'DATA_UNKNOWN_LABELS',
      level: 'warning',
      message: `${out.skipped.length.toLocaleString('en-US')} rows were left out because their label is not among the training labels (first: row ${out.skipped[0].index + 1}).`,
    });
  }
  if (unknown.count > 0) {
    out.warnings.push({
      code: 'DATA_UNKNOWN_LABELS',
      level: 'warning',
      message: `${unknown.count.toLocaleString('en-US')} labels are not among the training labels and were left out of their rows (first: row ${unknown.first + 1}).`,
    });
  }
  return out;
}

/** One text's ids (with its first and last special tokens) as windows, each between those special tokens. */
export function textWindows(ids: readonly number[], maxLength: number, stride: number): Int32Array[] {
  if (ids.length <= maxLength) return [Int32Array.from(ids)];
  if (maxLength < 3) throw new LayerwiseError('DATA_BAD_MAX_LENGTH', `maxLength ${maxLength} leaves no room for text between the special tokens.`, { field: 'maxLength' });
  const [first, last] = [ids[0], ids[ids.length - 1]];
  const inner = ids.slice(1, -1);
  return windowSpans(inner.length, maxLength - 2, stride).map((w) => Int32Array.from([first, ...inner.slice(w.start, w.end), last]));
}

/** run_mlm.py's group_texts: every line tokenised with its special tokens, concatenated, cut into blocks of maxLength (the remainder dropped). */
async function encodeGrouped(ds: ExampleDataset, tokenizer: TextTokenizer, textIdx: number, opts: EncodeOptions): Promise<EncodedDataset> {
  const { maxLength } = opts;
  const out: EncodedDataset = { task: 'mlm', examples: [], source: [], label2id: new Map(), id2label: [], maxLength, truncated: 0, skipped: [], warnings: [], multiLabel: false, windows: null, tokenStats: { tokens: 0, lost: 0 } };
  let buffer: number[] = [];
  let bufferStart = 0;
  for (let i = 0; i < ds.rows.length; i++) {
    if (i % ENCODE_CHUNK === 0) {
      checkCancel(opts.signal);
      opts.onProgress?.(i, ds.rows.length);
      await tick();
    }
    if (buffer.length === 0) bufferStart = i;
    for (const id of tokenizer.encode(ds.rows[i][textIdx]).ids) buffer.push(id);
    let pos = 0;
    while (buffer.length - pos >= maxLength) {
      out.examples.push({ ids: Int32Array.from(buffer.slice(pos, pos + maxLength)), typeIds: new Uint8Array(maxLength), label: -1 });
      out.source.push(bufferStart);
      pos += maxLength;
      bufferStart = i;
    }
    if (pos > 0) buffer = buffer.slice(pos);
  }
  opts.onProgress?.(ds.rows.length, ds.rows.length);
  if (out.examples.length === 0) {
    throw new LayerwiseError('DATA_TOO_SHORT', `${ds.file} holds fewer than ${maxLength} tokens: too little for one block; use line-by-line masked LM.`, { file: ds.file });
  }
  return out;
}

/**
 * One example per line; a line over maxLength tokens becomes consecutive windows of maxLength − 2 inner tokens,
 * each between the line's first and last special tokens ([CLS] … [SEP], <s> … </s>). Empty lines are skipped.
 */
async function encodeWindows(ds: ExampleDataset, tokenizer: TextTokenizer, textIdx: number, opts: EncodeOptions): Promise<EncodedDataset> {
  const { maxLength } = opts;
  if (maxLength < 3) throw new LayerwiseError('DATA_BAD_MAX_LENGTH', `maxLength ${maxLength} leaves no room for text between the special tokens.`, { field: 'maxLength' });
  const out: EncodedDataset = { task: 'mlm', examples: [], source: [], label2id: new Map(), id2label: [], maxLength, truncated: 0, skipped: [], warnings: [], multiLabel: false, windows: null, tokenStats: { tokens: 0, lost: 0 } };
  const push = (ids: number[], row: number) => {
    out.examples.push({ ids: Int32Array.from(ids), typeIds: new Uint8Array(ids.length), label: -1 });
    out.source.push(row);
  };
  for (let i = 0; i < ds.rows.length; i++) {
    if (i % ENCODE_CHUNK === 0) {
      checkCancel(opts.signal);
      opts.onProgress?.(i, ds.rows.length);
      await tick();
    }
    const text = ds.rows[i][textIdx];
    if (text.trim() === '') continue;
    const ids = tokenizer.encode(text).ids;
    if (ids.length <= maxLength) {
      push(ids, i);
      continue;
    }
    const [first, last] = [ids[0], ids[ids.length - 1]];
    const inner = ids.slice(1, -1);
    for (let k = 0; k < inner.length; k += maxLength - 2) push([first, ...inner.slice(k, k + maxLength - 2), last], i);
  }
  opts.onProgress?.(ds.rows.length, ds.rows.length);
  if (out.examples.length === 0) throw new LayerwiseError('DATA_EMPTY', `${ds.file} holds no text.`, { file: ds.file });
  return out;
}

/** Labels per subword: the first subword of each word gets its tag's id, later subwords and special tokens -100. */
export function alignLabels(wordIds: readonly (number | null)[], tagIds: readonly number[]): Int32Array {
  const labels = new Int32Array(wordIds.length).fill(IGNORE_INDEX);
  let previous: number | null = null;
  wordIds.forEach((w, i) => {
    if (w !== null && w !== previous) labels[i] = tagIds[w];
    previous = w;
  });
  return labels;
}

/** Sentences of a token dataset as token-classification examples; with windows, a long sentence (a document) becomes several. */
export async function encodeTokens(ds: TokenDataset, tokenizer: TextTokenizer, opts: EncodeOptions): Promise<EncodedDataset> {
  const { maxLength } = opts;
  const windows = opts.windows ?? null;
  const label2id = opts.label2id ?? buildLabelMap(ds.tags.keys());
  const out: EncodedDataset = {
    task: 'token-cls', examples: [], source: [], label2id, id2label: [...label2id.keys()], maxLength, truncated: 0, skipped: [], warnings: [],
    multiLabel: false, windows, sentenceTags: [], tokenStats: { tokens: 0, lost: 0 },
  };
  const sentenceTags = out.sentenceTags as Int32Array[];
  let lostWords = 0;
  for (let i = 0; i < ds.sentences.length; i++) {
    if (i % ENCODE_CHUNK === 0) {
      checkCancel(opts.signal);
      opts.onProgress?.(i, ds.sentences.length);
      await tick();
    }
    const { tokens, tags } = ds.sentences[i];
    const tagIds = tags.map((t) => label2id.get(t) ?? -1);
    const unknown = tags.find((_, k) => tagIds[k] < 0);
    if (unknown !== undefined) {
      out.skipped.push({ index: i, reason: `tag ${JSON.stringify(unknown)} is not one of the training tags` });
      sentenceTags.push(new Int32Array(0));
      continue;
    }
    sentenceTags.push(Int32Array.from(tagIds));
    // Whole (every subword) with windows; otherwise cut to maxLength as before.
    const enc = tokenizer.encodeWords(tokens, windows === null ? maxLength : Number.MAX_SAFE_INTEGER);
    const labels = alignLabels(enc.wordIds, tagIds);
    const wordOf = alignLabels(enc.wordIds, tokens.map((_, w) => w)).map((w) => (w === IGNORE_INDEX ? -1 : w));
    const labelled = new Set(enc.wordIds.filter((w) => w !== null)).size;
    if (windows === null || enc.ids.length <= maxLength) {
      if (enc.truncated) out.truncated++;
      else lostWords += tokens.length - labelled;
      out.examples.push({ ids: Int32Array.from(enc.ids), typeIds: new Uint8Array(enc.ids.length), label: -1, tokenLabels: labels, wordOf });
      out.source.push(i);
      continue;
    }
    lostWords += tokens.length - labelled;
    // Windows of the inner positions; each position keeps its label only in the window that owns it, so that every
    // word is trained on and evaluated once (stitching is then putting each window's labelled positions in place).
    const inner = enc.ids.length - 2;
    const spans = windowSpans(inner, maxLength - 2, windows.stride);
    const owner = windowOwners(inner, spans);
    if ((spans.at(-1)?.end ?? 0) < inner) out.truncated++;
    spans.forEach((span, w) => {
      const positions = [0, ...Array.from({ length: span.end - span.start }, (_, k) => 1 + span.start + k), enc.ids.length - 1];
      const keep = (p: number) => p > 0 && p <= inner && owner[p - 1] === w;
      out.examples.push({
        ids: Int32Array.from(positions, (p) => enc.ids[p]),
        typeIds: new Uint8Array(positions.length),
        label: -1,
        tokenLabels: Int32Array.from(positions, (p) => (keep(p) ? labels[p] : IGNORE_INDEX)),
        wordOf: Int32Array.from(positions, (p) => (keep(p) ? wordOf[p] : -1)),
      });
      out.source.push(i);
    });
  }
  opts.onProgress?.(ds.sentences.length, ds.sentences.length);
  if (windows === null) out.warnings.push(...truncationWarnings(out.truncated, 0, ds.sentences.length, maxLength));
  else if (out.truncated > 0) {
    out.warnings.push({ code: 'DATA_WINDOWS_CAPPED', level: 'warning', message: `${out.truncated} sentences are longer than ${MAX_WINDOWS} windows of ${maxLength} tokens; their words after the last window are scored as unpredicted.` });
  }
  if (lostWords > 0) {
    out.warnings.push({ code: 'DATA_WORDS_WITHOUT_SUBWORDS', level: 'warning', message: `${lostWords} words produce no subword at all (e.g. control or zero-width characters); their tags are not trained on.` });
  }
  if (out.skipped.length > 0) {
    out.warnings.push({ code: 'DATA_UNKNOWN_LABELS', level: 'warning', message: `${out.skipped.length} sentences were left out because a tag is not among the training tags (first: sentence ${out.skipped[0].index + 1}).` });
  }
  return out;
}

export interface AlignmentRow {
  /** The subword as the tokeniser writes it ("##ing", "Ġthe", "[CLS]"). */
  token: string;
  /** Index of the word it came from; null for special tokens. */
  word: number | null;
  /** The word's tag on its first subword; null where the label is -100. */
  tag: string | null;
}

/** How one sentence is aligned: each subword with its word and the tag it is trained on (for the preview). */
export function alignmentPreview(sentence: { tokens: string[]; tags: string[] }, tokenizer: TextTokenizer, maxLength: number): AlignmentRow[] {
  const enc = tokenizer.encodeWords(sentence.tokens, maxLength);
  const labels = alignLabels(enc.wordIds, sentence.tags.map((_, k) => k));
  return enc.ids.map((id, i) => ({
    token: tokenizer.idToToken(id) ?? `<${id}>`,
    word: enc.wordIds[i],
    tag: labels[i] === IGNORE_INDEX ? null : sentence.tags[labels[i]],
  }));
}
