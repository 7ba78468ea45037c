// A safetensors header validated while its file downloads (RELIABILITY R1 for a Hub download): the reference
// checks of readSafetensorsHeader, run on the first bytes as soon as they have arrived, so a corrupt or hostile
// file is refused before the rest of it is fetched.
import { LayerwiseError } from '../lib/errors';
import { readSafetensorsHeader } from './safetensors';

/** The first `n` bytes of a list of chunks, copied into one array. */
function prefixOf(chunks: readonly Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    if (at >= n) break;
    const part = c.subarray(0, n - at);
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

// These depend on the file's size, which Content-Length may misstate (compression): the loader decides them later.
const SIZE_CODES = new Set(['SAFETENSORS_HEADER_TOO_SMALL', 'SAFETENSORS_INVALID_HEADER_LENGTH', 'SAFETENSORS_METADATA_INCOMPLETE_BUFFER']);

/**
 * Validates a safetensors header while its file downloads (`total`: its Content-Length): a length above the cap, or
 * another format's magic bytes, is refused from the first 8 bytes; the header itself once all of it has arrived.
 * Returns false while more bytes are needed, true once there is nothing left to check here.
 */
export async function checkHeaderSoFar(name: string, chunks: readonly Uint8Array[], received: number, total: number): Promise<boolean> {
  if (total < 8) return true;
  if (received < 8) return false;
  const end = 8n + new DataView(prefixOf(chunks, 8).buffer).getBigUint64(0, true);
  const fits = end <= BigInt(total);
  if (fits && BigInt(received) < end) return false;
  const prefix = prefixOf(chunks, fits ? Number(end) : 8);
  try {
    await readSafetensorsHeader({ name, size: total, slice: async (s, e) => prefix.subarray(s, Math.min(e, prefix.byteLength)) });
  } catch (err) {
    if (err instanceof LayerwiseError && SIZE_CODES.has(err.code)) return true;
    throw err;
  }
  return true;
}
