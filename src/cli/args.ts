// Command-line option parsing shared by the commands (node:util parseArgs, strict: unknown flags are errors).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LayerwiseError } from '../lib/errors';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export function parseOptions<T extends OptionSpec>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...options, json: { type: 'boolean' } }, strict: true, allowPositionals: false })
      .values;
  } catch (err) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', (err as Error).message);
  }
}

/** The value of a required option, or a coded error naming it. */
export function required(value: string | boolean | undefined | (string | boolean)[], name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new LayerwiseError('CLI_MISSING_ARGUMENT', `--${name} is required`, { field: name });
  }
  return value;
}

/** A numeric option, or a coded error naming it. */
export function numberOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--${name} must be a number, got "${String(value)}"`, { field: name });
  }
  return n;
}
