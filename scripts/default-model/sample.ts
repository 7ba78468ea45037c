// A seeded sample of a text file's rows (Fisher-Yates with src/lib/random), its header line kept unless --no-header:
// `npx tsx scripts/default-model/sample.ts FILE N SEED [--no-header] > OUT`. The low-resource comparisons of the
// built-in model's card train on such samples.
import { readFileSync } from 'node:fs';
import { createRng, shuffleInPlace } from '../../src/lib/random';

const [file, count, seed, flag] = process.argv.slice(2);
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const header = flag === '--no-header' ? [] : lines.splice(0, 1);
const picked = shuffleInPlace(lines, createRng(Number(seed))).slice(0, Number(count));
process.stdout.write(`${[...header, ...picked].join('\n')}\n`);
