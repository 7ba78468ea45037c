// safetensors reader/writer against RELIABILITY M1-M18: each malformed input is a byte edit of the golden
// bert-seq-cls/model.safetensors (written by the Rust safetensors library) or a test vector of the reference
// parser's own unit tests (huggingface/safetensors, safetensors/src/tensor.rs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LayerwiseError } from '../../src/lib/errors';
import {
  countNonFinite,
  parseSafetensorsHeader,
  readSafetensorsHeader,
  readTensorFloat32,
  readTensorInt,
  writeSafetensors,
  type SafetensorsHeader,
} from '../../src/formats/safetensors';
import { bytesFile, type SourceFile } from '../../src/formats/source-file';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const original = new Uint8Array(readFileSync(here('../golden/hf-tiny/bert-seq-cls/model.safetensors')));
const N = Number(new DataView(original.buffer, original.byteOffset).getBigUint64(0, true));
const headerText = new TextDecoder().decode(original.subarray(8, 8 + N));
const data = original.subarray(8 + N);
const NAME = 'model.safetensors';

type HeaderObject = Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;

/** A file from header text (or raw bytes) and a data section; N is the header's byte length unless given. */
function assemble(header: string | Uint8Array, body: Uint8Array = data, n?: bigint): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + h.length + body.length);
  new DataView(out.buffer).setBigUint64(0, n ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(body, 8 + h.length);
  return out;
}

/** The fixture with its header JSON edited. */
function editHeader(edit: (h: HeaderObject) => void, body: Uint8Array = data): Uint8Array {
  const h = JSON.parse(headerText) as HeaderObject;
  edit(h);
  return assemble(JSON.stringify(h), body);
}

function rejects(bytes: Uint8Array, code: string): LayerwiseError {
  try {
    parseSafetensorsHeader(bytes, NAME);
  } catch (err) {
    expect(err).toBeInstanceOf(LayerwiseError);
    expect((err as LayerwiseError).code).toBe(code);
    expect((err as LayerwiseError).location?.file).toBe(NAME);
    return err as LayerwiseError;
  }
  throw new Error(`expected ${code}, but the file was accepted`);
}

/** A SourceFile that records every slice it serves. */
function spyFile(bytes: Uint8Array, size = bytes.byteLength): SourceFile & { reads: [number, number][] } {
  const reads: [number, number][] = [];
  return {
    name: NAME,
    size,
    reads,
    slice: async (start, end) => {
      reads.push([start, end]);
      return bytes.slice(start, end);
    },
  };
}

async function readRejects(file: SourceFile, code: string): Promise<LayerwiseError> {
  const err = await readSafetensorsHeader(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LayerwiseError);
  expect((err as LayerwiseError).code).toBe(code);
  return err as LayerwiseError;
}

function sortedByOffset(h: HeaderObject): string[] {
  return Object.keys(h)
    .filter((k) => k !== '__metadata__')
    .sort((a, b) => h[a].data_offsets[0] - h[b].data_offsets[0]);
}

describe('the golden file', () => {
  it('parses as the fixture describes it: 127,996 bytes, a 4,328-byte header, 41 F32 tensors', async () => {
    expect(original.byteLength).toBe(127_996);
    const header = await readSafetensorsHeader(bytesFile(NAME, original));
    expect(header.headerSize).toBe(4328);
    expect(header.dataStart).toBe(4336);
    expect(header.tensors.size).toBe(41);
    expect([...header.metadata!]).toEqual([['format', 'pt']]);
    const infos = [...header.tensors.values()];
    expect(infos.every((t) => t.dtype === 'F32')).toBe(true);
    for (let i = 1; i < infos.length; i++) expect(infos[i].data_offsets[0]).toBe(infos[i - 1].data_offsets[1]);
    expect(header.tensors.get('bert.embeddings.word_embeddings.weight')).toEqual({
      dtype: 'F32',
      shape: [328, 32],
      data_offsets: (JSON.parse(headerText) as HeaderObject)['bert.embeddings.word_embeddings.weight'].data_offsets,
    });
  });

  it('reads only the 8-byte prefix and the N-byte header, nothing of the data', async () => {
    const file = spyFile(original);
    await readSafetensorsHeader(file);
    expect(file.reads).toEqual([
      [0, 8],
      [8, 8 + N],
    ]);
  });

  it('reads a tensor as the little-endian floats at its offsets', async () => {
    const file = bytesFile(NAME, original);
    const header = await readSafetensorsHeader(file);
    const [begin, end] = header.tensors.get('classifier.bias')!.data_offsets;
    const values = await readTensorFloat32(file, header, 'classifier.bias');
    const dv = new DataView(original.buffer, original.byteOffset + 8 + N + begin, end - begin);
    expect(Array.from(values)).toEqual([0, 1, 2].map((i) => dv.getFloat32(4 * i, true)));
    await expect(readTensorFloat32(file, header, 'nope')).rejects.toMatchObject({ code: 'SAFETENSORS_TENSOR_NOT_FOUND' });
  });
});

describe('RELIABILITY M1-M18', () => {
  it('M1 empty file: HeaderTooSmall', async () => {
    const err = rejects(new Uint8Array(0), 'SAFETENSORS_HEADER_TOO_SMALL');
    expect(err.message).toBe('model.safetensors: 0 bytes; a safetensors file starts with an 8-byte header length');
    rejects(original.subarray(0, 7), 'SAFETENSORS_HEADER_TOO_SMALL');
    await readRejects(spyFile(new Uint8Array(0)), 'SAFETENSORS_HEADER_TOO_SMALL');
    // Reference vector test_header_too_small.
    rejects(new Uint8Array(), 'SAFETENSORS_HEADER_TOO_SMALL');
  });

  it('M2 truncated inside the header: InvalidHeaderLength, without reading the header', async () => {
    const first100 = original.slice(0, 100);
    const err = rejects(first100, 'SAFETENSORS_INVALID_HEADER_LENGTH');
    expect(err.message).toContain('declared header of 4,328 bytes overruns a 100-byte file');
    expect(err.message).toContain('incomplete download');
    const file = spyFile(first100);
    await readRejects(file, 'SAFETENSORS_INVALID_HEADER_LENGTH');
    expect(file.reads).toEqual([[0, 8]]);
    // Reference vector test_invalid_header_length: N = 60 with nothing after the prefix.
    rejects(new Uint8Array([0x3c, 0, 0, 0, 0, 0, 0, 0]), 'SAFETENSORS_INVALID_HEADER_LENGTH');
  });

  it('M3 header length above the cap: HeaderTooLarge from the 8 bytes alone, compared as u64', async () => {
    const ff = original.slice();
    ff.fill(0xff, 0, 8);
    rejects(ff, 'SAFETENSORS_HEADER_TOO_LARGE');
    const big = original.slice();
    new DataView(big.buffer).setBigUint64(0, 200_000_000n, true);
    expect(rejects(big, 'SAFETENSORS_HEADER_TOO_LARGE').message).toContain('200,000,000 bytes, above the 100,000,000-byte limit');
    // 2^32 + 16: a reader of the low 32 bits alone would see 16.
    const high = original.slice();
    new DataView(high.buffer).setBigUint64(0, 2n ** 32n + 16n, true);
    rejects(high, 'SAFETENSORS_HEADER_TOO_LARGE');
    // A file that claims to be 1 TiB: only the first 8 bytes are ever requested.
    const huge = spyFile(ff, 2 ** 40);
    await readRejects(huge, 'SAFETENSORS_HEADER_TOO_LARGE');
    expect(huge.reads).toEqual([[0, 8]]);
    // Exactly the cap is allowed by the cap (and then overruns this small file).
    const cap = original.slice();
    new DataView(cap.buffer).setBigUint64(0, 100_000_000n, true);
    rejects(cap, 'SAFETENSORS_INVALID_HEADER_LENGTH');
    // Reference vector test_header_too_large.
    const vector = assemble('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', new Uint8Array(16), 0xffffff000000003cn);
    rejects(vector, 'SAFETENSORS_HEADER_TOO_LARGE');
  });

  it('M4 truncated data section: MetadataIncompleteBuffer with both sizes', () => {
    const err = rejects(original.subarray(0, 120_000), 'SAFETENSORS_METADATA_INCOMPLETE_BUFFER');
    expect(err.message).toContain('tensors end at byte 127,996, file has 120,000');
    expect(err.message).toContain('truncated');
    rejects(original.subarray(0, original.length - 1), 'SAFETENSORS_METADATA_INCOMPLETE_BUFFER');
  });

  it('M5 trailing bytes (polyglot file): MetadataIncompleteBuffer', () => {
    const extra = new TextEncoder().encode('extra_bogus_data');
    const appended = new Uint8Array(original.length + extra.length);
    appended.set(original);
    appended.set(extra, original.length);
    const err = rejects(appended, 'SAFETENSORS_METADATA_INCOMPLETE_BUFFER');
    expect(err.message).toContain('tensors end at byte 127,996, file has 128,012');
    // Reference vectors of test_metadata_incomplete_buffer: trailing data, then 2 bytes missing.
    const json = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
    rejects(assemble(json, new TextEncoder().encode('\0'.repeat(16) + 'extra_bogus_data_for_polyglot_file')), 'SAFETENSORS_METADATA_INCOMPLETE_BUFFER');
    rejects(assemble(json, new Uint8Array(14)), 'SAFETENSORS_METADATA_INCOMPLETE_BUFFER');
    expect(parseSafetensorsHeader(assemble(json, new Uint8Array(16)), NAME).tensors.size).toBe(1);
  });

  it('M6 header not UTF-8, not JSON, or not an object; JSON whitespace around it is accepted', () => {
    rejects(assemble(new Uint8Array([0xff]), new Uint8Array(0)), 'SAFETENSORS_INVALID_HEADER');
    const notUtf8 = original.slice();
    notUtf8[8 + 50] = 0xff; // inside a tensor name
    rejects(notUtf8, 'SAFETENSORS_INVALID_HEADER');
    rejects(assemble('{', new Uint8Array(0)), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    rejects(assemble('[]', new Uint8Array(0)), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    rejects(assemble('"x"', new Uint8Array(0)), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    rejects(assemble('{}{}', new Uint8Array(0)), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    rejects(assemble('\ufeff{}', new Uint8Array(0)), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    // A syntax error in the fixture's header: drop one closing brace, pad to keep N.
    const broken = rejects(assemble(headerText.replace('}}', '} '), data), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    expect(broken.location?.line).toBe(1);
    // Unknown TensorInfo fields are skipped (serde ignores them), but must still be JSON, nested at most 128 deep.
    const extra = (value: string) => assemble(`{"t":{"dtype":"F32","x":${value},"shape":[1],"data_offsets":[0,4]}}`, new Uint8Array(4));
    expect(parseSafetensorsHeader(extra('{"a":[1,-2.5e3,true,null,"s\\n"]}'), NAME).tensors.get('t')?.shape).toEqual([1]);
    rejects(extra('[1,]'), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    rejects(extra('01'), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    const deep = rejects(extra('['.repeat(200_000) + ']'.repeat(200_000)), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    expect(deep.message).toContain('nesting deeper than 128 levels');
    // Reference vectors test_whitespace_padded_header and test_whitespace_leading_padded_header.
    expect(parseSafetensorsHeader(assemble('{}\r \t\n', new Uint8Array(0)), NAME).tensors.size).toBe(0);
    expect(parseSafetensorsHeader(assemble('\t\n{}\r ', new Uint8Array(0)), NAME).tensors.size).toBe(0);
    expect(parseSafetensorsHeader(assemble(`\t\n ${headerText.trimEnd()}\r\n  `), NAME).tensors.size).toBe(41);
  });

  it('M7 a gap between tensors: InvalidOffset naming the tensor', () => {
    const victim = 'bert.encoder.layer.0.attention.self.query.weight';
    const bytes = editHeader((h) => {
      const from = h[victim].data_offsets[0];
      for (const name of sortedByOffset(h)) {
        const off = h[name].data_offsets;
        if (off[0] >= from) h[name].data_offsets = [off[0] + 4, off[1] + 4];
      }
    });
    const err = rejects(bytes, 'SAFETENSORS_INVALID_OFFSET');
    expect(err.location?.tensor).toBe(victim);
    expect(err.message).toContain(victim);
    expect(err.message).toContain('gap');
  });

  it('M8 overlapping offsets: InvalidOffset, also for a 1M-entry header (abuse_attempt_2 scaled down) parsed within a heap of 4.5 times the header', () => {
    // Reference test_json_attack: 10 tensors all at [0, 16].
    const entries = Array.from({ length: 10 }, (_, i) => `"weight_${i}":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}`);
    rejects(assemble(`{${entries.join(',')}}`, new Uint8Array(16)), 'SAFETENSORS_INVALID_OFFSET');
    // Two fixture tensors swapped onto the same bytes.
    const overlap = editHeader((h) => {
      h['bert.pooler.dense.bias'].data_offsets = [...h['bert.embeddings.LayerNorm.bias'].data_offsets];
    });
    rejects(overlap, 'SAFETENSORS_INVALID_OFFSET');
    const many: string[] = [];
    for (let i = 0; i < 1_000_000; i++) many.push(`"weight_${i}":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}`);
    const abuse = assemble(`{${many.join(',')}}`, new Uint8Array(16));
    // Parsed in a process whose heap (old space) is capped at 4.5 times the header: it needs about 3.5 (the text,
    // then one name and a few array slots per entry); JSON.parse into objects needs over 5 and dies of it.
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-m8-'));
    try {
      const file = join(dir, 'abuse.safetensors');
      writeFileSync(file, abuse);
      const capMb = Math.ceil((4.5 * abuse.byteLength) / 2 ** 20);
      const script =
        `const { parseSafetensorsHeader } = await import(${JSON.stringify(here('../../src/formats/safetensors.ts'))});` +
        `const bytes = new Uint8Array((await import('node:fs')).readFileSync(${JSON.stringify(file)}));` +
        `try { parseSafetensorsHeader(bytes, 'abuse.safetensors'); console.log('accepted'); } catch (err) { console.log(err.code); }`;
      const run = spawnSync(process.execPath, [`--max-old-space-size=${capMb}`, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: here('../..') });
      expect({ status: run.status, out: run.stdout.trim(), oom: /heap out of memory/.test(run.stderr) }).toEqual({ status: 0, out: 'SAFETENSORS_INVALID_OFFSET', oom: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('M9 reversed, negative, fractional, string or > 2^48-1 offsets are refused', () => {
    const name = 'classifier.bias';
    const withOffsets = (raw: string) => assemble(headerText.trimEnd().replace(/("classifier\.bias":\{[^}]*"data_offsets":)\[\d+,\d+\]/, `$1${raw}`));
    const [b, e] = (JSON.parse(headerText) as HeaderObject)[name].data_offsets;
    expect(rejects(withOffsets(`[${e},${b}]`), 'SAFETENSORS_INVALID_OFFSET').location?.tensor).toBe(name);
    expect(rejects(withOffsets(`[-${b},${e}]`), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION').location?.tensor).toBe(name);
    rejects(withOffsets(`[${b}.5,${e}]`), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    rejects(withOffsets(`[${b},1.2e4]`), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    rejects(withOffsets(`["${b}","${e}"]`), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    rejects(withOffsets(`[${b}]`), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    rejects(withOffsets(`[${b},${e},${e}]`), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    const limit = rejects(withOffsets(`[${b},${2 ** 48}]`), 'SAFETENSORS_INVALID_OFFSET');
    expect(limit.message).toContain('2^48-1');
    rejects(withOffsets(`[${b},18446744073709551615]`), 'SAFETENSORS_INVALID_OFFSET');
    rejects(withOffsets(`[${b},18446744073709551616]`), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    // The unedited replacement parses: the edits above are what is refused.
    expect(parseSafetensorsHeader(withOffsets(`[${b},${e}]`), NAME).tensors.size).toBe(41);
  });

  it('M10 dtype or shape disagreeing with the byte length: TensorInvalidInfo with expected and found bytes', () => {
    // Reference vector test_invalid_info.
    const err = rejects(
      assemble('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0, 4]}}', new Uint8Array(4)),
      'SAFETENSORS_TENSOR_INVALID_INFO',
    );
    expect(err.location?.tensor).toBe('test');
    expect(err.message).toContain('needs 16 bytes');
    expect(err.message).toContain('hold 4 bytes');
    const f16 = rejects(
      editHeader((h) => {
        h['classifier.bias'].dtype = 'F16';
      }),
      'SAFETENSORS_TENSOR_INVALID_INFO',
    );
    expect(f16.message).toContain('"classifier.bias": F16 x shape [3] needs 6 bytes, but data_offsets');
    rejects(
      editHeader((h) => {
        h['classifier.weight'].shape = [3, 33];
      }),
      'SAFETENSORS_TENSOR_INVALID_INFO',
    );
  });

  it('M11 shape overflow: ValidationOverflow decided with exact 64-bit arithmetic', () => {
    // Reference vectors of test_validation_overflow (N = 0x4f and 0x4e, 16 data bytes).
    rejects(
      assemble('{"test":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}}', new Uint8Array(16)),
      'SAFETENSORS_VALIDATION_OVERFLOW',
    );
    rejects(
      assemble('{"test":{"dtype":"I32","shape":[2,9223372036854775807],"data_offsets":[0,16]}}', new Uint8Array(16)),
      'SAFETENSORS_VALIDATION_OVERFLOW',
    );
    // 2^61 elements x 32 bits = 2^66 bits: the element count fits in u64, the bit count does not.
    rejects(
      assemble('{"test":{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,16]}}', new Uint8Array(16)),
      'SAFETENSORS_VALIDATION_OVERFLOW',
    );
    // Zero elements but a dimension past 2^53: valid for the reference, not representable here.
    rejects(
      assemble('{"test":{"dtype":"F32","shape":[0,9007199254740993],"data_offsets":[0,0]}}', new Uint8Array(0)),
      'SAFETENSORS_VALIDATION_OVERFLOW',
    );
    // Beyond u64 is not a usize at all (serde's error).
    rejects(
      assemble('{"test":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,16]}}', new Uint8Array(16)),
      'SAFETENSORS_INVALID_HEADER_DESERIALIZATION',
    );
    // 2^53 + 1 elements would round to 2^53 as a double; exact arithmetic sees the mismatch with 16 bytes.
    rejects(
      assemble('{"test":{"dtype":"U8","shape":[9007199254740993],"data_offsets":[0,16]}}', new Uint8Array(16)),
      'SAFETENSORS_TENSOR_INVALID_INFO',
    );
  });

  it('M12 unsupported dtypes are named with the supported list; misaligned F4 is MisalignedSlice', () => {
    const name = 'bert.embeddings.LayerNorm.bias'; // F32 [32]: 128 bytes
    const f8 = rejects(
      editHeader((h) => {
        h[name] = { ...h[name], dtype: 'F8_E4M3', shape: [128] };
      }),
      'SAFETENSORS_UNSUPPORTED_DTYPE',
    );
    expect(f8.message).toBe(
      `model.safetensors: unsupported dtype F8_E4M3 for tensor "${name}" (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)`,
    );
    expect(f8.location?.tensor).toBe(name);
    rejects(
      editHeader((h) => {
        h[name] = { ...h[name], dtype: 'C64', shape: [4, 4] };
      }),
      'SAFETENSORS_UNSUPPORTED_DTYPE',
    );
    // The size checks come first, as in the reference: a C64 tensor of the wrong size is TensorInvalidInfo.
    rejects(
      editHeader((h) => {
        h[name] = { ...h[name], dtype: 'C64', shape: [32] };
      }),
      'SAFETENSORS_TENSOR_INVALID_INFO',
    );
    const object = rejects(
      editHeader((h) => {
        h[name].dtype = 'object';
      }),
      'SAFETENSORS_UNSUPPORTED_DTYPE',
    );
    expect(object.message).toContain('"object"');
    rejects(assemble('{"t":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', new Uint8Array(2)), 'SAFETENSORS_MISALIGNED_SLICE');
    // F4 with an even element count is well-formed for the reference, and refused here by name.
    rejects(assemble('{"t":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}', new Uint8Array(2)), 'SAFETENSORS_UNSUPPORTED_DTYPE');
  });

  it('M13 duplicate tensor names are refused although JSON.parse would keep the last', () => {
    // Rename the pooler bias to the classifier bias: both keys are now "classifier.bias".
    const dup = headerText.trimEnd().replace('"bert.pooler.dense.bias"', '"classifier.bias"');
    expect(Object.keys(JSON.parse(dup) as object)).toHaveLength(41); // what a naive reader would see
    const err = rejects(assemble(dup), 'SAFETENSORS_DUPLICATE_NAME');
    expect(err.location?.tensor).toBe('classifier.bias');
    rejects(assemble('{"__metadata__":{"a":"1"},"__metadata__":{"a":"1"}}', new Uint8Array(0)), 'SAFETENSORS_DUPLICATE_NAME');
    rejects(assemble('{"__metadata__":{"a":"1","a":"2"}}', new Uint8Array(0)), 'SAFETENSORS_DUPLICATE_NAME');
    rejects(
      assemble('{"t":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)),
      'SAFETENSORS_INVALID_HEADER_DESERIALIZATION',
    );
  });

  it('M14 hostile names are plain Map keys and round-trip exactly', () => {
    const names = ['__proto__', 'constructor', '<img src=x onerror=alert(1)>', '../../x', 'x'.repeat(65536), 'é\u202e\u0000"\\'];
    const bytes = writeSafetensors(names.map((name, i) => [name, { shape: [1], data: new Float32Array([i]) }]));
    const header = parseSafetensorsHeader(bytes, NAME);
    expect(header.tensors).toBeInstanceOf(Map);
    expect([...header.tensors.keys()]).toEqual(names);
    expect(header.tensors.get('__proto__')?.data_offsets).toEqual([0, 4]);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined(); // Object.prototype untouched
    // The same names written with escapes in the JSON.
    const escaped = '{"\\u005f_proto__":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"\\ud83d\\ude00":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}';
    expect([...parseSafetensorsHeader(assemble(escaped, new Uint8Array(8)), NAME).tensors.keys()]).toEqual(['__proto__', '😀']);
    rejects(assemble('{"\\ud83d":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}', new Uint8Array(4)), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
  });

  it('M15 __metadata__ values must be strings', () => {
    const bad = headerText.trimEnd().replace('{"format":"pt"}', '{"a":{"b":1}}');
    expect(rejects(assemble(bad), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION').message).toContain('"a"');
    rejects(assemble(headerText.trimEnd().replace('{"format":"pt"}', '{"format":1}')), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    rejects(assemble(headerText.trimEnd().replace('{"format":"pt"}', '["pt"]')), 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION');
    expect(parseSafetensorsHeader(assemble(headerText.trimEnd().replace('{"format":"pt"}', 'null')), NAME).metadata).toBeNull();
  });

  it('M16 zero-size and 0-rank tensors are accepted and re-exported byte for byte', async () => {
    // Reference vector test_zero_sized_tensor.
    const zero = parseSafetensorsHeader(assemble('{"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0, 0]}}', new Uint8Array(0)), NAME);
    expect(zero.tensors.get('test')).toEqual({ dtype: 'I32', shape: [2, 0], data_offsets: [0, 0] });
    const tensors: [string, { shape: number[]; data: Float32Array }][] = [
      ['empty', { shape: [2, 0], data: new Float32Array(0) }],
      ['next', { shape: [2], data: new Float32Array([1.5, -2]) }],
      ['scalar', { shape: [], data: new Float32Array([7]) }],
      ['also.empty', { shape: [0], data: new Float32Array(0) }],
    ];
    const bytes = writeSafetensors(tensors, { note: 'zero' });
    const file = bytesFile(NAME, bytes);
    const header = await readSafetensorsHeader(file);
    expect(header.tensors.get('empty')!.data_offsets).toEqual([0, 0]);
    expect(header.tensors.get('next')!.data_offsets).toEqual([0, 8]);
    expect(header.tensors.get('scalar')).toEqual({ dtype: 'F32', shape: [], data_offsets: [8, 12] });
    expect(header.tensors.get('also.empty')!.data_offsets).toEqual([12, 12]);
    const again: [string, { shape: number[]; data: Float32Array }][] = [];
    for (const [name] of tensors) {
      again.push([name, { shape: header.tensors.get(name)!.shape, data: await readTensorFloat32(file, header, name) }]);
    }
    expect(writeSafetensors(again, Object.fromEntries(header.metadata!))).toEqual(bytes);
  });

  it('M17 a NaN weight loads, and the pre-flight scan counts it', async () => {
    const h = JSON.parse(headerText) as HeaderObject;
    const nan = original.slice();
    const [begin] = h['classifier.weight'].data_offsets;
    new DataView(nan.buffer).setUint32(8 + N + begin + 4 * 5, 0x7fc00000, true);
    const file = bytesFile(NAME, nan);
    const header = await readSafetensorsHeader(file);
    const counts = new Map<string, number>();
    for (const name of header.tensors.keys()) counts.set(name, countNonFinite(await readTensorFloat32(file, header, name)));
    expect(counts.get('classifier.weight')).toBe(1);
    expect([...counts.values()].reduce((a, b) => a + b)).toBe(1);
    expect(countNonFinite(new Float32Array([Infinity, -Infinity, NaN, 0, -0, 3.4e38]))).toBe(3);
  });

  it('M18 a PyTorch .bin (zip or raw pickle) or a GGUF file renamed to .safetensors is named as such', async () => {
    const pickleMessage = 'model.safetensors: PyTorch pickle checkpoint: convert to safetensors; this app never executes pickle';
    for (const fixture of ['torch-zip.bin', 'torch-legacy.bin']) {
      const bytes = new Uint8Array(readFileSync(here(`fixtures/${fixture}`)));
      expect(rejects(bytes, 'SAFETENSORS_WRONG_FORMAT').message).toBe(pickleMessage);
      expect((await readRejects(spyFile(bytes), 'SAFETENSORS_WRONG_FORMAT')).message).toBe(pickleMessage);
    }
    // GGUF v3: magic, version, tensor count, metadata count.
    const gguf = new Uint8Array(24);
    gguf.set([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, 1]);
    expect(rejects(gguf, 'SAFETENSORS_WRONG_FORMAT').message).toContain('GGUF');
    rejects(new Uint8Array([0x50, 0x4b, 0x03, 0x04]), 'SAFETENSORS_WRONG_FORMAT');
  });
});

describe('readTensorInt', () => {
  const i64 = (values: bigint[]) => {
    const body = new Uint8Array(8 * values.length);
    values.forEach((v, i) => new DataView(body.buffer).setBigInt64(8 * i, v, true));
    return assemble(`{"position_ids":{"dtype":"I64","shape":[1,${values.length}],"data_offsets":[0,${body.length}]}}`, body);
  };

  it('reads I64 position ids within int32, and names an out-of-range element', async () => {
    const good = i64([0n, 1n, 63n, -1n, 2147483647n, -2147483648n]);
    const header = parseSafetensorsHeader(good, NAME);
    expect(Array.from(await readTensorInt(bytesFile(NAME, good), header, 'position_ids'))).toEqual([0, 1, 63, -1, 2147483647, -2147483648]);
    const bad = i64([0n, 2147483648n]);
    const err = await readTensorInt(bytesFile(NAME, bad), parseSafetensorsHeader(bad, NAME), 'position_ids').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SAFETENSORS_INT_OUT_OF_RANGE', location: { file: NAME, tensor: 'position_ids' } });
    expect((err as Error).message).toContain('position_ids[1] = 2147483648');
  });

  it('refuses a float tensor', async () => {
    const file = bytesFile(NAME, original);
    const header: SafetensorsHeader = await readSafetensorsHeader(file);
    await expect(readTensorInt(file, header, 'classifier.bias')).rejects.toMatchObject({ code: 'SAFETENSORS_DTYPE_NOT_INTEGER' });
  });
});

describe('writeSafetensors', () => {
  it('reproduces the golden file (written by the Rust library) byte for byte', async () => {
    const file = bytesFile(NAME, original);
    const header = await readSafetensorsHeader(file);
    const tensors: [string, { shape: number[]; data: Float32Array }][] = [];
    for (const [name, info] of header.tensors) tensors.push([name, { shape: info.shape, data: await readTensorFloat32(file, header, name) }]);
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    expect(bytes.byteLength).toBe(original.byteLength);
    expect(Buffer.from(bytes).equals(Buffer.from(original))).toBe(true);
  });

  it('pads the header with spaces to a multiple of 8', () => {
    const bytes = writeSafetensors([['a', { shape: [1], data: new Float32Array([1]) }]]);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toBe('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'.padEnd(n, ' '));
    expect(writeSafetensors([])).toEqual(assemble('{}      ', new Uint8Array(0)));
  });

  it('round-trips random tensors bit for bit (NaN payloads, -0, subnormals, Inf included)', async () => {
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let trial = 0; trial < 25; trial++) {
      const tensors: [string, { shape: number[]; data: Float32Array }][] = [];
      const count = rand() % 6;
      for (let t = 0; t < count; t++) {
        const rank = rand() % 4;
        const shape = Array.from({ length: rank }, () => rand() % 5);
        const size = shape.reduce((a, b) => a * b, 1);
        const data = new Float32Array(size);
        const bits = new Uint32Array(data.buffer);
        for (let i = 0; i < size; i++) bits[i] = rand() ^ (rand() << 16);
        tensors.push([`t${trial}.${t}`, { shape, data }]);
      }
      const bytes = writeSafetensors(tensors, { trial: String(trial) });
      const file = bytesFile(NAME, bytes);
      const header = await readSafetensorsHeader(file);
      expect(header.metadata?.get('trial')).toBe(String(trial));
      for (const [name, { shape, data }] of tensors) {
        expect(header.tensors.get(name)!.shape).toEqual(shape);
        const back = await readTensorFloat32(file, header, name);
        expect(Array.from(new Uint32Array(back.buffer))).toEqual(Array.from(new Uint32Array(data.buffer)));
      }
    }
  });

  it('refuses duplicate names, the reserved name, a shape that does not match the data, non-string metadata', () => {
    const t = { shape: [1], data: new Float32Array(1) };
    expect(() => writeSafetensors([['a', t], ['a', t]])).toThrow(expect.objectContaining({ code: 'SAFETENSORS_DUPLICATE_NAME' }));
    expect(() => writeSafetensors([['__metadata__', t]])).toThrow(expect.objectContaining({ code: 'SAFETENSORS_INVALID_HEADER' }));
    expect(() => writeSafetensors([['a', { shape: [2], data: new Float32Array(1) }]])).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_TENSOR_INVALID_INFO' }),
    );
    expect(() => writeSafetensors([['a', { shape: [-1], data: new Float32Array(1) }]])).toThrow(
      expect.objectContaining({ code: 'SAFETENSORS_TENSOR_INVALID_INFO' }),
    );
    expect(() => writeSafetensors([], { a: 1 as unknown as string })).toThrow(expect.objectContaining({ code: 'SAFETENSORS_INVALID_HEADER' }));
  });
});
