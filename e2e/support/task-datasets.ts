// Tiny datasets for the #20 journeys, in the fixtures' vocabulary (tests/golden/hf-tiny/words.txt): rows of
// ";"-separated labels (multi-label), a CSV with one class in eight (imbalanced), and texts of 40 words or more whose
// label sits in their last words (long texts); rows with two label columns, a head on each (multi-task, #18).
import type { FileSpec } from '../pages/studio';

const FILLER = ['the', 'movie', 'film', 'story', 'was', 'is', 'very', 'really', 'and', 'music'];
const WORDS: Record<string, string[]> = { happy: ['great', 'good', 'wonderful'], sad: ['bad', 'awful', 'boring'], love: ['love', 'lovely', 'charming'] };
const LABELS = Object.keys(WORDS);

/** 60 rows: each label in a fixed pattern, so that some rows hold two labels, some one, some none. */
export function multiLabelTsv(rows = 60): FileSpec {
  const lines = ['text\tlabels'];
  for (let i = 0; i < rows; i++) {
    const labels = LABELS.filter((_, k) => (i >> k) % 2 === 1 && i % 7 !== 0);
    const words = [FILLER[i % FILLER.length], FILLER[(i * 3 + 1) % FILLER.length], ...labels.map((l) => WORDS[l][i % 3]), FILLER[(i * 5 + 2) % FILLER.length]];
    lines.push(`${words.join(' ')}\t${labels.join(';')}`);
  }
  return { name: 'moods.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

/** 64 rows, one in eight 'spam'. */
export function imbalancedCsv(rows = 64): FileSpec {
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++) {
    const spam = i % 8 === 0;
    lines.push(`${FILLER[i % FILLER.length]} ${spam ? 'awful worst' : 'good fine'} ${FILLER[(i * 3) % FILLER.length]},${spam ? 'spam' : 'ham'}`);
  }
  return { name: 'messages.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

/** Texts of 40–47 words, the label's word at the end (past a 16-token cut). */
export function longTextsCsv(rows = 32): FileSpec {
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++) {
    const pos = i % 2 === 0;
    const words = Array.from({ length: 40 + (i % 8) }, (_, k) => FILLER[(i + k * 3) % FILLER.length]);
    words.push(pos ? 'great' : 'awful');
    lines.push(`${words.join(' ')},${pos ? 'pos' : 'neg'}`);
  }
  return { name: 'long.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

/** One long text of the kind above. */
export function longText(positive: boolean): string {
  return `${Array.from({ length: 44 }, (_, k) => FILLER[(k * 3) % FILLER.length]).join(' ')} ${positive ? 'great' : 'awful'}`;
}

/** 48 rows with two label columns (#18 multi-task): the sentiment by the text's last word, the topic by its first. */
export function twoLabelsCsv(rows = 48): FileSpec {
  const topics: Record<string, string> = { paris: 'place', music: 'arts', man: 'people' };
  const lines = ['text,sentiment,topic'];
  for (let i = 0; i < rows; i++) {
    const first = Object.keys(topics)[i % 3];
    const positive = i % 2 === 0;
    lines.push(`${first} ${FILLER[i % FILLER.length]} ${FILLER[(i * 3 + 1) % FILLER.length]} ${positive ? WORDS.happy[i % 3] : WORDS.sad[i % 3]},${positive ? 'pos' : 'neg'},${topics[first]}`);
  }
  return { name: 'two-labels.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}
