// Masked-LM masking as transformers' DataCollatorForLanguageModeling.torch_mask_tokens: each non-special token is
// chosen with probability 0.15; a chosen token becomes [MASK] 80% of the time, a uniformly random id 10%, and stays
// 10%; labels are -100 except at chosen positions. Whole-word masking follows DataCollatorForWholeWordMask (v4).
import type { TextTokenizer } from '../../formats/tokenizer';
import { LayerwiseError } from '../../lib/errors';
import { shuffleInPlace, type Rng } from '../../lib/random';
import type { Batch } from './batches';
import { IGNORE_INDEX } from './encode';

export interface MlmOptions {
  /** Share of tokens chosen for prediction (mlm_probability). */
  mlmProbability?: number;
  /** Share of chosen tokens replaced by the mask token. */
  maskReplaceProb?: number;
  /** Share of chosen tokens replaced by a random token (the rest stay as they are). */
  randomReplaceProb?: number;
  /** Choose whole words (all subwords of a word together) instead of single tokens. */
  wholeWord?: boolean;
}

export interface MlmTokenizerInfo {
  maskId: number;
  /** Random replacements are drawn from [0, vocabSize), as torch.randint(len(tokenizer)) does. */
  vocabSize: number;
  /** all_special_ids: never chosen (get_special_tokens_mask with already_has_special_tokens counts [UNK] too). */
  specialIds: Set<number>;
  kind: TextTokenizer['kind'];
  idToToken: (id: number) => string | undefined;
}

export function mlmTokenizerInfo(tokenizer: TextTokenizer): MlmTokenizerInfo {
  const s = tokenizer.special;
  if (s.mask === null) {
    throw new LayerwiseError('DATA_NO_MASK_TOKEN', 'This tokenizer has no mask token, which masked-LM training needs.', { field: 'tokenizer' });
  }
  const specialIds = new Set([s.pad, s.unk, s.mask, s.cls, s.sep, s.bos, s.eos].filter((x): x is number => x !== null));
  return { maskId: s.mask, vocabSize: tokenizer.vocabSize, specialIds, kind: tokenizer.kind, idToToken: (id) => tokenizer.idToToken(id) };
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** Whether a token continues the word before it: "##" in WordPiece; no "Ġ"/"▁" word-start mark in BPE/Unigram. */
function continuesWord(token: string, kind: TextTokenizer['kind']): boolean {
  if (kind === 'wordpiece') return token.startsWith('##');
  return !token.startsWith(kind === 'bpe' ? 'Ġ' : '▁');
}

/**
 * _whole_word_mask for one unpadded row: words are groups of subwords; shuffled; words are taken while the total
 * stays within round(len × p) tokens (at least 1, at most 512). Returns the chosen positions.
 */
function wholeWordChoice(ids: Int32Array, info: MlmTokenizerInfo, p: number, rng: Rng): Set<number> {
  const words: number[][] = [];
  let afterSpecial = true;
  ids.forEach((id, i) => {
    if (info.specialIds.has(id)) {
      afterSpecial = true;
      return;
    }
    const token = info.idToToken(id) ?? '';
    if (words.length > 0 && !afterSpecial && continuesWord(token, info.kind)) words[words.length - 1].push(i);
    else words.push([i]);
    afterSpecial = false;
  });
  shuffleInPlace(words, rng);
  const target = Math.min(512, Math.max(1, roundHalfEven(ids.length * p)));
  const chosen = new Set<number>();
  for (const w of words) {
    if (chosen.size >= target) break;
    if (chosen.size + w.length > target) continue;
    for (const i of w) chosen.add(i);
  }
  return chosen;
}

/**
 * Masks a collated batch. Returns new input_ids and labels ([size, seqLength]); the batch itself is not changed.
 * Padding (attention_mask 0) and special tokens are never chosen.
 */
export function maskBatch(batch: Batch, info: MlmTokenizerInfo, rng: Rng, opts: MlmOptions = {}): { input_ids: Int32Array; labels: Int32Array } {
  const p = opts.mlmProbability ?? 0.15;
  const pMask = opts.maskReplaceProb ?? 0.8;
  const pRandom = opts.randomReplaceProb ?? 0.1;
  if (!(p > 0 && p < 1 && pMask >= 0 && pRandom >= 0 && pMask + pRandom <= 1)) {
    throw new LayerwiseError('DATA_BAD_MLM_OPTIONS', `Masking probabilities must satisfy 0 < p < 1 and mask + random ≤ 1 (got ${p}, ${pMask}, ${pRandom}).`, { field: 'mlm' });
  }
  // Of the tokens not replaced by [MASK], the share replaced by a random id (0.1 / 0.2 = 0.5 by default).
  const randomGivenNotMask = pMask < 1 ? pRandom / (1 - pMask) : 0;
  const { size, seqLength } = batch;
  const input_ids = batch.input_ids.slice();
  const labels = new Int32Array(size * seqLength).fill(IGNORE_INDEX);
  for (let b = 0; b < size; b++) {
    const row = b * seqLength;
    let len = 0;
    while (len < seqLength && batch.attention_mask[row + len] === 1) len++;
    const ids = batch.input_ids.subarray(row, row + len);
    const chosen = opts.wholeWord ? wholeWordChoice(ids, info, p, rng) : null;
    for (let i = 0; i < len; i++) {
      const id = ids[i];
      if (info.specialIds.has(id)) continue;
      if (chosen ? !chosen.has(i) : rng.next() >= p) continue;
      labels[row + i] = id;
      if (rng.next() < pMask) input_ids[row + i] = info.maskId;
      else if (rng.next() < randomGivenNotMask) input_ids[row + i] = rng.int(info.vocabSize);
    }
  }
  return { input_ids, labels };
}
