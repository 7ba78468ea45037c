// Texts longer than the model's positions as sliding windows (transformers' return_overflowing_tokens with a stride):
// the inner tokens (between the first and last special tokens) cut into windows of `size` that repeat `stride`
// tokens of the window before. Sequence classification trains on every window and aggregates a text's window
// logits (mean or max); token classification labels each token from the one window where it has the most context,
// min(tokens before it, tokens after it) in that window, as the SQuAD scripts' "max context" (the earlier window on a tie).
import { LayerwiseError } from '../../lib/errors';
import type { WindowAggregate } from '../../protocol/train-config';

/** A text is cut after this many windows (and the cut reported): a 1 MB cell costs no more than a long document. */
export const MAX_WINDOWS = 64;

export interface WindowSpan {
  /** First inner token of the window. */
  start: number;
  /** One past its last inner token. */
  end: number;
}

/**
 * Windows over n inner tokens, each at most `size` long, each starting size − stride after the one before, the last
 * reaching the end (one empty window for n = 0). At most MAX_WINDOWS.
 */
export function windowSpans(n: number, size: number, stride: number): WindowSpan[] {
  if (!(Number.isSafeInteger(size) && size >= 1 && Number.isSafeInteger(stride) && stride >= 0 && stride < size)) {
    throw new LayerwiseError('DATA_BAD_WINDOWS', `Windows of ${size} tokens cannot repeat ${stride} of them: the stride must be below the window's length (maxLength less the special tokens).`, { field: 'windows.stride' });
  }
  const spans: WindowSpan[] = [];
  for (let start = 0; spans.length < MAX_WINDOWS; start += size - stride) {
    const end = Math.min(n, start + size);
    spans.push({ start, end });
    if (end >= n) break;
  }
  return spans;
}

/** For each inner token, the window that labels it: most context on its shorter side, the earlier window on a tie; -1 past the last window. */
export function windowOwners(n: number, spans: readonly WindowSpan[]): Int32Array {
  const owner = new Int32Array(n).fill(-1);
  const best = new Float64Array(n).fill(-1);
  spans.forEach((s, w) => {
    for (let i = s.start; i < s.end; i++) {
      const context = Math.min(i - s.start, s.end - 1 - i);
      if (context > best[i]) {
        best[i] = context;
        owner[i] = w;
      }
    }
  });
  return owner;
}

/** One text's logits from its windows' logits (each of `classes` values): their mean, or their maximum per class. */
export function aggregateWindows(windows: readonly ArrayLike<number>[], classes: number, how: WindowAggregate): Float32Array {
  const out = new Float32Array(classes).fill(how === 'max' ? -Infinity : 0);
  for (const w of windows) {
    for (let c = 0; c < classes; c++) out[c] = how === 'max' ? Math.max(out[c], w[c]) : out[c] + w[c] / windows.length;
  }
  return out;
}

/** The window whose logits decided each class under `how`: for max the window holding the maximum, for mean the one furthest above the mean. */
export function decidingWindows(windows: readonly ArrayLike<number>[], classes: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < classes; c++) {
    let best = 0;
    for (let w = 1; w < windows.length; w++) if (windows[w][c] > windows[best][c]) best = w;
    out.push(best);
  }
  return out;
}
