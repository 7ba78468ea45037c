// Warnings that need more than one split: labels (or tags) seen only in validation or test, which the model can
// never predict, and the same text in train and in an evaluation split, which inflates the scores.
import type { ExampleDataset, TokenDataset } from '../../formats/datasets/index';
import { RowHashSet } from '../../formats/datasets/examples';

export interface DataWarning {
  code: string;
  message: string;
  level: 'info' | 'warning';
}

type AnyDataset = ExampleDataset | TokenDataset;

function classes(ds: AnyDataset): Map<string, number> {
  return ds.kind === 'tokens' ? ds.tags : ds.labels;
}

/** The text of each row (its text columns) or sentence. */
function texts(ds: AnyDataset): string[][] {
  if (ds.kind === 'tokens') return ds.sentences.map((s) => s.tokens);
  const cols = ds.textColumns.map((c) => ds.columns.indexOf(c)).filter((j) => j >= 0);
  return ds.rows.map((r) => cols.map((j) => r[j]));
}

const quoteList = (xs: string[]): string => xs.slice(0, 5).map((x) => JSON.stringify(x)).join(', ') + (xs.length > 5 ? ', …' : '');

export function splitWarnings(train: AnyDataset, validation: AnyDataset | null, test: AnyDataset | null): DataWarning[] {
  const out: DataWarning[] = [];
  const trainClasses = classes(train);
  const trainTexts = new RowHashSet();
  for (const t of texts(train)) trainTexts.add(t);
  for (const [name, split] of [['validation', validation], ['test', test]] as const) {
    if (!split) continue;
    const unseen = [...classes(split).keys()].filter((k) => !trainClasses.has(k));
    if (unseen.length > 0) {
      const what = split.kind === 'tokens' ? 'tag' : 'label';
      out.push({
        code: 'DATA_LABEL_ONLY_IN_EVAL',
        level: 'warning',
        message: `${unseen.length} ${what}${unseen.length === 1 ? '' : 's'} appear in ${name} but never in train (${quoteList(unseen)}); the model cannot predict them.`,
      });
    }
    const evalTexts = texts(split);
    const shared = evalTexts.filter((t) => trainTexts.has(t)).length;
    if (shared > 0) {
      out.push({
        code: 'DATA_TEXT_IN_TRAIN_AND_EVAL',
        level: 'warning',
        message: `${shared} of ${evalTexts.length} ${name} ${split.kind === 'tokens' ? 'sentences' : 'texts'} also appear in train, which makes ${name} scores look better than they are.`,
      });
    }
  }
  return out;
}
