// Sparse word-word matrices for PPMI embeddings (Levy, Goldberg & Dagan 2015): windowed co-occurrence counts and
// positive PMI with context-distribution smoothing, in CSR (scipy.sparse.csr_matrix's indptr/indices/data), plus the
// transpose and the sparse x dense product the randomized SVD needs. Never a dense V x V array: rows are built one
// at a time.
import { LayerwiseError } from '../../lib/errors';

/** Compressed sparse rows, as scipy.sparse.csr_matrix: row i holds columns indices[indptr[i]..indptr[i+1]), sorted. */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array; // [rows + 1]
  indices: Int32Array; // [nnz]
  data: Float64Array; // [nnz]
}

export interface CooccurrenceOptions {
  /** Pairs up to this many positions apart count, with weight 1/distance. */
  window: number;
  /** Ids that never form a pair ([CLS], [SEP], [PAD]...); they still take up positions. */
  specialIds?: readonly number[];
}

/** Appendable CSR columns and values, doubling as they fill. */
function growable(capacity: number) {
  let indices = new Int32Array(capacity);
  let data = new Float64Array(capacity);
  let size = 0;
  return {
    push(col: number, value: number): void {
      if (size === indices.length) {
        const i2 = new Int32Array(size * 2);
        i2.set(indices);
        indices = i2;
        const d2 = new Float64Array(size * 2);
        d2.set(data);
        data = d2;
      }
      indices[size] = col;
      data[size++] = value;
    },
    get size() {
      return size;
    },
    done: () => ({ indices: indices.slice(0, size), data: data.slice(0, size) }),
  };
}

/**
 * Symmetric windowed co-occurrence X [vocabSize, vocabSize]: for tokens a, b at distance d <= window in one
 * sentence, neither special, X[a,b] and X[b,a] each gain 1/d. Each row is gathered from the positions of its id
 * (an inverted index of the corpus) into a dense accumulator, so memory stays O(corpus + nnz).
 */
export function cooccurrence(
  sentences: Iterable<ArrayLike<number>>,
  vocabSize: number,
  options: CooccurrenceOptions,
): Csr {
  const special = new Uint8Array(vocabSize);
  for (const id of options.specialIds ?? []) special[id] = 1;
  let ids = new Int32Array(1 << 16);
  let sent = new Int32Array(1 << 16);
  let n = 0;
  let s = 0;
  let longest = 0;
  for (const sentence of sentences) {
    longest = Math.max(longest, sentence.length);
    if (n + sentence.length > ids.length) {
      const size = Math.max(ids.length * 2, n + sentence.length);
      const ids2 = new Int32Array(size);
      ids2.set(ids.subarray(0, n));
      ids = ids2;
      const sent2 = new Int32Array(size);
      sent2.set(sent.subarray(0, n));
      sent = sent2;
    }
    for (let i = 0; i < sentence.length; i++) {
      const t = sentence[i];
      if (!Number.isInteger(t) || t < 0 || t >= vocabSize) {
        throw new LayerwiseError(
          'PPMI_TOKEN_OUT_OF_RANGE',
          `Token id ${t} at position ${i} of sentence ${s} is not an id of the ${vocabSize}-word vocabulary.`,
          { row: s, column: i },
        );
      }
      ids[n] = t;
      sent[n++] = s;
    }
    s++;
  }
  // Inverted index: the positions of each non-special id, ascending.
  const start = new Int32Array(vocabSize + 1);
  for (let p = 0; p < n; p++) if (!special[ids[p]]) start[ids[p] + 1]++;
  for (let v = 0; v < vocabSize; v++) start[v + 1] += start[v];
  const positions = new Int32Array(start[vocabSize]);
  const fill = start.slice(0, vocabSize);
  for (let p = 0; p < n; p++) if (!special[ids[p]]) positions[fill[ids[p]]++] = p;

  const acc = new Float64Array(vocabSize);
  const touched = new Int32Array(vocabSize);
  const indptr = new Int32Array(vocabSize + 1);
  const out = growable(1 << 16);
  const reach = Math.min(options.window, longest - 1); // no pair spans more than a sentence
  let m = 0; // distinct columns of the current row, listed in touched[0..m)
  const visit = (p: number, q: number, w: number): void => {
    if (q < 0 || q >= n || sent[q] !== sent[p] || special[ids[q]]) return;
    const b = ids[q];
    if (acc[b] === 0) touched[m++] = b;
    acc[b] += w;
  };
  for (let a = 0; a < vocabSize; a++) {
    m = 0;
    for (let k = start[a]; k < start[a + 1]; k++) {
      const p = positions[k];
      for (let d = 1; d <= reach; d++) {
        visit(p, p - d, 1 / d);
        visit(p, p + d, 1 / d);
      }
    }
    const cols = touched.subarray(0, m).sort();
    for (const b of cols) {
      out.push(b, acc[b]);
      acc[b] = 0;
    }
    indptr[a + 1] = out.size;
  }
  return { rows: vocabSize, cols: vocabSize, indptr, ...out.done() };
}

/**
 * Positive PMI of a count matrix with context-distribution smoothing: pmi = log(X_ij * total / (pw_i * pc_j)),
 * pw = row sums, pc = (column sums)^alpha rescaled to sum to total; only entries with pmi > 0 are kept.
 */
export function ppmi(x: Csr, alpha: number): Csr {
  let total = 0;
  const pw = new Float64Array(x.rows);
  const pc = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) {
    for (let p = x.indptr[i]; p < x.indptr[i + 1]; p++) {
      pw[i] += x.data[p];
      pc[x.indices[p]] += x.data[p];
    }
    total += pw[i];
  }
  let pcSum = 0;
  for (let j = 0; j < x.cols; j++) pcSum += (pc[j] = pc[j] ** alpha);
  for (let j = 0; j < x.cols; j++) pc[j] = (pc[j] / pcSum) * total;
  const indptr = new Int32Array(x.rows + 1);
  const out = growable(Math.max(1, x.indptr[x.rows]));
  for (let i = 0; i < x.rows; i++) {
    for (let p = x.indptr[i]; p < x.indptr[i + 1]; p++) {
      const j = x.indices[p];
      const v = Math.log((x.data[p] * total) / (pw[i] * pc[j]));
      if (v > 0) out.push(j, v);
    }
    indptr[i + 1] = out.size;
  }
  return { rows: x.rows, cols: x.cols, indptr, ...out.done() };
}

/** Mᵀ as its own CSR [cols, rows] (a counting sort by column), so that Mᵀ·x is a gather like M·x. */
export function transpose(m: Csr): Csr {
  const nnz = m.indptr[m.rows];
  const indptr = new Int32Array(m.cols + 1);
  for (let p = 0; p < nnz; p++) indptr[m.indices[p] + 1]++;
  for (let j = 0; j < m.cols; j++) indptr[j + 1] += indptr[j];
  const fill = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  for (let i = 0; i < m.rows; i++) {
    for (let p = m.indptr[i]; p < m.indptr[i + 1]; p++) {
      const q = fill[m.indices[p]]++;
      indices[q] = i;
      data[q] = m.data[p];
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data };
}

/**
 * out [m.rows, l] = M·x for x [m.cols, l], both row-major. Four nonzeros per pass over an output row: a quarter of
 * the loads and stores of out (V8 does not vectorise; this is what makes it ~2x faster). A short group repeats its
 * first entry with weight 0.
 */
export function csrTimesDense(m: Csr, x: Float64Array, l: number, out: Float64Array): Float64Array {
  const { indptr, indices, data } = m;
  out.fill(0);
  for (let i = 0; i < m.rows; i++) {
    const o = i * l;
    const end = indptr[i + 1];
    for (let p = indptr[i]; p < end; p += 4) {
      const v0 = data[p];
      const v1 = p + 1 < end ? data[p + 1] : 0;
      const v2 = p + 2 < end ? data[p + 2] : 0;
      const v3 = p + 3 < end ? data[p + 3] : 0;
      const r0 = indices[p] * l;
      const r1 = p + 1 < end ? indices[p + 1] * l : r0;
      const r2 = p + 2 < end ? indices[p + 2] * l : r0;
      const r3 = p + 3 < end ? indices[p + 3] * l : r0;
      for (let c = 0; c < l; c++) out[o + c] += v0 * x[r0 + c] + v1 * x[r1 + c] + v2 * x[r2 + c] + v3 * x[r3 + c];
    }
  }
  return out;
}
