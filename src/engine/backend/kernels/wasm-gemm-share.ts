// One thread's share of a wasm matrix product (wasm-gemm.ts). The same function runs on the calling thread and,
// as source text, in the product's workers (wasm-gemm-threads.ts), so it must stay self-contained: no imports, no
// helpers, nothing from its closure.

/** Where a product's description starts in the control block (Uint32 index); the layout is runShare's. */
export const JOB_AT = 4;
/** Uint32 fields of a job. */
export const JOB_FIELDS = 21;

export interface GemmExports {
  rows(): number;
  pack_a(src: number, rs: number, cs: number, m: number, k: number, p0: number, p1: number, dst: number): void;
  pack_b(src: number, rs: number, cs: number, k: number, n: number, dst: number): void;
  gemm(ap: number, bp: number, bias: number, c: number, m: number, n: number, k: number, p0: number, p1: number, t: number): void;
}

/**
 * Thread `t` of `threads`. job[JOB_AT..] holds (addresses and strides in bytes): products, m, n, k; A's base, row
 * and column strides and the step between products (0 when all share one); the same for B; the output and its
 * step; the padded bias; A's panels, their step per thread, B's panels, their step, the tile and its step.
 * One product: the threads split its row panels and read B's panels, packed before by the caller. Several: the
 * threads split the products, each packing into its own panels.
 */
export function runShare(x: GemmExports, job: Uint32Array, t: number, threads: number): void {
  const [products, m, n, k, a, aRs, aCs, aStep, b, bRs, bCs, bStep, out, outStep, bias, ap0, apStep, bp0, bpStep, tile0, tileStep] =
    job.subarray(4, 4 + 21);
  const panels = Math.ceil(m / x.rows());
  const tile = tile0 + t * tileStep;
  if (products === 1) {
    const [p0, p1] = [Math.floor((panels * t) / threads), Math.floor((panels * (t + 1)) / threads)];
    if (p0 === p1) return;
    x.pack_a(a, aRs, aCs, m, k, p0, p1, ap0);
    x.gemm(ap0, bp0, bias, out, m, n, k, p0, p1, tile);
    return;
  }
  const [ap, bp] = [ap0 + t * apStep, bp0 + t * bpStep];
  const [g0, g1] = [Math.floor((products * t) / threads), Math.floor((products * (t + 1)) / threads)];
  for (let g = g0; g < g1; g++) {
    if (g === g0 || aStep !== 0) x.pack_a(a + g * aStep, aRs, aCs, m, k, 0, panels, ap);
    if (g === g0 || bStep !== 0) x.pack_b(b + g * bStep, bRs, bCs, k, n, bp);
    x.gemm(ap, bp, bias, out + g * outStep, m, n, k, 0, panels, tile);
  }
}
