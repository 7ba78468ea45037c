// `layerwise vocab`: trains a WordPiece vocabulary on text files (engine/data/wordpiece-trainer.ts, HF tokenizers'
// WordPieceTrainer) and writes vocab.txt, tokenizer.json and tokenizer_config.json, which @huggingface/tokenizers
// and transformers' BertTokenizer(Fast) read; prints a summary, measured with the tokenizer read back from --out.
import { existsSync, statSync } from 'node:fs';
import { countWordsInTexts } from '../../engine/data/bert-words';
import { WORDPIECE_TRAIN_DEFAULTS, trainWordPiece, vocabCoverage, wordPieceFiles } from '../../engine/data/wordpiece-trainer';
import { newDecodeReport, readTextChunks, type DecodeReport } from '../../formats/text-decode';
import { loadTokenizer } from '../../formats/tokenizer';
import { LayerwiseError } from '../../lib/errors';
import { numberOption, parseOptions, required } from '../args';
import { nodeFile, nodeFolder } from '../node-files';
import { checkOutFolder, writeFolderAtomic } from '../out-folder';

export const summary = 'train a WordPiece vocabulary (BERT normalisation) on text files and write its tokenizer files';

/** model_max_length written to tokenizer_config.json: BERT's position table. */
const MODEL_MAX_LENGTH = 512;

const USAGE = `usage: layerwise vocab --data FILE[,FILE...] --out DIR [--vocab-size ${WORDPIECE_TRAIN_DEFAULTS.vocabSize}]
                       [--min-frequency ${WORDPIECE_TRAIN_DEFAULTS.minFrequency}] [--limit-alphabet ${WORDPIECE_TRAIN_DEFAULTS.limitAlphabet}] [--no-lowercase]
                       [--overwrite] [--json]

Trains as HF tokenizers' BertWordPieceTokenizer.train does: BERT normalisation (lower-cased and accents stripped
unless --no-lowercase), whitespace and punctuation split, special tokens [PAD] [UNK] [CLS] [SEP] [MASK] first.
--data may also be given more than once. Writes vocab.txt, tokenizer.json and tokenizer_config.json as the folder DIR
(refused when DIR already holds files, unless --overwrite).
With --json prints {vocabSize, wordsSeen, distinctWords, alphabetSize, coverage (% of word occurrences encoded
without [UNK]), subwordsPerWord, seconds, ...}.`;

function integerOption(value: unknown, name: string, fallback: number, min: number): number {
  const n = numberOption(value, name, fallback);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--${name} must be an integer >= ${min}, got "${String(value)}"`, { field: name });
  }
  return n;
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

export async function run(argv: string[]): Promise<number> {
  const o = parseOptions(argv, {
    data: { type: 'string', multiple: true },
    out: { type: 'string' },
    'vocab-size': { type: 'string' },
    'min-frequency': { type: 'string' },
    'limit-alphabet': { type: 'string' },
    'no-lowercase': { type: 'boolean' },
    overwrite: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  const files = (o.data ?? []).flatMap((d) => d.split(',')).filter((f) => f !== '');
  if (files.length === 0) required(undefined, 'data');
  const out = required(o.out, 'out');
  const vocabSize = integerOption(o['vocab-size'], 'vocab-size', WORDPIECE_TRAIN_DEFAULTS.vocabSize, WORDPIECE_TRAIN_DEFAULTS.specialTokens.length);
  const minFrequency = integerOption(o['min-frequency'], 'min-frequency', WORDPIECE_TRAIN_DEFAULTS.minFrequency, 0);
  const limitAlphabet = integerOption(o['limit-alphabet'], 'limit-alphabet', WORDPIECE_TRAIN_DEFAULTS.limitAlphabet as number, 1);
  const lowercase = !o['no-lowercase'];
  for (const f of files) {
    if (!existsSync(f) || !statSync(f).isFile()) throw new LayerwiseError('CLI_FILE_NOT_FOUND', `${f} is not a file`, { file: f, field: 'data' });
  }
  checkOutFolder(out, { overwrite: o.overwrite === true });

  const start = performance.now();
  const reports: { file: string; report: DecodeReport }[] = [];
  const counted = await countWordsInTexts(
    files.map((f) => {
      const report = newDecodeReport();
      reports.push({ file: f, report });
      return readTextChunks(nodeFile(f), report);
    }),
    { lowercase },
  );
  const read = performance.now();
  const trained = trainWordPiece(counted.counts, { vocabSize, minFrequency, limitAlphabet });
  const train = performance.now();

  const written = wordPieceFiles(trained.vocab, { lowercase, modelMaxLength: MODEL_MAX_LENGTH });
  writeFolderAtomic(out, Object.entries(written).map(([name, bytes]) => ({ name, bytes })));
  const { tokenizer } = await loadTokenizer(nodeFolder(out));
  const coverage = vocabCoverage(counted.counts, tokenizer);
  const end = performance.now();

  const warnings: { code: string; message: string }[] = [];
  if (trained.longWords.distinct > 0) {
    warnings.push({
      code: 'VOCAB_LONG_WORDS_SKIPPED',
      message: `${trained.longWords.distinct} distinct words (${trained.longWords.occurrences} occurrences) are longer than ${WORDPIECE_TRAIN_DEFAULTS.maxWordChars} chars and were left out of training: WordPiece reads such a word as [UNK] whole`,
    });
  }
  if (trained.vocab.length < vocabSize) {
    const why = trained.stoppedBy === 'min-frequency' ? `no pair is seen ${minFrequency} times or more` : 'every word is a single token';
    warnings.push({ code: 'VOCAB_SMALLER_THAN_REQUESTED', message: `${trained.vocab.length} tokens, not ${vocabSize}: ${why}` });
  } else if (trained.vocab.length > vocabSize) {
    warnings.push({
      code: 'VOCAB_LARGER_THAN_REQUESTED',
      message: `${trained.vocab.length} tokens, not ${vocabSize}: the special tokens, the alphabet and its "##" forms already exceed it (see --limit-alphabet)`,
    });
  }
  const result = {
    out,
    files: Object.keys(written),
    vocabSize: trained.vocab.length,
    requestedVocabSize: vocabSize,
    stoppedBy: trained.stoppedBy,
    merges: trained.merges,
    lowercase,
    minFrequency,
    limitAlphabet,
    wordsSeen: counted.total,
    distinctWords: counted.counts.size,
    alphabetSeen: trained.alphabetSeen,
    alphabetSize: trained.alphabetSize,
    coverage: round(100 * coverage.coverage, 4),
    subwordsPerWord: round(coverage.subwordsPerWord, 4),
    seconds: round((end - start) / 1000, 3),
    trainSeconds: round((train - read) / 1000, 3),
    inputs: reports.map(({ file, report }) => ({ file, encoding: report.encoding, bom: report.bom, lineEndings: report.lineEndings })),
    warnings,
  };
  if (o.json) {
    console.log(JSON.stringify(result));
    return 0;
  }
  console.log(`${out}: ${result.files.join(', ')}`);
  console.log(`${result.vocabSize} tokens (asked ${vocabSize}; stopped by ${result.stoppedBy}), ${result.merges} merges, alphabet ${result.alphabetSize} of ${result.alphabetSeen} chars`);
  console.log(`${result.wordsSeen} words (${result.distinctWords} distinct): ${result.coverage}% without [UNK], ${result.subwordsPerWord} subwords per word`);
  console.log(`${result.seconds} s (training ${result.trainSeconds} s)`);
  for (const r of result.inputs) {
    if (r.bom) console.log(`note: ${r.file}: removed a UTF-8 byte-order mark`);
    if (r.lineEndings.crlf + r.lineEndings.cr > 0) console.log(`note: ${r.file}: read ${r.lineEndings.crlf + r.lineEndings.cr} CRLF/CR line ends as LF`);
  }
  for (const w of warnings) console.log(`warning ${w.code}: ${w.message}`);
  return 0;
}
