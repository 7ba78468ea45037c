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

export interface LayerwiseErrorData {
  code: string;
  message: string;
  location?: ErrorLocation;
}

export class LayerwiseError extends Error {
  readonly code: string;
  readonly location?: ErrorLocation;

  constructor(code: string, message: string, location?: ErrorLocation) {
    super(message);
    this.name = 'LayerwiseError';
    this.code = code;
    this.location = location;
  }

  toData(): LayerwiseErrorData {
    return { code: this.code, message: this.message, location: this.location };
  }
}

/** Any thrown value as plain error data; unknown errors get the code INTERNAL. */
export function toErrorData(err: unknown): LayerwiseErrorData {
  if (err instanceof LayerwiseError) return err.toData();
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}

/** "file.safetensors, tensor bert.x: " — a location as a prefix for one-line reports. */
export function formatLocation(loc?: ErrorLocation): string {
  if (!loc) return '';
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.tensor !== undefined) parts.push(`tensor ${loc.tensor}`);
  if (loc.field !== undefined) parts.push(`field ${loc.field}`);
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.column !== undefined) parts.push(`column ${loc.column}`);
  return parts.join(', ');
}
