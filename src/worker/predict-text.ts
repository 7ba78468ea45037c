// One text through the loaded model in eval mode: tokenise, validate ids, forward, softmax over the head's
// outputs. The same steps as `layerwise predict` (src/cli/commands/predict.ts), for the Model panel's trial and the
// playground. Sequence and token classification go through engine/predict.ts: a long text in the windows the
// model's config.json names, a multi-label head at its thresholds.
import * as tf from '@tensorflow/tfjs-core';
import type { LoadedModel } from '../engine/load';
import { decisionOf, DEFAULT_THRESHOLD } from '../engine/decision';
import { classifyTexts, splitWords, tagWords } from '../engine/predict';
import { maxSequenceLength, validateInputIds } from '../engine/models/validate-inputs';
import { LayerwiseError } from '../lib/errors';
import type { BatchEncoding, WordEncoding } from '../formats/tokenizer';
import type { Prediction } from '../protocol/messages';
import { modelTensors } from '../engine/train/heads';

/** Candidates shown per mask token. */
const MLM_TOP_K = 5;
/** A trial is one text; longer input is cut to the model's length (and said so), never sent whole. */
const MAX_TEXT_CHARS = 20_000;

export { splitWords };

/** One encoded word sequence as a batch of one, with the word of each token. */
function wordBatch(enc: WordEncoding): BatchEncoding & { wordIds: (number | null)[] } {
  return {
    input_ids: [enc.ids],
    attention_mask: [enc.ids.map(() => 1)],
    token_type_ids: [enc.ids.map(() => 0)],
    truncated: enc.truncated ? 1 : 0,
    wordIds: enc.wordIds,
  };
}

export async function predictText(model: LoadedModel, text: string): Promise<Prediction> {
  const { tokenizer, config, task } = model;
  if (!tokenizer) throw new LayerwiseError('PREDICT_NO_TOKENIZER', 'This checkpoint has no tokenizer, so it cannot read text.');
  if (text.trim() === '') throw new LayerwiseError('PREDICT_EMPTY_TEXT', 'Type some text to run the model on.', { field: 'text' });
  // Token classification reads words, as it was trained on CoNLL words; the other heads read the text.
  const words = task === 'token-cls' ? splitWords(text.slice(0, MAX_TEXT_CHARS)) : [];
  const batch: BatchEncoding & { wordIds?: (number | null)[] } =
    task === 'token-cls' ? wordBatch(tokenizer.encodeWords(words, maxSequenceLength(config))) : tokenizer.encodeBatch([text.slice(0, MAX_TEXT_CHARS)], { maxLength: maxSequenceLength(config) });
  validateInputIds(batch.input_ids, config, batch.token_type_ids);
  const ids = batch.input_ids[0];
  const tokens = ids.map((id) => tokenizer.idToToken(id) ?? `#${id}`);
  const truncated = batch.truncated > 0 || text.length > MAX_TEXT_CHARS;
  const special = new Set([tokenizer.special.cls, tokenizer.special.sep, tokenizer.special.bos, tokenizer.special.eos, tokenizer.special.pad]);

  if (task === 'seq-cls') {
    const [result] = await classifyTexts(model, [text.slice(0, MAX_TEXT_CHARS)]);
    const decision = decisionOf(model.rawConfig, task, config.id2label);
    const multiLabel = decision.problemType === 'multi_label_classification';
    const labels = config.id2label.map((label, i) => ({
      label,
      logit: result.logits[i],
      probability: result.probabilities[i],
      ...(multiLabel ? { threshold: decision.thresholds?.[i] ?? DEFAULT_THRESHOLD } : {}),
      ...(result.deciding ? { window: result.deciding[i] } : {}),
    }));
    return { task, tokens, labels, multiLabel, predicted: result.predicted, windows: result.windows, truncated: result.truncated || text.length > MAX_TEXT_CHARS };
  }
  if (task === 'token-cls' && decisionOf(model.rawConfig, task, config.id2label).windows !== null) {
    const tagged = await tagWords(model, words);
    return { task, tokens: [], words: tagged.words.map(({ logits: _logits, ...w }) => w), windows: tagged.windows, truncated: tagged.truncated || text.length > MAX_TEXT_CHARS };
  }
  const maskPositions = task === 'mlm' ? ids.flatMap((id, i) => (id === tokenizer.special.mask ? [i] : [])) : [];
  if (task === 'mlm' && maskPositions.length === 0) {
    const mask = tokenizer.special.mask === null ? null : tokenizer.idToToken(tokenizer.special.mask);
    throw new LayerwiseError(
      'PREDICT_NO_MASK',
      mask ? `Put ${mask} where a word should be predicted.` : 'This tokenizer has no mask token, so masked words cannot be predicted.',
      { field: 'text' },
    );
  }

  // logits: [1, labels] (seq-cls), [1, S, labels] (token-cls), [1, S, vocab] (mlm).
  const outputs = tf.tidy(() => {
    const inputs = {
      input_ids: tf.tensor2d(batch.input_ids, undefined, 'int32'),
      attention_mask: tf.tensor2d(batch.attention_mask, undefined, 'int32'),
      token_type_ids: tf.tensor2d(batch.token_type_ids, undefined, 'int32'),
    };
    const logits = model.family.forward(modelTensors(model), inputs, config, task, { training: false, lora: model.lora, adapters: model.adapters });
    if (task !== 'mlm') return { logits, probs: tf.softmax(logits) };
    const rows = tf.gather(tf.squeeze(logits, [0]), tf.tensor1d(maskPositions, 'int32')); // [M, vocab]
    const top = tf.topk(tf.softmax(rows), MLM_TOP_K);
    return { logits: top.indices, probs: top.values };
  });
  try {
    if (task === 'token-cls') {
      const probs = ((await outputs.probs.array()) as number[][][])[0];
      const labelled = tokens.map((token, i) => {
        const best = probs[i].reduce((b, p, j) => (p > probs[i][b] ? j : b), 0);
        return { token, label: config.id2label[best], probability: probs[i][best], special: special.has(ids[i]) };
      });
      const firstToken = new Map<number, number>();
      (batch.wordIds ?? []).forEach((w, i) => {
        if (w !== null && !firstToken.has(w)) firstToken.set(w, i);
      });
      const labelledWords = words.flatMap((word, w) => {
        const i = firstToken.get(w);
        return i === undefined ? [] : [{ text: word, label: labelled[i].label, probability: labelled[i].probability }];
      });
      return { task, tokens: labelled, words: labelledWords, windows: 1, truncated: truncated || labelledWords.length < words.length };
    }
    const [indices, probs] = [(await outputs.logits.array()) as number[][], (await outputs.probs.array()) as number[][]];
    const masks = maskPositions.map((position, m) => ({
      position,
      candidates: indices[m].map((id, k) => ({ token: tokenizer.idToToken(id) ?? `#${id}`, probability: probs[m][k] })),
    }));
    return { task, tokens, masks, truncated };
  } finally {
    outputs.logits.dispose();
    outputs.probs.dispose();
  }
}
