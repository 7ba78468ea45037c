# Reference token ids for tests/formats/tokenizer.test.ts, independent of @huggingface/tokenizers.
# Run: /usr/bin/python3 tests/formats/make_tokenizer_reference.py > tests/formats/tokenizer-reference.json
# (needs the `regex` module: Debian python3-regex). transformers is not installable here, so its algorithms are
# ported: BertTokenizer (BasicTokenizer + WordpieceTokenizer, transformers tokenization_bert.py, with
# _is_whitespace/_is_control/_is_punctuation from tokenization_utils.py), GPT-2 byte-level BPE as RobertaTokenizer
# uses it (tokenization_gpt2.py / tokenization_roberta.py), the pair layouts of build_inputs_with_special_tokens /
# create_token_type_ids_from_sequences, and tokenizers' LongestFirst truncation (tokenizers/src/utils/truncation.rs)
# with max_length minus the special tokens, as the fast tokenizers apply it.
import json, os, sys, unicodedata
import regex as re

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, '..', 'golden', 'hf-tiny')
MAX_LENGTH = 24

# ---- BERT (WordPiece) ----
def is_whitespace(ch):
  return ch in ' \t\n\r' or unicodedata.category(ch) == 'Zs'

def is_control(ch):
  return ch not in '\t\n\r' and unicodedata.category(ch).startswith('C')

def is_punctuation(ch):
  cp = ord(ch)
  if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
    return True
  return unicodedata.category(ch).startswith('P')

def is_chinese(cp):
  return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
          or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)

def basic_tokenize(text, lower, never_split):
  text = ''.join(' ' if is_whitespace(c) else c for c in text if not (ord(c) == 0 or ord(c) == 0xFFFD or is_control(c)))
  text = ''.join(f' {c} ' if is_chinese(ord(c)) else c for c in text)
  out = []
  for tok in text.split():
    if tok in never_split:
      out.append(tok)
      continue
    if lower:
      tok = ''.join(c for c in unicodedata.normalize('NFD', tok.lower()) if unicodedata.category(c) != 'Mn')
    words, start = [], True
    for c in tok:
      if is_punctuation(c):
        words.append(c); start = True
      else:
        if start: words.append('')
        start = False
        words[-1] += c
    out.extend(words)
  return ' '.join(out).split()

def wordpiece(token, vocab):
  chars = list(token)
  if len(chars) > 100:
    return ['[UNK]']
  pieces, start = [], 0
  while start < len(chars):
    end, cur = len(chars), None
    while start < end:
      sub = ''.join(chars[start:end])
      if start > 0: sub = '##' + sub
      if sub in vocab:
        cur = sub; break
      end -= 1
    if cur is None:
      return ['[UNK]']
    pieces.append(cur); start = end
  return pieces

def bert_tokens(text, vocab, specials):
  # Added (special) tokens are split out of the raw text first, as PreTrainedTokenizer.tokenize does.
  parts = re.split('(' + '|'.join(re.escape(s) for s in specials) + ')', text)
  out = []
  for part in parts:
    if part in specials:
      out.append(part)
    else:
      for word in basic_tokenize(part, True, set()):
        out.extend(wordpiece(word, vocab))
  return out

# ---- RoBERTa (byte-level BPE) ----
def bytes_to_unicode():
  bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
  cs, n = bs[:], 0
  for b in range(256):
    if b not in bs:
      bs.append(b); cs.append(256 + n); n += 1
  return dict(zip(bs, map(chr, cs)))

PAT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")

def bpe(token, ranks):
  word = tuple(token)
  while len(word) > 1:
    pairs = set(zip(word, word[1:]))
    bigram = min(pairs, key=lambda p: ranks.get(p, float('inf')))
    if bigram not in ranks: break
    first, second = bigram
    new, i = [], 0
    while i < len(word):
      try:
        j = word.index(first, i)
      except ValueError:
        new.extend(word[i:]); break
      new.extend(word[i:j]); i = j
      if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
        new.append(first + second); i += 2
      else:
        new.append(word[i]); i += 1
    word = tuple(new)
  return list(word)

def roberta_tokens(text, ranks, specials):
  enc = bytes_to_unicode()
  parts = re.split('(' + '|'.join(re.escape(s) for s in specials) + ')', text)
  out = []
  for part in parts:
    if part in specials:
      out.append(part); continue
    for tok in PAT.findall(part):
      out.extend(bpe(''.join(enc[b] for b in tok.encode('utf-8')), ranks))
  return out

# ---- pairs and truncation ----
def longest_first(n1, n2, budget):
  swap = n1 > n2
  if swap: n1, n2 = n2, n1
  n2 = n1 if n1 > budget else max(n1, budget - n1)
  if n1 + n2 > budget:
    n1 = budget // 2; n2 = n1 + budget % 2
  return (n2, n1) if swap else (n1, n2)

def layout(kind, a, b, ids):
  if kind == 'bert':
    cls, sep = ids['[CLS]'], ids['[SEP]']
    if b is None: return [cls] + a + [sep], [0] * (len(a) + 2)
    return [cls] + a + [sep] + b + [sep], [0] * (len(a) + 2) + [1] * (len(b) + 1)
  cls, sep = ids['<s>'], ids['</s>']
  if b is None: return [cls] + a + [sep], [0] * (len(a) + 2)
  return [cls] + a + [sep, sep] + b + [sep], [0] * (len(a) + len(b) + 4)

def encode(kind, a, b, ids, truncate):
  if truncate:
    budget = MAX_LENGTH - (2 if b is None else (3 if kind == 'bert' else 4))
    if b is None:
      a = a[:budget]
    else:
      n1, n2 = longest_first(len(a), len(b), budget)
      a, b = a[:n1], b[:n2]
  return layout(kind, a, b, ids)

SENTENCES = json.load(open(os.path.join(GOLDEN, 'bert-seq-cls', 'reference.json')))['sentences']
EXTRA = [
  'Café naïve ÅNGSTRÖM résumé',
  '我爱 NLP，真的!',
  'tab\tnew\nline\u200bzero\u0000width\ufffd',
  'a [MASK] token and [SEP] inside',
  'x' * 101 + ' ok',
  "It's 12,345.67 $ (approx.) -- don't!",
  '   leading and trailing   ',
  '',
]
ROBERTA_EXTRA = [
  'Hello world!  Multiple   spaces\n\nnewlines',
  'emoji 😀 and naïve café',
  "they're 2024's <mask> winners",
  '',
]
PAIRS = [(0, 1), (2, 3), (1, 1), (3, 0)]

def make(kind, texts, tokens_of, ids):
  unk = ids.get('[UNK]')
  to_ids = lambda toks: [ids.get(t, unk) for t in toks]
  singles, pairs = [], []
  for t in texts:
    a = to_ids(tokens_of(t))
    full, full_types = encode(kind, a, None, ids, False)
    cut, cut_types = encode(kind, a, None, ids, True)
    singles.append({'text': t, 'ids': full, 'typeIds': full_types, 'truncatedIds': cut, 'truncatedTypeIds': cut_types})
  long_text = ' '.join(SENTENCES)
  pair_texts = [(texts[i], texts[j]) for i, j in PAIRS] + [(long_text, texts[0]), (texts[2], long_text), (long_text, long_text)]
  for x, y in pair_texts:
    a, b = to_ids(tokens_of(x)), to_ids(tokens_of(y))
    full, full_types = encode(kind, a, b, ids, False)
    cut, cut_types = encode(kind, a, b, ids, True)
    pairs.append({'a': x, 'b': y, 'ids': full, 'typeIds': full_types, 'truncatedIds': cut, 'truncatedTypeIds': cut_types})
  return {'maxLength': MAX_LENGTH, 'singles': singles, 'pairs': pairs}

bert_vocab = {}
for i, line in enumerate(open(os.path.join(GOLDEN, 'bert-seq-cls', 'vocab.txt'), encoding='utf-8').readlines()):
  bert_vocab[line.rstrip('\n')] = i
bert_specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
rob_dir = os.path.join(GOLDEN, 'roberta-seq-cls')
rob_vocab = json.load(open(os.path.join(rob_dir, 'vocab.json'), encoding='utf-8'))
merges = [tuple(l.split()) for l in open(os.path.join(rob_dir, 'merges.txt'), encoding='utf-8').read().split('\n')[1:] if l]
ranks = {m: i for i, m in enumerate(merges)}
rob_specials = ['<s>', '<pad>', '</s>', '<unk>', '<mask>']

json.dump({
  'bert': make('bert', SENTENCES + EXTRA, lambda t: bert_tokens(t, bert_vocab, bert_specials), bert_vocab),
  'roberta': make('roberta', SENTENCES + ROBERTA_EXTRA, lambda t: roberta_tokens(t, ranks, rob_specials), rob_vocab),
}, sys.stdout, ensure_ascii=False)
sys.stdout.write('\n')
