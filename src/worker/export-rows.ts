// The rows an export in the studio is checked on: up to EXPORT_CHECK_ROWS examples of the run's validation split
// (the same seeded split the run evaluated on), else of the validation file, else of the training file, tokenised by
// the model's tokenizer; generated ids where no data is open or the model has no tokenizer.
import { generatedRows, textRows, type VerifyRows } from '../engine/export/verify';
import type { LoadedModel } from '../engine/load';
import { splitRunData } from '../engine/train/prepare';
import type { Dataset } from '../formats/datasets/index';
import type { TrainConfig } from '../protocol/train-config';

export const EXPORT_CHECK_ROWS = 8;

/** Up to `n` texts of a dataset: the text column(s) of rows, or the words of token sentences. */
function texts(ds: Dataset, n: number): (string | [string, string])[] {
  if (ds.kind === 'tokens') return ds.sentences.slice(0, n).map((s) => s.tokens.join(' '));
  const cols = ds.textColumns.map((c) => ds.columns.indexOf(c)).filter((i) => i >= 0);
  if (cols.length === 0) return [];
  const out: (string | [string, string])[] = [];
  for (const row of ds.rows) {
    if (out.length >= n) break;
    const cells = cols.map((i) => row[i] ?? '');
    if (cells.every((c) => c.trim() === '')) continue;
    out.push(cells.length >= 2 ? [cells[0], cells[1]] : cells[0]);
  }
  return out;
}

export function exportRows(model: LoadedModel, data: { train: Dataset | null; validation: Dataset | null }, runConfig: TrainConfig | null): VerifyRows {
  const { tokenizer } = model;
  if (tokenizer === null) return generatedRows(model.config);
  const candidates: [Dataset | null, VerifyRows['source']][] = [];
  if (runConfig !== null && data.train !== null && data.validation === null && model.task !== 'mlm') {
    // The held-out share the run evaluated on, as the run split it (same seed and ratio).
    try {
      candidates.push([splitRunData(model.task, data.train, null, runConfig).validation, 'validation']);
    } catch {
      // Data that no longer fits the model's task: the rows below still check the files.
    }
  }
  candidates.push([data.validation, 'validation'], [data.train, 'training']);
  for (const [ds, source] of candidates) {
    if (ds === null) continue;
    const picked = texts(ds, EXPORT_CHECK_ROWS);
    if (picked.length === 0) continue;
    const pairs = picked.some((t) => typeof t !== 'string');
    const batch = pairs ? picked.map((t): [string, string] => (typeof t === 'string' ? [t, ''] : t)) : (picked as string[]);
    return textRows(tokenizer, model.config, batch, source);
  }
  return generatedRows(model.config);
}
