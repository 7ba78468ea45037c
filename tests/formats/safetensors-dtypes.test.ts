// Exact dtype decoding (RELIABILITY N5): all 65,536 float16 and bfloat16 bit patterns against an independent
// formula, and against PyTorch's conversion (a SHA-256 of the whole table plus spot values from
// make_half_reference.py, committed as half-reference.json).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countNonFinite, decodeToFloat32, decodeToInt32, type SafetensorsDtype } from '../../src/formats/safetensors-dtypes';

interface HalfReference {
  sha256_f32_bits_nan_canonical: string;
  spots: Record<string, string>;
}
const reference = JSON.parse(readFileSync(fileURLToPath(new URL('half-reference.json', import.meta.url)), 'utf8')) as Record<
  'F16' | 'BF16',
  HalfReference
>;

const allPatterns = (): Uint8Array => {
  const bytes = new Uint8Array(2 * 65536);
  const dv = new DataView(bytes.buffer);
  for (let p = 0; p < 65536; p++) dv.setUint16(2 * p, p, true);
  return bytes;
};

/** IEEE binary format value from its fields, by arithmetic only. */
function formulaValue(p: number, expBits: number, mantBits: number): number {
  const sign = p >> (expBits + mantBits) ? -1 : 1;
  const exp = (p >> mantBits) & ((1 << expBits) - 1);
  const mant = p & ((1 << mantBits) - 1);
  const bias = (1 << (expBits - 1)) - 1;
  if (exp === (1 << expBits) - 1) return mant === 0 ? sign * Infinity : NaN;
  if (exp === 0) return sign * (mant / 2 ** mantBits) * Math.pow(2, 1 - bias);
  return sign * (1 + mant / 2 ** mantBits) * Math.pow(2, exp - bias);
}

function checkAgainstFormula(dtype: 'F16' | 'BF16', expBits: number, mantBits: number): void {
  const values = decodeToFloat32(dtype, allPatterns());
  let mismatches = 0;
  for (let p = 0; p < 65536; p++) {
    const want = formulaValue(p, expBits, mantBits);
    if (!(Object.is(values[p], want) || (Number.isNaN(want) && Number.isNaN(values[p])))) mismatches++;
  }
  expect(mismatches).toBe(0);
}

function checkAgainstTorch(dtype: 'F16' | 'BF16'): void {
  const values = decodeToFloat32(dtype, allPatterns());
  const bits = new Uint32Array(values.buffer).slice();
  for (let p = 0; p < 65536; p++) if (Number.isNaN(values[p])) bits[p] = 0x7fc00000;
  const le = new Uint8Array(4 * 65536);
  const dv = new DataView(le.buffer);
  bits.forEach((b, i) => dv.setUint32(4 * i, b, true));
  expect(createHash('sha256').update(le).digest('hex')).toBe(reference[dtype].sha256_f32_bits_nan_canonical);
  for (const [pattern, want] of Object.entries(reference[dtype].spots)) {
    const v = values[parseInt(pattern, 16)];
    if (want === 'nan') expect(v).toBeNaN();
    else expect(new Uint32Array(new Float32Array([v]).buffer)[0].toString(16).padStart(8, '0')).toBe(want);
  }
}

describe('float16 -> float32, all 65,536 patterns', () => {
  it('matches the IEEE formula (subnormals, ±0, ±Inf, NaN)', () => checkAgainstFormula('F16', 5, 10));
  it('matches PyTorch bit for bit', () => checkAgainstTorch('F16'));
  it('keeps NaN payloads', () => {
    const v = decodeToFloat32('F16', new Uint8Array([0x01, 0x7c]));
    expect(new Uint32Array(v.buffer)[0]).toBe(0x7f802000);
  });
});

describe('bfloat16 -> float32, all 65,536 patterns', () => {
  it('matches the formula (subnormals, ±0, ±Inf, NaN)', () => checkAgainstFormula('BF16', 8, 7));
  it('matches PyTorch bit for bit', () => checkAgainstTorch('BF16'));
});

describe('other dtypes', () => {
  const le = (setter: (dv: DataView) => void, length: number) => {
    const bytes = new Uint8Array(length);
    setter(new DataView(bytes.buffer));
    return bytes;
  };

  it('decodes F64, integers and BOOL to float32', () => {
    const f64 = le((dv) => [1.5, -0, 1e300, 0.1].forEach((v, i) => dv.setFloat64(8 * i, v, true)), 32);
    expect(Array.from(decodeToFloat32('F64', f64))).toEqual([1.5, -0, Infinity, Math.fround(0.1)]);
    const i64 = le((dv) => [-3n, 2n ** 40n].forEach((v, i) => dv.setBigInt64(8 * i, v, true)), 16);
    expect(Array.from(decodeToFloat32('I64', i64))).toEqual([-3, 2 ** 40]);
    const cases: [SafetensorsDtype, number[], number[]][] = [
      ['I32', [0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x80], [-1, -2147483648]],
      ['I16', [0xfe, 0xff, 0x00, 0x80], [-2, -32768]],
      ['I8', [0xff, 0x7f], [-1, 127]],
      ['U8', [0xff, 0x00], [255, 0]],
      ['BOOL', [0x00, 0x01], [0, 1]],
    ];
    for (const [dtype, bytes, want] of cases) {
      expect(Array.from(decodeToFloat32(dtype, new Uint8Array(bytes)))).toEqual(want);
      expect(Array.from(decodeToInt32(dtype, new Uint8Array(bytes)))).toEqual(want);
    }
  });

  it('decodes bytes at any byteOffset (misaligned views)', () => {
    const backing = new Uint8Array(1 + 8);
    new DataView(backing.buffer).setFloat32(1, 3.25, true);
    new DataView(backing.buffer).setFloat32(5, -1, true);
    expect(Array.from(decodeToFloat32('F32', backing.subarray(1)))).toEqual([3.25, -1]);
    const half = new Uint8Array([0, 0x00, 0x3c]); // 1.0 as F16 at offset 1
    expect(Array.from(decodeToFloat32('F16', half.subarray(1)))).toEqual([1]);
    const i64 = new Uint8Array(9);
    new DataView(i64.buffer).setBigInt64(1, -7n, true);
    expect(Array.from(decodeToInt32('I64', i64.subarray(1)))).toEqual([-7]);
  });

  it('refuses a byte length that is not whole elements', () => {
    expect(() => decodeToFloat32('F32', new Uint8Array(6))).toThrow(expect.objectContaining({ code: 'SAFETENSORS_TENSOR_INVALID_INFO' }));
  });

  it('counts non-finite values', () => {
    expect(countNonFinite(decodeToFloat32('F16', allPatterns()))).toBe(2 * 1024);
  });
});
