// safetensors reader and writer. The reader performs every check of the reference parser
// (huggingface/safetensors, safetensors/src/tensor.rs: SafeTensors::read_metadata, Metadata::validate) in its
// order, with its error names as codes (SAFETENSORS_HEADER_TOO_SMALL, ...), before any tensor is read
// (RELIABILITY R1, M1-M18). The writer mirrors serialize(): F32, space-padded header, contiguous offsets.
import { LayerwiseError } from '../lib/errors';
import {
  DTYPE_BITS,
  READABLE_DTYPES,
  decodeToFloat32,
  decodeToInt32,
  isReadableDtype,
  type SafetensorsDtype,
} from './safetensors-dtypes';
import { parseHeaderJson, type RawHeader } from './safetensors-header-json';
import type { SourceFile } from './source-file';

export { countNonFinite, decodeToFloat32, type SafetensorsDtype } from './safetensors-dtypes';

/** The reference's MAX_HEADER_SIZE: a larger header is refused from its 8-byte length alone. */
export const MAX_HEADER_SIZE = 100_000_000;
/** The header length prefix: a little-endian u64. */
const N_LEN = 8;
const U64_MAX = 2n ** 64n - 1n;

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsHeader {
  file: string;
  /** N, the JSON header's length in bytes. */
  headerSize: number;
  /** 8 + N: where the byte buffer that data_offsets index starts. */
  dataStart: number;
  /** Tensors by name, in data_offsets order. */
  tensors: Map<string, TensorInfo>;
  metadata: Map<string, string> | null;
}

function fail(code: string, message: string, file: string, tensor?: string): never {
  throw new LayerwiseError(code, `${file}: ${message}`, tensor === undefined ? { file } : { file, tensor });
}

const fmt = (n: number | bigint): string => n.toLocaleString('en-US');

/** Formats that are often renamed to .safetensors, by their magic bytes. */
export function sniffWrongFormat(head: Uint8Array): 'pytorch-zip' | 'pickle' | 'gguf' | null {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'pytorch-zip';
  if (head.length >= 2 && head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return 'pickle';
  if (head.length >= 4 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46) return 'gguf';
  return null;
}

/** A failed parse of a file whose first bytes are another format's magic is reported as that format (M18). */
function asWrongFormat(err: unknown, head: Uint8Array, file: string): unknown {
  const kind = sniffWrongFormat(head);
  if (!(err instanceof LayerwiseError) || kind === null) return err;
  const what =
    kind === 'gguf'
      ? 'GGUF file (llama.cpp format), not safetensors: export the model to safetensors'
      : 'PyTorch pickle checkpoint: convert to safetensors; this app never executes pickle';
  return new LayerwiseError('SAFETENSORS_WRONG_FORMAT', `${file}: ${what}`, { file });
}

/** The 8-byte prefix: HeaderTooSmall, HeaderTooLarge (as u64, before any allocation), InvalidHeaderLength. */
function checkPrefix(head: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < N_LEN) {
    fail(
      'SAFETENSORS_HEADER_TOO_SMALL',
      `${fmt(fileSize)} bytes; a safetensors file starts with an 8-byte header length`,
      file,
    );
  }
  const n = new DataView(head.buffer, head.byteOffset, N_LEN).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_SIZE)) {
    fail(
      'SAFETENSORS_HEADER_TOO_LARGE',
      `the header length is ${fmt(n)} bytes, above the ${fmt(MAX_HEADER_SIZE)}-byte limit`,
      file,
    );
  }
  const size = Number(n);
  if (N_LEN + size > fileSize) {
    fail(
      'SAFETENSORS_INVALID_HEADER_LENGTH',
      `the declared header of ${fmt(size)} bytes overruns a ${fmt(fileSize)}-byte file (incomplete download?)`,
      file,
    );
  }
  return size;
}

/**
 * Elements x bits of the tensor with dims[from..to), with the reference's checked u64 arithmetic: null on
 * overflow, 'ok' when it is a safe integer equal to 8 x (end - begin) bytes (the common case, decided without
 * allocating). Plain numbers while the product stays a safe integer, bigint past that.
 */
function tensorBits(
  dims: readonly (number | bigint)[],
  from: number,
  to: number,
  bits: number,
  bytes = -1,
): number | bigint | null | 'ok' {
  let p = 1;
  let i = from;
  for (; i < to; i++) {
    const d = dims[i];
    if (typeof d === 'bigint' || p * d > Number.MAX_SAFE_INTEGER) break;
    p *= d;
  }
  if (i === to && p * bits <= Number.MAX_SAFE_INTEGER) return p * bits === 8 * bytes ? 'ok' : p * bits;
  let big = BigInt(p);
  for (; i < to; i++) {
    big *= BigInt(dims[i]);
    if (big > U64_MAX) return null;
  }
  big *= BigInt(bits);
  return big > U64_MAX ? null : big;
}

/** The first name that appears twice, or null: one hash pass, made only once the offsets are found wrong. */
function duplicateName(names: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

/**
 * Metadata::validate: sorted by offsets, each tensor starts where the previous ended, bytes = shape x dtype.
 * Returns the tensor indices in offset order and the end of the byte buffer.
 */
function validateTensors(raw: RawHeader, file: string): { order: Uint32Array; dataEnd: number } {
  const { names, dtypes, begins, ends, shapeStarts, dims } = raw;
  const order = new Uint32Array(names.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => begins[a] - begins[b] || ends[a] - ends[b]);
  let start = 0;
  for (const i of order) {
    const name = names[i];
    const begin = begins[i];
    const end = ends[i];
    if (begin !== start || end < begin) {
      // The same name twice (the same offsets too, when copied) reads as an overlap: say what it is.
      const twice = duplicateName(names);
      if (twice !== null) fail('SAFETENSORS_DUPLICATE_NAME', `tensor ${JSON.stringify(twice)} is declared twice in the header; the safetensors format forbids duplicate names`, file, twice);
      const why =
        end < begin
          ? `END ${fmt(end)} is before BEGIN ${fmt(begin)}`
          : begin > start
            ? `it starts at byte ${fmt(begin)} but the previous tensor ends at byte ${fmt(start)} (a gap)`
            : `it starts at byte ${fmt(begin)}, inside the previous tensor that ends at byte ${fmt(start)} (overlap)`;
      fail('SAFETENSORS_INVALID_OFFSET', `invalid data_offsets for tensor ${JSON.stringify(name)}: ${why}`, file, name);
    }
    start = end;
    const dtype = dtypes[i];
    const nbits = tensorBits(dims, shapeStarts[i], shapeStarts[i + 1], DTYPE_BITS.get(dtype) as number, end - begin);
    if (nbits === 'ok') continue;
    const shape = `[${dims.slice(shapeStarts[i], shapeStarts[i + 1]).join(', ')}]`;
    if (nbits === null) {
      fail('SAFETENSORS_VALIDATION_OVERFLOW', `the size of tensor ${JSON.stringify(name)} (shape ${shape}, ${dtype}) overflows 64 bits`, file, name);
    }
    const rem = typeof nbits === 'bigint' ? Number(nbits % 8n) : nbits % 8;
    if (rem !== 0) {
      fail('SAFETENSORS_MISALIGNED_SLICE', `tensor ${JSON.stringify(name)} (${dtype}, shape ${shape}) does not end on a byte boundary`, file, name);
    }
    const expected = typeof nbits === 'bigint' ? nbits / 8n : nbits / 8;
    if (BigInt(end - begin) !== BigInt(expected)) {
      fail(
        'SAFETENSORS_TENSOR_INVALID_INFO',
        `tensor ${JSON.stringify(name)}: ${dtype} x shape ${shape} needs ${fmt(expected)} bytes, ` +
          `but data_offsets [${fmt(begin)}, ${fmt(end)}] hold ${fmt(end - begin)} bytes`,
        file,
        name,
      );
    }
  }
  return { order, dataEnd: start };
}

function validateHeader(headerBytes: Uint8Array, n: number, fileSize: number, file: string): SafetensorsHeader {
  let text: string;
  try {
    // ignoreBOM: a byte-order mark stays in the text (and then fails as JSON), as in the reference.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    fail('SAFETENSORS_INVALID_HEADER', 'the header is not valid UTF-8', file);
  }
  const raw = parseHeaderJson(text, file, (dtype) => DTYPE_BITS.has(dtype));
  const { order, dataEnd } = validateTensors(raw, file);
  const expectedSize = N_LEN + n + dataEnd;
  if (expectedSize !== fileSize) {
    const hint = expectedSize > fileSize ? 'the file is truncated' : 'the file has trailing bytes after the last tensor';
    fail(
      'SAFETENSORS_METADATA_INCOMPLETE_BUFFER',
      `tensors end at byte ${fmt(expectedSize)}, file has ${fmt(fileSize)} (${hint})`,
      file,
    );
  }
  // Beyond the reference: dtypes this studio cannot compute with, dimensions that are not safe integers
  // (possible only in zero-element tensors, which pass the size checks), and duplicate names (which the
  // reference's HashMap would silently collapse, the format forbids them).
  const tensors = new Map<string, TensorInfo>();
  for (const i of order) {
    const name = raw.names[i];
    const dtype = raw.dtypes[i];
    if (!isReadableDtype(dtype)) {
      fail(
        'SAFETENSORS_UNSUPPORTED_DTYPE',
        `unsupported dtype ${dtype} for tensor ${JSON.stringify(name)} (supported: ${READABLE_DTYPES.join(', ')})`,
        file,
        name,
      );
    }
    const shape = raw.dims.slice(raw.shapeStarts[i], raw.shapeStarts[i + 1]);
    if (shape.some((d) => typeof d === 'bigint')) {
      fail(
        'SAFETENSORS_VALIDATION_OVERFLOW',
        `tensor ${JSON.stringify(name)} has a dimension above 2^53-1 (shape [${shape.join(', ')}])`,
        file,
        name,
      );
    }
    if (tensors.has(name)) {
      fail(
        'SAFETENSORS_DUPLICATE_NAME',
        `tensor ${JSON.stringify(name)} is declared twice in the header; the safetensors format forbids duplicate names`,
        file,
        name,
      );
    }
    tensors.set(name, { dtype, shape: shape as number[], data_offsets: [raw.begins[i], raw.ends[i]] });
  }
  return { file, headerSize: n, dataStart: N_LEN + n, tensors, metadata: raw.metadata };
}

/** Reads 8 bytes, validates them, then reads and validates the N-byte header against the file's exact size. */
export async function readSafetensorsHeader(file: SourceFile): Promise<SafetensorsHeader> {
  const head = await file.slice(0, Math.min(N_LEN, file.size));
  try {
    const n = checkPrefix(head, file.size, file.name);
    const headerBytes = await file.slice(N_LEN, N_LEN + n);
    return validateHeader(headerBytes, n, file.size, file.name);
  } catch (err) {
    throw asWrongFormat(err, head, file.name);
  }
}

/** The same checks on a whole file already in memory. */
export function parseSafetensorsHeader(bytes: Uint8Array, fileName: string): SafetensorsHeader {
  const head = bytes.subarray(0, N_LEN);
  try {
    const n = checkPrefix(head, bytes.byteLength, fileName);
    return validateHeader(bytes.subarray(N_LEN, N_LEN + n), n, bytes.byteLength, fileName);
  } catch (err) {
    throw asWrongFormat(err, head, fileName);
  }
}

async function tensorBytes(file: SourceFile, header: SafetensorsHeader, name: string): Promise<[TensorInfo, Uint8Array]> {
  const info = header.tensors.get(name);
  if (info === undefined) fail('SAFETENSORS_TENSOR_NOT_FOUND', `tensor ${JSON.stringify(name)} not found`, file.name, name);
  const [begin, end] = info.data_offsets;
  const bytes = await file.slice(header.dataStart + begin, header.dataStart + end);
  if (bytes.byteLength !== end - begin) {
    fail(
      'SAFETENSORS_METADATA_INCOMPLETE_BUFFER',
      `tensor ${JSON.stringify(name)}: read ${fmt(bytes.byteLength)} bytes, expected ${fmt(end - begin)} (did the file change?)`,
      file.name,
      name,
    );
  }
  return [info, bytes];
}

/** One tensor as float32 (F32/F16/BF16/F64 and integer dtypes). */
export async function readTensorFloat32(file: SourceFile, header: SafetensorsHeader, name: string): Promise<Float32Array> {
  const [info, bytes] = await tensorBytes(file, header, name);
  return decodeToFloat32(info.dtype, bytes);
}

/** One integer tensor as int32 (I64 must fit in int32; float dtypes are refused). */
export async function readTensorInt(file: SourceFile, header: SafetensorsHeader, name: string): Promise<Int32Array> {
  const [info, bytes] = await tensorBytes(file, header, name);
  try {
    return decodeToInt32(info.dtype, bytes, name);
  } catch (err) {
    if (err instanceof LayerwiseError) fail(err.code, err.message, file.name, name);
    throw err;
  }
}

/**
 * A safetensors file of F32 tensors, laid out in the given order with contiguous offsets, `__metadata__` first,
 * the header padded with spaces to a multiple of 8 (as the reference's serialize()).
 */
export function writeSafetensors(
  tensors: Iterable<[string, { shape: number[]; data: Float32Array }]>,
  metadata?: Record<string, string>,
): Uint8Array {
  const file = 'exported safetensors';
  const entries: { data: Float32Array; begin: number }[] = [];
  const names = new Set<string>();
  const parts: string[] = [];
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        fail('SAFETENSORS_INVALID_HEADER', `__metadata__ value of ${JSON.stringify(key)} must be a string`, file);
      }
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const [name, { shape, data }] of tensors) {
    if (name === '__metadata__') fail('SAFETENSORS_INVALID_HEADER', 'a tensor cannot be named "__metadata__"', file, name);
    if (names.has(name)) fail('SAFETENSORS_DUPLICATE_NAME', `tensor ${JSON.stringify(name)} is written twice`, file, name);
    names.add(name);
    let count = 1;
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) {
        fail('SAFETENSORS_TENSOR_INVALID_INFO', `tensor ${JSON.stringify(name)} has an invalid shape [${shape.join(', ')}]`, file, name);
      }
      count *= d;
    }
    if (count !== data.length) {
      fail(
        'SAFETENSORS_TENSOR_INVALID_INFO',
        `tensor ${JSON.stringify(name)}: shape [${shape.join(', ')}] holds ${fmt(count)} values, data has ${fmt(data.length)}`,
        file,
        name,
      );
    }
    const end = offset + 4 * count;
    parts.push(`${JSON.stringify(name)}:{"dtype":"F32","shape":[${shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    entries.push({ data, begin: offset });
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const n = Math.ceil(json.length / N_LEN) * N_LEN;
  if (n > MAX_HEADER_SIZE) {
    fail('SAFETENSORS_HEADER_TOO_LARGE', `the header would be ${fmt(n)} bytes, above the ${fmt(MAX_HEADER_SIZE)}-byte limit`, file);
  }
  const out = new Uint8Array(N_LEN + n + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(n), true);
  out.set(json, N_LEN);
  out.fill(0x20, N_LEN + json.length, N_LEN + n);
  for (const { data, begin } of entries) {
    // Bit patterns, not values: NaN payloads survive the round trip.
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    const base = N_LEN + n + begin;
    for (let i = 0; i < bits.length; i++) dv.setUint32(base + 4 * i, bits[i], true);
  }
  return out;
}
