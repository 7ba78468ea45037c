// Number and size formatting for the UI, in one place so every panel writes numbers the same way (en-US grouping).
import type { AdaptationRecord } from '../protocol/adaptation';
import type { Task } from '../protocol/task';

const grouped = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** 104835 -> "104,835". */
export function formatCount(n: number): string {
  return grouped.format(n);
}

/** 104835 -> "104.8K", 109482240 -> "109.5M". */
export function formatCompact(n: number): string {
  return compact.format(n);
}

/** Decimal units, as file managers show them: 127996 -> "128.0 kB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A probability as a percentage: 0.8734 -> "87.3%". */
export function formatPercent(p: number): string {
  return `${(100 * p).toFixed(1)}%`;
}

/** 412 -> "412 ms", 2380 -> "2.4 s". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Elapsed time in words, the same everywhere (status lines, History): 8 -> "8 s", 65 -> "1 min 5 s", 3720 -> "1 h 2 min". */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** A moment as every panel writes it: "7 Dec 2026, 19:22" (local time). */
export function formatDateTime(ms: number): string {
  return dateTime.format(ms);
}

export const TASK_LABELS: Record<Task, string> = {
  'seq-cls': 'Sequence classification',
  'token-cls': 'Token classification',
  mlm: 'Masked language modelling',
};

export const BACKEND_LABELS = { webgpu: 'WebGPU', wasm: 'WASM', cpu: 'CPU' } as const;

/** tokenizer.json model types as people know them; an unknown kind is shown as it is. */
export function tokenizerLabel(kind: string): string {
  const labels: Record<string, string> = { wordpiece: 'WordPiece', bpe: 'BPE', unigram: 'Unigram (SentencePiece)' };
  return Object.hasOwn(labels, kind) ? labels[kind] : kind;
}

/**
 * One adaptation in a sentence: "on notes.txt: 120 of 120 steps over 2,000 lines · MLM loss 3.210 · held out
 * (100 lines): MLM loss 3.305, masked-token accuracy 41.2%".
 */
export function describeAdaptation(a: AdaptationRecord): string {
  const loss = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
  const parts = [
    `on ${a.text}: ${formatCount(a.steps)} of ${formatCount(a.totalSteps)} steps over ${formatCount(a.lines)} lines${a.stopped ? ' (stopped, weights kept)' : ''}`,
    `MLM loss ${loss(a.trainLoss)}`,
  ];
  if (a.evalLoss !== null) {
    parts.push(`held out (${formatCount(a.heldOutLines)} lines): MLM loss ${loss(a.evalLoss)}${a.maskedAccuracy !== null ? `, masked-token accuracy ${formatPercent(a.maskedAccuracy)}` : ''}`);
  }
  parts.push(`learning rate ${a.learningRate}${a.wholeWord ? ', whole-word masking' : ''}`);
  return parts.join(' · ');
}
