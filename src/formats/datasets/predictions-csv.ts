// Predictions exported as CSV for spreadsheets. Cells that a spreadsheet would run as a formula (=, +, -, @, tab,
// CR at the start) are neutralised with papaparse's `escapeFormulae`, which prefixes a single quote (D16).
import Papa from 'papaparse';

export type PredictionRow = Record<string, string | number>;

/** CSV text (CRLF line ends, as spreadsheets expect) with a header from the first row's keys. */
export function writePredictionsCsv(rows: readonly PredictionRow[], columns?: readonly string[]): string {
  const fields = columns ? [...columns] : rows.length ? Object.keys(rows[0]) : [];
  const data = rows.map((r) => fields.map((f) => (Object.hasOwn(r, f) ? r[f] : '')));
  return Papa.unparse({ fields, data }, { escapeFormulae: true, newline: '\r\n', quotes: false });
}
