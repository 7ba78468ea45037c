// `layerwise vocab` as outside checks call it: the real bin/layerwise.mjs in a child process on small temp texts;
// the written folder read back with loadTokenizer, the JSON summary, and bad input as coded errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../src/cli/node-files';
import { loadTokenizer } from '../../src/formats/tokenizer';
import { layerwise as run } from './run-cli';

const layerwise = (...args: string[]) => run('vocab', ...args);

const work = mkdtempSync(path.join(tmpdir(), 'layerwise-vocab-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
}

describe('layerwise vocab', () => {
  it('writes vocab.txt, tokenizer.json and tokenizer_config.json that load, and prints the summary', async () => {
    const a = write('a.txt', '\ufeffThe baker bakes bread.\r\nThe bakers bake breads; bakeries sell bread.\r\n');
    const b = write('b.txt', 'Baking: bakers, bread, BREAD and Crème brûlée');
    const out = path.join(work, 'vocab');
    const r = await layerwise('--data', `${a},${b}`, '--out', out, '--vocab-size', '45', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    // Words, punctuation included: 5 + 9 in a.txt, 10 in b.txt.
    expect(summary).toMatchObject({ out, vocabSize: 45, requestedVocabSize: 45, stoppedBy: 'vocab-size', wordsSeen: 24, coverage: 100, warnings: [] });
    expect(summary.files.sort()).toEqual(['tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    expect(summary.inputs[0]).toMatchObject({ bom: true, lineEndings: { crlf: 2, lf: 0, cr: 0 } });
    expect(summary.alphabetSize).toBe(new Set('thebakerbakesbread.bakersbakebreads;bakeriessellbread.baking:bakers,bread,breadandcremebrulee').size);
    const vocab = readFileSync(path.join(out, 'vocab.txt'), 'utf8').split('\n');
    expect(vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(vocab).toHaveLength(46);
    const { tokenizer } = await loadTokenizer(nodeFolder(out));
    expect(tokenizer.encode('Crème BRÛLÉE').tokens.includes('[UNK]')).toBe(false);
    expect(JSON.parse(readFileSync(path.join(out, 'tokenizer_config.json'), 'utf8'))).toMatchObject({ tokenizer_class: 'BertTokenizer', do_lower_case: true });
  });

  it('keeps case with --no-lowercase and reports a vocabulary smaller than asked', async () => {
    const out = path.join(work, 'cased');
    const r = await layerwise('--data', write('c.txt', 'Bread bread BREAD Bread'), '--out', out, '--no-lowercase', '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ lowercase: false, stoppedBy: 'min-frequency', coverage: 100 });
    expect(summary.warnings.map((w: { code: string }) => w.code)).toEqual(['VOCAB_SMALLER_THAN_REQUESTED']);
    const vocab = readFileSync(path.join(out, 'vocab.txt'), 'utf8').split('\n');
    expect(vocab).toContain('B');
    expect(vocab).toContain('Bread');
    expect(vocab).not.toContain('bread');
  });

  it('ends bad input with a coded error and a non-zero exit', async () => {
    const out = path.join(work, 'bad');
    const empty = write('empty.txt', ' \r\n\t\n');
    const cases = await Promise.all([
      layerwise('--out', out, '--json'),
      layerwise('--data', path.join(work, 'missing.txt'), '--out', out, '--json'),
      layerwise('--data', empty, '--out', out, '--vocab-size', '12.5', '--json'),
      layerwise('--data', empty, '--out', out, '--json'),
    ]);
    const codes = cases.map((r) => {
      expect(r.code).not.toBe(0);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      return JSON.parse(r.stdout).error.code;
    });
    expect(codes).toEqual(['CLI_MISSING_ARGUMENT', 'CLI_FILE_NOT_FOUND', 'CLI_BAD_ARGUMENT', 'VOCAB_NO_WORDS']);
  });
});
