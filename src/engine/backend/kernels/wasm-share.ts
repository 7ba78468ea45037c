// One thread's share of a job of the engine's wasm kernels: a matrix product (wasm-gemm.ts) or a call of a one-pass
// kernel over a range of values or rows (wasm-elementwise-wat.ts). The same function runs on the calling thread and,
// as source text, in the pool's workers (wasm-pool.ts), so it must stay self-contained: no imports but types, no
// helpers, nothing from its closure.

export interface GemmExports {
  rows(): number;
  pack_a(src: number, rs: number, cs: number, m: number, k: number, p0: number, p1: number, dst: number): void;
  pack_b(src: number, rs: number, cs: number, k: number, n: number, dst: number): void;
  gemm(ap: number, bp: number, bias: number, c: number, m: number, n: number, k: number, p0: number, p1: number, t: number): void;
}

export interface ElementwiseExports {
  gelu(x: number, out: number, n: number): void;
  gelu_grad(x: number, dy: number, out: number, n: number): void;
  column_sums(x: number, rows: number, cols: number, acc: number, out: number): void;
  dropout_mask(out: number, first: number, n: number, key: number, threshold: number, kept: number): void;
  l2_norm(x: number, n: number, out: number): void;
  layer_norm(x: number, w: number, b: number, out: number, rows: number, width: number, eps: number): void;
  layer_norm_dx(x: number, w: number, dy: number, out: number, rows: number, width: number, eps: number): void;
  layer_norm_dy_xhat(x: number, dy: number, out: number, rows: number, width: number, eps: number): void;
  adamw(p: number, g: number, m: number, v: number, outP: number, outM: number, outV: number, n: number, beta1: number, oneMinusBeta1: number,
    beta2: number, oneMinusBeta2: number, eps: number, decay: number, negStepSize: number, bc2: number, gradScale: number): void;
}

export interface KernelExports {
  gemm: GemmExports;
  elementwise: ElementwiseExports;
}

/** Where a job starts in the pool's control block (Uint32 index; the slots before it are wasm-pool.ts's). */
export const JOB_AT = 4;
/** Uint32 slots of a job: its kind and up to 21 arguments of a call (3 slots each) or 21 fields of a product. */
export const JOB_SLOTS = 5 + 3 * 21;

/** The job kinds: job[JOB_AT]. */
export const PRODUCT = 0;
export const CALL = 1;

/** The one-pass kernels a CALL job may name, by index (job[JOB_AT + 1]). */
export const CALLABLE = ['gelu', 'gelu_grad', 'adamw', 'dropout_mask', 'layer_norm', 'layer_norm_dx', 'layer_norm_dy_xhat'] as const;

/** Argument kinds of a CALL job: a value, a pointer that advances with the share's first unit, the share's units, its first. */
export const ARG_I32 = 0;
export const ARG_F32 = 1;
export const ARG_POINTER = 2;
export const ARG_COUNT = 3;
export const ARG_FIRST = 4;

/**
 * Thread `t` of `threads`; `callable` is CALLABLE (passed in: the workers get this function as source text, and the
 * list beside it). A PRODUCT job holds, after its kind (addresses and strides in bytes): products, m, n, k;
 * A's base, row and column strides and the step between products (0 when all share one); the same for B; the output
 * and its step; the padded bias; A's panels, their step per thread, B's panels, their step, the tile and its step.
 * One product: the threads split its row panels and read B's panels, packed before by the caller. Several: the threads
 * split the products, each packing into its own panels.
 * A CALL job holds the kernel's index in CALLABLE, its units (values or rows), the granule its shares are cut in, the
 * argument count, then (kind, value, bytes per unit) for each argument.
 */
export function runShare(x: KernelExports, job: Uint32Array, t: number, threads: number, callable: readonly string[]): void {
  if (job[4] === 1) {
    const [fn, units, granule, argc] = job.subarray(5, 9);
    const per = Math.ceil(units / threads / granule) * granule;
    const u0 = Math.min(units, t * per);
    const u1 = Math.min(units, u0 + per);
    if (u0 === u1) return;
    const floats = new Float32Array(job.buffer, job.byteOffset, job.length);
    const args: number[] = [];
    for (let i = 0; i < argc; i++) {
      const at = 9 + 3 * i;
      const kind = job[at];
      args.push(kind === 0 ? job[at + 1] : kind === 1 ? floats[at + 1] : kind === 2 ? job[at + 1] + job[at + 2] * u0 : kind === 3 ? u1 - u0 : u0);
    }
    (x.elementwise as unknown as Record<string, (...a: number[]) => void>)[callable[fn]](...args);
    return;
  }
  const g = x.gemm;
  const [products, m, n, k, a, aRs, aCs, aStep, b, bRs, bCs, bStep, out, outStep, bias, ap0, apStep, bp0, bpStep, tile0, tileStep] =
    job.subarray(5, 5 + 21);
  const panels = Math.ceil(m / g.rows());
  const tile = tile0 + t * tileStep;
  if (products === 1) {
    const [p0, p1] = [Math.floor((panels * t) / threads), Math.floor((panels * (t + 1)) / threads)];
    if (p0 === p1) return;
    g.pack_a(a, aRs, aCs, m, k, p0, p1, ap0);
    g.gemm(ap0, bp0, bias, out, m, n, k, p0, p1, tile);
    return;
  }
  const [ap, bp] = [ap0 + t * apStep, bp0 + t * bpStep];
  const [g0, g1] = [Math.floor((products * t) / threads), Math.floor((products * (t + 1)) / threads)];
  for (let i = g0; i < g1; i++) {
    if (i === g0 || aStep !== 0) g.pack_a(a + i * aStep, aRs, aCs, m, k, 0, panels, ap);
    if (i === g0 || bStep !== 0) g.pack_b(b + i * bStep, bRs, bCs, k, n, bp);
    g.gemm(ap, bp, bias, out + i * outStep, m, n, k, 0, panels, tile);
  }
}
