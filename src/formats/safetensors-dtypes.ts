// safetensors dtypes (the reference's Dtype enum and bit sizes, safetensors/src/tensor.rs) and their exact
// little-endian decoding to float32 / int32. Decoding goes through a DataView, so any byteOffset works.
import { LayerwiseError } from '../lib/errors';

/** The dtypes this studio reads; every other safetensors dtype is refused by name. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bits per element of every dtype the reference parser knows (Dtype::bitsize). */
export const DTYPE_BITS: ReadonlyMap<string, number> = new Map([
  ['BOOL', 8],
  ['F4', 4],
  ['F6_E2M3', 6],
  ['F6_E3M2', 6],
  ['U8', 8],
  ['I8', 8],
  ['F8_E5M2', 8],
  ['F8_E4M3', 8],
  ['F8_E8M0', 8],
  ['F8_E4M3FNUZ', 8],
  ['F8_E5M2FNUZ', 8],
  ['I16', 16],
  ['U16', 16],
  ['F16', 16],
  ['BF16', 16],
  ['I32', 32],
  ['U32', 32],
  ['F32', 32],
  ['C64', 64],
  ['F64', 64],
  ['I64', 64],
  ['U64', 64],
]);

export const READABLE_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'];

export function isReadableDtype(dtype: string): dtype is SafetensorsDtype {
  return (READABLE_DTYPES as readonly string[]).includes(dtype);
}

export const INTEGER_DTYPES: readonly SafetensorsDtype[] = ['I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'];

/** Bytes per element of a readable dtype. */
export function dtypeBytes(dtype: SafetensorsDtype): number {
  return (DTYPE_BITS.get(dtype) as number) / 8;
}

let f16Table: Uint32Array | null = null;

/** float32 bit pattern of every float16 bit pattern: subnormals normalised, Inf and NaN (payload kept) widened. */
function f16ToF32Bits(): Uint32Array {
  if (f16Table) return f16Table;
  const table = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    let mant = h & 0x3ff;
    let bits: number;
    if (exp === 0x1f) {
      bits = sign | 0x7f800000 | (mant << 13);
    } else if (exp !== 0) {
      bits = sign | ((exp + 112) << 23) | (mant << 13); // rebias 15 -> 127
    } else if (mant === 0) {
      bits = sign;
    } else {
      // Subnormal mant * 2^-24: shift until the hidden bit appears; 2^-14 has float32 exponent field 113.
      let e = 113;
      while ((mant & 0x400) === 0) {
        mant <<= 1;
        e--;
      }
      bits = sign | (e << 23) | ((mant & 0x3ff) << 13);
    }
    table[h] = bits >>> 0;
  }
  f16Table = table;
  return table;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkLength(dtype: SafetensorsDtype, bytes: Uint8Array): number {
  const size = dtypeBytes(dtype);
  if (bytes.byteLength % size !== 0) {
    throw new LayerwiseError(
      'SAFETENSORS_TENSOR_INVALID_INFO',
      `${bytes.byteLength} bytes is not a whole number of ${dtype} elements (${size} bytes each)`,
    );
  }
  return bytes.byteLength / size;
}

/** Little-endian bytes of one dtype -> float32. F16/BF16 are exact (incl. subnormals, ±Inf, NaN); F32 bit-exact. */
export function decodeToFloat32(dtype: SafetensorsDtype, bytes: Uint8Array): Float32Array {
  const n = checkLength(dtype, bytes);
  const dv = view(bytes);
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) bits[i] = dv.getUint32(4 * i, true);
      break;
    case 'F16': {
      const table = f16ToF32Bits();
      for (let i = 0; i < n; i++) bits[i] = table[dv.getUint16(2 * i, true)];
      break;
    }
    case 'BF16':
      // bfloat16 is the top half of a float32.
      for (let i = 0; i < n; i++) bits[i] = dv.getUint16(2 * i, true) << 16;
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true);
      break;
    case 'I64':
      for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(8 * i, true));
      break;
    default: // I32, I16, I8, U8, BOOL
      decodeNarrowInts(dtype, dv, out);
  }
  return out;
}

/** I32, I16, I8, U8 and BOOL (as 0/1) into out, which both the float and the int decoders fill. */
function decodeNarrowInts(dtype: SafetensorsDtype, dv: DataView, out: Float32Array | Int32Array): void {
  const n = out.length;
  switch (dtype) {
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(4 * i, true);
      break;
    case 'I16':
      for (let i = 0; i < n; i++) out[i] = dv.getInt16(2 * i, true);
      break;
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = dv.getInt8(i);
      break;
    case 'U8':
      for (let i = 0; i < n; i++) out[i] = dv.getUint8(i);
      break;
    case 'BOOL':
      for (let i = 0; i < n; i++) out[i] = dv.getUint8(i) === 0 ? 0 : 1;
      break;
  }
}

/**
 * Little-endian integer bytes -> int32. I64 values outside the int32 range are an error naming the element
 * (`tensor` is used in the message). Float dtypes are refused.
 */
export function decodeToInt32(dtype: SafetensorsDtype, bytes: Uint8Array, tensor = 'tensor'): Int32Array {
  if (!INTEGER_DTYPES.includes(dtype)) {
    throw new LayerwiseError(
      'SAFETENSORS_DTYPE_NOT_INTEGER',
      `${tensor} has dtype ${dtype}; an integer dtype (${INTEGER_DTYPES.join(', ')}) was expected`,
      { tensor },
    );
  }
  const n = checkLength(dtype, bytes);
  const dv = view(bytes);
  const out = new Int32Array(n);
  switch (dtype) {
    case 'I64':
      for (let i = 0; i < n; i++) {
        const lo = dv.getUint32(8 * i, true);
        const hi = dv.getInt32(8 * i + 4, true);
        // In int32 range exactly when the high word is the sign extension of the low word.
        if (hi !== (lo >= 0x80000000 ? -1 : 0)) {
          throw new LayerwiseError(
            'SAFETENSORS_INT_OUT_OF_RANGE',
            `${tensor}[${i}] = ${dv.getBigInt64(8 * i, true)} does not fit in int32 (expected -2147483648..2147483647)`,
            { tensor },
          );
        }
        out[i] = lo | 0;
      }
      break;
    default: // I32, I16, I8, U8, BOOL
      decodeNarrowInts(dtype, dv, out);
  }
  return out;
}

/** Count of NaN and ±Inf values (RELIABILITY M17: the pre-flight scan before training). */
export function countNonFinite(values: Float32Array): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) count++;
  return count;
}
