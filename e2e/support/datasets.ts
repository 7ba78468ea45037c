// Tiny datasets the e2e journeys write themselves: a 40-row review CSV with three labels, a CoNLL file of short
// tagged sentences (B-LOC the commonest tag), a CSV whose labels are hostile HTML (RELIABILITY D15), and a large
// CSV for the Cancel journey (D9). Words come from the fixtures' vocabulary (tests/golden/hf-tiny/words.txt).
import type { FileSpec } from '../pages/studio';

const POSITIVE = ['great movie', 'wonderful acting', 'i liked the plot', 'lovely music', 'excellent film', 'charming story'];
const NEGATIVE = ['boring plot', 'terrible acting', 'worst movie', 'awful music', 'i hate it', 'bad film'];
const NEUTRAL = ['a film', 'the actors', 'it was a movie', 'they watched it'];

export function reviewsCsv(rows = 40): FileSpec {
  const lines = ['text,label'];
  const kinds: [string[], string][] = [
    [POSITIVE, 'positive'],
    [NEGATIVE, 'negative'],
    [NEUTRAL, 'neutral'],
  ];
  for (let i = 0; i < rows; i++) {
    const [words, label] = kinds[i % 3];
    lines.push(`"${words[i % words.length]} ${words[(i * 7 + 1) % words.length]}",${label}`);
  }
  return { name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

export function placesConll(sentences = 24): FileSpec {
  const patterns = [
    ['paris B-LOC', 'and O', 'rome B-LOC'],
    ['new B-LOC', 'york I-LOC', 'is O', 'big O'],
    ['mary B-PER', 'saw O', 'berlin B-LOC'],
    ['london B-LOC', 'madrid B-LOC', 'oslo B-LOC'],
  ];
  const out: string[] = ['-DOCSTART- O', ''];
  for (let i = 0; i < sentences; i++) out.push(...patterns[i % patterns.length], '');
  return { name: 'places.conll', mimeType: 'text/plain', buffer: Buffer.from(out.join('\n')) };
}

export function hostileCsv(): FileSpec {
  const labels = ['<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=2</script>', '__proto__'];
  const lines = ['text,label'];
  for (let i = 0; i < 12; i++) lines.push(`"some text ${i}","${labels[i % 3].replace(/"/g, '""')}"`);
  return { name: 'hostile.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

/** About `megabytes` MB of rows: long enough to read that Cancel can stop it. */
export function largeCsv(megabytes: number): FileSpec {
  const row = '"a long enough review text that is repeated many times over and over again",positive\n';
  return { name: 'large.csv', mimeType: 'text/csv', buffer: Buffer.from(`text,label\n${row.repeat(Math.ceil((megabytes * 1e6) / row.length))}`) };
}

export function emptyCsv(): FileSpec {
  return { name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.from('') };
}

/** A PNG image renamed .csv: the first bytes of a real PNG (signature and IHDR chunk), as a user would pick by mistake. */
export function pngAsCsv(): FileSpec {
  const bytes = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89];
  return { name: 'photo.csv', mimeType: 'text/csv', buffer: Buffer.from(bytes) };
}
