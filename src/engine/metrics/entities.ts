// Entity-level precision / recall / F1 for token classification, as seqeval 1.2: 'strict' is
// classification_report(mode='strict', scheme=IOB2) (seqeval/scheme.py Tokens.entities), the reported metric;
// 'default' is seqeval's conlleval-like get_entities (seqeval/metrics/sequence_labeling.py).
import { LayerwiseError } from '../../lib/errors';
import type { Scores } from './classification';

export type EntityMode = 'strict' | 'default';

/** One entity: its type and token span [start, end) within sentence `sentence`. */
export interface Entity {
  sentence: number;
  type: string;
  start: number;
  end: number;
}

export interface EntityTypeScores extends Scores {
  type: string;
  /** Number of true entities of this type. */
  support: number;
}

export interface EntityReport {
  /** Every type found in the truth or the predictions, sorted by name (as seqeval). */
  perType: EntityTypeScores[];
  /** Pooled over all entities: micro.f1 is the entity_f1 the training loop reports. */
  micro: Scores;
  macro: Scores;
  weighted: Scores;
}

function invalid(tag: string, sentence: number, mode: EntityMode): never {
  const allowed = mode === 'strict' ? 'O, B-TYPE or I-TYPE (IOB2)' : 'O, B-TYPE, I-TYPE, E-TYPE or S-TYPE';
  throw new LayerwiseError(
    'ENTITY_TAG_INVALID',
    `Tag ${JSON.stringify(tag)} in sentence ${sentence} is not an entity tag: expected ${allowed}`,
    { row: sentence },
  );
}

/** 'O' -> ['O', '']; 'B-PER' -> ['B', 'PER']; anything else is refused. */
function splitTag(tag: string, allowed: string, sentence: number, mode: EntityMode): [string, string] {
  if (tag === 'O') return ['O', ''];
  if (tag.length < 3 || tag[1] !== '-' || !allowed.includes(tag[0])) invalid(tag, sentence, mode);
  return [tag[0], tag.slice(2)];
}

/** IOB2, strict: an entity is B-X followed by any I-X; a stray I-X (after O or another type) is no entity. */
function strictEntities(tags: readonly string[], sentence: number): Entity[] {
  const parsed = tags.map((t) => splitTag(t, 'BI', sentence, 'strict'));
  const out: Entity[] = [];
  let i = 0;
  while (i < parsed.length) {
    if (parsed[i][0] !== 'B') {
      i++;
      continue;
    }
    const type = parsed[i][1];
    let end = i + 1;
    while (end < parsed.length && parsed[end][0] === 'I' && parsed[end][1] === type) end++;
    // In IOB2 whatever stops the run (O, B-*, I-other, the sentence end) closes the entity.
    out.push({ sentence, type, start: i, end });
    i = end;
  }
  return out;
}

/** seqeval's end_of_chunk: did a chunk end between the previous and the current tag? */
function endOfChunk(prevTag: string, tag: string, prevType: string, type: string): boolean {
  if (prevTag === 'E' || prevTag === 'S') return true;
  if ((prevTag === 'B' || prevTag === 'I') && (tag === 'B' || tag === 'S' || tag === 'O')) return true;
  return prevTag !== 'O' && prevType !== type;
}

/** seqeval's start_of_chunk: did a chunk start at the current tag? */
function startOfChunk(prevTag: string, tag: string, prevType: string, type: string): boolean {
  if (tag === 'B' || tag === 'S') return true;
  if ((prevTag === 'E' || prevTag === 'S' || prevTag === 'O') && (tag === 'E' || tag === 'I')) return true;
  return tag !== 'O' && prevType !== type;
}

/** seqeval default mode: a chunk also starts at I-X after O or after another type (conlleval's lenient reading). */
function defaultEntities(tags: readonly string[], sentence: number): Entity[] {
  const out: Entity[] = [];
  let prevTag = 'O';
  let prevType = '';
  let begin = 0;
  // A trailing O closes the last chunk, as seqeval appends one.
  [...tags, 'O'].forEach((t, i) => {
    const [tag, type] = splitTag(t, 'BIES', sentence, 'default');
    if (endOfChunk(prevTag, tag, prevType, type)) out.push({ sentence, type: prevType, start: begin, end: i });
    if (startOfChunk(prevTag, tag, prevType, type)) begin = i;
    prevTag = tag;
    prevType = type;
  });
  return out;
}

/** The entities of each sentence's tag sequence. */
export function extractEntities(sentences: readonly (readonly string[])[], mode: EntityMode = 'strict'): Entity[] {
  return sentences.flatMap((tags, s) => (mode === 'strict' ? strictEntities(tags, s) : defaultEntities(tags, s)));
}

const divide = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const f1Of = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const keyOf = (e: Entity) => `${e.sentence}\u0000${e.start}\u0000${e.end}\u0000${e.type}`;

/** Entity-level scores of predicted against true tag sequences (one string tag per token, ignored tokens removed). */
export function entityReport(
  yTrue: readonly (readonly string[])[],
  yPred: readonly (readonly string[])[],
  mode: EntityMode = 'strict',
): EntityReport {
  if (yTrue.length !== yPred.length || yTrue.some((t, i) => t.length !== yPred[i].length)) {
    throw new LayerwiseError(
      'METRICS_LENGTH_MISMATCH',
      'Predicted and true tag sequences differ in number or in length',
    );
  }
  const truth = extractEntities(yTrue, mode);
  const predicted = extractEntities(yPred, mode);
  const trueKeys = new Set(truth.map(keyOf));
  const types = [...new Set([...truth, ...predicted].map((e) => e.type))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  const count = (list: Entity[], type: string) => list.filter((e) => e.type === type).length;
  const hits = (type: string) => predicted.filter((e) => e.type === type && trueKeys.has(keyOf(e))).length;
  const perType = types.map((type): EntityTypeScores => {
    const tp = hits(type);
    const precision = divide(tp, count(predicted, type));
    const recall = divide(tp, count(truth, type));
    return { type, precision, recall, f1: f1Of(precision, recall), support: count(truth, type) };
  });

  const tp = predicted.filter((e) => trueKeys.has(keyOf(e))).length;
  const microP = divide(tp, predicted.length);
  const microR = divide(tp, truth.length);
  const mean = (key: keyof Scores) => divide(perType.reduce((s, c) => s + c[key], 0), perType.length);
  const weightedMean = (key: keyof Scores) => divide(perType.reduce((s, c) => s + c[key] * c.support, 0), truth.length);
  return {
    perType,
    micro: { precision: microP, recall: microR, f1: f1Of(microP, microR) },
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    weighted: { precision: weightedMean('precision'), recall: weightedMean('recall'), f1: weightedMean('f1') },
  };
}
