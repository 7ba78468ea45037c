// Batches of encoded examples. The order is a pure function of (seed, epoch), so a resumed run sees the same data
// order (RELIABILITY N6). Optional length grouping follows transformers' LengthGroupedSampler. Padding is dynamic but
// rounded up to a multiple of padMultiple: a few shapes only, because the WebGPU buffer pool keeps every size it saw.
import { LayerwiseError } from '../../lib/errors';
import { createRng, shuffleInPlace, streamId } from '../../lib/random';
import { IGNORE_INDEX, type EncodedDataset } from './encode';

export interface BatchPlanOptions {
  batchSize: number;
  seed: number;
  epoch: number;
  /** Shuffle the examples each epoch (training); false keeps file order (evaluation). */
  shuffle: boolean;
  /** Put examples of similar length together (less padding), within random mega-batches of 50 batches. */
  groupByLength?: boolean;
  /** Leave out a last, smaller batch. */
  dropLast?: boolean;
}

/** Example indices of each batch of one epoch. */
export function planBatches(lengths: readonly number[], opts: BatchPlanOptions): number[][] {
  const { batchSize } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new LayerwiseError('DATA_BAD_BATCH_SIZE', `Batch size must be a whole number of at least 1, got ${batchSize}.`, { field: 'batchSize' });
  }
  const rng = createRng(opts.seed, streamId('batches'), opts.epoch);
  let order = lengths.map((_, i) => i);
  if (opts.shuffle) shuffleInPlace(order, rng);
  if (opts.groupByLength) {
    // get_length_grouped_indices: sort by length (longest first) inside mega-batches of up to 50 batches.
    const mult = Math.max(1, Math.min(Math.floor(lengths.length / (batchSize * 4)), 50));
    const mega = mult * batchSize;
    const groups: number[][] = [];
    for (let i = 0; i < order.length; i += mega) groups.push(order.slice(i, i + mega).sort((a, b) => lengths[b] - lengths[a]));
    // The mega-batch holding the longest example goes first, so that running out of memory shows at step 1.
    let longest = 0;
    groups.forEach((g, k) => {
      if (lengths[g[0]] > lengths[groups[longest][0]]) longest = k;
    });
    if (longest > 0) [groups[0], groups[longest]] = [groups[longest], groups[0]];
    order = groups.flat();
  }
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) {
    const b = order.slice(i, i + batchSize);
    if (b.length === batchSize || !opts.dropLast) batches.push(b);
  }
  return batches;
}

export interface PaddingOptions {
  padId: number;
  /** The model's limit; no batch is longer. */
  maxLength: number;
  /** Sequence lengths are rounded up to a multiple of this (default 16). */
  padMultiple?: number;
}

/** The padded length for a batch whose longest example has `longest` tokens. */
export function paddedLength(longest: number, opts: PaddingOptions): number {
  const m = opts.padMultiple ?? 16;
  return Math.min(opts.maxLength, Math.ceil(Math.max(1, longest) / m) * m);
}

/** Flat row-major arrays, ready for tf.tensor2d(x, [size, seqLength], 'int32'). */
export interface Batch {
  size: number;
  seqLength: number;
  /** [size, seqLength] */
  input_ids: Int32Array;
  /** [size, seqLength]: 1 for tokens, 0 for padding. */
  attention_mask: Int32Array;
  /** [size, seqLength] */
  token_type_ids: Int32Array;
  /**
   * seq-cls: [size] class ids, or multi-label [size, classes] 0/1. token-cls: [size, seqLength] with -100 on ignored
   * positions. mlm: [size, seqLength], all -100 until the collator masks.
   */
  labels: Int32Array;
  /** Multi-label: the number of labels (labels is [size, classes]); absent otherwise. */
  classes?: number;
  /** Example indices in the encoded dataset. */
  indices: number[];
}

/** Pads the examples at `indices` to one length, right-padded as BERT-family models expect. */
export function collate(data: EncodedDataset, indices: readonly number[], opts: PaddingOptions): Batch {
  const examples = indices.map((i) => data.examples[i]);
  const seqLength = paddedLength(Math.max(...examples.map((e) => e.ids.length)), opts);
  const size = examples.length;
  const input_ids = new Int32Array(size * seqLength).fill(opts.padId);
  const attention_mask = new Int32Array(size * seqLength);
  const token_type_ids = new Int32Array(size * seqLength);
  const perToken = data.task !== 'seq-cls';
  const classes = data.multiLabel ? data.id2label.length : 0;
  const labels = data.multiLabel ? new Int32Array(size * classes) : new Int32Array(perToken ? size * seqLength : size).fill(IGNORE_INDEX);
  examples.forEach((e, b) => {
    const n = Math.min(e.ids.length, seqLength);
    const row = b * seqLength;
    input_ids.set(e.ids.subarray(0, n), row);
    attention_mask.fill(1, row, row + n);
    token_type_ids.set(e.typeIds.subarray(0, n), row);
    if (data.multiLabel) for (const id of e.labelSet ?? []) labels[b * classes + id] = 1;
    else if (data.task === 'seq-cls') labels[b] = e.label;
    else if (e.tokenLabels) labels.set(e.tokenLabels.subarray(0, n), row);
  });
  const batch: Batch = { size, seqLength, input_ids, attention_mask, token_type_ids, labels, indices: [...indices] };
  if (data.multiLabel) batch.classes = classes;
  return batch;
}
