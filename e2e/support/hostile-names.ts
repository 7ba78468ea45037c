// Hostile names for RELIABILITY M14 and D15: tensor names and labels that would run as HTML, reorder the text
// around them (U+202E, U+200F), hide in zero-width characters or stretch the layout (64 KB, 10k characters), and a
// DOM check that every such text is bidi-isolated where it is shown.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { FileSpec } from '../pages/studio';
import { BERT_SEQ_CLS } from './checkpoints';

const RLO = '\u202E';
const RLM = '\u200F';

/** Tensor names; each is a valid safetensors key (M14's cases). */
export const HOSTILE_TENSOR_NAMES = {
  img: '<img src=x onerror="window.__pwned=1">',
  rtl: `exe.${RLO}gnp${RLM}`,
  zeroWidth: 'zero\u200Bwidth\u200Cjoin\u200D',
  long: 'n'.repeat(65_536),
};

/** Labels of a 4-class dataset (D15's cases). */
export const HOSTILE_LABELS = {
  img: '<img src=x onerror="window.__pwned=2">',
  rtl: `label${RLO}lmth.evil${RLM}`,
  zeroWidth: 'zero\u200Bwidth\u200Dlabel',
  long: 'L'.repeat(10_000),
};

/**
 * A copy of the tiny BERT fixture with one 4-byte F32 tensor appended per name (the header re-padded to a multiple
 * of 8 with spaces, as the reference writer does). Names ending `.position_ids` are buffers the loader drops with a
 * note listing them; any other extra name is an unexpected tensor and refuses the load (M19).
 */
export async function checkpointWithExtraTensors(into: string, folder: string, names: string[]): Promise<string> {
  const dir = join(into, folder);
  await mkdir(dir, { recursive: true });
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) await copyFile(join(BERT_SEQ_CLS, name), join(dir, name));
  const bytes = await readFile(join(BERT_SEQ_CLS, 'model.safetensors'));
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  const data = bytes.subarray(8 + headerLength);
  names.forEach((name, i) => (header[name] = { dtype: 'F32', shape: [1], data_offsets: [data.length + 4 * i, data.length + 4 * (i + 1)] }));
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  await writeFile(join(dir, 'model.safetensors'), Buffer.concat([length, Buffer.from(json), data, Buffer.alloc(4 * names.length)]));
  return dir;
}

/** 40 rows of fixture words, 10 per hostile label (the review sentences of datasets.ts, relabelled). */
export function hostileLabelsCsv(): FileSpec {
  const words = ['great movie', 'terrible acting', 'it was a movie', 'lovely music', 'boring plot', 'the actors', 'excellent film', 'awful music'];
  const labels = Object.values(HOSTILE_LABELS);
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = ['text,label'];
  for (let i = 0; i < 40; i++) lines.push(`${quote(`${words[i % words.length]} ${words[(i * 3 + 1) % words.length]}`)},${quote(labels[i % labels.length])}`);
  return { name: 'hostile-labels.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

/**
 * Where one of `names` (each holding a bidi mark) is shown without being isolated from the text around it. A name is
 * isolated when it is written between U+2068 and U+2069 (first-strong isolate, the plain-text <bdi>), or when it is
 * the whole text of the nearest element that isolates: a <bdi>, an element with `unicode-bidi: isolate` or
 * `plaintext`, or a box that is not inline (a new paragraph). Each hit is returned with its element, cut to 80.
 */
export function unisolatedNames(page: Page, names: string[]): Promise<string[]> {
  return page.evaluate((names) => {
    const bad: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      // Longest first, each taken out once checked: a name inside a longer one is judged as part of it.
      let rest = text;
      for (const name of [...names].sort((a, b) => b.length - a.length)) {
        if (!rest.includes(name)) continue;
        rest = rest.split(name).join('');
        if (text.includes(`\u2068${name}\u2069`)) continue;
        let unit = node.parentElement;
        while (unit && unit.localName !== 'bdi' && !['isolate', 'isolate-override', 'plaintext'].includes(getComputedStyle(unit).unicodeBidi) && getComputedStyle(unit).display === 'inline') unit = unit.parentElement;
        if (unit?.textContent?.trim() !== name) bad.push(`${unit?.localName}.${unit?.className}: ${text.slice(0, 80)}`);
      }
    }
    return bad;
  }, names);
}

/** Elements that reach past the window's right edge, innermost first: what makes the page scroll sideways. */
export function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.body.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
      .map((el) => `${el.localName}.${el.className}`)
      .slice(0, 20),
  );
}
