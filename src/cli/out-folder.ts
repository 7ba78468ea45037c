// Output folders of the commands that write a model folder or a tokenizer (train, pretrain, step, vocab), and the
// output file of `predict --out`: checked before any work, so that a bad --out never costs a run (RELIABILITY O1–O3);
// never the input model; never over a model or a file unless --overwrite; and written whole or not at all: the files
// go into a temporary sibling that is renamed into place, so a crash or kill -9 leaves the old one, never half a new one.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, accessSync, constants, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { LayerwiseError } from '../lib/errors';

/** Files whose presence makes a folder a model folder (weights, config or tokenizer). */
const MODEL_FILES = ['config.json', 'model.safetensors', 'model.safetensors.index.json', 'tokenizer.json', 'vocab.txt', 'vocab.json'];

const real = (p: string) => realpathSync(p);
const inside = (child: string, parent: string) => child === parent || child.startsWith(parent + path.sep);

/**
 * Refuses an --out that would lose something: the input model folder (or a folder inside it or around it), an
 * existing file, a folder holding a model or other files unless `overwrite`, a place that cannot be written.
 * Creates the parent folders, so that a missing parent is no reason to fail after the run.
 */
export function checkOutFolder(out: string, opts: { inputs?: readonly string[]; overwrite: boolean; flag?: string }): void {
  const flag = opts.flag ?? 'out';
  const target = path.resolve(out);
  for (const input of opts.inputs ?? []) {
    if (!existsSync(input)) continue;
    const from = real(input);
    const to = existsSync(target) ? real(target) : target;
    if (inside(to, from) || inside(from, to)) {
      throw new LayerwiseError('CLI_OUT_IS_INPUT', `--${flag} ${out} is the model folder the command reads (${input}), or holds it: write the result to another folder`, { field: flag });
    }
  }
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new LayerwiseError('CLI_OUT_NOT_FOLDER', `--${flag} ${out} is a file, not a folder`, { field: flag });
    const entries = readdirSync(target);
    if (entries.length > 0 && !opts.overwrite) {
      const model = entries.filter((e) => MODEL_FILES.includes(e));
      const what = model.length > 0 ? `a model (${model.join(', ')})` : `${entries.length} other file${entries.length === 1 ? '' : 's'}`;
      throw new LayerwiseError('CLI_OUT_NOT_EMPTY', `--${flag} ${out} already holds ${what}: choose an empty or new folder, or pass --overwrite to replace the folder`, { field: flag });
    }
  }
  const parent = path.dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
    accessSync(parent, constants.W_OK);
  } catch (err) {
    throw new LayerwiseError('CLI_OUT_NOT_WRITABLE', `--${flag} ${out} cannot be written: ${(err as Error).message}`, { field: flag });
  }
}

/**
 * Refuses an --out file that would lose something: an input (the model folder, a file inside it, the inputs file),
 * an existing file unless `overwrite`, a folder, a place that cannot be written. Creates the parent folders.
 */
export function checkOutFile(out: string, opts: { inputs: readonly string[]; overwrite: boolean }): void {
  const target = path.resolve(out);
  const to = existsSync(target) ? real(target) : target;
  for (const input of opts.inputs) {
    if (existsSync(input) && inside(to, real(input))) {
      throw new LayerwiseError('CLI_OUT_IS_INPUT', `--out ${out} is, or lies inside, an input of the command (${input}): write the result elsewhere`, { field: 'out' });
    }
  }
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new LayerwiseError('CLI_OUT_NOT_FILE', `--out ${out} is a folder: name the file to write`, { field: 'out' });
    if (!opts.overwrite) throw new LayerwiseError('CLI_OUT_NOT_EMPTY', `--out ${out} already exists: choose a new file, or pass --overwrite to replace it`, { field: 'out' });
  }
  const parent = path.dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
    accessSync(parent, constants.W_OK);
  } catch (err) {
    throw new LayerwiseError('CLI_OUT_NOT_WRITABLE', `--out ${out} cannot be written: ${(err as Error).message}`, { field: 'out' });
  }
}

/** Writes the file `out` whole: into a temporary sibling, then renamed over `out` (one atomic step on one filesystem). */
export function writeFileAtomic(out: string, bytes: Uint8Array | string): void {
  const target = path.resolve(out);
  const staging = path.join(path.dirname(target), `.${path.basename(target)}.writing-${randomBytes(6).toString('hex')}`);
  try {
    writeFileSync(staging, bytes);
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { force: true });
    throw err;
  }
}

/**
 * Refuses a --checkpoint-dir that is, holds or lies inside the model folder or the --out folder (a checkpoint is
 * written during the run and --out is replaced whole at its end), and creates it, so that one that cannot be
 * written fails before the first step.
 */
export function checkCheckpointFolder(dir: string, opts: { model: string; out: string }): void {
  const target = path.resolve(dir);
  const resolved = (p: string) => (existsSync(p) ? real(p) : path.resolve(p));
  const to = resolved(target);
  for (const [other, what] of [[opts.model, `the model folder the command reads (${opts.model})`], [opts.out, 'the --out folder, which the result replaces']] as const) {
    const o = resolved(other);
    if (inside(to, o) || inside(o, to)) {
      throw new LayerwiseError('CLI_OUT_IS_INPUT', `--checkpoint-dir ${dir} is ${what}, or inside or around it: keep checkpoints in a folder of their own`, { field: 'checkpoint-dir' });
    }
  }
  try {
    mkdirSync(target, { recursive: true });
    accessSync(target, constants.W_OK);
  } catch (err) {
    throw new LayerwiseError('CLI_OUT_NOT_WRITABLE', `--checkpoint-dir ${dir} cannot be written: ${(err as Error).message}`, { field: 'checkpoint-dir' });
  }
}

/**
 * Writes `files` as the folder `out`: into a temporary sibling first, which then replaces `out` by renames (the old
 * folder, if any, is removed only once the new one is in place).
 */
export function writeFolderAtomic(out: string, files: readonly { name: string; bytes: Uint8Array | string }[]): void {
  const target = path.resolve(out);
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  // mkdirSync, not mkdtempSync: the folder is created with the umask's mode (mkdtemp's 0700 would stay on --out).
  const staging = path.join(parent, `.${path.basename(target)}.writing-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging);
  try {
    for (const f of files) {
      // A name may hold a subfolder (onnx/model.onnx).
      mkdirSync(path.dirname(path.join(staging, f.name)), { recursive: true });
      writeFileSync(path.join(staging, f.name), f.bytes);
    }
    if (existsSync(target)) {
      const old = mkdtempSync(path.join(parent, `.${path.basename(target)}.replaced-`));
      rmSync(old, { recursive: true });
      renameSync(target, old);
      renameSync(staging, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(staging, target);
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
