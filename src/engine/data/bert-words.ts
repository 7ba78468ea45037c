// Text -> word counts as HF tokenizers' BertNormalizer (normalizers/bert.rs) and BertPreTokenizer
// (pre_tokenizers/bert.rs) make them for WordPieceTrainer: clean text, space out CJK ideographs, strip accents
// (NFD, drop Mn) when lowercasing, lowercase char by char; split on whitespace and isolate each punctuation char.
export interface BertNormalizeOptions {
  lowercase: boolean;
  /** null: strip accents when lowercasing (BERT's default). */
  stripAccents?: boolean | null;
  handleChineseChars?: boolean;
}

// clean_text: NUL, U+FFFD and control, format, private-use and surrogate chars are removed, except \t \n \r,
// which are whitespace (tokenizers keeps unassigned chars such as U+0378, so Cn stays). Then all White_Space
// (Rust's char::is_whitespace, not JS's \s, which has U+FEFF) becomes ' '.
const REMOVED = /[\0\uFFFD]|(?![\t\n\r])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;
const WHITESPACE = /\p{White_Space}/gu;
// is_chinese_char: the CJK ideograph blocks (not Hangul, Hiragana or Katakana).
const CJK =
  /[\u4E00-\u9FFF\u3400-\u4DBF\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\uF900-\uFAFF\u{2F800}-\u{2FA1F}]/gu;
const NONSPACING_MARK = /\p{Mn}/gu;
// is_bert_punc: ASCII punctuation (which includes $ + < = > ^ ` | ~) or a Unicode P* char; each is its own word.
const WORD = /[^\p{White_Space}\p{P}!-\/:-@[-`{-~]+|[!-\/:-@[-`{-~]|\p{P}/gu;

/** The normalised text, as BertNormalizer{clean_text: true} gives it. */
export function bertNormalize(text: string, opts: BertNormalizeOptions): string {
  let out = text.replace(REMOVED, '').replace(WHITESPACE, ' ');
  if (opts.handleChineseChars ?? true) out = out.replace(CJK, ' $& ');
  if (opts.stripAccents ?? opts.lowercase) out = out.normalize('NFD').replace(NONSPACING_MARK, '');
  // tokenizers lowercases one char at a time (char::to_lowercase), so a final capital sigma becomes σ, never the
  // ς that String.prototype.toLowerCase gives by context.
  if (opts.lowercase) out = out.replaceAll('Σ', 'σ').toLowerCase();
  return out;
}

/** BertPreTokenizer's words of normalised text. */
export function bertPreTokenize(normalized: string): string[] {
  return normalized.match(WORD) ?? [];
}

/**
 * Word counts of text fed in chunks of any size. A chunk is cut after its last space or newline and the rest is
 * kept for the next one, so no word is split; normalising is per character, and canonical reordering never
 * crosses a space, so the counts equal those of the whole text at once.
 */
export class WordCounter {
  private readonly counts = new Map<string, number>();
  private readonly opts: BertNormalizeOptions;
  private tail = '';
  private words = 0;

  constructor(opts: BertNormalizeOptions) {
    this.opts = opts;
  }

  add(chunk: string): void {
    const text = this.tail + chunk;
    const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf(' ')) + 1;
    this.tail = text.slice(cut);
    this.count(text.slice(0, cut));
  }

  /** The counts after the last chunk (word -> occurrences, in order of first occurrence). */
  finish(): Map<string, number> {
    this.count(this.tail);
    this.tail = '';
    return this.counts;
  }

  /** Word occurrences counted so far. */
  get total(): number {
    return this.words;
  }

  private count(text: string): void {
    if (text === '') return;
    for (const word of bertPreTokenize(bertNormalize(text, this.opts))) {
      this.counts.set(word, (this.counts.get(word) ?? 0) + 1);
      this.words++;
    }
  }
}

/** Word counts of whole texts; the end of each text ends a word. */
export function countWords(texts: Iterable<string>, opts: BertNormalizeOptions): Map<string, number> {
  const counter = new WordCounter(opts);
  for (const text of texts) {
    counter.add(text);
    counter.add('\n');
  }
  return counter.finish();
}

/** Word counts of texts read in chunks (formats/text-decode's readTextChunks), one after the other. */
export async function countWordsInTexts(
  texts: Iterable<AsyncIterable<string>>,
  opts: BertNormalizeOptions,
): Promise<{ counts: Map<string, number>; total: number }> {
  const counter = new WordCounter(opts);
  for (const chunks of texts) {
    for await (const chunk of chunks) counter.add(chunk);
    counter.add('\n');
  }
  return { counts: counter.finish(), total: counter.total };
}
