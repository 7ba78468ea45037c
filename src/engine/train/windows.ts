// The micro-batches of each optimizer step. An epoch's batch order is a pure function of (seed, epoch)
// (data/batches.ts); gradAccumulation consecutive batches make one step, and a last partial window still steps
// (protocol/schedule.ts deriveSchedule). MLM masks are drawn from (seed, epoch, batch), so a resumed run sees the
// same data, and evaluation masks from (seed, batch) alone, so that every evaluation of a run is comparable.
import { createRng, streamId } from '../../lib/random';
import { collate, planBatches, type Batch, type PaddingOptions } from '../data/batches';
import { IGNORE_INDEX, type EncodedDataset } from '../data/encode';
import { maskBatch, type MlmOptions, type MlmTokenizerInfo } from '../data/mlm-collator';

export interface MicroBatch {
  /** Collated; for MLM with the masked input_ids and labels already in place. */
  batch: Batch;
  /** Items the loss counts: labels != -100 (examples for seq-cls, tokens otherwise). */
  count: number;
  /** Non-padding tokens. */
  tokens: number;
  /** Multi-task: the head (an index into StepModel.heads) whose data this is; absent with one head. */
  head?: number;
}

export interface BatchSource {
  data: EncodedDataset;
  batchSize: number;
  seed: number;
  padding: PaddingOptions;
  /** MLM: the tokenizer facts masking needs, and TrainConfig.mlm; null for the classification tasks. */
  masking: MlmMasking | null;
}

export interface MlmMasking {
  info: MlmTokenizerInfo;
  options: MlmOptions;
}

const TRAIN_MASK_STREAM = streamId('mlm-train');
const EVAL_MASK_STREAM = streamId('mlm-eval');

function countWhere(values: Int32Array, keep: (v: number) => boolean): number {
  let n = 0;
  for (const v of values) if (keep(v)) n++;
  return n;
}

/**
 * The collated (and for MLM masked) batch of the examples at `indices`. maskStreams seed its masking: a training
 * batch passes (epoch, batch index), an evaluation batch its batch index.
 */
export function microBatch(source: BatchSource, indices: readonly number[], train: boolean, ...maskStreams: number[]): MicroBatch {
  let batch = collate(source.data, indices, source.padding);
  if (source.masking !== null) {
    const rng = createRng(source.seed, train ? TRAIN_MASK_STREAM : EVAL_MASK_STREAM, ...maskStreams);
    batch = { ...batch, ...maskBatch(batch, source.masking.info, rng, source.masking.options) };
  }
  return {
    batch,
    count: countWhere(batch.labels, (v) => v !== IGNORE_INDEX),
    tokens: countWhere(batch.attention_mask, (v) => v === 1),
  };
}

/**
 * A collated (and masked) batch as passes of at most `size` examples, rows in order: the same examples, padding and
 * masks as the whole batch, so that their count-weighted gradients sum to the whole batch's (TrainConfig.microBatchSize).
 */
export function splitMicroBatch(m: MicroBatch, size: number): MicroBatch[] {
  const { batch } = m;
  if (batch.size <= size) return [m];
  const seq = batch.seqLength;
  const perRow = batch.labels.length / batch.size; // 1 (seq-cls) or seqLength
  const out: MicroBatch[] = [];
  for (let start = 0; start < batch.size; start += size) {
    const end = Math.min(batch.size, start + size);
    const rows = (a: Int32Array, width: number) => a.slice(start * width, end * width);
    const part = {
      ...batch,
      size: end - start,
      input_ids: rows(batch.input_ids, seq),
      attention_mask: rows(batch.attention_mask, seq),
      token_type_ids: rows(batch.token_type_ids, seq),
      labels: rows(batch.labels, perRow),
      indices: batch.indices.slice(start, end),
    };
    out.push({ batch: part, count: countWhere(part.labels, (v) => v !== IGNORE_INDEX), tokens: countWhere(part.attention_mask, (v) => v === 1) });
  }
  return out;
}

/** The optimizer steps of each epoch as windows of micro-batches; one epoch's batch plan is kept at a time. */
export class EpochWindows {
  private readonly source: BatchSource;
  private readonly accumulation: number;
  private readonly lengths: number[];
  /** Examples per forward/backward pass; a larger batch is split (splitMicroBatch). Null: whole batches. */
  private readonly microBatchSize: number | null;
  private planned: { epoch: number; batches: number[][] } | null = null;

  constructor(source: BatchSource, accumulation: number, microBatchSize: number | null = null) {
    this.source = source;
    this.accumulation = accumulation;
    this.microBatchSize = microBatchSize;
    this.lengths = source.data.examples.map((e) => e.ids.length);
  }

  /** Training examples. */
  get examples(): number {
    return this.lengths.length;
  }

  /** Micro-batches in an epoch (every epoch has the same number). */
  get batchesPerEpoch(): number {
    return Math.ceil(this.lengths.length / this.source.batchSize);
  }

  /** Optimizer steps in an epoch. */
  get windowsPerEpoch(): number {
    return Math.max(1, Math.ceil(this.batchesPerEpoch / this.accumulation));
  }

  private batchesOf(epoch: number): number[][] {
    if (this.planned?.epoch !== epoch) {
      const { batchSize, seed } = this.source;
      this.planned = { epoch, batches: planBatches(this.lengths, { batchSize, seed, epoch, shuffle: true }) };
    }
    return this.planned.batches;
  }

  /** The micro-batches of step `index` (0-based) of `epoch`. */
  window(epoch: number, index: number): MicroBatch[] {
    const batches = this.batchesOf(epoch);
    const first = index * this.accumulation;
    const out: MicroBatch[] = [];
    for (let b = first; b < Math.min(batches.length, first + this.accumulation); b++) {
      const m = microBatch(this.source, batches[b], true, epoch, b);
      out.push(...(this.microBatchSize === null ? [m] : splitMicroBatch(m, this.microBatchSize)));
    }
    return out;
  }
}
