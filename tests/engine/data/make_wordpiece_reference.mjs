// Makes wordpiece-reference.json with HF tokenizers' own Rust code (the npm package `tokenizers`: Node bindings of
// huggingface/tokenizers), so that the tests run without it. Python's `tokenizers` is not installable here.
//   mkdir -p /tmp/tk && (cd /tmp/tk && npm install tokenizers@0.23.2)
//   node tests/engine/data/make_wordpiece_reference.mjs /tmp/tk
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const HERE = import.meta.dirname;
const require = createRequire(path.join(path.resolve(process.argv[2] ?? '.'), 'package.json'));
const tk = require('tokenizers');
const version = require('tokenizers/package.json').version;

// BertNormalizer + BertPreTokenizer on texts that touch each rule: control and format chars, Unicode whitespace,
// CJK ideographs (spaced) vs Hangul and kana (not), accents (stripped only when lowercasing), final sigma, dotted I,
// ASCII symbols that are BERT punctuation ($ + < = > ^ ` | ~) vs Unicode symbols that are not (× ± €).
const TEXTS = [
  'Héllo Wörld! Crème brûlée, São Paulo, Ångström, naïve, e\u0301 (decomposed)',
  'ΟΔΥΣΣΕΥΣ ΣΙΣΥΦΟΣ ς Σ σ İstanbul ǅ ẞ ß ﬁ',
  '我爱北京天安门 𠀀𠀁 ひらがな カタカナ 한국어 ㄱ',
  'a\u0000b\u0001c\uFFFDd \u200Bzero\u200Dwidth \uFEFFbom \uE000pua \u0378unassigned \u00ADsoft',
  'tab\there nbsp\u00A0x em\u2003y ideo\u3000z nel\u0085w ls\u2028v line\r\nbreak',
  "don't a$b+c<d=e>f^g`h|i~j «quoted» em—dash ‘curly’ ¿qué? 50% 1,000.5 @-@ x×y÷z ±1 €5 §3 …",
  'emoji 👍🏽 😀 flags 🇬🇧 keycap 1\uFE0F\u20E3 ZWJ 👩\u200D💻',
];

const normalization = [];
for (const lowercase of [true, false]) {
  const normalizer = tk.bertNormalizer({ lowercase });
  const pre = tk.bertPreTokenizer();
  for (const text of TEXTS) {
    const normalized = normalizer.normalizeString(text);
    normalization.push({ text, lowercase, normalized, words: pre.preTokenizeString(normalized).map(([w]) => w) });
  }
}

/** The Rust trainer with WordPiece's defaults (tokenizer.train has no options: vocab_size 30000, min_frequency 0,
 * no special tokens, no alphabet limit), split into the alphabet, the "##" chars and the merged tokens. */
function trainOnce(file) {
  const tokenizer = new tk.Tokenizer(tk.WordPiece.empty());
  tokenizer.setNormalizer(tk.bertNormalizer({ lowercase: true }));
  tokenizer.setPreTokenizer(tk.bertPreTokenizer());
  tokenizer.train([file]);
  const vocab = Object.entries(tokenizer.getVocab(true))
    .sort((a, b) => a[1] - b[1])
    .map(([t]) => t);
  const single = (t) => [...t].length === 1;
  let i = 0;
  while (i < vocab.length && single(vocab[i])) i++;
  const alphabet = vocab.slice(0, i);
  let j = i;
  while (j < vocab.length && vocab[j].startsWith('##') && single(vocab[j].slice(2))) j++;
  return { size: vocab.length, alphabet, continuing: vocab.slice(i, j).sort(), merged: vocab.slice(j) };
}

// Rust gives the "##" tokens ids in hash-map order, which changes from run to run, and ties between equal pair
// counts go to the smaller ids: so only the merges before the first such tie are the same in every run. Those,
// over many runs, are the reference; the alphabet and the "##" set do not depend on order.
const RUNS = 40;
function stableTraining(file) {
  const runs = Array.from({ length: RUNS }, () => trainOnce(file));
  let stable = runs[0].merged.length;
  for (const r of runs) {
    if (JSON.stringify(r.alphabet) !== JSON.stringify(runs[0].alphabet) || JSON.stringify(r.continuing) !== JSON.stringify(runs[0].continuing)) {
      throw new Error('the alphabet changed between runs');
    }
    let k = 0;
    while (k < stable && r.merged[k] === runs[0].merged[k]) k++;
    stable = k;
  }
  console.log(`${path.basename(file)}: ${RUNS} runs, ${new Set(runs.map((r) => r.merged.join('\n'))).size} distinct results, ${stable} merges the same in all`);
  return {
    settings: { vocab_size: 30000, min_frequency: 0, limit_alphabet: null, special_tokens: [] },
    runs: RUNS,
    vocab_sizes: [...new Set(runs.map((r) => r.size))],
    alphabet: runs[0].alphabet,
    continuing: runs[0].continuing,
    stable_merges: runs[0].merged.slice(0, stable),
  };
}

// Natural text has many equal counts, so few merges are order-free. Synthetic words with large, spread-out counts
// have few ties: words of 1-4 syllables (some non-ASCII, one outside the BMP), Zipf-like counts plus jitter.
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
const SYLLABLES = ['ka', 'to', 'ri', 'ne', 'sa', 'mo', 'lu', 'ter', 'ing', 'ed', 'str', 'ø', 'жа', 'λο', '\u{10428}i', 'qu', 'bo', 'an'];
const words = {};
while (Object.keys(words).length < 300) {
  let w = '';
  for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
  const rank = Object.keys(words).length;
  if (!(w in words)) words[w] = Math.floor(4000 / (rank + 1) ** 0.8) + Math.floor(rand() * 60) + 1;
}
const lines = [];
let line = [];
for (const [w, n] of Object.entries(words)) {
  for (let i = 0; i < n; i++) {
    line.push(w);
    if (line.length === 16) lines.push(line.splice(0).join(' '));
  }
}
lines.push(line.join(' '));
const syntheticFile = path.join(tmpdir(), 'wordpiece-synthetic.txt');
writeFileSync(syntheticFile, lines.join('\n') + '\n');

const reference = {
  made_by: `make_wordpiece_reference.mjs with tokenizers ${version} (npm, Rust bindings)`,
  normalization,
  corpus: { file: 'wordpiece-corpus.txt', ...stableTraining(path.join(HERE, 'wordpiece-corpus.txt')) },
  synthetic: { word_counts: words, ...stableTraining(syntheticFile) },
};
writeFileSync(path.join(HERE, 'wordpiece-reference.json'), JSON.stringify(reference, null, 1) + '\n');
