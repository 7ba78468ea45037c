// A WordPiece vocabulary from word counts, as HF tokenizers' WordPieceTrainer makes it (models/wordpiece/trainer.rs):
// BpeTrainer (models/bpe/trainer.rs, Word::merge in bpe/word.rs) with continuing_subword_prefix "##", keeping the
// vocabulary: special tokens, the alphabet, "##" + each non-initial char, then one token per merge. Pair counts
// are updated incrementally and the next merge comes from a max-heap with lazy re-counting, as there.
import type { TextTokenizer } from '../../formats/tokenizer';
import { WORDPIECE_MAX_INPUT_CHARS, WORDPIECE_SPECIALS, wordPieceTokenizerJson } from '../../formats/tokenizer-files';
import { LayerwiseError } from '../../lib/errors';

export interface WordPieceTrainOptions {
  /** Stop once the vocabulary has this many tokens (specials and alphabet included). */
  vocabSize: number;
  /** Stop at the first pair seen fewer times than this. */
  minFrequency: number;
  /** Keep at most this many distinct chars (the most frequent); null keeps all. */
  limitAlphabet: number | null;
  /** Ids 0, 1, ... in this order. */
  specialTokens: readonly string[];
  /**
   * Words of more chars than this are left out of training: the WordPiece model reads them as [UNK] whole
   * (max_input_chars_per_word), and merging inside one costs time that grows with the square of its length.
   */
  maxWordChars: number;
}

/** BertWordPieceTokenizer.train's choices, with a vocabulary sized for a small model. */
export const WORDPIECE_TRAIN_DEFAULTS: Readonly<WordPieceTrainOptions> = {
  vocabSize: 8192,
  minFrequency: 2,
  limitAlphabet: 1000,
  specialTokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'],
  maxWordChars: WORDPIECE_MAX_INPUT_CHARS,
};

export type TrainStop = 'vocab-size' | 'min-frequency' | 'no-pairs';

export interface WordPieceTrainResult {
  /** Tokens in id order: the vocab.txt lines. */
  vocab: string[];
  /** Distinct chars in the words, and how many of them the alphabet kept. */
  alphabetSeen: number;
  alphabetSize: number;
  /** Merge steps taken (a pair met again after its token exists adds no token). */
  merges: number;
  /** Why training ended. */
  stoppedBy: TrainStop;
  /** Distinct words longer than maxWordChars, and their occurrences: left out of training. */
  longWords: { distinct: number; occurrences: number };
}

export const CONTINUING_SUBWORD_PREFIX = '##';
/** Words per tokenizer call when measuring coverage. */
const COVERAGE_BATCH = 1024;
/** Pair (a, b) is the number a * 2^26 + b: one Map key, and numeric order is the Rust trainer's tuple order. */
const PAIR_BASE = 2 ** 26;

/** A candidate merge: the pair, its count when pushed, and the words it was seen in (a Merge in trainer.rs). */
interface Candidate {
  pair: number;
  count: number;
  pos: Set<number>;
}

/** trainer.rs's Merge order: the higher count first, then the smaller pair. */
function before(x: Candidate, y: Candidate): boolean {
  return x.count > y.count || (x.count === y.count && x.pair < y.pair);
}

/** Binary max-heap of candidates. */
class CandidateHeap {
  private readonly items: Candidate[] = [];

  push(c: Candidate): void {
    const items = this.items;
    let i = items.push(c) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(c, items[parent])) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = c;
  }

  pop(): Candidate | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= items.length) break;
      const child = l + 1 < items.length && before(items[l + 1], items[l]) ? l + 1 : l;
      if (!before(items[child], last)) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = last;
    return top;
  }
}

function checkOptions(o: WordPieceTrainOptions): void {
  const bad = (field: string, rule: string, value: unknown) =>
    new LayerwiseError('VOCAB_INVALID_OPTION', `${field} must be ${rule}, got ${JSON.stringify(value)}`, { field });
  if (!Number.isSafeInteger(o.vocabSize) || o.vocabSize < 1 || o.vocabSize > PAIR_BASE / 2) {
    throw bad('vocabSize', `an integer from 1 to ${PAIR_BASE / 2}`, o.vocabSize);
  }
  if (!Number.isSafeInteger(o.minFrequency) || o.minFrequency < 0) throw bad('minFrequency', 'an integer >= 0', o.minFrequency);
  if (!Number.isSafeInteger(o.maxWordChars) || o.maxWordChars < 1) throw bad('maxWordChars', 'an integer >= 1', o.maxWordChars);
  if (o.limitAlphabet !== null && (!Number.isSafeInteger(o.limitAlphabet) || o.limitAlphabet < 1)) {
    throw bad('limitAlphabet', 'an integer >= 1 or null', o.limitAlphabet);
  }
  const seen = new Set<string>();
  for (const t of o.specialTokens) {
    if (t === '' || seen.has(t)) throw bad('specialTokens', 'distinct non-empty strings', o.specialTokens);
    seen.add(t);
  }
}

/**
 * The alphabet that compute_alphabet keeps: chars weighted by word counts; past limitAlphabet the rarest go.
 * Rust's unstable sort leaves ties among the rarest unspecified; here the higher code point goes first.
 */
function keptAlphabet(wordCounts: ReadonlyMap<string, number>, limit: number | null): { kept: number[]; seen: number } {
  const freq = new Map<number, number>();
  for (const [word, count] of wordCounts) {
    for (const ch of word) {
      const cp = ch.codePointAt(0) as number;
      freq.set(cp, (freq.get(cp) ?? 0) + count);
    }
  }
  let kept = [...freq.keys()];
  if (limit !== null && kept.length > limit) {
    kept.sort((a, b) => (freq.get(b) as number) - (freq.get(a) as number) || a - b);
    kept = kept.slice(0, limit);
  }
  return { kept: kept.sort((a, b) => a - b), seen: freq.size };
}

/**
 * Word::merge: replaces each (a, b) in word by z, left to right, and reports the pair count changes
 * (the merged pair itself is not among them, as in Rust).
 */
function mergeWord(word: number[], a: number, b: number, z: number, change: (pair: number, delta: number) => void): void {
  for (let i = 0; i < word.length; i++) {
    if (word[i] !== a || i + 1 >= word.length || word[i + 1] !== b) continue;
    if (i > 0) {
      change(word[i - 1] * PAIR_BASE + a, -1);
      change(word[i - 1] * PAIR_BASE + z, 1);
    }
    word.splice(i, 2, z);
    if (i < word.length - 1) {
      change(b * PAIR_BASE + word[i + 1], -1);
      change(z * PAIR_BASE + word[i + 1], 1);
    }
  }
}

/**
 * Trains a WordPiece vocabulary on word counts (from WordCounter). Same steps as BpeTrainer::do_train; where the
 * Rust trainer depends on hash-map order it is made deterministic here: "##" tokens take ids in code point order
 * (Rust: in the order it happens to visit words), and the alphabet limit's ties are cut by code point.
 */
export function trainWordPiece(allCounts: ReadonlyMap<string, number>, options: Partial<WordPieceTrainOptions> = {}): WordPieceTrainResult {
  const o: WordPieceTrainOptions = { ...WORDPIECE_TRAIN_DEFAULTS, ...options };
  checkOptions(o);
  if (allCounts.size === 0) throw new LayerwiseError('VOCAB_NO_WORDS', 'the training text has no words');
  const longWords = { distinct: 0, occurrences: 0 };
  const wordCounts = new Map<string, number>();
  for (const [word, count] of allCounts) {
    // UTF-16 length first: only a word that long can have more chars than the limit.
    if (word.length > o.maxWordChars && [...word].length > o.maxWordChars) {
      longWords.distinct++;
      longWords.occurrences += count;
    } else wordCounts.set(word, count);
  }
  if (wordCounts.size === 0) {
    throw new LayerwiseError('VOCAB_NO_WORDS', `every word of the training text is longer than ${o.maxWordChars} chars, which WordPiece reads as [UNK]`);
  }
  const vocab: string[] = [];
  const ids = new Map<string, number>();
  const add = (token: string): number => {
    let id = ids.get(token);
    if (id === undefined) {
      id = vocab.push(token) - 1;
      ids.set(token, id);
    }
    return id;
  };
  // 1-2. Special tokens, then the alphabet in code point order.
  o.specialTokens.forEach(add);
  const { kept, seen } = keptAlphabet(wordCounts, o.limitAlphabet);
  for (const cp of kept) add(String.fromCodePoint(cp));

  // 3. Words as token ids; a char outside the vocabulary is skipped (tokenize_words), a non-initial one is "##c".
  const pieces = [...wordCounts.keys()].map((word) => {
    const out: string[] = [];
    let k = 0;
    for (const ch of word) {
      if (ids.has(ch)) out.push(k === 0 ? ch : CONTINUING_SUBWORD_PREFIX + ch);
      k++;
    }
    return out;
  });
  const continuing = new Set(pieces.flatMap((p) => p.filter((t) => t.startsWith(CONTINUING_SUBWORD_PREFIX))));
  const prefixLength = CONTINUING_SUBWORD_PREFIX.length;
  const byChar = (x: string, y: string) => (x.codePointAt(prefixLength) as number) - (y.codePointAt(prefixLength) as number);
  [...continuing].sort(byChar).forEach(add);
  const words = pieces.map((p) => p.map((t) => ids.get(t) as number));
  const counts = [...wordCounts.values()];

  // 4. Pair counts and the words each pair is in.
  const pairCounts = new Map<number, number>();
  let where = new Map<number, Set<number>>();
  const note = (pair: number, delta: number, w: number) => {
    pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + delta * counts[w]);
    if (delta > 0) {
      let pos = where.get(pair);
      if (pos === undefined) where.set(pair, (pos = new Set()));
      pos.add(w);
    }
  };
  words.forEach((word, w) => {
    for (let i = 0; i + 1 < word.length; i++) note(word[i] * PAIR_BASE + word[i + 1], 1, w);
  });
  const heap = new CandidateHeap();
  const enqueue = () => {
    for (const [pair, pos] of where) {
      const count = pairCounts.get(pair) as number;
      if (count > 0) heap.push({ pair, count, pos });
    }
    where = new Map();
  };
  enqueue();

  // 5. Merges. A popped candidate whose count is stale goes back with the current count (lazy re-counting).
  let merges = 0;
  let stoppedBy: TrainStop;
  for (;;) {
    if (vocab.length >= o.vocabSize) {
      stoppedBy = 'vocab-size';
      break;
    }
    const top = heap.pop();
    if (top === undefined) {
      stoppedBy = 'no-pairs';
      break;
    }
    const current = pairCounts.get(top.pair) as number;
    if (top.count !== current) {
      top.count = current;
      heap.push(top);
      continue;
    }
    if (top.count < 1 || o.minFrequency > top.count) {
      stoppedBy = top.count < 1 ? 'no-pairs' : 'min-frequency';
      break;
    }
    const a = Math.floor(top.pair / PAIR_BASE);
    const b = top.pair % PAIR_BASE;
    const right = vocab[b].startsWith(CONTINUING_SUBWORD_PREFIX) ? vocab[b].slice(CONTINUING_SUBWORD_PREFIX.length) : vocab[b];
    const z = add(vocab[a] + right);
    merges++;
    for (const w of top.pos) mergeWord(words[w], a, b, z, (pair, delta) => note(pair, delta, w));
    enqueue();
  }
  return { vocab, alphabetSeen: seen, alphabetSize: kept.length, merges, stoppedBy, longWords };
}

export interface VocabCoverage {
  /** Word occurrences encoded. */
  words: number;
  /** Fraction of them encoded without the unknown token. */
  coverage: number;
  /** Mean tokens per word occurrence. */
  subwordsPerWord: number;
}

/** How a tokenizer encodes counted words: each word once, weighted by its count. */
export function vocabCoverage(wordCounts: ReadonlyMap<string, number>, tokenizer: TextTokenizer): VocabCoverage {
  const entries = [...wordCounts];
  let words = 0;
  let covered = 0;
  let pieces = 0;
  for (let start = 0; start < entries.length; start += COVERAGE_BATCH) {
    const batch = entries.slice(start, start + COVERAGE_BATCH);
    const perWord = new Array<number>(batch.length).fill(0);
    const unknown = new Array<boolean>(batch.length).fill(false);
    const { ids, wordIds } = tokenizer.encodeWords(
      batch.map(([word]) => word),
      Number.MAX_SAFE_INTEGER,
    );
    wordIds.forEach((w, i) => {
      if (w === null) return;
      perWord[w]++;
      if (ids[i] === tokenizer.special.unk) unknown[w] = true;
    });
    batch.forEach(([, count], w) => {
      words += count;
      pieces += perWord[w] * count;
      if (!unknown[w]) covered += count;
    });
  }
  return { words, coverage: words === 0 ? 0 : covered / words, subwordsPerWord: words === 0 ? 0 : pieces / words };
}

/** The three files of a trained vocabulary, as transformers' BertTokenizerFast saves them. */
export type WordPieceFiles = Record<'vocab.txt' | 'tokenizer.json' | 'tokenizer_config.json', string>;

/**
 * vocab.txt (one token per line, id = line), tokenizer.json (formats/tokenizer-files' BertConverter pipeline, the
 * one tokenizerFromVocab builds) and tokenizer_config.json with the keys transformers 5 writes for BertTokenizer.
 */
export function wordPieceFiles(vocab: readonly string[], opts: { lowercase: boolean; modelMaxLength: number }): WordPieceFiles {
  const json = wordPieceTokenizerJson(vocab, { lowercase: opts.lowercase }, 'vocab.txt');
  const config = {
    backend: 'tokenizers',
    cls_token: WORDPIECE_SPECIALS.cls,
    do_lower_case: opts.lowercase,
    mask_token: WORDPIECE_SPECIALS.mask,
    model_max_length: opts.modelMaxLength,
    pad_token: WORDPIECE_SPECIALS.pad,
    sep_token: WORDPIECE_SPECIALS.sep,
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: WORDPIECE_SPECIALS.unk,
  };
  return {
    'vocab.txt': vocab.join('\n') + '\n',
    'tokenizer.json': JSON.stringify(json, null, 2) + '\n',
    'tokenizer_config.json': JSON.stringify(config, null, 2) + '\n',
  };
}
