// The checkpoint's tokenizer: @huggingface/tokenizers on tokenizer.json (or on the tokenizer.json built from
// vocab.txt or vocab.json + merges.txt), with transformers' batch semantics on top: specials and token_type_ids
// as the fast tokenizers' post-processors make them, LongestFirst truncation (tokenizers' truncation.rs) and
// right padding with the pad id.
import { Tokenizer } from '@huggingface/tokenizers';
import { LayerwiseError } from '../lib/errors';
import { findDuplicateKey } from './json-duplicate-keys';
import { parseJsonText } from './json-text';
import { readAll, type SourceFile, type SourceFolder } from './source-file';
import {
  BPE_SPECIALS,
  WORDPIECE_SPECIALS,
  bpeTokenizerJson,
  normaliseText,
  parseMerges,
  parseVocabJson,
  parseVocabTxt,
  specialIds,
  vocabMap,
  wordPieceTokenizerJson,
  type SpecialNames,
  type SpecialRole,
  type TokenizerMessage,
  type WordPieceOptions,
} from './tokenizer-files';

export type { TokenizerMessage } from './tokenizer-files';

export interface SpecialTokens {
  pad: number;
  unk: number;
  mask: number | null;
  cls: number | null;
  sep: number | null;
  bos: number | null;
  eos: number | null;
}

export interface BatchEncoding {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  /** Count of examples cut to maxLength. */
  truncated: number;
}

/** For token classification: the word index of each token, null for special tokens. */
export interface WordEncoding {
  ids: number[];
  wordIds: (number | null)[];
  truncated: boolean;
}

export type TokenizerKind = 'wordpiece' | 'bpe' | 'unigram';

export interface TextTokenizer {
  readonly vocabSize: number;
  readonly kind: TokenizerKind;
  readonly special: SpecialTokens;
  encode(text: string, pair?: string): { ids: number[]; typeIds: number[]; tokens: string[] };
  encodeBatch(
    texts: readonly string[] | readonly (readonly [string, string])[],
    opts: { maxLength: number; padTo?: 'longest' | number },
  ): BatchEncoding;
  /** Pre-split words (CoNLL), special tokens added. */
  encodeWords(words: readonly string[], maxLength: number): WordEncoding;
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
  decode(ids: number[]): string;
}

/** tokenizer.json model.type -> kind; other models are refused by name. */
const MODEL_KINDS: Readonly<Record<string, TokenizerKind>> = { WordPiece: 'wordpiece', BPE: 'bpe', Unigram: 'unigram' };

/** Files that make up a tokenizer, copied as they are when a checkpoint is exported. */
const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.txt',
  'vocab.json',
  'merges.txt',
];

/**
 * LongestFirst truncation of a pair to `budget` tokens (max_length minus the special tokens), exactly as
 * tokenizers' truncate_encodings: returns the kept lengths [n1, n2].
 */
export function truncatePair(len1: number, len2: number, budget: number): [number, number] {
  if (len1 + len2 <= budget) return [len1, len2];
  const swap = len1 > len2;
  let n1 = swap ? len2 : len1;
  let n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
  if (n1 + n2 > budget) {
    n1 = Math.floor(budget / 2);
    n2 = n1 + (budget % 2);
  }
  const [a, b] = swap ? [n2, n1] : [n1, n2];
  return [Math.min(a, len1), Math.min(b, len2)];
}

/** One template slot: a special token, or sequence A/B, with its token type id. */
type Slot = { token: string; typeId: number } | { sequence: 0 | 1; typeId: number };

const MARKERS = ['\u0000A', '\u0000B'] as const;

/** Where the post-processor puts specials and sequences, found by post-processing one marker per sequence. */
function templateOf(lib: Tokenizer, pair: boolean, robertaTypes: boolean): Slot[] {
  if (lib.post_processor === null) {
    // No post-processor: tokenizers gives the second sequence type id 1.
    return pair ? [{ sequence: 0, typeId: 0 }, { sequence: 1, typeId: 1 }] : [{ sequence: 0, typeId: 0 }];
  }
  const out = lib.post_processor([MARKERS[0]], pair ? [MARKERS[1]] : null, true);
  return out.tokens.map((token, i) => {
    // tokenizers' RobertaProcessing sets every type id to 0 ("Roberta is weird"); the JS port gives B ones.
    const typeId = robertaTypes ? 0 : (out.token_type_ids?.[i] ?? 0);
    const seq = MARKERS.indexOf(token as (typeof MARKERS)[number]);
    return seq === -1 ? { token, typeId } : { sequence: seq as 0 | 1, typeId };
  });
}

/**
 * The CJK ideographs outside the BMP in tokenizers' is_chinese_char (normalizers/bert.rs: Extensions B to E, with
 * its 0x2B920 where Python's BERT has 0x2B820, and the compatibility supplement). @huggingface/tokenizers 0.2.0
 * tests UTF-16 code units there, so it never spaces these out and "x𠀀y" stays one word, [UNK] whole; the wrapper
 * spaces them out before the library sees the text, as the Rust normalizer does (issue #15 item 8).
 */
const SUPPLEMENTARY_CJK = /[\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{2F800}-\u{2FA1F}]/gu;

/** Whether the normalizer (or one in its Sequence) is a BertNormalizer that spaces out CJK ideographs. */
function spacesOutCjk(config: unknown): boolean {
  if (typeof config !== 'object' || config === null) return false;
  const c = config as { type?: unknown; handle_chinese_chars?: unknown; normalizers?: unknown };
  if (c.type === 'BertNormalizer') return c.handle_chinese_chars !== false;
  return c.type === 'Sequence' && Array.isArray(c.normalizers) && c.normalizers.some(spacesOutCjk);
}

function usesRobertaProcessing(config: unknown): boolean {
  if (typeof config !== 'object' || config === null) return false;
  const c = config as { type?: unknown; processors?: unknown };
  return c.type === 'RobertaProcessing' || (Array.isArray(c.processors) && c.processors.some(usesRobertaProcessing));
}

class HfTextTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly kind: TokenizerKind;
  readonly special: SpecialTokens;
  private readonly lib: Tokenizer;
  private readonly single: Slot[];
  private readonly pair: Slot[];
  private readonly spaceCjk: boolean;

  constructor(lib: Tokenizer, kind: TokenizerKind, special: SpecialTokens, robertaTypes: boolean, spaceCjk: boolean) {
    this.lib = lib;
    this.spaceCjk = spaceCjk;
    this.kind = kind;
    this.special = special;
    this.vocabSize = lib.model === null ? 0 : lib.model.vocab.length;
    this.single = templateOf(lib, false, robertaTypes);
    this.pair = templateOf(lib, true, robertaTypes);
    for (const slot of [...this.single, ...this.pair]) {
      if ('token' in slot && lib.token_to_id(slot.token) === undefined) {
        throw new LayerwiseError('TOKENIZER_MISSING_SPECIAL_TOKEN', `the post-processor's special token ${slot.token} is not in the vocabulary`);
      }
    }
  }

  /** Tokens of one text, without special tokens. */
  private pieces(text: string): string[] {
    return this.lib.tokenize(this.spaceCjk ? text.replace(SUPPLEMENTARY_CJK, ' $& ') : text);
  }

  private id(token: string): number {
    return this.lib.token_to_id(token) ?? this.special.unk;
  }

  private specialCount(pair: boolean): number {
    return (pair ? this.pair : this.single).filter((s) => 'token' in s).length;
  }

  /** Token lists through the template: ids, type ids, and for each token the index within its sequence. */
  private assemble(a: string[], b: string[] | null): { tokens: string[]; typeIds: number[]; positions: (number | null)[] } {
    const tokens: string[] = [];
    const typeIds: number[] = [];
    const positions: (number | null)[] = [];
    for (const slot of b === null ? this.single : this.pair) {
      if ('token' in slot) {
        tokens.push(slot.token);
        typeIds.push(slot.typeId);
        positions.push(null);
      } else {
        const seq = slot.sequence === 0 ? a : (b as string[]);
        seq.forEach((t, i) => {
          tokens.push(t);
          typeIds.push(slot.typeId);
          positions.push(i);
        });
      }
    }
    return { tokens, typeIds, positions };
  }

  encode(text: string, pair?: string): { ids: number[]; typeIds: number[]; tokens: string[] } {
    const { tokens, typeIds } = this.assemble(this.pieces(text), pair === undefined ? null : this.pieces(pair));
    return { ids: tokens.map((t) => this.id(t)), typeIds, tokens };
  }

  private budget(maxLength: number, pair: boolean): number {
    const budget = maxLength - this.specialCount(pair);
    if (!Number.isSafeInteger(maxLength) || budget < 0) {
      throw new LayerwiseError(
        'TOKENIZER_MAX_LENGTH_TOO_SMALL',
        `maxLength ${maxLength} leaves no room: ${pair ? 'a pair' : 'a text'} takes ${this.specialCount(pair)} special tokens`,
      );
    }
    return budget;
  }

  encodeBatch(
    texts: readonly string[] | readonly (readonly [string, string])[],
    opts: { maxLength: number; padTo?: 'longest' | number },
  ): BatchEncoding {
    const rows: { ids: number[]; typeIds: number[] }[] = [];
    let truncated = 0;
    for (const example of texts) {
      const isPair = typeof example !== 'string';
      let a = this.pieces(isPair ? example[0] : example);
      let b = isPair ? this.pieces(example[1]) : null;
      const budget = this.budget(opts.maxLength, isPair);
      const [n1, n2] = b === null ? [Math.min(a.length, budget), 0] : truncatePair(a.length, b.length, budget);
      if (n1 < a.length || (b !== null && n2 < b.length)) truncated++;
      a = a.slice(0, n1);
      if (b !== null) b = b.slice(0, n2);
      const { tokens, typeIds } = this.assemble(a, b);
      rows.push({ ids: tokens.map((t) => this.id(t)), typeIds });
    }
    const longest = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
    const width = opts.padTo === undefined || opts.padTo === 'longest' ? longest : opts.padTo;
    if (width < longest) {
      throw new LayerwiseError('TOKENIZER_PAD_TOO_SHORT', `padTo ${width} is shorter than the longest example (${longest} tokens)`);
    }
    const pad = (row: number[], value: number) => row.concat(new Array<number>(width - row.length).fill(value));
    return {
      input_ids: rows.map((r) => pad(r.ids, this.special.pad)),
      attention_mask: rows.map((r) => pad(new Array<number>(r.ids.length).fill(1), 0)),
      token_type_ids: rows.map((r) => pad(r.typeIds, 0)),
      truncated,
    };
  }

  encodeWords(words: readonly string[], maxLength: number): WordEncoding {
    const tokens: string[] = [];
    const wordOf: number[] = [];
    words.forEach((word, w) => {
      // Byte-level BPE marks a word start with a leading space (transformers requires add_prefix_space=True for
      // pre-split words with RoBERTa), so every word is encoded as " word".
      for (const t of this.pieces(this.kind === 'bpe' ? ` ${word}` : word)) {
        tokens.push(t);
        wordOf.push(w);
      }
    });
    const keep = Math.min(tokens.length, this.budget(maxLength, false));
    const out = this.assemble(tokens.slice(0, keep), null);
    return {
      ids: out.tokens.map((t) => this.id(t)),
      wordIds: out.positions.map((p) => (p === null ? null : wordOf[p])),
      truncated: keep < tokens.length,
    };
  }

  idToToken(id: number): string | undefined {
    return this.lib.id_to_token(id);
  }

  tokenToId(token: string): number | undefined {
    return this.lib.token_to_id(token);
  }

  decode(ids: number[]): string {
    return ids.length === 0 ? '' : this.lib.decode(ids);
  }
}

/** A special token name from tokenizer_config.json: a string, an AddedToken object {content}, or null. */
function configToken(config: Record<string, unknown>, role: SpecialRole): string | null | undefined {
  const v = config[`${role}_token`];
  if (v === null || typeof v === 'string') return v;
  if (typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

function configSpecials(config: Record<string, unknown>): SpecialNames {
  const names: SpecialNames = {};
  for (const role of ['pad', 'unk', 'cls', 'sep', 'mask', 'bos', 'eos'] as const) {
    const name = configToken(config, role);
    if (name !== undefined) names[role] = name;
  }
  return names;
}

/** Wraps a tokenizer.json; the special tokens come from the config names over the kind's defaults. */
function wrap(json: Record<string, unknown>, config: Record<string, unknown>, file: string): TextTokenizer {
  const model = json.model as { type?: unknown } | undefined;
  const type = typeof model?.type === 'string' ? model.type : undefined;
  const kind = type === undefined ? undefined : Object.hasOwn(MODEL_KINDS, type) ? MODEL_KINDS[type] : undefined;
  if (kind === undefined) {
    throw new LayerwiseError(
      'TOKENIZER_UNSUPPORTED_MODEL',
      `${file}: tokenizer model type ${type === undefined ? '(none)' : JSON.stringify(type)} is not supported (supported: WordPiece, BPE, Unigram)`,
      { file, field: 'model.type' },
    );
  }
  let lib: Tokenizer;
  try {
    lib = new Tokenizer(json, config);
  } catch (err) {
    throw new LayerwiseError('TOKENIZER_UNSUPPORTED_COMPONENT', `${file}: ${(err as Error).message}`, { file });
  }
  const defaults: SpecialNames = kind === 'wordpiece' ? { ...WORDPIECE_SPECIALS, bos: null, eos: null } : BPE_SPECIALS;
  const names: SpecialNames = { ...defaults, ...configSpecials(config) };
  const ids = specialIds(names, (t) => lib.token_to_id(t), file);
  const idOf = (role: SpecialRole): number | null => {
    const name = names[role];
    return name === null || name === undefined ? null : (ids.get(name) as number);
  };
  const pad = idOf('pad');
  const unk = idOf('unk');
  if (pad === null || unk === null) {
    throw new LayerwiseError('TOKENIZER_MISSING_SPECIAL_TOKEN', `${file}: the tokenizer has no ${pad === null ? 'pad' : 'unk'} token`, { file });
  }
  const special: SpecialTokens = { pad, unk, mask: idOf('mask'), cls: idOf('cls'), sep: idOf('sep'), bos: idOf('bos'), eos: idOf('eos') };
  try {
    return new HfTextTokenizer(lib, kind, special, usesRobertaProcessing(json.post_processor), spacesOutCjk(json.normalizer));
  } catch (err) {
    if (err instanceof LayerwiseError) throw new LayerwiseError(err.code, `${file}: ${err.message}`, { file });
    throw err;
  }
}

/** The WordPiece tokenizer of a vocab.txt (+ tokenizer_config.json settings), as BertTokenizerFast builds it. */
export function tokenizerFromVocab(
  vocabText: string,
  opts: { lowercase: boolean; file?: string } & Omit<WordPieceOptions, 'lowercase'>,
): { tokenizer: TextTokenizer; messages: TokenizerMessage[] } {
  const file = opts.file ?? 'vocab.txt';
  const messages: TokenizerMessage[] = [];
  const tokens = parseVocabTxt(normaliseText(vocabText, file, messages), file);
  const json = wordPieceTokenizerJson(tokens, opts, file);
  const config: Record<string, unknown> = { do_lower_case: opts.lowercase };
  for (const [role, name] of Object.entries({ ...WORDPIECE_SPECIALS, ...opts.specials })) config[`${role}_token`] = name;
  return { tokenizer: wrap(json, config, file), messages };
}

async function readText(file: SourceFile): Promise<string> {
  try {
    // ignoreBOM keeps a byte-order mark in the text so that it is reported, not silently dropped.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(await readAll(file));
  } catch {
    throw new LayerwiseError('TOKENIZER_NOT_UTF8', `${file.name} is not UTF-8 text`, { file: file.name });
  }
}

async function readJsonObject(file: SourceFile, messages: TokenizerMessage[], code: string): Promise<{ value: Record<string, unknown>; text: string }> {
  const text = normaliseText(await readText(file), file.name, messages);
  const { value } = parseJsonText(text, file.name, code);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LayerwiseError(code, `${file.name} must hold a JSON object`, { file: file.name });
  }
  return { value: value as Record<string, unknown>, text };
}

/** tokenizer.json: duplicate vocabulary entries are refused (JSON.parse would keep the last). */
function checkTokenizerJson(json: Record<string, unknown>, text: string, file: string): void {
  const dup = findDuplicateKey(text);
  if (dup !== null && dup.path.join('.') === 'model.vocab') {
    throw new LayerwiseError('TOKENIZER_DUPLICATE_TOKEN', `${file}: token ${JSON.stringify(dup.key)} appears twice in model.vocab`, { file });
  }
  const vocab = (json.model as { vocab?: unknown } | undefined)?.vocab;
  if (Array.isArray(vocab)) {
    // Unigram: [token, score] pairs, id = position.
    const seen = new Set<string>();
    for (const entry of vocab) {
      const token = Array.isArray(entry) ? String(entry[0]) : String(entry);
      if (seen.has(token)) {
        throw new LayerwiseError('TOKENIZER_DUPLICATE_TOKEN', `${file}: token ${JSON.stringify(token)} appears twice in model.vocab`, { file });
      }
      seen.add(token);
    }
  } else if (typeof vocab === 'object' && vocab !== null) {
    vocabMap(Object.entries(vocab), file);
  }
}

/**
 * The folder's tokenizer: tokenizer.json (+ tokenizer_config.json), else vocab.txt (WordPiece), else vocab.json +
 * merges.txt (byte-level BPE); none is TOKENIZER_MISSING. `files` lists the tokenizer files present, for export.
 */
export async function loadTokenizer(folder: SourceFolder): Promise<{ tokenizer: TextTokenizer; files: string[]; messages: TokenizerMessage[] }> {
  const messages: TokenizerMessage[] = [];
  const files = TOKENIZER_FILES.filter((f) => folder.has(f));
  const configFile = folder.get('tokenizer_config.json');
  const config = configFile ? (await readJsonObject(configFile, messages, 'TOKENIZER_CONFIG_INVALID')).value : {};
  const tokenizerJson = folder.get('tokenizer.json');
  if (tokenizerJson) {
    const { value, text } = await readJsonObject(tokenizerJson, messages, 'TOKENIZER_INVALID_JSON');
    checkTokenizerJson(value, text, tokenizerJson.name);
    return { tokenizer: wrap(value, config, tokenizerJson.name), files, messages };
  }
  const vocabTxt = folder.get('vocab.txt');
  if (vocabTxt) {
    const lowercase = typeof config.do_lower_case === 'boolean' ? config.do_lower_case : true;
    const built = tokenizerFromVocab(await readText(vocabTxt), {
      lowercase,
      file: vocabTxt.name,
      stripAccents: typeof config.strip_accents === 'boolean' ? config.strip_accents : null,
      handleChineseChars: typeof config.tokenize_chinese_chars === 'boolean' ? config.tokenize_chinese_chars : true,
      specials: configSpecials(config),
    });
    messages.push(...built.messages, {
      level: 'info',
      code: 'TOKENIZER_BUILT_FROM_VOCAB',
      message: `no tokenizer.json: built the WordPiece tokenizer from vocab.txt (lowercase: ${lowercase})`,
    });
    return { tokenizer: built.tokenizer, files, messages };
  }
  const vocabJson = folder.get('vocab.json');
  const mergesTxt = folder.get('merges.txt');
  if (vocabJson && mergesTxt) {
    const vocab = parseVocabJson(normaliseText(await readText(vocabJson), vocabJson.name, messages), vocabJson.name);
    const merges = parseMerges(normaliseText(await readText(mergesTxt), mergesTxt.name, messages), mergesTxt.name);
    const addPrefixSpace = config.add_prefix_space === true;
    const json = bpeTokenizerJson(vocab, merges, { addPrefixSpace, specials: configSpecials(config) }, vocabJson.name);
    messages.push({
      level: 'info',
      code: 'TOKENIZER_BUILT_FROM_VOCAB',
      message: `no tokenizer.json: built the byte-level BPE tokenizer from vocab.json and merges.txt (add_prefix_space: ${addPrefixSpace})`,
    });
    return { tokenizer: wrap(json, config, vocabJson.name), files, messages };
  }
  const sentencepiece = [...folder.keys()].find((n) => n.endsWith('.model'));
  throw new LayerwiseError(
    'TOKENIZER_MISSING',
    'the folder has no tokenizer: expected tokenizer.json, vocab.txt, or vocab.json with merges.txt' +
      (sentencepiece !== undefined ? ` (${sentencepiece} is a SentencePiece model, which needs its tokenizer.json)` : ''),
    { file: 'tokenizer.json' },
  );
}
