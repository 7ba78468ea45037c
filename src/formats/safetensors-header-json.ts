// The JSON header of a safetensors file, read strictly: serde_json's grammar (RFC 8259) and the shape of the
// reference parser's HashMetadata/TensorInfo (huggingface/safetensors, safetensors/src/tensor.rs). Integers keep
// full precision (bigint past 2^53) so u64 overflow is decided exactly; duplicate keys are errors, not "last wins".
import { LayerwiseError } from '../lib/errors';
import { lineColumn } from './json-text';

/** serde_json's default recursion limit: deeper nesting is an error, never a stack overflow. */
const MAX_DEPTH = 128;
const U64_MAX = 2n ** 64n - 1n;
/** Our limit on data_offsets (256 TiB): keeps every offset and sum a safe integer. */
const MAX_DATA_OFFSET = 2 ** 48 - 1;

/**
 * The header as written, before validation, in columns (one entry per tensor, in file order) so that a header of
 * a million entries costs a few flat arrays rather than a million objects. Dimensions past 2^53 stay bigint.
 */
export interface RawHeader {
  names: string[];
  dtypes: string[];
  begins: number[];
  ends: number[];
  /** Tensor i has dims[shapeStarts[i] .. shapeStarts[i + 1]). */
  shapeStarts: number[];
  dims: (number | bigint)[];
  metadata: Map<string, string> | null;
}

/** Parses a decoded header. `dtypeKnown` says whether a string names a safetensors dtype at all. */
export function parseHeaderJson(text: string, file: string, dtypeKnown: (dtype: string) => boolean): RawHeader {
  return new HeaderParser(text, file, dtypeKnown).parse();
}

class HeaderParser {
  private readonly text: string;
  private readonly file: string;
  private readonly dtypeKnown: (dtype: string) => boolean;
  private readonly out: RawHeader = { names: [], dtypes: [], begins: [], ends: [], shapeStarts: [0], dims: [], metadata: null };
  /** data_offsets of the tensor being parsed (reused: no allocation per tensor). */
  private readonly scratch: (number | bigint)[] = [];
  private pos = 0;

  constructor(text: string, file: string, dtypeKnown: (dtype: string) => boolean) {
    this.text = text;
    this.file = file;
    this.dtypeKnown = dtypeKnown;
  }

  parse(): RawHeader {
    let sawMetadata = false;
    this.skipWs();
    if (this.peek() !== 0x7b) this.typeError('the header must be a JSON object', `found ${this.describeNext()}`);
    this.pos++;
    // Duplicate tensor names are found when the validated tensors go into a Map (safetensors.ts): one hash
    // pass, and none at all for a header that fails the offset checks.
    for (let key = this.nextKey(true); key !== null; key = this.nextKey(false)) {
      if (key === '__metadata__') {
        if (sawMetadata) this.fail('SAFETENSORS_DUPLICATE_NAME', 'the key "__metadata__" appears twice in the header');
        sawMetadata = true;
        this.out.metadata = this.parseMetadata();
      } else {
        this.parseTensorInfo(key);
      }
    }
    this.skipWs();
    if (this.pos < this.text.length) this.syntaxError('trailing characters after the header object');
    return this.out;
  }

  /**
   * The next `"key":` of an object whose '{' is consumed, leaving the cursor on the value; null at the closing
   * '}'. `first` is true for the first call on an object (no comma expected).
   */
  private nextKey(first: boolean): string | null {
    this.skipWs();
    const c = this.peek();
    if (c === 0x7d) {
      this.pos++;
      return null;
    }
    if (!first) {
      if (c !== 0x2c) this.syntaxError("expected ',' or '}' in an object");
      this.pos++;
      this.skipWs();
    }
    if (this.peek() !== 0x22) this.syntaxError('expected a string key');
    const key = this.parseString();
    this.skipWs();
    if (this.peek() !== 0x3a) this.syntaxError("expected ':' after a key");
    this.pos++;
    this.skipWs();
    return key;
  }

  /** `__metadata__`: null, or an object whose values are all strings (the reference's HashMap<String, String>). */
  private parseMetadata(): Map<string, string> | null {
    if (this.peekLiteral('null')) {
      this.pos += 4;
      return null;
    }
    if (this.peek() !== 0x7b) this.typeError('"__metadata__" must be an object of strings', `found ${this.describeNext()}`);
    this.pos++;
    const metadata = new Map<string, string>();
    for (let key = this.nextKey(true); key !== null; key = this.nextKey(false)) {
      if (metadata.has(key)) {
        this.fail('SAFETENSORS_DUPLICATE_NAME', `"__metadata__" has the key ${JSON.stringify(key)} twice`);
      }
      if (this.peek() !== 0x22) {
        this.typeError(
          `"__metadata__" values must be strings, but the value of ${JSON.stringify(key)} is not`,
          `found ${this.describeNext()}`,
        );
      }
      metadata.set(key, this.parseString());
    }
    return metadata;
  }

  /** `{"dtype": "F32", "shape": [..], "data_offsets": [BEGIN, END]}`; unknown fields are skipped, as serde does. */
  private parseTensorInfo(name: string): void {
    if (this.peek() !== 0x7b) {
      this.tensorError(name, `must be an object with dtype, shape and data_offsets; found ${this.describeNext()}`);
    }
    this.pos++;
    const out = this.out;
    let dtype: string | undefined;
    let sawShape = false;
    let begin = -1;
    let end = -1;
    for (let key = this.nextKey(true); key !== null; key = this.nextKey(false)) {
      if (key === 'dtype') {
        if (dtype !== undefined) this.tensorError(name, 'has the field "dtype" twice');
        if (this.peek() !== 0x22) this.tensorError(name, `dtype must be a string; found ${this.describeNext()}`);
        dtype = this.parseString();
        if (!this.dtypeKnown(dtype)) {
          throw new LayerwiseError(
            'SAFETENSORS_UNSUPPORTED_DTYPE',
            `${this.file}: unsupported dtype ${JSON.stringify(dtype)} for tensor ${JSON.stringify(name)}: not a safetensors dtype`,
            { file: this.file, tensor: name, field: 'dtype' },
          );
        }
      } else if (key === 'shape') {
        if (sawShape) this.tensorError(name, 'has the field "shape" twice');
        sawShape = true;
        this.parseUintArray(name, 'shape', out.dims);
      } else if (key === 'data_offsets') {
        if (begin !== -1) this.tensorError(name, 'has the field "data_offsets" twice');
        const offsets = this.scratch;
        offsets.length = 0;
        this.parseUintArray(name, 'data_offsets', offsets);
        if (offsets.length !== 2) {
          this.tensorError(name, `data_offsets must hold exactly two integers [BEGIN, END]; found ${offsets.length}`);
        }
        const [b, e] = offsets;
        if (typeof b === 'bigint' || typeof e === 'bigint' || b > MAX_DATA_OFFSET || e > MAX_DATA_OFFSET) {
          throw new LayerwiseError(
            'SAFETENSORS_INVALID_OFFSET',
            `${this.file}: data_offsets [${b}, ${e}] of tensor ${JSON.stringify(name)} exceed the limit of 2^48-1 bytes`,
            { file: this.file, tensor: name, field: 'data_offsets' },
          );
        }
        begin = b;
        end = e;
      } else {
        this.skipValue(3);
      }
    }
    if (dtype === undefined) this.tensorError(name, 'is missing the field "dtype"');
    if (!sawShape) this.tensorError(name, 'is missing the field "shape"');
    if (begin === -1) this.tensorError(name, 'is missing the field "data_offsets"');
    out.names.push(name);
    out.dtypes.push(dtype);
    out.begins.push(begin);
    out.ends.push(end);
    out.shapeStarts.push(out.dims.length);
  }

  /** An array of unsigned integers (Rust usize: no sign, fraction or exponent; at most u64::MAX), onto `dims`. */
  private parseUintArray(name: string, field: string, dims: (number | bigint)[]): void {
    if (this.peek() !== 0x5b) this.tensorError(name, `${field} must be an array of integers; found ${this.describeNext()}`);
    this.pos++;
    this.skipWs();
    if (this.peek() === 0x5d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWs();
      const start = this.pos;
      const c = this.peek();
      if (c !== 0x2d && (c < 0x30 || c > 0x39)) {
        this.tensorError(name, `${field} must hold non-negative integers; found ${this.describeNext()}`);
      }
      const isInteger = this.scanNumber();
      if (!isInteger || c === 0x2d) {
        this.tensorError(name, `${field} must hold non-negative integers; found ${this.text.slice(start, this.pos)}`);
      }
      if (this.pos - start <= 15) {
        dims.push(Number(this.text.slice(start, this.pos)));
      } else {
        const token = this.text.slice(start, this.pos);
        const big = BigInt(token);
        if (big > U64_MAX) this.tensorError(name, `${field} value ${token} does not fit in 64 bits`);
        dims.push(big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big);
      }
      this.skipWs();
      const d = this.peek();
      if (d === 0x5d) {
        this.pos++;
        return;
      }
      if (d !== 0x2c) this.syntaxError(`expected ',' or ']' in ${field}`);
      this.pos++;
    }
  }

  /** Validates and skips any JSON value (an unknown TensorInfo field). */
  private skipValue(depth: number): void {
    if (depth > MAX_DEPTH) this.syntaxError(`nesting deeper than ${MAX_DEPTH} levels`);
    const c = this.peek();
    if (c === 0x7b) {
      this.pos++;
      for (let key = this.nextKey(true); key !== null; key = this.nextKey(false)) this.skipValue(depth + 1);
    } else if (c === 0x5b) {
      this.pos++;
      this.skipWs();
      if (this.peek() === 0x5d) {
        this.pos++;
        return;
      }
      for (;;) {
        this.skipWs();
        this.skipValue(depth + 1);
        this.skipWs();
        const d = this.peek();
        if (d === 0x5d) {
          this.pos++;
          return;
        }
        if (d !== 0x2c) this.syntaxError("expected ',' or ']' in an array");
        this.pos++;
      }
    } else if (c === 0x22) {
      this.parseString();
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.scanNumber();
    } else if (this.peekLiteral('true') || this.peekLiteral('null')) {
      this.pos += 4;
    } else if (this.peekLiteral('false')) {
      this.pos += 5;
    } else {
      this.syntaxError('expected a JSON value');
    }
  }

  /** Moves past `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`; returns whether it had no fraction or exponent. */
  private scanNumber(): boolean {
    const t = this.text;
    if (t.charCodeAt(this.pos) === 0x2d) this.pos++;
    if (t.charCodeAt(this.pos) === 0x30) {
      this.pos++;
    } else if (this.digits() === 0) {
      this.syntaxError('invalid number');
    }
    let isInteger = true;
    if (t.charCodeAt(this.pos) === 0x2e) {
      this.pos++;
      if (this.digits() === 0) this.syntaxError('invalid number: no digit after the decimal point');
      isInteger = false;
    }
    const e = t.charCodeAt(this.pos);
    if (e === 0x65 || e === 0x45) {
      this.pos++;
      const s = t.charCodeAt(this.pos);
      if (s === 0x2b || s === 0x2d) this.pos++;
      if (this.digits() === 0) this.syntaxError('invalid number: no digit in the exponent');
      isInteger = false;
    }
    return isInteger;
  }

  private digits(): number {
    const start = this.pos;
    for (let c = this.text.charCodeAt(this.pos); c >= 0x30 && c <= 0x39; c = this.text.charCodeAt(this.pos)) this.pos++;
    return this.pos - start;
  }

  /** A string at the cursor (which is on the opening quote), with escapes decoded; lone surrogates are errors. */
  private parseString(): string {
    const t = this.text;
    const start = ++this.pos;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) return t.slice(start, this.pos++);
      if (c === 0x5c) break;
      if (Number.isNaN(c)) this.syntaxError('unterminated string');
      if (c < 0x20) this.syntaxError('control character in a string');
      this.pos++;
    }
    let out = t.slice(start, this.pos);
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.syntaxError('unterminated string');
      if (c === 0x22) {
        this.pos++;
        return out;
      }
      if (c < 0x20) this.syntaxError('control character in a string');
      if (c !== 0x5c) {
        out += t[this.pos++];
        continue;
      }
      const e = t[this.pos + 1];
      this.pos += 2;
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
      } else if (e === 'u') {
        const unit = this.hex4();
        if (unit >= 0xdc00 && unit <= 0xdfff) this.syntaxError('lone trailing surrogate in a \\u escape');
        if (unit >= 0xd800 && unit <= 0xdbff) {
          if (t[this.pos] !== '\\' || t[this.pos + 1] !== 'u') this.syntaxError('lone leading surrogate in a \\u escape');
          this.pos += 2;
          const low = this.hex4();
          if (low < 0xdc00 || low > 0xdfff) this.syntaxError('lone leading surrogate in a \\u escape');
          out += String.fromCharCode(unit, low);
        } else {
          out += String.fromCharCode(unit);
        }
      } else {
        this.pos -= 2;
        this.syntaxError('invalid escape in a string');
      }
    }
  }

  private hex4(): number {
    const h = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.syntaxError('invalid \\u escape');
    this.pos += 4;
    return parseInt(h, 16);
  }

  private skipWs(): void {
    for (let c = this.text.charCodeAt(this.pos); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; ) {
      c = this.text.charCodeAt(++this.pos);
    }
  }

  private peek(): number {
    return this.text.charCodeAt(this.pos);
  }

  private peekLiteral(word: string): boolean {
    return this.text.startsWith(word, this.pos);
  }

  private describeNext(): string {
    const c = this.peek();
    if (Number.isNaN(c)) return 'the end of the header';
    if (c === 0x7b) return 'an object';
    if (c === 0x5b) return 'an array';
    if (c === 0x22) return 'a string';
    // A value's first letter is not enough: "this is not json" starts like true.
    if (this.peekLiteral('true') || this.peekLiteral('false')) return 'a boolean';
    if (this.peekLiteral('null')) return 'null';
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return 'a number';
    return `text that is not JSON: ${JSON.stringify(this.text.slice(this.pos, this.pos + 20))}`;
  }

  private syntaxError(what: string): never {
    const { line, column } = lineColumn(this.text, this.pos);
    throw new LayerwiseError(
      'SAFETENSORS_INVALID_HEADER_DESERIALIZATION',
      `${this.file}: the header is not valid JSON (${what} at line ${line}, column ${column})`,
      { file: this.file, line, column },
    );
  }

  private typeError(what: string, found: string): never {
    this.fail('SAFETENSORS_INVALID_HEADER_DESERIALIZATION', `${what}; ${found}`);
  }

  private tensorError(name: string, what: string): never {
    throw new LayerwiseError(
      'SAFETENSORS_INVALID_HEADER_DESERIALIZATION',
      `${this.file}: tensor ${JSON.stringify(name)} ${what}`,
      { file: this.file, tensor: name },
    );
  }

  private fail(code: string, message: string): never {
    throw new LayerwiseError(code, `${this.file}: ${message}`, { file: this.file });
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
