// checkHeaderSoFar: the golden fixture's header accepted once it has arrived, whatever the chunking; hostile
// prefixes refused from their first bytes; checks that depend on the file size left to the loader.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkHeaderSoFar } from '../../src/formats/safetensors-stream';

const WEIGHTS = new Uint8Array(readFileSync(path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls', 'model.safetensors')));
// RELIABILITY: a 4,328-byte header after the 8-byte length.
const HEADER_END = 8 + 4328;

/** Feeds `bytes` in chunks of `size`; returns how many bytes had arrived when the check finished. */
async function feed(bytes: Uint8Array, size: number, total = bytes.byteLength): Promise<number> {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) {
    chunks.push(bytes.subarray(at, at + size));
    const received = Math.min(at + size, bytes.byteLength);
    if (await checkHeaderSoFar('model.safetensors', chunks, received, total)) return received;
  }
  return -1;
}

describe('checkHeaderSoFar', () => {
  it('accepts the fixture as soon as its whole header is in, for any chunking', async () => {
    expect(new DataView(WEIGHTS.buffer, WEIGHTS.byteOffset).getBigUint64(0, true)).toBe(4328n);
    for (const size of [1, 3, 7, 8, 1000, 65_536]) {
      const done = await feed(WEIGHTS, size);
      expect(done).toBeGreaterThanOrEqual(HEADER_END);
      expect(done).toBeLessThan(HEADER_END + size);
    }
  });

  it('refuses a length above the cap and another format from the first 8 bytes', async () => {
    const huge = WEIGHTS.slice();
    new DataView(huge.buffer).setBigUint64(0, 200_000_000n, true);
    await expect(feed(huge, 8)).rejects.toMatchObject({ code: 'SAFETENSORS_HEADER_TOO_LARGE' });
    const zip = WEIGHTS.slice();
    zip.set([0x50, 0x4b, 0x03, 0x04, 0xff, 0xff, 0xff, 0xff]);
    await expect(feed(zip, 8)).rejects.toMatchObject({ code: 'SAFETENSORS_WRONG_FORMAT' });
  });

  it('refuses a bad header once it is in: not JSON, overlapping offsets (M6, M8)', async () => {
    const text = new TextDecoder().decode(WEIGHTS.subarray(8, HEADER_END));
    const broken = WEIGHTS.slice();
    broken.set(new TextEncoder().encode(text.replace('{', '[')), 8);
    await expect(feed(broken, 512)).rejects.toMatchObject({ code: 'SAFETENSORS_INVALID_HEADER_DESERIALIZATION' });

    const json = new TextEncoder().encode('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    const overlapping = new Uint8Array(8 + json.byteLength + 4);
    new DataView(overlapping.buffer).setBigUint64(0, BigInt(json.byteLength), true);
    overlapping.set(json, 8);
    await expect(feed(overlapping, 64)).rejects.toMatchObject({ code: 'SAFETENSORS_INVALID_OFFSET' });
  });

  it('leaves size checks to the loader: a Content-Length that disagrees is not an error here', async () => {
    expect(await feed(WEIGHTS, 4096, WEIGHTS.byteLength + 100)).toBeGreaterThanOrEqual(HEADER_END);
    // The declared header overruns a 4,000-byte Content-Length: decided by the loader on the bytes that arrive.
    expect(await feed(WEIGHTS, 4096, 4000)).toBe(4096);
  });
});
