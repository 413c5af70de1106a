/**
 * A strict RFC 8259 JSON parser that reads UTF-8 bytes into the document model of
 * `json_value.ts`: numbers keep their source text, objects are `Map`s, duplicate keys, a byte
 * order mark, invalid UTF-8 and nesting past a depth cap are errors.
 *
 * How it stays fast: the input is validated and decoded to a string once by the platform's UTF-8
 * decoder; the parser then scans the bytes and cuts strings and numbers out of that decoded text
 * with `slice`, keeping track of how many bytes each multi-byte character took (`shift`). Strings
 * containing escapes are decoded by `JSON.parse` of their (already validated) token.
 *
 * @module
 */

import { JsonNumber, type JsonObject, type JsonValue } from "./json_value.ts";

/** Options of {@linkcode parseJson}. */
export interface ParseJsonOptions {
  /**
   * Deepest nesting of arrays and objects accepted (the outermost container is level 1).
   * Default 64, at most 1000.
   */
  maxDepth?: number;
}

/** A JSON text that cannot be parsed; `offset` is the byte offset where parsing failed. */
export class JsonSyntaxError extends SyntaxError {
  /** Stable machine-readable code, the same for every instance: `"json_syntax_error"`. */
  readonly code: "json_syntax_error" = "json_syntax_error";
  /** Byte offset of the failure in the input. */
  readonly offset: number;
  /** What failed, without the offset, e.g. `Duplicate key "a"`. */
  readonly reason: string;

  /**
   * Creates a {@linkcode JsonSyntaxError}.
   *
   * @param reason What failed, in sentence case, without the offset.
   * @param offset Byte offset of the failure in the input.
   */
  constructor(reason: string, offset: number) {
    super(`${reason} at byte ${offset}`);
    this.name = "JsonSyntaxError";
    this.reason = reason;
    this.offset = offset;
  }
}

const DEFAULT_MAX_DEPTH = 64;
const MAX_MAX_DEPTH = 1000;
const MAX_KEY_IN_MESSAGE = 64;
/** Strings with escapes longer than this (bytes) are decoded natively (short ones are faster here). */
const LONG_ESCAPED_STRING = 256;
/** Bound on arguments passed to one `String.fromCharCode` call (the stack holds them). */
const MAX_UNITS_PER_CALL = 4096;

const decoder = new TextDecoder(); // a leading BOM is rejected before decoding
const encoder = new TextEncoder();

// Byte classes inside a string: 0 plain ASCII, 1 quote, 2 backslash, 3 control character,
// 4/5/6 lead byte of a 2/3/4-byte UTF-8 sequence (continuation bytes are skipped with their lead).
const PLAIN = 0, QUOTE = 1, BACKSLASH = 2, CONTROL = 3, LEAD2 = 4, LEAD3 = 5;
const STRING_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  STRING_CLASS[c] = c < 0x20
    ? CONTROL
    : c === 0x22
    ? QUOTE
    : c === 0x5c
    ? BACKSLASH
    : c < 0x80
    ? PLAIN
    : c < 0xe0
    ? LEAD2
    : c < 0xf0
    ? LEAD3
    : 6;
}

/**
 * Parses one JSON text given as UTF-8 bytes, strictly (RFC 8259, no extensions).
 *
 * Numbers become {@linkcode JsonNumber} with their exact source text, objects become `Map`s in
 * source order. A lone surrogate produced by a `\u` escape is kept (see
 * {@linkcode hasLoneSurrogate}); raw bytes must be valid UTF-8.
 *
 * @param bytes The JSON text, UTF-8 encoded, without a byte order mark.
 * @param opts Parsing limits.
 * @returns The parsed value.
 * @throws {JsonSyntaxError} On invalid UTF-8, a byte order mark, a grammar error, a duplicate key
 *   in one object, nesting deeper than `maxDepth`, or data after the value.
 * @throws {TypeError} If `bytes` is not a `Uint8Array`.
 * @throws {RangeError} If `maxDepth` is not an integer from 0 to 1000.
 * @example Parse a record line
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJson } from "./json_parse.ts";
 * import { JsonNumber } from "./json_value.ts";
 *
 * const value = parseJson(new TextEncoder().encode('{"seq":18446744073709551616}'));
 * assert.deepEqual(value, new Map([["seq", new JsonNumber("18446744073709551616")]]));
 * ```
 */
export function parseJson(bytes: Uint8Array, opts: ParseJsonOptions = {}): JsonValue {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Cannot parse JSON: expected a Uint8Array, got ${typeof bytes}`);
  }
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > MAX_MAX_DEPTH) {
    throw new RangeError(
      `Cannot parse JSON: maxDepth must be an integer from 0 to ${MAX_MAX_DEPTH}, got ${maxDepth}`,
    );
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new JsonSyntaxError("Unexpected byte order mark", 0);
  }
  // The non-fatal decoder is several times faster than the fatal one; it turns every ill-formed
  // sequence into U+FFFD, so only a text containing U+FFFD needs the exact check.
  const text = decoder.decode(bytes);
  if (text.indexOf("\ufffd") !== -1) {
    const bad = findInvalidUtf8(bytes);
    if (bad !== -1) throw new JsonSyntaxError("Invalid UTF-8", bad);
  }
  const parser = new Parser(bytes, text, maxDepth);
  parser.skipWhitespace();
  const value = parser.parseValue(0);
  parser.skipWhitespace();
  if (parser.pos < bytes.length) {
    throw new JsonSyntaxError(
      `Unexpected ${parser.describe(parser.pos)} after the JSON value`,
      parser.pos,
    );
  }
  return value;
}

/**
 * Parses a JSON text given as a string: encodes it as UTF-8, then calls {@linkcode parseJson}.
 *
 * @param text The JSON text.
 * @param opts Parsing limits.
 * @returns The parsed value.
 * @throws {JsonSyntaxError} As {@linkcode parseJson}, and if `text` itself contains a lone
 *   surrogate (it cannot be encoded as UTF-8; a `\ud800` escape is fine).
 * @throws {TypeError} If `text` is not a string.
 * @throws {RangeError} If `maxDepth` is out of range.
 * @example Parse a short text
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonText } from "./json_parse.ts";
 *
 * assert.deepEqual(parseJsonText('["x\\ud800"]'), ["x\ud800"]);
 * ```
 */
export function parseJsonText(text: string, opts: ParseJsonOptions = {}): JsonValue {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot parse JSON: expected a string, got ${typeof text}`);
  }
  if (!text.isWellFormed()) {
    const index = firstLoneSurrogate(text);
    const offset = encoder.encode(text.slice(0, index)).length;
    throw new JsonSyntaxError("Lone surrogate in the text cannot be encoded as UTF-8", offset);
  }
  return parseJson(encoder.encode(text), opts);
}

/**
 * Tells whether a string contains a lone (unpaired) UTF-16 surrogate, which `parseJson` lets
 * through from `\u` escapes but which cannot be encoded as UTF-8 (nor hashed canonically).
 *
 * @param s Any string.
 * @returns `true` if some surrogate code unit is not part of a valid pair.
 * @throws {TypeError} If `s` is not a string.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasLoneSurrogate } from "./json_parse.ts";
 *
 * assert.ok(hasLoneSurrogate("x\ud800y"));
 * assert.ok(!hasLoneSurrogate("😀"));
 * ```
 */
export function hasLoneSurrogate(s: string): boolean {
  return !s.isWellFormed();
}

function firstLoneSurrogate(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      return i;
    }
  }
  return -1;
}

/** Offset of the lead byte of the first ill-formed UTF-8 sequence (Unicode table 3-7), or -1. */
function findInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number, lo = 0x80, hi = 0xbf;
    if (c < 0xc2) return i; // continuation byte, or overlong C0/C1
    else if (c < 0xe0) need = 1;
    else if (c < 0xf0) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // UTF-16 surrogates
    } else if (c < 0xf5) {
      need = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    if (i + need >= n) return i; // truncated
    const second = b[i + 1];
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

/** Code unit of each single-character escape, by the byte after the backslash. */
const ESCAPED = new Uint16Array(128);
ESCAPED[0x22] = 0x22;
ESCAPED[0x5c] = 0x5c;
ESCAPED[0x2f] = 0x2f;
ESCAPED[0x62] = 0x08;
ESCAPED[0x66] = 0x0c;
ESCAPED[0x6e] = 0x0a;
ESCAPED[0x72] = 0x0d;
ESCAPED[0x74] = 0x09;

/** Value of 4 validated hex digits at `pos`. */
function parseInt4Hex(b: Uint8Array, pos: number): number {
  let v = 0;
  for (let k = pos; k < pos + 4; k++) {
    const c = b[k];
    v = (v << 4) | (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
  }
  return v;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

class Parser {
  pos = 0;
  /** Scratch buffer for code units of consecutive escapes. */
  units: number[] = [];
  /** Bytes consumed so far minus UTF-16 code units they decode to (multi-byte characters). */
  shift = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly text: string,
    readonly maxDepth: number,
  ) {}

  skipWhitespace(): void {
    const b = this.bytes;
    let pos = this.pos;
    while (pos < b.length) {
      const c = b[pos];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
    this.pos = pos;
  }

  parseValue(depth: number): JsonValue {
    const b = this.bytes;
    const pos = this.pos;
    if (pos >= b.length) throw this.endOfInput();
    const c = b[pos];
    switch (c) {
      case 0x22:
        return this.parseString();
      case 0x7b:
        return this.parseObject(depth + 1);
      case 0x5b:
        return this.parseArray(depth + 1);
      case 0x74:
        return this.parseLiteral("true", true);
      case 0x66:
        return this.parseLiteral("false", false);
      case 0x6e:
        return this.parseLiteral("null", null);
      default:
        if (c === 0x2d || isDigit(c)) return this.parseNumber();
        throw new JsonSyntaxError(`Unexpected ${this.describe(pos)}`, pos);
    }
  }

  parseObject(depth: number): JsonObject {
    const b = this.bytes;
    if (depth > this.maxDepth) {
      throw new JsonSyntaxError(`Nesting deeper than ${this.maxDepth} levels`, this.pos);
    }
    const map: JsonObject = new Map();
    this.pos++;
    this.skipWhitespace();
    if (b[this.pos] === 0x7d) {
      this.pos++;
      return map;
    }
    for (;;) {
      const keyStart = this.pos;
      if (keyStart >= b.length) throw this.endOfInput();
      if (b[keyStart] !== 0x22) {
        const what = b[keyStart] === 0x7d ? "Trailing comma in object" : "Expected a string key";
        throw new JsonSyntaxError(what, keyStart);
      }
      const key = this.parseString();
      this.skipWhitespace();
      if (b[this.pos] !== 0x3a) throw this.expected("':' after object key");
      this.pos++;
      this.skipWhitespace();
      const size = map.size;
      map.set(key, this.parseValue(depth));
      if (map.size === size) {
        // One hash lookup instead of has() + set(); reported once the value is parsed.
        throw new JsonSyntaxError(`Duplicate key ${quoteForMessage(key)}`, keyStart);
      }
      this.skipWhitespace();
      const c = b[this.pos];
      if (c === 0x2c) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x7d) {
        this.pos++;
        return map;
      } else {
        throw this.expected("',' or '}' after object member");
      }
    }
  }

  parseArray(depth: number): JsonValue[] {
    const b = this.bytes;
    if (depth > this.maxDepth) {
      throw new JsonSyntaxError(`Nesting deeper than ${this.maxDepth} levels`, this.pos);
    }
    const array: JsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (b[this.pos] === 0x5d) {
      this.pos++;
      return array;
    }
    for (;;) {
      if (b[this.pos] === 0x5d) throw new JsonSyntaxError("Trailing comma in array", this.pos);
      array.push(this.parseValue(depth));
      this.skipWhitespace();
      const c = b[this.pos];
      if (c === 0x2c) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x5d) {
        this.pos++;
        return array;
      } else {
        throw this.expected("',' or ']' after array element");
      }
    }
  }

  parseString(): string {
    const b = this.bytes;
    const len = b.length;
    const quote = this.pos;
    const startShift = this.shift;
    let shift = startShift;
    let pos = quote + 1;
    let escaped = false;
    for (;;) {
      if (pos >= len) throw new JsonSyntaxError("Unexpected end of input in string", len);
      const cls = STRING_CLASS[b[pos]];
      if (cls === PLAIN) {
        pos++;
      } else if (cls === QUOTE) {
        break;
      } else if (cls === BACKSLASH) {
        escaped = true;
        pos = this.checkEscape(pos);
      } else if (cls === CONTROL) {
        const hex = b[pos].toString(16).toUpperCase().padStart(4, "0");
        throw new JsonSyntaxError(`Unescaped control character U+${hex} in string`, pos);
      } else if (cls === LEAD2) {
        pos += 2;
        shift += 1;
      } else if (cls === LEAD3) {
        pos += 3;
        shift += 2;
      } else {
        pos += 4; // a 4-byte sequence decodes to a surrogate pair: 2 code units
        shift += 2;
      }
    }
    this.pos = pos + 1;
    this.shift = shift;
    if (!escaped) return this.text.slice(quote + 1 - startShift, pos - shift);
    if (pos - quote > LONG_ESCAPED_STRING) {
      // The token is validated (escapes well-formed, no raw controls), so the native decoder
      // gives the same result, in linear time; it keeps lone surrogates from `\u` escapes too.
      return JSON.parse(this.text.slice(quote - startShift, pos + 1 - shift));
    }
    return this.decodeEscaped(quote + 1, pos, startShift);
  }

  /**
   * Decodes the contents of a validated string token that contains escapes: unescaped runs are
   * sliced from the decoded text, runs of consecutive escapes become one `fromCharCode` call.
   * Escapes decode to code units, so `\ud800` alone stays a lone surrogate.
   */
  decodeEscaped(start: number, end: number, startShift: number): string {
    const b = this.bytes;
    const text = this.text;
    const units = this.units;
    let shift = startShift;
    let out = "";
    let runStart = start;
    let runShift = shift;
    let pos = start;
    while (pos < end) {
      const c = b[pos];
      if (c !== 0x5c) {
        if (c >= 0x80) {
          const extra = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
          pos += extra + 1;
          shift += extra === 3 ? 2 : extra;
        } else {
          pos++;
        }
        continue;
      }
      if (pos > runStart) out += text.slice(runStart - runShift, pos - shift);
      units.length = 0;
      while (pos < end && b[pos] === 0x5c && units.length < MAX_UNITS_PER_CALL) {
        const e = b[pos + 1];
        if (e === 0x75) {
          units.push(parseInt4Hex(b, pos + 2));
          pos += 6;
        } else {
          units.push(ESCAPED[e]);
          pos += 2;
        }
      }
      out += units.length === 1
        ? String.fromCharCode(units[0])
        : String.fromCharCode.apply(null, units);
      runStart = pos;
      runShift = shift;
    }
    if (end > runStart) out += text.slice(runStart - runShift, end - shift);
    return out;
  }

  /** Validates the escape starting at the backslash at `pos`; returns the offset after it. */
  checkEscape(pos: number): number {
    const b = this.bytes;
    if (pos + 1 >= b.length) {
      throw new JsonSyntaxError("Unexpected end of input in string", b.length);
    }
    switch (b[pos + 1]) {
      case 0x22: // "
      case 0x5c: // \
      case 0x2f: // /
      case 0x62: // b
      case 0x66: // f
      case 0x6e: // n
      case 0x72: // r
      case 0x74: // t
        return pos + 2;
      case 0x75: // u
        for (let k = pos + 2; k < pos + 6; k++) {
          if (k >= b.length) throw new JsonSyntaxError("Unexpected end of input in string", k);
          if (!isHexDigit(b[k])) {
            throw new JsonSyntaxError("Invalid \\u escape in string", pos);
          }
        }
        return pos + 6;
      default:
        throw new JsonSyntaxError("Invalid escape sequence in string", pos);
    }
  }

  parseNumber(): JsonNumber {
    const b = this.bytes;
    const len = b.length;
    const start = this.pos;
    let pos = start;
    if (b[pos] === 0x2d) pos++;
    if (pos >= len) throw this.endOfInput(len);
    if (b[pos] === 0x30) {
      pos++;
      if (pos < len && isDigit(b[pos])) throw new JsonSyntaxError("Leading zero in number", start);
    } else if (isDigit(b[pos])) {
      while (pos < len && isDigit(b[pos])) pos++;
    } else {
      throw new JsonSyntaxError(`Invalid number (${this.describe(pos)} after '-')`, start);
    }
    if (pos < len && b[pos] === 0x2e) {
      pos++;
      if (pos >= len || !isDigit(b[pos])) {
        throw new JsonSyntaxError("Invalid number (no digit after '.')", start);
      }
      while (pos < len && isDigit(b[pos])) pos++;
    }
    if (pos < len && (b[pos] | 0x20) === 0x65) {
      pos++;
      if (pos < len && (b[pos] === 0x2b || b[pos] === 0x2d)) pos++;
      if (pos >= len || !isDigit(b[pos])) {
        throw new JsonSyntaxError("Invalid number (no digit in exponent)", start);
      }
      while (pos < len && isDigit(b[pos])) pos++;
    }
    this.pos = pos;
    return new JsonNumber(this.text.slice(start - this.shift, pos - this.shift));
  }

  parseLiteral<T extends JsonValue>(word: string, value: T): T {
    const b = this.bytes;
    const start = this.pos;
    for (let k = 0; k < word.length; k++) {
      if (start + k >= b.length) throw this.endOfInput(start + k);
      if (b[start + k] !== word.charCodeAt(k)) {
        throw new JsonSyntaxError(`Invalid literal (expected '${word}')`, start);
      }
    }
    this.pos = start + word.length;
    return value;
  }

  endOfInput(offset = this.pos): JsonSyntaxError {
    return new JsonSyntaxError("Unexpected end of input", offset);
  }

  expected(what: string): JsonSyntaxError {
    if (this.pos >= this.bytes.length) return this.endOfInput();
    return new JsonSyntaxError(`Expected ${what}, found ${this.describe(this.pos)}`, this.pos);
  }

  /** Names the character at a byte offset (outside strings; the input is valid UTF-8). */
  describe(pos: number): string {
    if (pos >= this.bytes.length) return "end of input";
    const c = this.bytes[pos];
    if (c > 0x20 && c < 0x7f) return `character '${String.fromCharCode(c)}'`;
    if (c < 0x80) return `character U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
    const cp = this.text.codePointAt(pos - this.shift) ?? 0xfffd;
    return `character U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  }
}

function quoteForMessage(key: string): string {
  const shown = key.length > MAX_KEY_IN_MESSAGE ? key.slice(0, MAX_KEY_IN_MESSAGE) + "…" : key;
  return JSON.stringify(shown);
}
