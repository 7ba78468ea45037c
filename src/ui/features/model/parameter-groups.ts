// Where a model's parameters are: checkpoint names grouped into blocks (embeddings, the repeated encoder layers,
// pooler, head), with repeated numbered layers folded into one row. Derived from the dotted names only.
import type { ParameterInfo } from '../../../protocol/messages';

export interface ParameterGroup {
  /** Checkpoint-name prefix; a folded range reads "bert.encoder.layer.0–11". */
  label: string;
  /** Scalars in the whole group. */
  count: number;
  /** Number of numbered blocks folded into this row (1 when not folded). */
  repeats: number;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The block a parameter belongs to: up to its first numeric segment, else its first segment or two. */
function blockOf(segments: string[], base: string | undefined): string[] {
  const numeric = segments.findIndex((s) => /^\d+$/.test(s));
  if (numeric >= 0) return segments.slice(0, numeric + 1);
  const keep = segments[0] === base && segments.length > 2 ? 2 : 1;
  return segments.slice(0, Math.min(keep, segments.length - 1) || 1);
}

export function groupParameters(parameters: readonly ParameterInfo[]): ParameterGroup[] {
  // The base-model prefix ("bert", "distilbert") is the first segment of the names that hold numbered layers.
  const base = parameters.map((p) => p.name.split('.')).find((s) => s.some((x) => /^\d+$/.test(x)))?.[0];
  const folded = new Map<string, { count: number; indices: Set<number>; prefix: string }>();
  for (const p of parameters) {
    const block = blockOf(p.name.split('.'), base);
    const last = block[block.length - 1];
    const isNumbered = /^\d+$/.test(last);
    const key = isNumbered ? `${block.slice(0, -1).join('.')}.#` : block.join('.');
    let entry = folded.get(key);
    if (!entry) {
      entry = { count: 0, indices: new Set(), prefix: isNumbered ? block.slice(0, -1).join('.') : key };
      folded.set(key, entry);
    }
    entry.count += sizeOf(p.shape);
    if (isNumbered) entry.indices.add(Number(last));
  }
  return [...folded.values()].map(({ count, indices, prefix }) => {
    if (indices.size === 0) return { label: prefix, count, repeats: 1 };
    const sorted = [...indices].sort((a, b) => a - b);
    const range = sorted.length === 1 ? `${sorted[0]}` : `${sorted[0]}–${sorted[sorted.length - 1]}`;
    return { label: `${prefix}.${range}`, count, repeats: sorted.length };
  });
}
