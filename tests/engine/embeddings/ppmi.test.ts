// PPMI-SVD embeddings (src/engine/embeddings/{sparse,svd,ppmi}.ts) against numpy references made by
// make_ppmi_reference.py: co-occurrence and PPMI of a hand corpus, the top-10 SVD of a random sparse matrix, the
// whole pipeline on a 2-topic corpus; plus a rank-deficient diagonal matrix, the topic behaviour and each error code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ppmiEmbeddings } from '../../../src/engine/embeddings/ppmi';
import type { PpmiOptions } from '../../../src/engine/embeddings/ppmi';
import { cooccurrence, ppmi } from '../../../src/engine/embeddings/sparse';
import type { Csr } from '../../../src/engine/embeddings/sparse';
import { truncatedSvd } from '../../../src/engine/embeddings/svd';
import { toErrorData } from '../../../src/lib/errors';

interface CsrJson {
  rows: number;
  cols: number;
  indptr: number[];
  indices: number[];
  data: number[];
}

const REF = JSON.parse(readFileSync(join(import.meta.dirname, 'ppmi-reference.json'), 'utf8')) as {
  tiny: { sentences: number[][]; vocabSize: number; window: number; specialIds: number[]; counts: number[][]; ppmi: Record<string, number[][]> };
  svd: { matrix: CsrJson; k: number; s: number[]; u: number[][] };
  pipeline: {
    sentences: number[][];
    vocabSize: number;
    dim: number;
    specialIds: number[];
    pairs: number;
    singularValues: number[];
    covered: number[];
    vectors: number[][];
  };
};

function dense(m: Csr): number[][] {
  const out = Array.from({ length: m.rows }, () => new Array<number>(m.cols).fill(0));
  for (let i = 0; i < m.rows; i++) {
    for (let p = m.indptr[i]; p < m.indptr[i + 1]; p++) out[i][m.indices[p]] = m.data[p];
  }
  return out;
}

function fromJson(m: CsrJson): Csr {
  return { rows: m.rows, cols: m.cols, indptr: Int32Array.from(m.indptr), indices: Int32Array.from(m.indices), data: Float64Array.from(m.data) };
}

function expectClose(actual: number[][], expected: number[][], tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i].length; j++) worst = Math.max(worst, Math.abs(actual[i][j] - expected[i][j]));
  }
  expect(worst).toBeLessThan(tol);
}

function codeOf(f: () => unknown): { code: string; location?: object } {
  try {
    f();
  } catch (err) {
    return toErrorData(err);
  }
  throw new Error('expected an error');
}

describe('co-occurrence and PPMI', () => {
  const { sentences, vocabSize, window, specialIds } = REF.tiny;
  const counts = cooccurrence(sentences, vocabSize, { window, specialIds });

  test('windowed 1/d counts equal numpy, in sorted CSR', () => {
    expectClose(dense(counts), REF.tiny.counts, 1e-12);
    for (let i = 0; i < vocabSize; i++) {
      for (let p = counts.indptr[i] + 1; p < counts.indptr[i + 1]; p++) expect(counts.indices[p]).toBeGreaterThan(counts.indices[p - 1]);
    }
  });

  test.each(Object.keys(REF.tiny.ppmi))('positive PMI with alpha %s equals numpy', (alpha) => {
    const m = ppmi(counts, Number(alpha));
    expectClose(dense(m), REF.tiny.ppmi[alpha], 1e-12);
    expect(m.data.every((v) => v > 0)).toBe(true);
  });
});

describe('truncated SVD', () => {
  test('top 10 of a random sparse 300 x 300 equal numpy.linalg.svd', () => {
    const { k } = REF.svd;
    const { u, s } = truncatedSvd(fromJson(REF.svd.matrix), k, { powerIterations: 60 });
    for (let i = 0; i < k; i++) expect(Math.abs(s[i] - REF.svd.s[i]) / REF.svd.s[i]).toBeLessThan(1e-6);
    // |Uᵀ·U_ref| = I: the same singular vectors, up to sign.
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        let dot = 0;
        for (let r = 0; r < REF.svd.matrix.rows; r++) dot += u[r * k + a] * REF.svd.u[r][b];
        expect(Math.abs(Math.abs(dot) - (a === b ? 1 : 0))).toBeLessThan(1e-5);
      }
    }
  });

  test('a rank-3 diagonal matrix: its values sorted, unit vectors with a positive sign, then zeros', () => {
    // diag 40 x 40 with 2, -5, 3 at rows 7, 19, 31: singular values 5, 3, 2, and rank 3 < k.
    const diag = new Map([
      [7, 2],
      [19, -5],
      [31, 3],
    ]);
    const indptr = Int32Array.from({ length: 41 }, (_, i) => [...diag.keys()].filter((r) => r < i).length);
    const m: Csr = { rows: 40, cols: 40, indptr, indices: Int32Array.from(diag.keys()), data: Float64Array.from(diag.values()) };
    const { u, s } = truncatedSvd(m, 5, { seed: 3 });
    expect(Array.from(s.subarray(0, 3))).toEqual([5, 3, 2].map((v) => expect.closeTo(v, 12)));
    expect(s[3]).toBeLessThan(1e-12);
    expect(s[4]).toBeLessThan(1e-12);
    [19, 31, 7].forEach((row, c) => {
      for (let r = 0; r < 40; r++) expect(u[r * 5 + c]).toBeCloseTo(r === row ? 1 : 0, 12);
    });
  });
});

describe('ppmiEmbeddings', () => {
  const { sentences, vocabSize, dim, specialIds } = REF.pipeline;
  function* oneByOne(): Generator<number[]> {
    yield* sentences;
  }

  test('equals the numpy pipeline up to the sign of each column', () => {
    const e = ppmiEmbeddings(oneByOne(), vocabSize, { dim, specialIds, powerIterations: 30 });
    expect(e.pairs).toBe(REF.pipeline.pairs);
    expect(Array.from(e.covered)).toEqual(REF.pipeline.covered);
    for (let c = 0; c < dim; c++) expect(Math.abs(e.singularValues[c] - REF.pipeline.singularValues[c])).toBeLessThan(1e-9);
    let worst = 0;
    for (let c = 0; c < dim; c++) {
      let dot = 0;
      for (let i = 0; i < vocabSize; i++) dot += e.vectors[i * dim + c] * REF.pipeline.vectors[i][c];
      const sign = dot < 0 ? -1 : 1;
      for (let i = 0; i < vocabSize; i++) worst = Math.max(worst, Math.abs(sign * e.vectors[i * dim + c] - REF.pipeline.vectors[i][c]));
    }
    // Components have std 0.02: 1e-7 is 5e-6 of that (30 power iterations reach ~2e-9; the default 4 reach ~5e-4).
    expect(worst).toBeLessThan(1e-7);
  });

  test('with the defaults, words of one topic are closer to each other than to the other topic', () => {
    const e = ppmiEmbeddings(sentences, vocabSize, { dim, specialIds });
    const cos = (a: number, b: number): number => {
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let c = 0; c < dim; c++) {
        const x = e.vectors[a * dim + c];
        const y = e.vectors[b * dim + c];
        ab += x * y;
        aa += x * x;
        bb += y * y;
      }
      return ab / Math.sqrt(aa * bb);
    };
    const topic = (w: number): number => (w < 25 ? 0 : 1);
    const words = Array.from({ length: 40 }, (_, i) => 5 + i).filter((w) => e.covered[w]);
    expect(words.length).toBeGreaterThan(30);
    for (const w of words) {
      const mean = (same: boolean): number => {
        const others = words.filter((o) => o !== w && (topic(o) === topic(w)) === same);
        return others.reduce((sum, o) => sum + cos(w, o), 0) / others.length;
      };
      expect(mean(true)).toBeGreaterThan(mean(false) + 0.1);
    }
    // Rows have norm scale·√dim; specials and unseen ids (50, 51) are not produced.
    for (const w of words) expect(Math.hypot(...e.vectors.subarray(w * dim, (w + 1) * dim))).toBeCloseTo(0.02 * Math.sqrt(dim), 6);
    for (const w of [0, 1, 2, 3, 4, 50, 51]) {
      expect(e.covered[w]).toBe(0);
      expect(e.vectors.subarray(w * dim, (w + 1) * dim).every((v) => v === 0)).toBe(true);
    }
  });

  test.each<[string, Partial<PpmiOptions>, string]>([
    ['dim 0', { dim: 0 }, 'dim'],
    ['dim above the vocabulary', { dim: 53 }, 'dim'],
    ['window 0', { window: 0 }, 'window'],
    ['alpha 0', { alpha: 0 }, 'alpha'],
    ['negative power', { power: -1 }, 'power'],
    ['scale 0', { scale: 0 }, 'scale'],
    ['fractional power iterations', { powerIterations: 1.5 }, 'powerIterations'],
    ['a special id outside the vocabulary', { specialIds: [52] }, 'specialIds'],
  ])('%s: PPMI_BAD_OPTION', (_name, options, field) => {
    const err = codeOf(() => ppmiEmbeddings(sentences, vocabSize, { dim, ...options }));
    expect(err).toMatchObject({ code: 'PPMI_BAD_OPTION', location: { field } });
  });

  test.each([-1, 52, 7.5, Number.NaN])('token id %s: PPMI_TOKEN_OUT_OF_RANGE with its sentence', (id) => {
    const bad = sentences.map((s, i) => (i === 3 ? [...s.slice(0, 2), id, ...s.slice(2)] : s));
    const err = codeOf(() => ppmiEmbeddings(bad, vocabSize, { dim }));
    expect(err).toMatchObject({ code: 'PPMI_TOKEN_OUT_OF_RANGE', location: { row: 3, column: 2 } });
  });

  test.each([
    ['no sentences', []],
    ['only special tokens and one-word sentences', [[2, 3], [2, 7, 3], [0, 0]]],
    ['words too far apart', [[7, 1, 1, 1, 8]]],
  ])('%s: PPMI_EMPTY_CORPUS', (_name, corpus) => {
    const err = codeOf(() => ppmiEmbeddings(corpus, vocabSize, { dim: 2, window: 3, specialIds }));
    expect(err.code).toBe('PPMI_EMPTY_CORPUS');
  });
});
