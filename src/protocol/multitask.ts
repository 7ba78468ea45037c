// Multi-task runs, the pure parts: how the heads' parameters are named beside the one encoder, and which head each
// optimizer step of an epoch trains. Pure, so that the loop, the layer tree and tests agree.
//
// Names: the encoder keeps its checkpoint names; head h's parameters are its family's head names under
// `heads.<h>.` ("heads.ner.classifier.weight", "heads.per.bert.pooler.dense.weight"), because two heads of one family
// share names (BERT's sequence and token classifiers are both `classifier.*`). An export strips the prefix again.
//
// Steps: each step trains one head on `gradAccumulation` batches of its own data (as MT-DNN, Liu et al. 2019, and
// the T5 mixing strategies, Raffel et al. 2020, sample one task per batch). An epoch has Σ ceil(bᵢ / A) steps, bᵢ
// head i's batches; the sampler decides how many of them each head gets and in what order:
//   proportional: ceil(bᵢ / A) each (each head's data once an epoch), in a seeded shuffled order;
//   round-robin:  as equal as can be, in turn (0, 1, 2, 0, 1, 2, ...), a small head's data repeated;
//   temperature:  ∝ nᵢ^(1/T) of the examples (T = 1 proportional, T → ∞ equal), by largest remainder, shuffled.
import { createRng, shuffleInPlace, streamId } from '../lib/random';
import type { TaskSampler } from './train-config';

export const HEADS_PREFIX = 'heads';

/** `heads.<name>.`: the store prefix of a head's parameters. */
export const headPrefix = (name: string): string => `${HEADS_PREFIX}.${name}.`;

/** The head a store name belongs to, and its family name, or null for the encoder's parameters. */
export function splitHeadName(name: string): { head: string; name: string } | null {
  if (!name.startsWith(`${HEADS_PREFIX}.`)) return null;
  const rest = name.slice(HEADS_PREFIX.length + 1);
  const dot = rest.indexOf('.');
  return dot <= 0 ? null : { head: rest.slice(0, dot), name: rest.slice(dot + 1) };
}

/** Largest-remainder rounding of shares (summing to 1) to `total` whole counts, at least one each when total allows. */
function apportion(shares: readonly number[], total: number): number[] {
  const raw = shares.map((s) => s * total);
  const counts = raw.map((r) => Math.floor(r));
  const order = raw.map((r, i) => ({ i, rest: r - Math.floor(r) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let k = 0, left = total - counts.reduce((a, b) => a + b, 0); k < left; k++) counts[order[k % order.length].i]++;
  // A head with a share above zero never disappears from an epoch long enough to hold every head once.
  if (total >= counts.length) {
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] > 0) continue;
      const donor = counts.indexOf(Math.max(...counts));
      counts[donor]--;
      counts[i]++;
    }
  }
  return counts;
}

/** Each head's share of the steps: proportional to examples, equal, or ∝ n^(1/T). */
export function samplerShares(examples: readonly number[], sampler: TaskSampler, temperature: number): number[] {
  const weights = examples.map((n) => (sampler === 'round-robin' ? 1 : sampler === 'temperature' ? n ** (1 / temperature) : n));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

export interface TaskPlanInput {
  /** Training examples of each head. */
  examples: readonly number[];
  /** Optimizer steps that go through head i's data once: ceil(ceil(nᵢ / batchSize) / gradAccumulation). */
  windows: readonly number[];
  sampler: TaskSampler;
  temperature: number;
  seed: number;
}

const ORDER_STREAM = streamId('multitask-order');

/** Optimizer steps in an epoch: Σ windowsᵢ. */
export const stepsPerTaskEpoch = (windows: readonly number[]): number => windows.reduce((a, b) => a + b, 0);

/** The head trained by each step of `epoch`: a pure function of (input, epoch), so that a resumed run continues it. */
export function taskOrder(input: TaskPlanInput, epoch: number): number[] {
  const total = stepsPerTaskEpoch(input.windows);
  const counts = input.sampler === 'proportional' ? [...input.windows] : apportion(samplerShares(input.examples, input.sampler, input.temperature), total);
  if (input.sampler === 'round-robin') {
    // In turn while every head has steps left; the heads with more then finish in turn among themselves.
    const left = [...counts];
    const order: number[] = [];
    while (order.length < total) {
      for (let i = 0; i < left.length; i++) {
        if (left[i] > 0) {
          order.push(i);
          left[i]--;
        }
      }
    }
    return order;
  }
  const order = counts.flatMap((c, i) => new Array<number>(c).fill(i));
  return shuffleInPlace(order, createRng(input.seed, ORDER_STREAM, epoch));
}
