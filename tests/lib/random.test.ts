// The seeded generator: reproducible, restorable from its state, independent streams, uniform enough for
// sampling (chi-square on 10 bins, 100k draws: the 0.999 quantile for 9 degrees of freedom is 27.88).
import { describe, expect, it } from 'vitest';
import { createRng, hashSeed, rngFromState, shuffleInPlace, streamId } from '../../src/lib/random';

describe('random', () => {
  it('gives the same numbers for the same seed and different ones for other seeds and streams', () => {
    const a = Array.from({ length: 5 }, createRng(42).next);
    expect(Array.from({ length: 5 }, createRng(42).next)).toEqual(a);
    expect(Array.from({ length: 5 }, createRng(43).next)).not.toEqual(a);
    expect(Array.from({ length: 5 }, createRng(42, streamId('split')).next)).not.toEqual(a);
    expect(hashSeed(0)).not.toBe(0);
    expect(hashSeed(2 ** 40)).not.toBe(hashSeed(0));
  });

  it('continues from a saved state', () => {
    const r = createRng(7);
    for (let i = 0; i < 10; i++) r.next();
    const copy = rngFromState(r.state());
    expect(Array.from({ length: 5 }, copy.next)).toEqual(Array.from({ length: 5 }, r.next));
  });

  it('is close to uniform', () => {
    const r = createRng(1);
    const bins = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) bins[r.int(10)]++;
    const chi2 = bins.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.88);
  });

  it('shuffles into a permutation', () => {
    const xs = shuffleInPlace(Array.from({ length: 100 }, (_, i) => i), createRng(3));
    expect([...xs].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
