// The WebAssembly text of the wasm backend's one-pass kernels (scripts/build-wasm-kernels.ts assembles it into
// wasm-binaries.ts; wasm-module.ts binds it to tfjs-backend-wasm's memory): GELU and its derivative, column sums, the
// AdamW update and the dropout mask, SIMD128 four floats at a time. Each replaces a chain of tfjs kernels or a
// JavaScript loop (gelu.ts, column-sums.ts, adamw-update.ts, dropout-mask.ts say which); tfjs-wasm's Exp and Erf are
// scalar C, 15 and 8 ns a value.
import * as tf from '@tensorflow/tfjs-core';

const u = tf.backend_util;
const f4 = (x: number) => `(f32x4.splat (f32.const ${x}))`;

/**
 * Statements that leave, for the four values in $x, e = exp(-x²/2) in $e (also √(2π)·φ(x)) and Φ(x) in $phi; they
 * use $n $r $p $a $t. Inline, because V8 does not inline wasm calls and passes vectors to a call through memory:
 * the same code as three functions ran 3x slower.
 * exp is Cephes' expf: -x²/2 = n·ln2 + r (ln2 in two parts), e^r by a degree-6 polynomial, 2^n into the exponent
 * bits (relative error about 2e-7). Φ(x) = (1 + erf(x/√2))/2 with tfjs's erf (Abramowitz and Stegun 7.1.26,
 * tf.backend_util's constants): erf(|a|) = 1 - t·P(t)·e^(-a²), t = 1/(1 + p·|a|), and e^(-a²) is e again.
 */
const GELU_PARTS = `
      (local.set $r (f32x4.pmax (f32x4.mul ${f4(-0.5)} (f32x4.mul (local.get $x) (local.get $x))) ${f4(-87.3365447505531)}))
      (local.set $n (f32x4.nearest (f32x4.mul (local.get $r) ${f4(Math.LOG2E)})))
      (local.set $r (f32x4.sub (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) ${f4(0.693359375)}))
                               (f32x4.mul (local.get $n) ${f4(-2.12194440e-4)})))
      (local.set $p (f32x4.add (f32x4.mul ${f4(1.9875691500e-4)} (local.get $r)) ${f4(1.3981999507e-3)}))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) ${f4(8.3334519073e-3)}))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) ${f4(4.1665795894e-2)}))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) ${f4(1.6666665459e-1)}))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) ${f4(5.0000001201e-1)}))
      (local.set $p (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)) (local.get $r)) ${f4(1)}))
      (local.set $e (f32x4.mul (local.get $p)
        (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23))))
      (local.set $a (f32x4.mul (local.get $x) ${f4(Math.SQRT1_2)}))
      (local.set $t (f32x4.div ${f4(1)} (f32x4.add ${f4(1)} (f32x4.mul ${f4(u.ERF_P)} (f32x4.abs (local.get $a))))))
      (local.set $p (f32x4.add (f32x4.mul ${f4(u.ERF_A5)} (local.get $t)) ${f4(u.ERF_A4)}))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) ${f4(u.ERF_A3)}))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) ${f4(u.ERF_A2)}))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) ${f4(u.ERF_A1)}))
      (local.set $p (f32x4.sub ${f4(1)} (f32x4.mul (f32x4.mul (local.get $p) (local.get $t)) (local.get $e))))
      (local.set $p (v128.bitselect (local.get $a) (local.get $p) (i32x4.splat (i32.const 0x80000000))))
      (local.set $phi (f32x4.mul ${f4(0.5)} (f32x4.add ${f4(1)} (local.get $p))))`;

const GELU_LOCALS = '(local $x v128) (local $e v128) (local $phi v128) (local $n v128) (local $r v128) (local $p v128) (local $a v128) (local $t v128)';

/**
 * A loop over n floats at $x0 (and $dy0) into $out0: whole vectors, then the last 1-3 values one at a time through
 * a splat (lane 0). `value(load)` is the vector to store, given how to load an input: (load "$x0").
 */
function elementLoop(inputs: string[], value: (load: (pointer: string) => string) => string): string {
  const step = (bytes: number) => [...inputs, '$out0'].map((ptr) => `(local.set ${ptr} (i32.add (local.get ${ptr}) (i32.const ${bytes})))`).join('\n      ');
  return `
    (local.set $end (i32.add (local.get $x0) (i32.shl (i32.and (local.get $n0) (i32.const -4)) (i32.const 2))))
    (block $done (loop $vectors
      (br_if $done (i32.ge_u (local.get $x0) (local.get $end)))
      ${value((ptr) => `(v128.load (local.get ${ptr}))`)}
      (v128.store (local.get $out0) (local.get $y))
      ${step(16)}
      (br $vectors)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n0) (i32.const 3)) (i32.const 2))))
    (block $tdone (loop $tail
      (br_if $tdone (i32.ge_u (local.get $x0) (local.get $end)))
      ${value((ptr) => `(v128.load32_splat (local.get ${ptr}))`)}
      (f32.store (local.get $out0) (f32x4.extract_lane 0 (local.get $y)))
      ${step(4)}
      (br $tail)))`;
}

export function elementwiseWat({ sharedMemory }: { sharedMemory: boolean }): string {
  return `(module
  (import "env" "memory" (memory 1 65536${sharedMemory ? ' shared' : ''}))

  ;; out[i] = x[i]·Φ(x[i]) for n floats.
  (func (export "gelu") (param $x0 i32) (param $out0 i32) (param $n0 i32)
    (local $end i32) (local $y v128) ${GELU_LOCALS}
    ${elementLoop(['$x0'], (load) => `(local.set $x ${load('$x0')})${GELU_PARTS}
      (local.set $y (f32x4.mul (local.get $x) (local.get $phi)))`)})

  ;; out[i] = dy[i]·(Φ(x[i]) + x[i]·φ(x[i])).
  (func (export "gelu_grad") (param $x0 i32) (param $dy0 i32) (param $out0 i32) (param $n0 i32)
    (local $end i32) (local $y v128) ${GELU_LOCALS}
    ${elementLoop(['$x0', '$dy0'], (load) => `(local.set $x ${load('$x0')})${GELU_PARTS}
      (local.set $y (f32x4.mul ${load('$dy0')}
        (f32x4.add (local.get $phi) (f32x4.mul (local.get $x) (f32x4.mul (local.get $e) ${f4(1 / Math.sqrt(2 * Math.PI))})))))`)})

  ;; out[c] = Σ_r x[r][c] for x [rows, cols], accumulated in float64 in acc (cols doubles of scratch), rounded once.
  (func (export "column_sums") (param $x i32) (param $rows i32) (param $cols i32) (param $acc i32) (param $out i32)
    (local $c i32) (local $r i32) (local $v v128) (local $at i32) (local $wide i32)
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $wide (i32.and (local.get $cols) (i32.const -4)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $cd (loop $cl
        (br_if $cd (i32.ge_u (local.get $c) (local.get $wide)))
        (local.set $v (v128.load (local.get $x)))
        (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))
        (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (f64x2.promote_low_f32x4 (local.get $v))))
        (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cl)))
      (block $td (loop $tl
        (br_if $td (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.promote_f32 (f32.load (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl)))
    (local.set $c (i32.const 0))
    (block $od (loop $ol
      (br_if $od (i32.ge_u (local.get $c) (local.get $cols)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
        (f32.demote_f64 (f64.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $ol))))

  ;; One AdamW update (adamw-update.ts) of n values, the same float32 operations in the same order as optim/adamw.ts's
  ;; ops: g = grad·gradScale; m' = β1·m + (1-β1)·g; v' = β2·v + (1-β2)·g·g; p' = p·decay + (m' / (√v' / bc2 + eps))·(-stepSize).
  ;; The scalars come rounded to float32, as tfjs rounds an op's scalar operand.
  (func (export "adamw") (param $p0 i32) (param $g0 i32) (param $m0 i32) (param $v0 i32) (param $op0 i32) (param $om0 i32)
      (param $ov0 i32) (param $n0 i32) (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
      (param $eps f32) (param $decay f32) (param $negStepSize f32) (param $bc2 f32) (param $gradScale f32)
    (local $left i32) (local $g v128) (local $m v128) (local $v v128)
    (local $b1 v128) (local $c1 v128) (local $b2 v128) (local $c2 v128) (local $e v128) (local $d v128) (local $s v128)
    (local $bc v128) (local $gs v128) (local $scalar i32)
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $c1 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $c2 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $e (f32x4.splat (local.get $eps)))
    (local.set $d (f32x4.splat (local.get $decay)))
    (local.set $s (f32x4.splat (local.get $negStepSize)))
    (local.set $bc (f32x4.splat (local.get $bc2)))
    (local.set $gs (f32x4.splat (local.get $gradScale)))
    (local.set $left (local.get $n0))
    (block $done (loop $values
      (br_if $done (i32.eqz (local.get $left)))
      ;; The last 1-3 values go through lane 0 of a splat; whole vectors otherwise.
      (local.set $scalar (i32.lt_u (local.get $left) (i32.const 4)))
      (if (local.get $scalar)
        (then
          (local.set $g (v128.load32_splat (local.get $g0)))
          (local.set $m (v128.load32_splat (local.get $m0)))
          (local.set $v (v128.load32_splat (local.get $v0))))
        (else
          (local.set $g (v128.load (local.get $g0)))
          (local.set $m (v128.load (local.get $m0)))
          (local.set $v (v128.load (local.get $v0)))))
      (local.set $g (f32x4.mul (local.get $g) (local.get $gs)))
      (local.set $m (f32x4.add (f32x4.mul (local.get $m) (local.get $b1)) (f32x4.mul (local.get $g) (local.get $c1))))
      (local.set $v (f32x4.add (f32x4.mul (local.get $v) (local.get $b2)) (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) (local.get $c2))))
      (local.set $g (f32x4.add
        (f32x4.mul (if (result v128) (local.get $scalar) (then (v128.load32_splat (local.get $p0))) (else (v128.load (local.get $p0)))) (local.get $d))
        (f32x4.mul (f32x4.div (local.get $m) (f32x4.add (f32x4.div (f32x4.sqrt (local.get $v)) (local.get $bc)) (local.get $e))) (local.get $s))))
      (if (local.get $scalar)
        (then
          (f32.store (local.get $op0) (f32x4.extract_lane 0 (local.get $g)))
          (f32.store (local.get $om0) (f32x4.extract_lane 0 (local.get $m)))
          (f32.store (local.get $ov0) (f32x4.extract_lane 0 (local.get $v)))
          (local.set $scalar (i32.const 1)))
        (else
          (v128.store (local.get $op0) (local.get $g))
          (v128.store (local.get $om0) (local.get $m))
          (v128.store (local.get $ov0) (local.get $v))
          (local.set $scalar (i32.const 4))))
      (local.set $left (i32.sub (local.get $left) (local.get $scalar)))
      (local.set $scalar (i32.shl (local.get $scalar) (i32.const 2)))
      (local.set $p0 (i32.add (local.get $p0) (local.get $scalar)))
      (local.set $g0 (i32.add (local.get $g0) (local.get $scalar)))
      (local.set $m0 (i32.add (local.get $m0) (local.get $scalar)))
      (local.set $v0 (i32.add (local.get $v0) (local.get $scalar)))
      (local.set $op0 (i32.add (local.get $op0) (local.get $scalar)))
      (local.set $om0 (i32.add (local.get $om0) (local.get $scalar)))
      (local.set $ov0 (i32.add (local.get $ov0) (local.get $scalar)))
      (br $values))))

  ;; lowbias32 (dropout-mask.ts) on four unsigned integers.
  (func $lowbias32 (param $x v128) (result v128)
    (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
    (local.set $x (i32x4.mul (local.get $x) (i32x4.splat (i32.const 0x7feb352d))))
    (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))))
    (local.set $x (i32x4.mul (local.get $x) (i32x4.splat (i32.const 0x846ca68b))))
    (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))

  ;; out[i] = kept where lowbias32(i ^ key) >= threshold (unsigned), else 0, for n floats.
  (func (export "dropout_mask") (param $out i32) (param $n i32) (param $key i32) (param $threshold i32) (param $kept f32)
    (local $i v128) (local $keys v128) (local $limit v128) (local $value v128) (local $left i32) (local $m v128)
    (local.set $i (v128.const i32x4 0 1 2 3))
    (local.set $keys (i32x4.splat (local.get $key)))
    (local.set $limit (i32x4.splat (local.get $threshold)))
    (local.set $value (f32x4.splat (local.get $kept)))
    (local.set $left (local.get $n))
    (block $done (loop $vec
      (br_if $done (i32.lt_u (local.get $left) (i32.const 4)))
      (v128.store (local.get $out)
        (v128.and (i32x4.ge_u (call $lowbias32 (v128.xor (local.get $i) (local.get $keys))) (local.get $limit)) (local.get $value)))
      (local.set $i (i32x4.add (local.get $i) (i32x4.splat (i32.const 4))))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (local.set $left (i32.sub (local.get $left) (i32.const 4)))
      (br $vec)))
    (local.set $m (v128.and (i32x4.ge_u (call $lowbias32 (v128.xor (local.get $i) (local.get $keys))) (local.get $limit)) (local.get $value)))
    (if (i32.gt_u (local.get $left) (i32.const 0)) (then (f32.store (local.get $out) (f32x4.extract_lane 0 (local.get $m)))))
    (if (i32.gt_u (local.get $left) (i32.const 1)) (then (f32.store offset=4 (local.get $out) (f32x4.extract_lane 1 (local.get $m)))))
    (if (i32.gt_u (local.get $left) (i32.const 2)) (then (f32.store offset=8 (local.get $out) (f32x4.extract_lane 2 (local.get $m))))))
)
`;
}
