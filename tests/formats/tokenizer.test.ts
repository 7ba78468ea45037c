// Tokenizer wrapper: the fixtures' reference.json inputs (transformers 5.17), an independent port of
// transformers' BertTokenizer / RobertaTokenizer and tokenizers' truncation (make_tokenizer_reference.py ->
// tokenizer-reference.json) for the vocab.txt and vocab.json + merges.txt builders, and RELIABILITY C4 inputs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeFolder } from '../../src/cli/node-files';
import { bytesFile, type SourceFolder } from '../../src/formats/source-file';
import { bpeTokenizerJson, parseMerges, parseVocabJson, parseVocabTxt, wordPieceTokenizerJson } from '../../src/formats/tokenizer-files';
import { loadTokenizer, tokenizerFromVocab, truncatePair, type TextTokenizer } from '../../src/formats/tokenizer';

const golden = (p: string) => fileURLToPath(new URL(`../golden/hf-tiny/${p}`, import.meta.url));
const read = (p: string) => readFileSync(golden(p), 'utf8');

interface Reference {
  sentences: string[];
  inputs: { input_ids: number[][]; attention_mask: number[][]; token_type_ids?: number[][] };
  labels: number[][] | number[];
}
interface Encoded {
  ids: number[];
  typeIds: number[];
  truncatedIds: number[];
  truncatedTypeIds: number[];
}
interface PortReference {
  maxLength: number;
  singles: (Encoded & { text: string })[];
  pairs: (Encoded & { a: string; b: string })[];
}
const port = JSON.parse(readFileSync(fileURLToPath(new URL('tokenizer-reference.json', import.meta.url)), 'utf8')) as Record<
  'bert' | 'roberta',
  PortReference
>;

/** An in-memory checkpoint folder. */
function folderOf(files: Record<string, string | Uint8Array>): SourceFolder {
  const enc = new TextEncoder();
  return new Map(Object.entries(files).map(([name, body]) => [name, bytesFile(name, typeof body === 'string' ? enc.encode(body) : body)]));
}

async function rejects(promise: Promise<unknown>, code: string): Promise<Error & { code: string }> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code });
  return err as Error & { code: string };
}

function throws(fn: () => unknown, code: string): Error {
  try {
    fn();
  } catch (err) {
    expect(err).toMatchObject({ code });
    return err as Error;
  }
  throw new Error(`expected ${code}`);
}

const vocabTxt = read('bert-seq-cls/vocab.txt');
const bertFromVocab = () => tokenizerFromVocab(vocabTxt, { lowercase: true }).tokenizer;

describe('the fixtures: encodeBatch(reference.sentences, {maxLength: 24}) reproduces reference.json', () => {
  for (const name of ['bert-seq-cls', 'bert-token-cls', 'bert-mlm', 'distilbert-seq-cls', 'roberta-seq-cls']) {
    it(name, async () => {
      const ref = JSON.parse(read(`${name}/reference.json`)) as Reference;
      const { tokenizer, files } = await loadTokenizer(nodeFolder(golden(name)));
      expect(files).toContain('tokenizer.json');
      const enc = tokenizer.encodeBatch(ref.sentences, { maxLength: 24 });
      expect(enc.attention_mask).toEqual(ref.inputs.attention_mask);
      expect(enc.token_type_ids).toEqual(ref.inputs.token_type_ids ?? ref.inputs.attention_mask.map((r) => r.map(() => 0)));
      expect(enc.truncated).toBe(0);
      if (name === 'bert-mlm') {
        // reference input_ids have [MASK] where labels are set; labels hold the original ids there.
        const labels = ref.labels as number[][];
        const unmasked = ref.inputs.input_ids.map((row, i) => row.map((id, j) => (labels[i][j] === -100 ? id : labels[i][j])));
        expect(enc.input_ids).toEqual(unmasked);
        expect(ref.inputs.input_ids.flat().filter((id) => id === tokenizer.special.mask).length).toBeGreaterThan(0);
      } else {
        expect(enc.input_ids).toEqual(ref.inputs.input_ids);
      }
    });
  }
});

describe('vocab.txt -> WordPiece (BertConverter)', () => {
  it("builds the fixture's tokenizer.json, except the vocabulary it lost (see tests/golden/hf-tiny/README.md)", () => {
    const fixture = JSON.parse(read('bert-seq-cls/tokenizer.json')) as { model: { vocab: Record<string, number> } };
    const built = wordPieceTokenizerJson(parseVocabTxt(vocabTxt, 'vocab.txt'), { lowercase: true }, 'vocab.txt') as typeof fixture;
    expect(Object.keys(built.model.vocab)).toHaveLength(328);
    expect(Object.entries(fixture.model.vocab).every(([t, id]) => built.model.vocab[t] === id)).toBe(true);
    expect({ ...built, model: { ...built.model, vocab: {} } }).toEqual({ ...fixture, model: { ...fixture.model, vocab: {} } });
  });

  it("gives the same ids as the library on the fixture's tokenizer.json with the full vocabulary, singles and pairs", async () => {
    const fixture = JSON.parse(read('bert-seq-cls/tokenizer.json')) as { model: { vocab: Record<string, number> } };
    fixture.model.vocab = Object.fromEntries(parseVocabTxt(vocabTxt, 'vocab.txt').map((t, i) => [t, i]));
    const { tokenizer: library } = await loadTokenizer(
      folderOf({ 'tokenizer.json': JSON.stringify(fixture), 'tokenizer_config.json': read('bert-seq-cls/tokenizer_config.json') }),
    );
    const built = bertFromVocab();
    const texts = port.bert.singles.map((s) => s.text);
    for (const t of texts) expect(built.encode(t)).toEqual(library.encode(t));
    for (let i = 0; i + 1 < texts.length; i++) expect(built.encode(texts[i], texts[i + 1])).toEqual(library.encode(texts[i], texts[i + 1]));
  });

  it('matches the transformers BertTokenizer port: singles, pairs (type ids 0 then 1), truncation to 24', () => {
    const tok = bertFromVocab();
    checkAgainstPort(tok, port.bert);
  });

  it('loads from a folder with only vocab.txt (+ tokenizer_config.json do_lower_case) and reports it', async () => {
    const { tokenizer, files, messages } = await loadTokenizer(
      folderOf({ 'vocab.txt': vocabTxt, 'tokenizer_config.json': read('bert-seq-cls/tokenizer_config.json') }),
    );
    expect(files).toEqual(['tokenizer_config.json', 'vocab.txt']);
    expect(messages.map((m) => m.code)).toEqual(['TOKENIZER_BUILT_FROM_VOCAB']);
    expect(tokenizer.kind).toBe('wordpiece');
    expect(tokenizer.vocabSize).toBe(328);
    expect(tokenizer.special).toEqual({ pad: 0, unk: 1, cls: 2, sep: 3, mask: 4, bos: null, eos: null });
    checkAgainstPort(tokenizer, port.bert);
    // do_lower_case false keeps case: "The" is not in the lowercase vocabulary.
    const cased = await loadTokenizer(folderOf({ 'vocab.txt': vocabTxt, 'tokenizer_config.json': '{"do_lower_case": false}' }));
    expect(cased.tokenizer.encode('The the').tokens).toEqual(['[CLS]', '[UNK]', 'the', '[SEP]']);
  });
});

describe('vocab.json + merges.txt -> byte-level BPE (RobertaConverter)', () => {
  const robertaFiles = () => ({
    'vocab.json': read('roberta-seq-cls/vocab.json'),
    'merges.txt': read('roberta-seq-cls/merges.txt'),
    'tokenizer_config.json': read('roberta-seq-cls/tokenizer_config.json'),
  });

  it("builds the fixture's tokenizer.json layout", () => {
    type Json = { added_tokens: { id: number; content: string }[]; post_processor: { sep: unknown[]; cls: unknown[] }; model: Record<string, unknown> };
    const fixture = JSON.parse(read('roberta-seq-cls/tokenizer.json')) as Json;
    const vocab = parseVocabJson(read('roberta-seq-cls/vocab.json'), 'vocab.json');
    const merges = parseMerges(read('roberta-seq-cls/merges.txt'), 'merges.txt');
    expect(vocab.size).toBe(400);
    expect(merges).toHaveLength(139);
    const built = bpeTokenizerJson(vocab, merges, { addPrefixSpace: false }, 'vocab.json') as unknown as Json;
    // Ids differ (the fixture renumbered its five specials); the structure must not.
    const shape = (j: Json) => ({
      ...j,
      added_tokens: j.added_tokens.map((t) => ({ ...t, id: 0 })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      post_processor: { ...j.post_processor, sep: [j.post_processor.sep[0]], cls: [j.post_processor.cls[0]] },
      model: { ...j.model, vocab: {}, merges: [] },
    });
    expect(shape(built)).toEqual(shape(fixture));
    expect(built.added_tokens.map((t) => t.id)).toEqual([0, 1, 2, 3, 4]);
  });

  it('matches the transformers RobertaTokenizer port: <s> A </s></s> B </s>, all type ids 0, truncation to 24', async () => {
    const { tokenizer, messages } = await loadTokenizer(folderOf(robertaFiles()));
    expect(messages.map((m) => m.code)).toEqual(['TOKENIZER_BUILT_FROM_VOCAB']);
    expect(tokenizer.kind).toBe('bpe');
    expect(tokenizer.special).toEqual({ pad: 1, unk: 3, cls: 0, sep: 2, mask: 4, bos: 0, eos: 2 });
    checkAgainstPort(tokenizer, port.roberta);
  });

  it('encodes pre-split words with a leading space each, and maps tokens to words', async () => {
    const { tokenizer } = await loadTokenizer(folderOf(robertaFiles()));
    const words = ['the', 'actors', 'were', 'wonderful'];
    const enc = tokenizer.encodeWords(words, 64);
    const pieces = words.map((w) => tokenizer.encode(` ${w}`).ids.slice(1, -1));
    expect(enc.ids).toEqual([tokenizer.special.cls, ...pieces.flat(), tokenizer.special.sep]);
    expect(enc.wordIds).toEqual([null, ...pieces.flatMap((p, w) => p.map(() => w)), null]);
  });
});

function checkAgainstPort(tok: TextTokenizer, ref: PortReference): void {
  for (const s of ref.singles) {
    expect(tok.encode(s.text), JSON.stringify(s.text)).toMatchObject({ ids: s.ids, typeIds: s.typeIds });
  }
  for (const p of ref.pairs) {
    expect(tok.encode(p.a, p.b), `${p.a} | ${p.b}`).toMatchObject({ ids: p.ids, typeIds: p.typeIds });
  }
  const pad = tok.special.pad;
  for (const [examples, refs] of [
    [ref.singles.map((s) => s.text), ref.singles],
    [ref.pairs.map((p) => [p.a, p.b] as const), ref.pairs],
  ] as const) {
    const enc = tok.encodeBatch(examples, { maxLength: ref.maxLength });
    const width = Math.max(...refs.map((r) => r.truncatedIds.length));
    expect(enc.input_ids).toEqual(refs.map((r) => [...r.truncatedIds, ...Array<number>(width - r.truncatedIds.length).fill(pad)]));
    expect(enc.token_type_ids).toEqual(refs.map((r) => [...r.truncatedTypeIds, ...Array<number>(width - r.truncatedIds.length).fill(0)]));
    expect(enc.attention_mask).toEqual(refs.map((r) => r.truncatedIds.map(() => 1).concat(Array<number>(width - r.truncatedIds.length).fill(0))));
    expect(enc.truncated).toBe(refs.filter((r) => r.truncatedIds.length < r.ids.length).length);
    expect(enc.truncated).toBeGreaterThan(0);
  }
}

describe('batching', () => {
  it("truncates pairs longest-first exactly as tokenizers' truncate_encodings (its unit-test table)", () => {
    // (n1, n2) -> kept, for max_length 7, from tokenizers/src/utils/truncation.rs truncate_encodings_longest_first.
    const table: [number, number, number, number][] = [
      [0, 0, 0, 0], [0, 2, 0, 2], [0, 4, 0, 4], [0, 8, 0, 7],
      [2, 0, 2, 0], [2, 2, 2, 2], [2, 4, 2, 4], [2, 8, 2, 5],
      [4, 0, 4, 0], [4, 2, 4, 2], [4, 4, 3, 4], [4, 8, 3, 4],
      [8, 0, 7, 0], [8, 2, 5, 2], [8, 4, 4, 3], [8, 8, 3, 4],
    ];
    for (const [n1, n2, k1, k2] of table) expect(truncatePair(n1, n2, 7), `${n1},${n2}`).toEqual([k1, k2]);
    expect(truncatePair(4, 8, 0)).toEqual([0, 0]);
  });

  it('pads to a fixed width with the pad id, and refuses a width or maxLength that cannot fit', () => {
    const tok = bertFromVocab();
    const enc = tok.encodeBatch(['the movie', 'great'], { maxLength: 8, padTo: 6 });
    expect(enc.input_ids).toEqual([
      [2, 92, 130, 3, 0, 0],
      [2, 139, 3, 0, 0, 0],
    ]);
    expect(enc.attention_mask).toEqual([
      [1, 1, 1, 1, 0, 0],
      [1, 1, 1, 0, 0, 0],
    ]);
    throws(() => tok.encodeBatch(['the movie was great'], { maxLength: 8, padTo: 3 }), 'TOKENIZER_PAD_TOO_SHORT');
    throws(() => tok.encodeBatch([['a', 'b']], { maxLength: 2 }), 'TOKENIZER_MAX_LENGTH_TOO_SMALL');
    expect(tok.encodeBatch([['a', 'b']], { maxLength: 3 }).input_ids).toEqual([[2, 3, 3]]);
    expect(tok.encodeBatch([], { maxLength: 8 })).toEqual({ input_ids: [], attention_mask: [], token_type_ids: [], truncated: 0 });
  });

  it('encodes pre-split words (CoNLL) with word ids, splitting punctuation inside a word, and truncates', () => {
    const tok = bertFromVocab();
    const enc = tok.encodeWords(['The', 'U.S.', 'movie'], 16);
    expect(enc.wordIds).toEqual([null, 0, 1, 1, 1, 1, 2, null]);
    expect(enc.ids).toEqual(tok.encode('The U.S. movie').ids);
    expect(enc.truncated).toBe(false);
    const cut = tok.encodeWords(['The', 'U.S.', 'movie'], 5);
    expect(cut).toEqual({ ids: enc.ids.slice(0, 4).concat(3), wordIds: [null, 0, 1, 1, null], truncated: true });
  });

  it('decodes ids and maps tokens both ways', () => {
    const tok = bertFromVocab();
    expect(tok.decode(tok.encode('The movie, great!').ids)).toBe('[CLS] the movie, great! [SEP]');
    expect(tok.decode([])).toBe('');
    expect(tok.tokenToId('movie')).toBe(130);
    expect(tok.idToToken(130)).toBe('movie');
    expect(tok.tokenToId('nope')).toBeUndefined();
  });
});

describe('RELIABILITY C4: bad vocab.txt and tokenizer.json', () => {
  it('CRLF is normalised and reported; the ids are those of the LF file', async () => {
    const { tokenizer, messages } = tokenizerFromVocab(vocabTxt.replaceAll('\n', '\r\n'), { lowercase: true });
    expect(messages).toEqual([{ level: 'warning', code: 'TOKENIZER_CRLF_NORMALISED', message: 'vocab.txt: converted 328 Windows (CRLF) line ends to LF' }]);
    expect(tokenizer.encode('the movie was great').ids).toEqual(bertFromVocab().encode('the movie was great').ids);
    const loaded = await loadTokenizer(folderOf({ 'vocab.txt': vocabTxt.replaceAll('\n', '\r\n') }));
    expect(loaded.messages.map((m) => m.code)).toEqual(['TOKENIZER_CRLF_NORMALISED', 'TOKENIZER_BUILT_FROM_VOCAB']);
  });

  it('a BOM is stripped and reported; the first token keeps its id', async () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(vocabTxt)]);
    const { tokenizer, messages } = await loadTokenizer(folderOf({ 'vocab.txt': withBom }));
    expect(messages[0]).toEqual({ level: 'warning', code: 'TOKENIZER_BOM_STRIPPED', message: 'vocab.txt: removed a UTF-8 byte-order mark' });
    expect(tokenizer.tokenToId('[PAD]')).toBe(0);
    const json = await loadTokenizer(folderOf({ 'tokenizer.json': '\ufeff' + read('bert-seq-cls/tokenizer.json') }));
    expect(json.messages.map((m) => m.code)).toEqual(['TOKENIZER_BOM_STRIPPED']);
  });

  it('a duplicate token is an error naming it and both lines', () => {
    const err = throws(() => tokenizerFromVocab(vocabTxt.replace('\nmovie\n', '\nmovie\nmovie\n'), { lowercase: true }), 'TOKENIZER_DUPLICATE_TOKEN');
    expect(err.message).toMatch(/token "movie" appears on line \d+ and again on line \d+/);
  });

  for (const special of ['[UNK]', '[CLS]', '[SEP]', '[PAD]', '[MASK]']) {
    it(`a vocab.txt without ${special} is an error naming it`, () => {
      const err = throws(() => tokenizerFromVocab(vocabTxt.replace(`${special}\n`, ''), { lowercase: true }), 'TOKENIZER_MISSING_SPECIAL_TOKEN');
      expect(err.message).toContain(special);
    });
  }

  for (const special of ['<s>', '</s>', '<pad>', '<unk>', '<mask>']) {
    it(`a BPE vocab.json without ${special} is an error naming it`, async () => {
      const vocab = JSON.parse(read('roberta-seq-cls/vocab.json')) as Record<string, number>;
      delete vocab[special];
      const err = await rejects(
        loadTokenizer(folderOf({ 'vocab.json': JSON.stringify(vocab), 'merges.txt': read('roberta-seq-cls/merges.txt') })),
        'TOKENIZER_MISSING_SPECIAL_TOKEN',
      );
      expect(err.message).toContain(special);
    });
  }

  it('a special token named by tokenizer_config.json must exist', async () => {
    const err = await rejects(
      loadTokenizer(folderOf({ 'tokenizer.json': read('bert-seq-cls/tokenizer.json'), 'tokenizer_config.json': '{"mask_token": {"content": "<MASK>"}}' })),
      'TOKENIZER_MISSING_SPECIAL_TOKEN',
    );
    expect(err.message).toContain('<MASK>');
  });

  it('an unsupported tokenizer model type is an error naming it', async () => {
    const json = JSON.parse(read('bert-seq-cls/tokenizer.json')) as { model: Record<string, unknown> };
    json.model = { type: 'WordLevel', vocab: json.model.vocab, unk_token: '[UNK]' };
    const err = await rejects(loadTokenizer(folderOf({ 'tokenizer.json': JSON.stringify(json) })), 'TOKENIZER_UNSUPPORTED_MODEL');
    expect(err.message).toContain('"WordLevel"');
    const noType = JSON.parse(read('bert-seq-cls/tokenizer.json')) as { model: Record<string, unknown> };
    delete noType.model.type;
    await rejects(loadTokenizer(folderOf({ 'tokenizer.json': JSON.stringify(noType) })), 'TOKENIZER_UNSUPPORTED_MODEL');
    const pre = JSON.parse(read('bert-seq-cls/tokenizer.json')) as { pre_tokenizer: unknown };
    pre.pre_tokenizer = { type: 'Mystery' };
    const comp = await rejects(loadTokenizer(folderOf({ 'tokenizer.json': JSON.stringify(pre) })), 'TOKENIZER_UNSUPPORTED_COMPONENT');
    expect(comp.message).toContain('Mystery');
  });

  it('duplicate tokens or ids in tokenizer.json / vocab.json are errors', async () => {
    const text = read('bert-seq-cls/tokenizer.json').replace('"[MASK]": 4', '"[MASK]": 4, "[MASK]": 5');
    expect(text).not.toBe(read('bert-seq-cls/tokenizer.json'));
    await rejects(loadTokenizer(folderOf({ 'tokenizer.json': text })), 'TOKENIZER_DUPLICATE_TOKEN');
    const sameId = read('bert-seq-cls/tokenizer.json').replace('"[MASK]": 4', '"[MASK]": 4, "extra": 4');
    await rejects(loadTokenizer(folderOf({ 'tokenizer.json': sameId })), 'TOKENIZER_DUPLICATE_TOKEN_ID');
    const vocab = read('roberta-seq-cls/vocab.json').replace('{', '{"<s>":0,');
    await rejects(loadTokenizer(folderOf({ 'vocab.json': vocab, 'merges.txt': read('roberta-seq-cls/merges.txt') })), 'TOKENIZER_DUPLICATE_TOKEN');
  });

  it('other malformed inputs: bad merges line, invalid JSON, not UTF-8, no tokenizer at all', async () => {
    const merges = read('roberta-seq-cls/merges.txt').replace('\nt h\n', '\nt h x\n');
    const bad = await rejects(
      loadTokenizer(folderOf({ 'vocab.json': read('roberta-seq-cls/vocab.json'), 'merges.txt': merges })),
      'TOKENIZER_INVALID_MERGES',
    );
    expect(bad.message).toContain('line 4');
    const invalid = await rejects(loadTokenizer(folderOf({ 'tokenizer.json': '{"model": ' })), 'TOKENIZER_INVALID_JSON');
    expect(invalid).toMatchObject({ location: { file: 'tokenizer.json', line: 1 } });
    await rejects(loadTokenizer(folderOf({ 'vocab.txt': new Uint8Array([0x5b, 0xff, 0x5d]) })), 'TOKENIZER_NOT_UTF8');
    const none = await rejects(loadTokenizer(folderOf({ 'config.json': '{}', 'sentencepiece.bpe.model': '' })), 'TOKENIZER_MISSING');
    expect(none.message).toContain('sentencepiece.bpe.model');
  });

  it('hostile tokens are vocabulary entries like any other', () => {
    const { tokenizer } = tokenizerFromVocab(`${vocabTxt}__proto__\nconstructor\n`, { lowercase: false });
    expect(tokenizer.tokenToId('__proto__')).toBe(328);
    expect(tokenizer.tokenToId('constructor')).toBe(329);
    expect(tokenizer.encode('constructor toString').tokens.slice(0, 2)).toEqual(['[CLS]', 'constructor']);
    expect(tokenizer.tokenToId('toString')).toBeUndefined();
  });
});
