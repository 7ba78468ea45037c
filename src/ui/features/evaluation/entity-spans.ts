// Token-classification output as entities for the playground: the worker labels each word by its first token (as
// run_ner.py trains it); here B-X / I-X runs of words become one entity of type X, and a plain "X" label is an
// entity of its own name. "O" words are outside any entity.
import type { Prediction } from '../../../protocol/messages';

export type PredictedWord = Extract<Prediction, { task: 'token-cls' }>['words'][number];

export interface Segment {
  /** Entity type (the label without B-/I-), or null outside entities. */
  entity: string | null;
  words: PredictedWord[];
}

function typeOf(label: string): { tag: 'B' | 'I' | 'O'; type: string | null } {
  const m = /^([BI])-(.+)$/.exec(label);
  if (m) return { tag: m[1] as 'B' | 'I', type: m[2] };
  return label === 'O' ? { tag: 'O', type: null } : { tag: 'B', type: label };
}

export function entitySegments(words: readonly PredictedWord[]): Segment[] {
  const out: Segment[] = [];
  for (const w of words) {
    const { tag, type } = typeOf(w.label);
    const last = out[out.length - 1];
    const prefixed = /^[BI]-/.test(w.label);
    // I-X continues an X entity; a repeated plain label continues too; B-X always starts a new one.
    const continues = last !== undefined && type !== null && last.entity === type && (tag === 'I' || !prefixed);
    if (continues || (last !== undefined && type === null && last.entity === null)) last.words.push(w);
    else out.push({ entity: type, words: [w] });
  }
  return out;
}
