// Truncated SVD of a sparse matrix by the randomized range finder with subspace iteration (Halko, Martinsson &
// Tropp 2011, algorithms 4.4 and 5.1): Q spans M·Ω refined by power iterations, B = QᵀM, and the small SVD of B
// comes from the eigendecomposition of B·Bᵀ by cyclic Jacobi (Golub & Van Loan 8.5). Dense blocks: row-major Float64.
import { LayerwiseError } from '../../lib/errors';
import { createRng, streamId } from '../../lib/random';
import type { Csr } from './sparse';
import { csrTimesDense, transpose } from './sparse';

export interface TruncatedSvdOptions {
  /** Extra random directions beyond k (Halko's p). Default 10. */
  oversample?: number;
  /** Subspace iterations Q <- orth(M·orth(Mᵀ·Q)); each one sharpens the gap by (σ_{l+1}/σ_k)². Default 4. */
  powerIterations?: number;
  /** Seed of the Gaussian test matrix Ω. Default 0. */
  seed?: number;
}

export interface TruncatedSvd {
  /** Left singular vectors [rows, k], row-major; each column's largest-magnitude entry is positive. */
  u: Float64Array;
  /** The top k singular values, descending. */
  s: Float64Array;
}

/** A column whose squared residual falls below this fraction of its squared norm is taken as dependent. */
const DEPENDENT = 1e-12;

/** Upper triangle of YᵀY [l, l] for y [n, l], four rows' outer products per pass (rows past n count as zero). */
function gramUpper(y: Float64Array, n: number, l: number): Float64Array {
  const g = new Float64Array(l * l);
  for (let r = 0; r < n; r += 4) {
    const o0 = r * l;
    const o1 = r + 1 < n ? o0 + l : o0;
    const o2 = r + 2 < n ? o0 + 2 * l : o0;
    const o3 = r + 3 < n ? o0 + 3 * l : o0;
    for (let a = 0; a < l; a++) {
      const y0 = y[o0 + a];
      const y1 = r + 1 < n ? y[o1 + a] : 0;
      const y2 = r + 2 < n ? y[o2 + a] : 0;
      const y3 = r + 3 < n ? y[o3 + a] : 0;
      const ga = a * l;
      for (let b = a; b < l; b++) g[ga + b] += y0 * y[o0 + b] + y1 * y[o1 + b] + y2 * y[o2 + b] + y3 * y[o3 + b];
    }
  }
  return g;
}

/**
 * out [n, k] = y [n, l] · t [l, k], four rows of t per pass over an output row. With upperTriangular (t[a, c] = 0
 * for c < a) the columns left of each group are skipped.
 */
function denseTimes(
  y: Float64Array,
  n: number,
  l: number,
  t: Float64Array,
  k: number,
  out: Float64Array,
  upperTriangular: boolean,
): void {
  out.fill(0);
  for (let r = 0; r < n; r++) {
    const o = r * k;
    const yr = r * l;
    for (let a = 0; a < l; a += 4) {
      const y0 = y[yr + a];
      const y1 = a + 1 < l ? y[yr + a + 1] : 0;
      const y2 = a + 2 < l ? y[yr + a + 2] : 0;
      const y3 = a + 3 < l ? y[yr + a + 3] : 0;
      const t0 = a * k;
      const t1 = a + 1 < l ? t0 + k : t0;
      const t2 = a + 2 < l ? t0 + 2 * k : t0;
      const t3 = a + 3 < l ? t0 + 3 * k : t0;
      for (let c = upperTriangular ? a : 0; c < k; c++) {
        out[o + c] += y0 * t[t0 + c] + y1 * t[t1 + c] + y2 * t[t2 + c] + y3 * t[t3 + c];
      }
    }
  }
}

/**
 * One Cholesky-QR pass: G = YᵀY = L·Lᵀ, Y <- Y·L⁻ᵀ (in place, through scratch [n, l]). A column numerically in the
 * span of the ones before it becomes zero, so a rank-deficient M yields zero singular values rather than noise.
 */
function cholQr(y: Float64Array, n: number, l: number, scratch: Float64Array): void {
  const g = gramUpper(y, n, l);
  const low = new Float64Array(l * l); // L [l, l], row j holds L[j, 0..j]
  for (let j = 0; j < l; j++) {
    const lj = j * l;
    let d = g[lj + j];
    for (let i = 0; i < j; i++) d -= low[lj + i] * low[lj + i];
    if (!(d > DEPENDENT * g[lj + j])) continue;
    const ljj = Math.sqrt(d);
    low[lj + j] = ljj;
    for (let b = j + 1; b < l; b++) {
      const lb = b * l;
      let v = g[lj + b];
      for (let i = 0; i < j; i++) v -= low[lj + i] * low[lb + i];
      low[lb + j] = v / ljj;
    }
  }
  // T = L⁻ᵀ (upper): column c of L⁻¹ by forward substitution, stored as row c of T; dropped columns stay zero.
  const t = new Float64Array(l * l);
  const x = new Float64Array(l);
  for (let c = 0; c < l; c++) {
    if (low[c * l + c] === 0) continue;
    x.fill(0);
    for (let i = c; i < l; i++) {
      const li = i * l;
      if (low[li + i] === 0) continue;
      let v = i === c ? 1 : 0;
      for (let a = c; a < i; a++) v -= low[li + a] * x[a];
      x[i] = v / low[li + i];
      t[c * l + i] = x[i];
    }
  }
  denseTimes(y, n, l, t, l, scratch, true);
  y.set(scratch.subarray(0, n * l));
}

/** Eigenvalues and eigenvectors (columns of the returned [l, l]) of symmetric a [l, l] by cyclic Jacobi; destroys a. */
function jacobiEigen(a: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let all = 0;
    for (let i = 0; i < l * l; i++) all += a[i] * a[i];
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += 2 * a[p * l + q] * a[p * l + q];
    if (off <= 1e-32 * all) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q];
        if (apq === 0) continue;
        // The rotation J(p, q) that zeroes a[p, q] in JᵀAJ (Golub & Van Loan, sym.schur2).
        const tau = (a[q * l + q] - a[p * l + p]) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.hypot(1, tau));
        const c = 1 / Math.hypot(1, t);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p];
          const akq = a[k * l + q];
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
          const vkp = v[k * l + p];
          const vkq = v[k * l + q];
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k];
          const aqk = a[q * l + k];
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        a[p * l + q] = 0; // exactly, so that rounding at the diagonal's scale does not stall the sweeps
        a[q * l + p] = 0;
      }
    }
  }
  const values = new Float64Array(l);
  for (let i = 0; i < l; i++) values[i] = a[i * l + i];
  return { values, vectors: v };
}

/** Top-k singular values and left singular vectors of M [rows, cols]. */
export function truncatedSvd(m: Csr, k: number, options: TruncatedSvdOptions = {}): TruncatedSvd {
  const { oversample = 10, powerIterations = 4, seed = 0 } = options;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(m.rows, m.cols)) {
    const most = Math.min(m.rows, m.cols);
    throw new LayerwiseError('PPMI_BAD_OPTION', `The rank k = ${k} must be an integer from 1 to ${most}.`, { field: 'dim' });
  }
  const l = Math.min(k + oversample, m.rows, m.cols);
  const rng = createRng(seed, streamId('truncated-svd'));
  const omega = new Float64Array(m.cols * l); // Ω [cols, l], standard normal by Box–Muller
  for (let i = 0; i < omega.length; i++) {
    omega[i] = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  }
  const mt = transpose(m);
  const q = new Float64Array(m.rows * l); // Q [rows, l]
  const z = new Float64Array(m.cols * l); // MᵀQ [cols, l]
  const scratch = new Float64Array(Math.max(m.rows, m.cols) * l);
  // One Cholesky-QR after each product keeps the span; orthogonality to rounding level is needed only at the end.
  cholQr(csrTimesDense(m, omega, l, q), m.rows, l, scratch);
  for (let it = 0; it < powerIterations; it++) {
    cholQr(csrTimesDense(mt, q, l, z), m.cols, l, scratch);
    cholQr(csrTimesDense(m, z, l, q), m.rows, l, scratch);
  }
  cholQr(q, m.rows, l, scratch);
  // Bᵀ = MᵀQ [cols, l]; B·Bᵀ [l, l] = W·diag(σ²)·Wᵀ, and M ≈ Q·B gives U = Q·W.
  const bbt = gramUpper(csrTimesDense(mt, q, l, z), m.cols, l);
  for (let a = 0; a < l; a++) for (let b = a + 1; b < l; b++) bbt[b * l + a] = bbt[a * l + b];
  const { values, vectors } = jacobiEigen(bbt, l);
  const order = Array.from({ length: l }, (_, i) => i).sort((i, j) => values[j] - values[i]);
  const s = new Float64Array(k);
  const w = new Float64Array(l * k); // the top k eigenvectors [l, k]
  for (let c = 0; c < k; c++) {
    s[c] = Math.sqrt(Math.max(values[order[c]], 0));
    for (let a = 0; a < l; a++) w[a * k + c] = vectors[a * l + order[c]];
  }
  const u = new Float64Array(m.rows * k);
  denseTimes(q, m.rows, l, w, k, u, false);
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let r = 0; r < m.rows; r++) if (Math.abs(u[r * k + c]) > Math.abs(big)) big = u[r * k + c];
    if (big < 0) for (let r = 0; r < m.rows; r++) u[r * k + c] = -u[r * k + c];
  }
  return { u, s };
}
