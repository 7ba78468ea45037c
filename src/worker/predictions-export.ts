// "Download predictions (CSV)" in the Evaluate panel: the finished run's validation examples (its own held-out split,
// same seed and ratio, or the validation file) with the current model's prediction, as a CSV for spreadsheets whose
// formula-like cells are neutralised (formats/datasets/predictions-csv.ts, RELIABILITY D16).
import { classifyTexts } from '../engine/predict';
import type { LoadedModel } from '../engine/load';
import { splitRunData } from '../engine/train/prepare';
import type { Dataset } from '../formats/datasets/index';
import { writePredictionsCsv } from '../formats/datasets/predictions-csv';
import { LayerwiseError } from '../lib/errors';
import type { TrainConfig } from '../protocol/train-config';
import { exportName } from './export-zip';

export const PREDICTION_COLUMNS = ['text', 'label', 'predicted', 'probability'] as const;

/** The CSV (text, gold label, predicted labels joined by ";", the most likely label's probability) and its file name. */
export async function validationPredictions(model: LoadedModel, source: string, data: { train: Dataset; validation: Dataset | null }, config: TrainConfig): Promise<{ fileName: string; csv: string; rows: number }> {
  if (model.task !== 'seq-cls') throw new LayerwiseError('PREDICTIONS_UNSUPPORTED', `Predictions are written for text classification; this model is ${model.task}.`, { field: 'task' });
  const split = splitRunData(model.task, data.train, data.validation, config).validation;
  if (split === null || split.kind !== 'examples' || split.rows.length === 0) {
    throw new LayerwiseError('PREDICTIONS_NO_VALIDATION', 'The run held out no validation examples (validation split 0 and no validation file): there is nothing to predict.', { field: 'validationSplit' });
  }
  if (split.textColumns.length !== 1) throw new LayerwiseError('PREDICTIONS_UNSUPPORTED', 'Predictions of sentence pairs are not written yet.', { file: split.file, field: 'textColumns' });
  const text = split.columns.indexOf(split.textColumns[0]);
  const label = split.labelColumn === null ? -1 : split.columns.indexOf(split.labelColumn);
  const texts = split.rows.map((r) => r[text] ?? '');
  const results = await classifyTexts(model, texts);
  const rows = results.map((r, i) => ({
    text: texts[i],
    label: label >= 0 ? (split.rows[i][label] ?? '') : '',
    predicted: r.predicted.join(';'),
    probability: Math.max(...r.probabilities),
  }));
  return { fileName: `${exportName(source)}-predictions.csv`, csv: writePredictionsCsv(rows, PREDICTION_COLUMNS), rows: rows.length };
}
