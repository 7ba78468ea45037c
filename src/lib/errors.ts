// Errors are values with codes: a stable code, a sentence a person understands, and where it happened.
// Plain data (LayerwiseErrorData) crosses the worker boundary; the class is for throwing.

/** Where a bad input was found. Every field is optional; fill in what is known. */
export interface ErrorLocation {
  file?: string;
  tensor?: string;
  row?: number;
  line?: number;
  column?: number;
  field?: string;
}

/** Settings a retry may change to get past the error (config field → value): what the message proposes, as data. */
export type RetryWith = Readonly<Record<string, string | number | boolean | null>>;

export interface LayerwiseErrorData {
  code: string;
  message: string;
  location?: ErrorLocation;
  /** Present where the error knows a way past it, e.g. TRAIN_OUT_OF_MEMORY's micro-batch that fits. */
  retryWith?: RetryWith;
}

export class LayerwiseError extends Error {
  readonly code: string;
  readonly location?: ErrorLocation;
  readonly retryWith?: RetryWith;

  constructor(code: string, message: string, location?: ErrorLocation, retryWith?: RetryWith) {
    super(message);
    this.name = 'LayerwiseError';
    this.code = code;
    this.location = location;
    this.retryWith = retryWith;
  }

  toData(): LayerwiseErrorData {
    const data: LayerwiseErrorData = { code: this.code, message: this.message, location: this.location };
    return this.retryWith === undefined ? data : { ...data, retryWith: this.retryWith };
  }
}

/** Any thrown value as plain error data; unknown errors get the code INTERNAL. */
export function toErrorData(err: unknown): LayerwiseErrorData {
  if (err instanceof LayerwiseError) return err.toData();
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}

/** "file.safetensors, tensor bert.x: " — a location as a prefix for one-line reports. */
/**
 * A name from a file (tensor, label, file name) as it goes into a sentence: wrapped in U+2068 FIRST STRONG ISOLATE
 * and U+2069 POP DIRECTIONAL ISOLATE (the plain-text <bdi>) when it holds right-to-left letters or bidi controls, so
 * that a U+202E in it cannot reverse the rest of the sentence (RELIABILITY M14, D15). Other names are left as they are.
 */
export function isolateName(name: string): string {
  return /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u061c\u200f\u202a-\u202e\u2066-\u2069]/u.test(name) ? `\u2068${name}\u2069` : name;
}

export function formatLocation(loc?: ErrorLocation): string {
  if (!loc) return '';
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(isolateName(loc.file));
  if (loc.tensor !== undefined) parts.push(`tensor ${isolateName(loc.tensor)}`);
  if (loc.field !== undefined) parts.push(`field ${loc.field}`);
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.column !== undefined) parts.push(`column ${loc.column}`);
  return parts.join(', ');
}
