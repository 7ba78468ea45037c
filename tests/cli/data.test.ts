// `layerwise data` as outside checks call it: the real bin/layerwise.mjs in a child process, the JSON shapes the
// Datasets issue specifies (exact keys), overrides, and bad input as a coded error with a non-zero exit.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasSharedData, sharedData } from '../formats/datasets/helpers';
import { layerwise as run } from './run-cli';

const layerwise = (...args: string[]) => run('data', ...args);

const work = mkdtempSync(path.join(tmpdir(), 'layerwise-data-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
}

describe('layerwise data', () => {
  it('prints {format, rows, columns, textColumns, labelColumn, labels, warnings} for examples', async () => {
    const file = write('reviews.csv', '\ufeffreview,stars\ngreat film,5\nawful,1\nfine,5\n');
    const r = await layerwise('--data', file, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['format', 'rows', 'columns', 'textColumns', 'labelColumn', 'labels', 'warnings']);
    expect(out).toMatchObject({ format: 'csv', rows: 3, columns: ['review', 'stars'], textColumns: ['review'], labelColumn: 'stars', labels: { '5': 2, '1': 1 } });
    expect(out.warnings.every((w: object) => Object.keys(w).join() === 'code,message')).toBe(true);
    expect(out.warnings.map((w: { code: string }) => w.code)).toContain('DATASET_BOM_REMOVED');
  });

  it('prints {format, sentences, tokens, tags, warnings} for token data', async () => {
    const file = write('ner.conll', 'EU B-ORG\nrejects O\n\nPeter B-PER\nBlackburn I-PER\n');
    const out = JSON.parse((await layerwise('--data', file, '--json')).stdout);
    expect(Object.keys(out)).toEqual(['format', 'sentences', 'tokens', 'tags', 'warnings']);
    expect(out).toMatchObject({ format: 'conll', sentences: 2, tokens: 4, tags: { 'B-ORG': 1, O: 1, 'B-PER': 1, 'I-PER': 1 } });
  });

  it('takes --format, --text-col and --label-col (names or 1-based numbers)', async () => {
    const file = write('data.dat', 'a\tb\tc\nx\ty\tz\nu\tv\tw\n');
    const out = JSON.parse((await layerwise('--data', file, '--format', 'tsv', '--no-header', '--text-col', '2', '--label-col', 'column_3', '--json')).stdout);
    expect(out).toMatchObject({ format: 'tsv', rows: 3, textColumns: ['column_2'], labelColumn: 'column_3', labels: { c: 1, z: 1, w: 1 } });
    const conll = write('pos.txt', 'EU NNP B-ORG\nrejects VBZ O\n');
    const tags = JSON.parse((await layerwise('--data', conll, '--format', 'conll', '--label-col', '2', '--json')).stdout);
    expect(tags.tags).toEqual({ NNP: 1, VBZ: 1 });
  });

  it('ends bad input with a coded error, a non-zero exit and no stack trace', async () => {
    const r = await layerwise('--data', write('open.csv', 'text,label\nok,a\n"x, y",b\n"never closed,a\nmore,b\n'), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'DATASET_UNCLOSED_QUOTE', location: { row: 3, line: 4 } });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await layerwise('--data', path.join(work, 'missing.csv'), '--json')).code).toBe(1);
    expect((await layerwise('--data', write('e.csv', ''), '--json')).stdout).toContain('DATASET_EMPTY');
  });

  it.skipIf(!hasSharedData)('reads SMS Spam with the exact counts', async () => {
    const out = JSON.parse((await layerwise('--data', path.join(sharedData, 'sms-spam-collection', 'SMSSpamCollection.tsv'), '--json')).stdout);
    expect(out).toMatchObject({ format: 'tsv', rows: 5_574, labelColumn: 'column_1', textColumns: ['column_2'], labels: { ham: 4_827, spam: 747 } });
    expect(out.warnings.map((w: { code: string }) => w.code)).toContain('DATASET_QUOTES_IGNORED');
  });
});
