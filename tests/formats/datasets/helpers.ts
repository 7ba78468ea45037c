// Test helpers for the dataset readers: in-memory files, files generated as they are read (hundreds of MB without
// holding them), the shared datasets folder, expecting coded errors, and watching the strings and heap of a read.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'vitest';
import { bytesFile, type SourceFile } from '../../../src/formats/source-file';
import { LayerwiseError } from '../../../src/lib/errors';

export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
export const sharedData = resolve(repoRoot, '..', 'shared', 'data');
export const hasSharedData = existsSync(sharedData);
export const SHARED_DATA_SKIP = `shared datasets not found at ${sharedData}: skipping the exact-count tests`;

export function textFile(name: string, text: string): SourceFile {
  return bytesFile(name, new TextEncoder().encode(text));
}

export async function expectCode(promise: Promise<unknown>, code: string): Promise<LayerwiseError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(LayerwiseError);
    expect((err as LayerwiseError).code).toBe(code);
    return err as LayerwiseError;
  }
  throw new Error(`expected a LayerwiseError with code ${code}, but nothing was thrown`);
}

/** A part of a generated file: bytes as they are, or one byte repeated `length` times. */
export type Segment = Uint8Array | { byte: number; length: number };

/** A SourceFile whose bytes are made slice by slice from its segments: a 550 MB file costs one slice of memory. */
export function generatedFile(name: string, segments: Segment[]): SourceFile {
  const starts: number[] = [];
  let size = 0;
  for (const s of segments) {
    starts.push(size);
    size += s instanceof Uint8Array ? s.byteLength : s.length;
  }
  return {
    name,
    size,
    slice: async (start, end) => {
      const out = new Uint8Array(end - start);
      for (let k = 0; k < segments.length; k++) {
        const s = segments[k];
        const from = Math.max(start, starts[k]);
        const to = Math.min(end, starts[k] + (s instanceof Uint8Array ? s.byteLength : s.length));
        if (from >= to) continue;
        if (s instanceof Uint8Array) out.set(s.subarray(from - starts[k], to - starts[k]), from - start);
        else out.fill(s.byte, from - start, to - start);
      }
      return out;
    },
  };
}

/** Node's gc(), which vitest's workers do not expose: a full collection makes heapUsed the live heap. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Watches a read: the longest string any TextDecoder returned (every byte of text passes through one), and the live
 * heap (after a full collection) every `every` progress calls (never when left out). Returns the onProgress to give
 * the reader.
 */
export function watchRead(every = Infinity) {
  const gc = exposeGc();
  const decode = TextDecoder.prototype.decode;
  const seen = { longestDecoded: 0, decodedChars: 0, liveBefore: 0, peakLive: 0, samples: 0 };
  // A plain wrapper, not vi.spyOn: a spy keeps every result, which would hold all the text read.
  TextDecoder.prototype.decode = function (this: TextDecoder, ...args: Parameters<TextDecoder['decode']>) {
    const text = decode.apply(this, args);
    seen.longestDecoded = Math.max(seen.longestDecoded, text.length);
    seen.decodedChars += text.length;
    return text;
  };
  gc();
  seen.liveBefore = seen.peakLive = process.memoryUsage().heapUsed;
  let calls = 0;
  return {
    seen,
    onProgress: () => {
      if (++calls % every !== 0) return;
      gc();
      seen.samples++;
      seen.peakLive = Math.max(seen.peakLive, process.memoryUsage().heapUsed);
    },
    stop(): void {
      TextDecoder.prototype.decode = decode;
    },
  };
}
