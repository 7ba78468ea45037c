// Hangs and crashes (issue #15 item 7): every config size is bounded before a shape is listed or a tensor allocated
// (num_hidden_layers 1e9 ran 145 s into a V8 heap crash; a huge vocabulary under --init random was an uncoded
// INTERNAL "Invalid typed array length"); `layerwise vocab` leaves words longer than WordPiece's 100 chars out of
// training (one 1M-char word took minutes: merging inside it grows with the square of its length); a reader that
// closes the pipe early (`| head -c 5`) ends the command quietly instead of an EPIPE stack trace.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFolder } from '../../src/cli/node-files';
import { parseModelConfig } from '../../src/engine/models/index';
import { randomModel } from '../../src/engine/train/init';
import { CONFIG_LIMITS } from '../../src/formats/hf-config';
import { bytesFile } from '../../src/formats/source-file';
import { createRng } from '../../src/lib/random';
import { BIN, ROOT, layerwise } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-hang-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => tf.setBackend('cpu'));

const fixtureConfig = (fixture: string) => JSON.parse(readFileSync(path.join(GOLDEN, fixture, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('config sizes are bounded before anything is allocated', () => {
  const cases: [string, string, keyof typeof CONFIG_LIMITS][] = [
    ['bert-seq-cls', 'vocab_size', 'vocabulary'],
    ['bert-seq-cls', 'num_hidden_layers', 'layers'],
    ['bert-seq-cls', 'intermediate_size', 'intermediate'],
    ['bert-seq-cls', 'max_position_embeddings', 'positions'],
    ['bert-seq-cls', 'type_vocab_size', 'tokenTypes'],
    ['roberta-seq-cls', 'num_hidden_layers', 'layers'],
    ['distilbert-seq-cls', 'n_layers', 'layers'],
    ['distilbert-seq-cls', 'dim', 'width'],
    ['distilbert-seq-cls', 'hidden_dim', 'intermediate'],
  ];
  it.each(cases)('%s: %s one above its limit is CONFIG_TOO_LARGE naming it; at the limit it reads', (fixture, key, limit) => {
    const config = fixtureConfig(fixture);
    const max = CONFIG_LIMITS[limit];
    expect(() => parseModelConfig(JSON.stringify({ ...config, [key]: max + 1 }))).toThrow(
      expect.objectContaining({ code: 'CONFIG_TOO_LARGE', location: { file: 'config.json', field: key }, message: expect.stringContaining(`"${key}" is ${(max + 1).toLocaleString('en-US')}, more than the ${max.toLocaleString('en-US')}`) }),
    );
    // The width must stay a multiple of the heads.
    const atLimit = key === 'dim' ? { [key]: max, n_heads: 1 } : { [key]: max };
    expect(() => parseModelConfig(JSON.stringify({ ...config, ...atLimit }))).not.toThrow();
  });

  it('hidden_size, embedding_size, num_labels and id2label are bounded too', () => {
    const bert = fixtureConfig('bert-seq-cls');
    const tooLarge = (edit: Record<string, unknown>, field: string) =>
      expect(() => parseModelConfig(JSON.stringify({ ...bert, ...edit }))).toThrow(expect.objectContaining({ code: 'CONFIG_TOO_LARGE', location: { file: 'config.json', field } }));
    tooLarge({ hidden_size: 32_768, num_attention_heads: 1 }, 'hidden_size');
    tooLarge({ model_type: 'electra', embedding_size: 1e9 }, 'embedding_size');
    tooLarge({ id2label: undefined, label2id: undefined, num_labels: 1e9 }, 'num_labels');
    tooLarge({ id2label: Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [i, `c${i}`])), label2id: undefined, num_labels: undefined }, 'id2label');
  });

  it('num_hidden_layers 1e9: train and predict refuse it at once (it used to end in a V8 heap crash)', async () => {
    const model = path.join(work, 'deep');
    mkdirSync(model);
    for (const f of ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json']) copyFileSync(path.join(GOLDEN, 'bert-seq-cls', f), path.join(model, f));
    writeFileSync(path.join(model, 'config.json'), JSON.stringify({ ...fixtureConfig('bert-seq-cls'), num_hidden_layers: 1_000_000_000 }));
    writeFileSync(path.join(work, 'rows.csv'), 'text,label\ngood,a\nbad,b\n');
    writeFileSync(path.join(work, 'texts.json'), JSON.stringify({ texts: ['good'] }));
    const [train, predict] = await Promise.all([
      layerwise('train', '--model', model, '--data', path.join(work, 'rows.csv'), '--out', path.join(work, 'deep-out')),
      layerwise('predict', '--model', model, '--inputs', path.join(work, 'texts.json')),
    ]);
    for (const [r, cmd] of [[train, 'train'], [predict, 'predict']] as const) {
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^layerwise ${cmd}: CONFIG_TOO_LARGE: config\\.json: "num_hidden_layers" is 1,000,000,000, more than the 256 `));
    }
  });

  it('--init random: a tensor above the per-tensor limit is refused before any allocation; nothing is left behind', async () => {
    const folder = new Map(nodeFolder(path.join(GOLDEN, 'bert-seq-cls')));
    const config = { ...fixtureConfig('bert-seq-cls'), vocab_size: 4_000_000, hidden_size: 1024, num_attention_heads: 8 };
    folder.set('config.json', bytesFile('config.json', new TextEncoder().encode(JSON.stringify(config))));
    const before = tf.memory().numTensors;
    await expect(randomModel(folder, { task: 'seq-cls', labels: ['a', 'b'], seed: 1 })).rejects.toMatchObject({
      code: 'CHECKPOINT_TENSOR_TOO_LARGE',
      message: expect.stringMatching(/^config\.json makes bert\.embeddings\.word_embeddings\.weight \[4000000, 1024\] 15\.3 GiB as float32, above the 4\.0 GiB a tensor may take/),
      location: { file: 'config.json', tensor: 'bert.embeddings.word_embeddings.weight' },
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('layerwise vocab on a 1M-char word', () => {
  it('leaves the word out of training, says so, and finishes in seconds', async () => {
    const rng = createRng(5, 1);
    const word = Array.from({ length: 1_000_000 }, () => String.fromCharCode(97 + rng.int(26))).join('');
    writeFileSync(path.join(work, 'long.txt'), `${'the cat sat on the mat\nthe dog ran to the cat\n'.repeat(20)}${word}\nthe end\n`);
    const started = performance.now();
    const r = await layerwise('vocab', '--data', path.join(work, 'long.txt'), '--out', path.join(work, 'vocab'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { warnings: { code: string; message: string }[]; alphabetSize: number };
    expect(summary.warnings).toContainEqual({
      code: 'VOCAB_LONG_WORDS_SKIPPED',
      message: '1 distinct words (1 occurrences) are longer than 100 chars and were left out of training: WordPiece reads such a word as [UNK] whole',
    });
    // Only the short words' letters: the long word adds none of its own to the alphabet.
    expect(summary.alphabetSize).toBe(new Set('thecatsatonthematthedograntothecattheend').size);
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 120_000);
});

describe('a reader that closes the pipe early', () => {
  it('`data --json | head -c 5`: the command ends quietly, no EPIPE stack trace', async () => {
    const many = path.join(work, 'many.csv');
    writeFileSync(many, `text,label\n${Array.from({ length: 30_000 }, (_, i) => `row ${i},label${i}`).join('\n')}\n`);
    const child = spawn(process.execPath, [BIN, 'data', '--data', many, '--json'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let head = '';
    child.stdout.once('data', (d: Buffer) => {
      head = d.toString().slice(0, 5);
      child.stdout.destroy();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(head).toBe('{"for');
    expect(stderr).not.toMatch(/EPIPE|Error|node:events/);
    expect(code).toBe(0);
  });
});
