// Two runs' configs side by side: every TrainConfig field as a dotted path with its value as text, and whether the
// two differ. Arrays and records are compared as a whole (freeze lists, lrMultipliers).
import type { TrainConfig } from '../../../protocol/train-config';

export function flattenConfig(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && prefix.split('.').pop() !== 'lrMultipliers') {
    for (const [key, v] of Object.entries(value)) {
      for (const [k, text] of flattenConfig(v, prefix === '' ? key : `${prefix}.${key}`)) out.set(k, text);
    }
    return out;
  }
  out.set(prefix, JSON.stringify(value) ?? 'undefined');
  return out;
}

export interface DiffRow {
  path: string;
  a: string;
  b: string;
  differs: boolean;
}

export function diffConfigs(a: TrainConfig, b: TrainConfig): DiffRow[] {
  const fa = flattenConfig(a);
  const fb = flattenConfig(b);
  const paths = [...new Set([...fa.keys(), ...fb.keys()])];
  return paths.map((path) => {
    const va = fa.get(path) ?? '—';
    const vb = fb.get(path) ?? '—';
    return { path, a: va, b: vb, differs: va !== vb };
  });
}
