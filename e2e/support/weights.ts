// Scalar counts read from a safetensors header, for the expected numbers of the Layers panel (never from our UI).
import { readFile } from 'node:fs/promises';

/** Values of the tensors whose name is `prefix` or starts with `prefix.` (all tensors for ''). */
export async function valueCount(file: string, prefix = ''): Promise<number> {
  const bytes = await readFile(file);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, { shape?: number[] }>;
  let total = 0;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__' || !(prefix === '' || name === prefix || name.startsWith(`${prefix}.`))) continue;
    total += (info.shape ?? []).reduce((a, b) => a * b, 1);
  }
  return total;
}
