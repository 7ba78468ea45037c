// Test helpers for the dataset readers: in-memory files, the shared datasets folder, and expecting coded errors.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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
