// The WebAssembly text of the wasm backend's one-pass kernels (scripts/build-wasm-kernels.ts assembles it into
// wasm-binaries.ts; wasm-module.ts binds it to tfjs-backend-wasm's memory): GELU and its derivative, LayerNorm
// forward and backward, column sums, L2 norms, the AdamW update and the dropout mask, SIMD128 four floats at a time.
// Each replaces a chain of tfjs kernels or a JavaScript loop (gelu.ts, layer-norm.ts, column-sums.ts, l2-norm.ts,
// adamw-update.ts, dropout-mask.ts say which); tfjs-wasm's Exp and Erf are scalar C, 15 and 8 ns a value.
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

/** Float operations on four lanes (v128) or one (f32), so that a loop body is written once for both. */
interface Lanes {
  type: 'v128' | 'f32';
  bytes: number;
  /** A local of this lane type: name_v or name_s. */
  local(name: string): string;
  op(name: 'add' | 'sub' | 'mul' | 'div', a: string, b: string): string;
  sqrt(a: string): string;
  load(pointer: string): string;
  store(pointer: string, value: string): string;
  /** A scalar f32 expression as a value of this type. */
  splat(scalar: string): string;
}

const VECTOR: Lanes = {
  type: 'v128',
  bytes: 16,
  local: (name) => `$${name}_v`,
  op: (name, a, b) => `(f32x4.${name} ${a} ${b})`,
  sqrt: (a) => `(f32x4.sqrt ${a})`,
  load: (pointer) => `(v128.load ${pointer})`,
  store: (pointer, value) => `(v128.store ${pointer} ${value})`,
  splat: (scalar) => `(f32x4.splat ${scalar})`,
};

const SCALAR: Lanes = {
  type: 'f32',
  bytes: 4,
  local: (name) => `$${name}_s`,
  op: (name, a, b) => `(f32.${name} ${a} ${b})`,
  sqrt: (a) => `(f32.sqrt ${a})`,
  load: (pointer) => `(f32.load ${pointer})`,
  store: (pointer, value) => `(f32.store ${pointer} ${value})`,
  splat: (scalar) => scalar,
};

/** Declarations of the vector and scalar versions of locals used by row bodies. */
const laneLocals = (names: string[]) => names.flatMap((n) => [`(local ${VECTOR.local(n)} v128)`, `(local ${SCALAR.local(n)} f32)`]).join(' ');

/**
 * One pass over `count` (a local; a row's $width by default) floats: `body(lanes)` on whole vectors, then on the
 * last 1-3 values one at a time. The pointers start where given and advance with the loop; $c counts values.
 */
function rowPass(pointers: Record<string, string>, body: (l: Lanes) => string, count = '$width'): string {
  const start = Object.entries(pointers).map(([p, from]) => `(local.set ${p} ${from})`).join(' ');
  const advance = (l: Lanes) => Object.keys(pointers).map((p) => `(local.set ${p} (i32.add (local.get ${p}) (i32.const ${l.bytes})))`).join(' ');
  return `
      ${start} (local.set $c (i32.const 0))
      (block $vd (loop $vl
        (br_if $vd (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get ${count})))
        ${body(VECTOR)}
        ${advance(VECTOR)} (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $vl)))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u (local.get $c) (local.get ${count})))
        ${body(SCALAR)}
        ${advance(SCALAR)} (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $sl)))`;
}

/** Σ of a vector accumulator's lanes plus the scalar one. */
const reduce = (name: string) =>
  `(f32.add (f32.add (f32.add (f32x4.extract_lane 0 (local.get ${VECTOR.local(name)})) (f32x4.extract_lane 1 (local.get ${VECTOR.local(name)})))
     (f32.add (f32x4.extract_lane 2 (local.get ${VECTOR.local(name)})) (f32x4.extract_lane 3 (local.get ${VECTOR.local(name)})))) (local.get ${SCALAR.local(name)}))`;

const zero = (names: string[]) => names.map((n) => `(local.set ${VECTOR.local(n)} (v128.const i32x4 0 0 0 0)) (local.set ${SCALAR.local(n)} (f32.const 0))`).join(' ');

/** x̂ of the current value: (x - mean)·rstd. */
const xHat = (l: Lanes) => l.op('mul', l.op('sub', l.load('(local.get $px)'), l.splat('(local.get $mean)')), l.splat('(local.get $rstd)'));

/**
 * A LayerNorm row function (torch.nn.LayerNorm: biased variance, eps inside the square root): for each of $rows rows
 * of $width at $x0, the row's mean and rstd (two passes: Σx, then Σ(x - mean)²), then `passes`.
 */
function layerNormFunction(name: string, params: string[], locals: string[], passes: string): string {
  return `
  (func (export "${name}") (param $x0 i32) ${params.map((p) => `(param ${p} i32)`).join(' ')} (param $rows i32) (param $width i32) (param $eps f32)
    (local $row i32) (local $c i32) (local $px i32) (local $pa i32) (local $pb i32) (local $po i32) (local $rowX i32) (local $rowAt i32)
    (local $mean f32) (local $rstd f32) (local $n f32) ${laneLocals(['sum', 'd', ...locals])}
    (local.set $n (f32.convert_i32_u (local.get $width)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $rowAt (i32.shl (i32.mul (local.get $row) (local.get $width)) (i32.const 2)))
      (local.set $rowX (i32.add (local.get $x0) (local.get $rowAt)))
      ${zero(['sum'])}
      ${rowPass({ $px: '(local.get $rowX)' }, (l) => `(local.set ${l.local('sum')} ${l.op('add', `(local.get ${l.local('sum')})`, l.load('(local.get $px)'))})`)}
      (local.set $mean (f32.div ${reduce('sum')} (local.get $n)))
      ${zero(['sum'])}
      ${rowPass({ $px: '(local.get $rowX)' }, (l) => `(local.set ${l.local('d')} ${l.op('sub', l.load('(local.get $px)'), l.splat('(local.get $mean)'))})
        (local.set ${l.local('sum')} ${l.op('add', `(local.get ${l.local('sum')})`, l.op('mul', `(local.get ${l.local('d')})`, `(local.get ${l.local('d')})`))})`)}
      (local.set $rstd (f32.div (f32.const 1) (f32.sqrt (f32.add (f32.div ${reduce('sum')} (local.get $n)) (local.get $eps)))))
      ${passes}
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rl))))
`;
}

/** out = x̂·weight + bias. */
const LAYER_NORM = layerNormFunction('layer_norm', ['$w0', '$b0', '$out0'], [], rowPass(
  { $px: '(local.get $rowX)', $pa: '(local.get $w0)', $pb: '(local.get $b0)', $po: '(i32.add (local.get $out0) (local.get $rowAt))' },
  (l) => l.store('(local.get $po)', l.op('add', l.op('mul', xHat(l), l.load('(local.get $pa)')), l.load('(local.get $pb)'))),
));

/** dx = rstd·(g - mean(g) - x̂·mean(g·x̂)), g = dy·weight (aten's layer_norm_backward). */
const LAYER_NORM_DX = layerNormFunction('layer_norm_dx', ['$w0', '$dy0', '$out0'], ['g', 'gx'], `
      ${zero(['g', 'gx'])}
      ${rowPass({ $px: '(local.get $rowX)', $pa: '(local.get $w0)', $pb: '(i32.add (local.get $dy0) (local.get $rowAt))' }, (l) => `
        (local.set ${l.local('d')} ${l.op('mul', l.load('(local.get $pb)'), l.load('(local.get $pa)'))})
        (local.set ${l.local('g')} ${l.op('add', `(local.get ${l.local('g')})`, `(local.get ${l.local('d')})`)})
        (local.set ${l.local('gx')} ${l.op('add', `(local.get ${l.local('gx')})`, l.op('mul', `(local.get ${l.local('d')})`, xHat(l)))})`)}
      (local.set ${SCALAR.local('g')} (f32.div ${reduce('g')} (local.get $n)))
      (local.set ${SCALAR.local('gx')} (f32.div ${reduce('gx')} (local.get $n)))
      ${rowPass({ $px: '(local.get $rowX)', $pa: '(local.get $w0)', $pb: '(i32.add (local.get $dy0) (local.get $rowAt))', $po: '(i32.add (local.get $out0) (local.get $rowAt))' }, (l) =>
        l.store('(local.get $po)', l.op('mul', l.splat('(local.get $rstd)'),
          l.op('sub', l.op('sub', l.op('mul', l.load('(local.get $pb)'), l.load('(local.get $pa)')), l.splat(`(local.get ${SCALAR.local('g')})`)),
            l.op('mul', xHat(l), l.splat(`(local.get ${SCALAR.local('gx')})`))))))}`);

/** out = dy·x̂ (its column sums are the weight's gradient). */
const LAYER_NORM_DY_XHAT = layerNormFunction('layer_norm_dy_xhat', ['$dy0', '$out0'], [], rowPass(
  { $px: '(local.get $rowX)', $pb: '(i32.add (local.get $dy0) (local.get $rowAt))', $po: '(i32.add (local.get $out0) (local.get $rowAt))' },
  (l) => l.store('(local.get $po)', l.op('mul', l.load('(local.get $pb)'), xHat(l))),
));

/**
 * One AdamW update (adamw-update.ts) of $n0 values, the same float32 operations in the same order as
 * optim/adamw.ts's ops: g = grad·gradScale; m' = β1·m + (1-β1)·g; v' = β2·v + (1-β2)·g·g;
 * p' = p·decay + (m' / (√v' / bc2 + eps))·(-stepSize). The scalars come rounded to float32, as tfjs rounds an op's
 * scalar operand.
 */
const ADAMW_SCALARS = ['$beta1', '$oneMinusBeta1', '$beta2', '$oneMinusBeta2', '$eps', '$decay', '$negStepSize', '$bc2', '$gradScale'];
const ADAMW = `
  (func (export "adamw") (param $p0 i32) (param $g0 i32) (param $m0 i32) (param $v0 i32) (param $op0 i32) (param $om0 i32)
      (param $ov0 i32) (param $n0 i32) ${ADAMW_SCALARS.map((name) => `(param ${name} f32)`).join(' ')}
    (local $c i32) (local $pp i32) (local $pg i32) (local $pm i32) (local $pv i32) (local $qp i32) (local $qm i32) (local $qv i32)
    ${laneLocals(['g', 'm', 'v'])}
    ${rowPass({ $pp: '(local.get $p0)', $pg: '(local.get $g0)', $pm: '(local.get $m0)', $pv: '(local.get $v0)', $qp: '(local.get $op0)', $qm: '(local.get $om0)', $qv: '(local.get $ov0)' }, (l) => {
      const get = (name: string) => `(local.get ${l.local(name)})`;
      const k = (name: string) => l.splat(`(local.get ${name})`);
      return `
        (local.set ${l.local('g')} ${l.op('mul', l.load('(local.get $pg)'), k('$gradScale'))})
        (local.set ${l.local('m')} ${l.op('add', l.op('mul', l.load('(local.get $pm)'), k('$beta1')), l.op('mul', get('g'), k('$oneMinusBeta1')))})
        (local.set ${l.local('v')} ${l.op('add', l.op('mul', l.load('(local.get $pv)'), k('$beta2')), l.op('mul', l.op('mul', get('g'), get('g')), k('$oneMinusBeta2')))})
        ${l.store('(local.get $qm)', get('m'))}
        ${l.store('(local.get $qv)', get('v'))}
        ${l.store('(local.get $qp)', l.op('add', l.op('mul', l.load('(local.get $pp)'), k('$decay')),
          l.op('mul', l.op('div', get('m'), l.op('add', l.op('div', l.sqrt(get('v')), k('$bc2')), k('$eps'))), k('$negStepSize'))))}`;
    }, '$n0')})
`;

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

${ADAMW}${LAYER_NORM}${LAYER_NORM_DX}${LAYER_NORM_DY_XHAT}
  ;; out[0] = √(Σ x²) over n floats (l2-norm.ts), the squares summed in float64.
  (func (export "l2_norm") (param $x i32) (param $n i32) (param $out i32)
    (local $end i32) (local $v v128) (local $lo v128) (local $hi v128) (local $s f64)
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $vectors
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $v (f32x4.mul (local.get $v) (local.get $v)))
      (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $hi (f64x2.add (local.get $hi)
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $vectors)))
    (local.set $lo (f64x2.add (local.get $lo) (local.get $hi)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tdone (loop $tail
      (br_if $tdone (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.mul (f32.load (local.get $x)) (f32.load (local.get $x))))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (br $tail)))
    (f32.store (local.get $out) (f32.demote_f64 (f64.sqrt (local.get $s)))))

  ;; lowbias32 (dropout-mask.ts) on four unsigned integers.
  (func $lowbias32 (param $x v128) (result v128)
    (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
    (local.set $x (i32x4.mul (local.get $x) (i32x4.splat (i32.const 0x7feb352d))))
    (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))))
    (local.set $x (i32x4.mul (local.get $x) (i32x4.splat (i32.const 0x846ca68b))))
    (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))

  ;; out[j] = kept where lowbias32((first + j) ^ key) >= threshold (unsigned), else 0, for n floats: element first + j
  ;; of the mask (a thread's share starts past 0).
  (func (export "dropout_mask") (param $out i32) (param $first i32) (param $n i32) (param $key i32) (param $threshold i32) (param $kept f32)
    (local $i v128) (local $keys v128) (local $limit v128) (local $value v128) (local $left i32) (local $m v128)
    (local.set $i (i32x4.add (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $first))))
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
