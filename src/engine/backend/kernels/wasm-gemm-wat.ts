// The WebAssembly text of the wasm backend's matrix product (wasm-gemm.ts runs it; scripts/build-wasm-kernels.ts
// assembles it into wasm-binaries.ts). It works in tfjs-backend-wasm's own memory, which it imports.
//
// C[m, n] = A[m, k] · B[k, n] (+ bias[n]) the way BLIS does it: A is packed into panels of ROWS rows, [ceil(m/ROWS)]
// [k][ROWS], B into panels of 8 columns, [ceil(n/8)][k][8] (packing also undoes any transpose, through strides), and
// a ROWS x 8 tile of C is ROWS x 2 f32x4 accumulators over k: per step two loads of B, ROWS broadcasts of A and
// 2·ROWS multiply-adds. The loop runs over B's panels outside and A's inside, so a B panel stays in L1 while A
// streams. Why by hand: tfjs-wasm's XNNPACK (2021) reaches 17-18 GFLOP/s on one core here, and this tile 20-40.
//
// Two variants: `fma` uses relaxed SIMD's f32x4.relaxed_madd (one fused instruction where the CPU has FMA; Chrome
// 114+, Node 22+ or --experimental-wasm-relaxed-simd) with 6 rows, whose 12 accumulators hide its latency; the
// other multiplies and adds (SIMD128, every wasm engine with SIMD) with 5 rows, where 6 ran out of registers.

export interface GemmVariant {
  fma: boolean;
  /** tfjs-wasm's threaded build has a shared memory, its single-threaded build does not; an import must match. */
  sharedMemory: boolean;
}

export const gemmRows = (fma: boolean): number => (fma ? 6 : 5);

export function gemmWat({ fma, sharedMemory }: GemmVariant): string {
  const rows = gemmRows(fma);
  const acc = (r: number, h: number) => `$c${r}${h}`;
  const accumulators = [...Array(rows).keys()].flatMap((r) => [acc(r, 0), acc(r, 1)]);
  const multiplyAdd = (r: number, h: number) =>
    fma
      ? `(local.set ${acc(r, h)} (f32x4.relaxed_madd (local.get $a) (local.get $b${h}) (local.get ${acc(r, h)})))`
      : `(local.set ${acc(r, h)} (f32x4.add (local.get ${acc(r, h)}) (f32x4.mul (local.get $a) (local.get $b${h}))))`;
  const step = [...Array(rows).keys()].flatMap((r) => [
    `(local.set $a (v128.load32_splat offset=${4 * r} (local.get $ap)))`,
    multiplyAdd(r, 0),
    multiplyAdd(r, 1),
  ]);
  const init = [...Array(rows).keys()].flatMap((r) => [
    `(local.set ${acc(r, 0)} (local.get $i0))`,
    `(local.set ${acc(r, 1)} (local.get $i1))`,
  ]);
  const store = [...Array(rows).keys()].flatMap((r) => [
    `(v128.store offset=${32 * r} (local.get $t) (local.get ${acc(r, 0)}))`,
    `(v128.store offset=${32 * r + 16} (local.get $t) (local.get ${acc(r, 1)}))`,
  ]);
  const lines = (xs: string[], indent: string) => xs.join(`\n${indent}`);

  return `(module
  (import "env" "memory" (memory 1 65536${sharedMemory ? ' shared' : ''}))

  (func (export "rows") (result i32) (i32.const ${rows}))

  ;; One ${rows} x 8 tile over k steps: ap -> [k][${rows}], bp -> [k][8], init -> 8 floats (bias or zeros);
  ;; the tile goes to t, [${rows}][8] floats.
  (func $tile (param $ap i32) (param $bp i32) (param $k i32) (param $init i32) (param $t i32)
    (local $a v128) (local $b0 v128) (local $b1 v128) (local $i0 v128) (local $i1 v128)
    ${accumulators.map((name) => `(local ${name} v128)`).join(' ')}
    (local.set $i0 (v128.load (local.get $init)))
    (local.set $i1 (v128.load offset=16 (local.get $init)))
    ${lines(init, '    ')}
    (block $done (loop $steps
      (br_if $done (i32.eqz (local.get $k)))
      (local.set $b0 (v128.load (local.get $bp)))
      (local.set $b1 (v128.load offset=16 (local.get $bp)))
      ${lines(step, '      ')}
      (local.set $ap (i32.add (local.get $ap) (i32.const ${4 * rows})))
      (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $steps)))
    ${lines(store, '    ')})

  ;; A's panels for row panels [p0, p1): dst[p][kk][r] = A(p·${rows} + r, kk) at src + row·rs + kk·cs (bytes),
  ;; zero past row m. dst points at panel 0.
  (func (export "pack_a") (param $src i32) (param $rs i32) (param $cs i32) (param $m i32) (param $k i32)
      (param $p0 i32) (param $p1 i32) (param $dst i32)
    (local $p i32) (local $kk i32) (local $r i32) (local $row i32) (local $out i32)
    (local.set $p (local.get $p0))
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $p1)))
      (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $p) (i32.mul (local.get $k) (i32.const ${4 * rows})))))
      (local.set $kk (i32.const 0))
      (block $kd (loop $kl
        (br_if $kd (i32.ge_u (local.get $kk) (local.get $k)))
        (local.set $r (i32.const 0))
        (block $rd (loop $rl
          (br_if $rd (i32.ge_u (local.get $r) (i32.const ${rows})))
          (local.set $row (i32.add (i32.mul (local.get $p) (i32.const ${rows})) (local.get $r)))
          (f32.store (local.get $out)
            (if (result f32) (i32.lt_u (local.get $row) (local.get $m))
              (then (f32.load (i32.add (local.get $src)
                (i32.add (i32.mul (local.get $row) (local.get $rs)) (i32.mul (local.get $kk) (local.get $cs))))))
              (else (f32.const 0))))
          (local.set $out (i32.add (local.get $out) (i32.const 4)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $rl)))
        (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
        (br $kl)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl))))

  ;; B's panels: dst[q][kk][c] = B(kk, q·8 + c) at src + kk·rs + col·cs (bytes), zero past column n.
  (func (export "pack_b") (param $src i32) (param $rs i32) (param $cs i32) (param $k i32) (param $n i32) (param $dst i32)
    (local $q i32) (local $panels i32) (local $kk i32) (local $c i32) (local $col i32) (local $in i32)
    (local.set $panels (i32.shr_u (i32.add (local.get $n) (i32.const 7)) (i32.const 3)))
    (block $qd (loop $ql
      (br_if $qd (i32.ge_u (local.get $q) (local.get $panels)))
      (local.set $kk (i32.const 0))
      (block $kd (loop $kl
        (br_if $kd (i32.ge_u (local.get $kk) (local.get $k)))
        (local.set $in (i32.add (local.get $src)
          (i32.add (i32.mul (local.get $kk) (local.get $rs)) (i32.mul (i32.shl (local.get $q) (i32.const 3)) (local.get $cs)))))
        (if (i32.and (i32.eq (local.get $cs) (i32.const 4)) (i32.le_u (i32.shl (i32.add (local.get $q) (i32.const 1)) (i32.const 3)) (local.get $n)))
          (then
            ;; Eight contiguous columns: two vector copies.
            (v128.store (local.get $dst) (v128.load (local.get $in)))
            (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $in))))
          (else
            (local.set $c (i32.const 0))
            (block $cd (loop $cl
              (br_if $cd (i32.ge_u (local.get $c) (i32.const 8)))
              (local.set $col (i32.add (i32.shl (local.get $q) (i32.const 3)) (local.get $c)))
              (f32.store (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2)))
                (if (result f32) (i32.lt_u (local.get $col) (local.get $n))
                  (then (f32.load (i32.add (local.get $in) (i32.mul (local.get $c) (local.get $cs)))))
                  (else (f32.const 0))))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br $cl)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
        (br $kl)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $ql))))

  ;; C rows of row panels [p0, p1): c[row][col] (row stride n floats) from packed ap, bp. bias -> ceil(n/8)·8 floats
  ;; (the bias padded, or zeros); t -> ${rows * 8} floats of scratch for one tile.
  (func (export "gemm") (param $ap i32) (param $bp i32) (param $bias i32) (param $c i32) (param $m i32) (param $n i32)
      (param $k i32) (param $p0 i32) (param $p1 i32) (param $t i32)
    (local $q i32) (local $panels i32) (local $p i32) (local $cols i32) (local $r i32) (local $rows i32) (local $j i32)
    (local $src i32) (local $dst i32)
    (local.set $panels (i32.shr_u (i32.add (local.get $n) (i32.const 7)) (i32.const 3)))
    (block $qd (loop $ql
      (br_if $qd (i32.ge_u (local.get $q) (local.get $panels)))
      (local.set $cols (i32.sub (local.get $n) (i32.shl (local.get $q) (i32.const 3))))
      (if (i32.gt_u (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
      (local.set $p (local.get $p0))
      (block $pd (loop $pl
        (br_if $pd (i32.ge_u (local.get $p) (local.get $p1)))
        (call $tile
          (i32.add (local.get $ap) (i32.mul (local.get $p) (i32.mul (local.get $k) (i32.const ${4 * rows}))))
          (i32.add (local.get $bp) (i32.mul (local.get $q) (i32.shl (local.get $k) (i32.const 5))))
          (local.get $k)
          (i32.add (local.get $bias) (i32.shl (local.get $q) (i32.const 5)))
          (local.get $t))
        ;; The tile's rows that exist, into C: whole when 8 columns exist, else column by column.
        (local.set $rows (i32.sub (local.get $m) (i32.mul (local.get $p) (i32.const ${rows}))))
        (if (i32.gt_u (local.get $rows) (i32.const ${rows})) (then (local.set $rows (i32.const ${rows}))))
        (local.set $r (i32.const 0))
        (block $rd (loop $rl
          (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
          (local.set $dst (i32.add (local.get $c) (i32.shl
            (i32.add (i32.mul (i32.add (i32.mul (local.get $p) (i32.const ${rows})) (local.get $r)) (local.get $n))
                     (i32.shl (local.get $q) (i32.const 3)))
            (i32.const 2))))
          (local.set $src (i32.add (local.get $t) (i32.shl (local.get $r) (i32.const 5))))
          (if (i32.eq (local.get $cols) (i32.const 8))
            (then
              (v128.store (local.get $dst) (v128.load (local.get $src)))
              (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src))))
            (else
              (local.set $j (i32.const 0))
              (block $jd (loop $jl
                (br_if $jd (i32.ge_u (local.get $j) (local.get $cols)))
                (f32.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                  (f32.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $jl)))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $rl)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pl)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $ql))))
)
`;
}
