// Tokenizer files other than tokenizer.json, turned into the tokenizer.json that transformers' converters
// (convert_slow_tokenizer.py: BertConverter, RobertaConverter) would write: vocab.txt -> WordPiece,
// vocab.json + merges.txt -> byte-level BPE. Vocabulary checks of RELIABILITY C4 (BOM, CRLF, duplicates, specials).
import { LayerwiseError } from '../lib/errors';
import { findDuplicateKey } from './json-duplicate-keys';
import { parseJsonText } from './json-text';

export interface TokenizerMessage {
  level: 'info' | 'warning';
  code: string;
  message: string;
}

/** Special-token roles, named as in tokenizer_config.json without the `_token` suffix. */
export type SpecialRole = 'pad' | 'unk' | 'cls' | 'sep' | 'mask' | 'bos' | 'eos';
export type SpecialNames = Partial<Record<SpecialRole, string | null>>;

/** BertTokenizer's defaults. */
/** transformers' and tokenizers' WordPiece max_input_chars_per_word: a longer word is [UNK] whole. */
export const WORDPIECE_MAX_INPUT_CHARS = 100;

export const WORDPIECE_SPECIALS = { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' } as const;
/** RobertaTokenizer's defaults (also XLM-R's). */
export const BPE_SPECIALS = { pad: '<pad>', unk: '<unk>', cls: '<s>', sep: '</s>', mask: '<mask>', bos: '<s>', eos: '</s>' } as const;

/** A BOM is removed and CRLF line ends become LF; both are reported (RELIABILITY R4: no silent repair). */
export function normaliseText(text: string, file: string, messages: TokenizerMessage[]): string {
  let out = text;
  if (out.charCodeAt(0) === 0xfeff) {
    out = out.slice(1);
    messages.push({ level: 'warning', code: 'TOKENIZER_BOM_STRIPPED', message: `${file}: removed a UTF-8 byte-order mark` });
  }
  if (out.includes('\r\n')) {
    const count = out.split('\r\n').length - 1;
    out = out.replaceAll('\r\n', '\n');
    messages.push({
      level: 'warning',
      code: 'TOKENIZER_CRLF_NORMALISED',
      message: `${file}: converted ${count} Windows (CRLF) line ends to LF`,
    });
  }
  return out;
}

/** vocab.txt as transformers' load_vocab reads it: one token per line, id = line number; duplicates refused. */
export function parseVocabTxt(text: string, file: string): string[] {
  const tokens = text.split('\n');
  if (tokens[tokens.length - 1] === '') tokens.pop(); // the file's final newline ends the last line
  const seen = new Map<string, number>();
  tokens.forEach((token, i) => {
    const first = seen.get(token);
    if (first !== undefined) {
      throw new LayerwiseError(
        'TOKENIZER_DUPLICATE_TOKEN',
        `${file}: token ${JSON.stringify(token)} appears on line ${first + 1} and again on line ${i + 1}`,
        { file, line: i + 1 },
      );
    }
    seen.set(token, i);
  });
  return tokens;
}

/** vocab.json (token -> id): an object of distinct non-negative integer ids, without duplicate keys. */
export function parseVocabJson(text: string, file: string): Map<string, number> {
  const { value } = parseJsonText(text, file, 'TOKENIZER_INVALID_JSON');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LayerwiseError('TOKENIZER_INVALID_VOCAB', `${file} must hold a JSON object of token -> id`, { file });
  }
  const dup = findDuplicateKey(text);
  if (dup !== null && dup.path.length === 0) {
    throw new LayerwiseError('TOKENIZER_DUPLICATE_TOKEN', `${file}: token ${JSON.stringify(dup.key)} appears twice`, { file });
  }
  return vocabMap(Object.entries(value), file);
}

/** Token -> id pairs with distinct non-negative integer ids. */
export function vocabMap(entries: [string, unknown][], file: string): Map<string, number> {
  const vocab = new Map<string, number>();
  const byId = new Map<number, string>();
  for (const [token, id] of entries) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw new LayerwiseError('TOKENIZER_INVALID_VOCAB', `${file}: token ${JSON.stringify(token)} has id ${JSON.stringify(id)}`, { file });
    }
    const other = byId.get(id);
    if (other !== undefined) {
      throw new LayerwiseError(
        'TOKENIZER_DUPLICATE_TOKEN_ID',
        `${file}: tokens ${JSON.stringify(other)} and ${JSON.stringify(token)} both have id ${id}`,
        { file },
      );
    }
    byId.set(id, token);
    vocab.set(token, id);
  }
  return vocab;
}

/** merges.txt: an optional `#version` line, then one `left right` pair per line. */
export function parseMerges(text: string, file: string): [string, string][] {
  const merges: [string, string][] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '' || (i === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new LayerwiseError('TOKENIZER_INVALID_MERGES', `${file}: line ${i + 1} is not a pair "left right": ${JSON.stringify(line)}`, {
        file,
        line: i + 1,
      });
    }
    merges.push([parts[0], parts[1]]);
  });
  return merges;
}

/** The id of each named special token; a missing one is an error naming it. */
export function specialIds(names: SpecialNames, lookup: (token: string) => number | undefined, file: string): Map<string, number> {
  const ids = new Map<string, number>();
  for (const name of Object.values(names)) {
    if (name === null || name === undefined) continue;
    const id = lookup(name);
    if (id === undefined) {
      throw new LayerwiseError('TOKENIZER_MISSING_SPECIAL_TOKEN', `${file}: the special token ${name} is not in the vocabulary`, { file });
    }
    ids.set(name, id);
  }
  return ids;
}

function addedTokens(ids: Map<string, number>): object[] {
  return [...ids]
    .sort((a, b) => a[1] - b[1])
    .map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
}

export interface WordPieceOptions {
  lowercase: boolean;
  /** null: strip accents when lowercasing (BERT's default). */
  stripAccents?: boolean | null;
  handleChineseChars?: boolean;
  specials?: SpecialNames;
}

/** The tokenizer.json of BertConverter for a vocab.txt token list. */
export function wordPieceTokenizerJson(tokens: readonly string[], opts: WordPieceOptions, file: string): Record<string, unknown> {
  const specials = { ...WORDPIECE_SPECIALS, ...opts.specials };
  const vocab = new Map(tokens.map((t, i) => [t, i]));
  const ids = specialIds(specials, (t) => vocab.get(t), file);
  const cls = specials.cls ?? WORDPIECE_SPECIALS.cls;
  const sep = specials.sep ?? WORDPIECE_SPECIALS.sep;
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(ids),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: opts.handleChineseChars ?? true,
      strip_accents: opts.stripAccents ?? null,
      lowercase: opts.lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(cls, 0), sequence('A', 0), special(sep, 0)],
      pair: [special(cls, 0), sequence('A', 0), special(sep, 0), sequence('B', 1), special(sep, 1)],
      special_tokens: {
        [cls]: { id: cls, ids: [ids.get(cls)], tokens: [cls] },
        [sep]: { id: sep, ids: [ids.get(sep)], tokens: [sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: specials.unk ?? WORDPIECE_SPECIALS.unk,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: WORDPIECE_MAX_INPUT_CHARS,
      // fromEntries defines own properties: a token named "__proto__" stays a token.
      vocab: Object.fromEntries(vocab),
    },
  };
}

/** The tokenizer.json of RobertaConverter for vocab.json + merges.txt. */
export function bpeTokenizerJson(
  vocab: Map<string, number>,
  merges: [string, string][],
  opts: { addPrefixSpace: boolean; specials?: SpecialNames },
  file: string,
): Record<string, unknown> {
  const specials = { ...BPE_SPECIALS, ...opts.specials };
  const ids = specialIds(specials, (t) => vocab.get(t), file);
  const cls = specials.cls ?? BPE_SPECIALS.cls;
  const sep = specials.sep ?? BPE_SPECIALS.sep;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(ids),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: opts.addPrefixSpace, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [sep, ids.get(sep)],
      cls: [cls, ids.get(cls)],
      trim_offsets: true,
      add_prefix_space: opts.addPrefixSpace,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
}
