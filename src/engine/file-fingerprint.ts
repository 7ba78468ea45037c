// Fingerprints of the model and dataset files a run trained on, kept with its checkpoint (protocol/run-checkpoint.ts):
// FNV-1a over the size and the first and last 64 KiB, so that a resume can tell "the same file opened again" from
// another one without reading hundreds of megabytes of weights. The engine checks the encoded data exactly as well.
import { checksum } from './train/run-checkpoint';
import type { SourceFile } from '../formats/source-file';
import { LayerwiseError } from '../lib/errors';
import type { FileFingerprint } from '../protocol/run-checkpoint';

const EDGE = 64 * 1024;

export async function fingerprintFile(file: SourceFile): Promise<FileFingerprint> {
  const head = await file.slice(0, Math.min(EDGE, file.size));
  const tail = file.size > EDGE ? await file.slice(Math.max(EDGE, file.size - EDGE), file.size) : new Uint8Array(0);
  const bytes = new Uint8Array(8 + head.byteLength + tail.byteLength);
  new DataView(bytes.buffer).setFloat64(0, file.size, true);
  bytes.set(head, 8);
  bytes.set(tail, 8 + head.byteLength);
  return { name: file.name, size: file.size, hash: checksum(bytes) };
}

const describe = (files: readonly FileFingerprint[]) => files.map((f) => `${f.name} (${f.size.toLocaleString('en-US')} bytes)`).join(', ');

/**
 * Refuses a resume on other files: `what` names them for the message ("model folder", "training dataset").
 * Names may differ (a renamed copy is the same data); sizes and hashes may not.
 */
export function checkSameFiles(what: string, stored: readonly FileFingerprint[], now: readonly FileFingerprint[], code: string): void {
  const key = (f: FileFingerprint) => `${f.size}:${f.hash}`;
  const have = new Set(now.map(key));
  const missing = stored.filter((f) => !have.has(key(f)));
  if (missing.length > 0 || stored.length !== now.length) {
    throw new LayerwiseError(
      code,
      `The ${what} open now is not the one this run trained on: it trained on ${describe(stored)}; open now: ${now.length > 0 ? describe(now) : 'nothing'}.`,
      { file: missing[0]?.name ?? stored[0]?.name },
    );
  }
}
