// Seeded pseudo-random numbers for data order, splits, MLM masking and augmentation. splitmix32 hashes seeds
// (so seed 0 is as good as any other), mulberry32 generates (32-bit state: one number saves and restores a stream).
// Same seed, same numbers, on every platform: only 32-bit integer arithmetic (Math.imul) is used.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** The current state: rngFromState(rng.state()) continues the same sequence. */
  state(): number;
}

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** One 32-bit seed from several numbers (a run seed, an epoch, a stream name's hash...). Integers up to 2^53. */
export function hashSeed(...parts: number[]): number {
  let h = 0x6a09e667;
  for (const p of parts) {
    const n = Math.trunc(p);
    const lo = n >>> 0;
    const hi = Math.floor(n / 4294967296) >>> 0;
    h = splitmix32(h ^ lo);
    h = splitmix32(h ^ hi);
  }
  return h;
}

/** A 32-bit hash of a string (FNV-1a), to name independent streams: createRng(seed, streamId('split')). */
export function streamId(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** mulberry32 continuing from a saved state. */
export function rngFromState(state: number): Rng {
  let a = state | 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), state: () => a >>> 0 };
}

/** A generator for (seed, ...streams): different streams of one seed are independent. */
export function createRng(seed: number, ...streams: number[]): Rng {
  return rngFromState(hashSeed(seed, ...streams));
}

/** Fisher–Yates shuffle in place; returns the array. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}
