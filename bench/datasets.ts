// Dataset benchmark (not a test): rows per second to parse and to tokenise SST-2 train (../shared/data), and a
// generated 1M-row CSV streamed with its longest chunk step (a main-thread task in the page) and heap growth.
// Run: npx tsx bench/datasets.ts   (the tokenizer is the hf-tiny WordPiece built from tests/golden's vocab.txt)
import { existsSync, mkdtempSync, rmSync, writeSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeFile, nodeFolder } from '../src/cli/node-files';
import { encodeExamples } from '../src/engine/data/encode';
import { readDataset, type ExampleDataset } from '../src/formats/datasets/index';
import { loadTokenizer } from '../src/formats/tokenizer';

const ROOT = path.resolve(import.meta.dirname, '..');
const SST2 = path.resolve(ROOT, '..', 'shared', 'data', 'sst2', 'train.tsv');

async function sst2(): Promise<void> {
  if (!existsSync(SST2)) {
    console.log(`SST-2 not found at ${SST2}: skipped`);
    return;
  }
  const folder = nodeFolder(path.join(ROOT, 'tests', 'golden', 'hf-tiny', 'bert-seq-cls'));
  folder.delete('tokenizer.json');
  const { tokenizer } = await loadTokenizer(folder);
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const ds = (await readDataset(nodeFile(SST2))) as ExampleDataset;
    const t1 = performance.now();
    const enc = await encodeExamples(ds, tokenizer, 'seq-cls', { maxLength: 128 });
    const t2 = performance.now();
    const rows = ds.rows.length;
    const rate = (ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en-US');
    console.log(
      `SST-2 train run ${run + 1}: ${rows} rows; parse ${(t1 - t0).toFixed(0)} ms (${rate(t1 - t0)} rows/s), ` +
        `tokenise ${(t2 - t1).toFixed(0)} ms (${rate(t2 - t1)} rows/s), parse+tokenise ${rate(t2 - t0)} rows/s; ${enc.truncated} truncated`,
    );
  }
}

async function millionRows(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'layerwise-bench-'));
  const file = path.join(dir, 'million.csv');
  const fd = openSync(file, 'w');
  writeSync(fd, 'text,label\n');
  for (let i = 0; i < 1_000_000; i += 10_000) {
    let block = '';
    for (let k = i; k < i + 10_000; k++) block += `"row ${k}, a sentence of about forty characters",${k % 7}\n`;
    writeSync(fd, block);
  }
  closeSync(fd);
  try {
    globalThis.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    let last = performance.now();
    let longest = 0;
    let firstPreview = 0;
    const t0 = performance.now();
    const ds = (await readDataset(nodeFile(file), {
      onPreview: () => (firstPreview = performance.now() - t0),
      onProgress: () => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
      },
    })) as ExampleDataset;
    const ms = performance.now() - t0;
    const heap = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    const size = nodeFile(file).size / 2 ** 20;
    console.log(
      `1M-row CSV (${size.toFixed(0)} MiB): ${ds.rows.length} rows in ${ms.toFixed(0)} ms (${Math.round(ds.rows.length / (ms / 1000)).toLocaleString('en-US')} rows/s); ` +
        `preview after ${firstPreview.toFixed(0)} ms; longest step between progress events ${longest.toFixed(1)} ms; heap +${heap.toFixed(0)} MiB holding the rows`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await sst2();
await millionRows();
