// JSON text from user files: BOM stripped (and reported), parse errors with line and column.
import { LayerwiseError } from '../lib/errors';

export interface ParsedJson {
  value: unknown;
  /** True when a UTF-8 byte-order mark was removed before parsing (RELIABILITY R4: reported, not silent). */
  hadBom: boolean;
}

/** Line and column (1-based) of a character offset in text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export function parseJsonText(text: string, file: string, code = 'JSON_INVALID'): ParsedJson {
  const hadBom = text.charCodeAt(0) === 0xfeff;
  const body = hadBom ? text.slice(1) : text;
  try {
    return { value: JSON.parse(body), hadBom };
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const lc = /line (\d+) column (\d+)/.exec(msg);
    const where = lc
      ? { line: Number(lc[1]), column: Number(lc[2]) }
      : pos
        ? lineColumn(body, Number(pos[1]))
        : body.trim() === ''
          ? { line: 1, column: 1 }
          : lineColumn(body, body.length);
    throw new LayerwiseError(code, `${file} is not valid JSON: ${msg}`, { file, ...where });
  }
}
