/**
 * Spine v1 canonical JSON, the input of the payload hash: the bytes of Python's
 * `json.dumps(nfc(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)` in UTF-8.
 *
 * Also computes what the upstream Node SDK hashes (to explain hash mismatches in Node-written
 * logs), and converts ordinary JavaScript values into the document model.
 *
 * @module
 */

import { JsonNumber, type JsonObject, type JsonValue } from "./json_value.ts";

/** A value of the document model that has no canonical form; `path` locates it (`$.a[2].b`). */
export class CanonicalJsonError extends TypeError {
  /** Stable machine-readable code, the same for every instance: `"canonical_json_error"`. */
  readonly code: "canonical_json_error" = "canonical_json_error";
  /** Where the value is, from the root `$`. */
  readonly path: string;

  /**
   * Creates a {@linkcode CanonicalJsonError}.
   *
   * @param reason What cannot be canonicalized, in sentence case.
   * @param path Where the value is, e.g. `$.items[2].price`.
   * @param detail The offending value as text, appended after a colon when given.
   */
  constructor(reason: string, path: string, detail?: string) {
    super(`${reason} at ${path}${detail === undefined ? "" : `: ${detail}`}`);
    this.name = "CanonicalJsonError";
    this.path = path;
  }
}

/** A JavaScript value of a type the document model cannot hold; `path` locates it. */
export class JsonValueTypeError extends TypeError {
  /** Stable machine-readable code, the same for every instance: `"json_value_type_error"`. */
  readonly code: "json_value_type_error" = "json_value_type_error";
  /** Where the value is, from the root given to {@linkcode toJsonValue}. */
  readonly path: string;

  /**
   * Creates a {@linkcode JsonValueTypeError}.
   *
   * @param reason What is wrong, in sentence case.
   * @param path Where the value is.
   */
  constructor(reason: string, path: string) {
    super(`${reason} at ${path}`);
    this.name = "JsonValueTypeError";
    this.path = path;
  }
}

/** A JavaScript number or structure out of the range the document model accepts. */
export class JsonValueRangeError extends RangeError {
  /** Stable machine-readable code, the same for every instance: `"json_value_range_error"`. */
  readonly code: "json_value_range_error" = "json_value_range_error";
  /** Where the value is, from the root given to {@linkcode toJsonValue}. */
  readonly path: string;

  /**
   * Creates a {@linkcode JsonValueRangeError}.
   *
   * @param reason What is out of range, in sentence case.
   * @param path Where the value is.
   */
  constructor(reason: string, path: string) {
    super(`${reason} at ${path}`);
    this.name = "JsonValueRangeError";
    this.path = path;
  }
}

/** Options of {@linkcode canonicalJson}. */
export interface CanonicalJsonOptions {
  /**
   * Called for each key that equals an earlier key of the same object after NFC normalization,
   * with the object's path (`$.obj`) and the key after NFC. The later value is kept, as the
   * Python reference does; throw from the callback to refuse such input instead.
   */
  onNfcCollision?: (path: string, key: string) => void;
}

/** Result of {@linkcode canonicalJsonNode}. */
export interface NodeCanonicalJson {
  /** The bytes the upstream Node SDK hashes. */
  bytes: Uint8Array;
  /** Why these bytes differ from the Spine v1 canonical form; empty when they do not. */
  divergences: string[];
}

/** Deepest nesting the serializer and converter accept (also stops cycles). */
const MAX_DEPTH = 1000;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const encoder = new TextEncoder();

/**
 * Serializes a value of the document model in the Spine v1 canonical form.
 *
 * Strings and keys are NFC-normalized, keys sorted by code point, no whitespace, escaping as
 * Python's `json.dumps(ensure_ascii=False)`; numbers must be plain integers (any size, written
 * as in the source; `-0` becomes `0`).
 *
 * @param value The value, typically a record's payload from `parseJson`.
 * @param opts `onNfcCollision` to learn about keys merged by NFC normalization.
 * @returns The canonical bytes (UTF-8).
 * @throws {CanonicalJsonError} For a non-integer number, a string or key with a lone surrogate,
 *   a value that is not of the model, or nesting deeper than 1000 levels.
 * @example Canonicalize a payload
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJson } from "./canonical_json.ts";
 * import { parseJsonText } from "./json_parse.ts";
 *
 * const payload = parseJsonText('{"z": 1, "name": "cafe\\u0301", "a": [true, null]}');
 * const bytes = canonicalJson(payload);
 * assert.deepEqual(new TextDecoder().decode(bytes), '{"a":[true,null],"name":"café","z":1}');
 * ```
 */
export function canonicalJson(value: JsonValue, opts: CanonicalJsonOptions = {}): Uint8Array {
  const writer = new Writer(false, opts.onNfcCollision);
  writer.value(value, 0);
  return encoder.encode(writer.out);
}

/**
 * Computes what the upstream Node SDK hashes for a value read from a log, and why that differs
 * from the Spine v1 form: keys sorted by UTF-16 code units, an own `__proto__` key dropped,
 * numbers as JavaScript prints them after `JSON.parse` (`1e+21`, big integers rounded), lone
 * surrogates escaped as `\udxxx`. Use only to diagnose Node-written logs.
 *
 * @param value The value, typically a record's payload from `parseJson`.
 * @returns The bytes and the list of divergences (empty when the bytes equal `canonicalJson`'s).
 * @throws {CanonicalJsonError} Where the Node SDK throws too (a number with a fraction or out of
 *   the float64 range), for a value that is not of the model, or nesting deeper than 1000.
 * @example Explain a Node-written hash
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJsonNode } from "./canonical_json.ts";
 * import { parseJsonText } from "./json_parse.ts";
 *
 * const { bytes, divergences } = canonicalJsonNode(parseJsonText('{"k":{"｡":1,"😀":2}}'));
 * assert.deepEqual(new TextDecoder().decode(bytes), '{"k":{"😀":2,"｡":1}}');
 * assert.deepEqual(divergences, ["keys at $.k sorted by UTF-16 code units"]);
 * ```
 */
export function canonicalJsonNode(value: JsonValue): NodeCanonicalJson {
  const writer = new Writer(true, undefined);
  writer.value(value, 0);
  return { bytes: encoder.encode(writer.out), divergences: writer.divergences };
}

/**
 * Compares two strings by Unicode code point (the order of Python's `sorted`, and of their UTF-8
 * bytes), not by UTF-16 code unit as `Array.prototype.sort` does.
 *
 * @param a A well-formed string.
 * @param b A well-formed string.
 * @returns Negative, zero or positive, as `a` sorts before, equal to or after `b`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareCodePoints } from "./canonical_json.ts";
 *
 * assert.ok(compareCodePoints("\uff61", "😀") < 0); // U+FF61 before U+1F600
 * assert.ok("\uff61" > "😀"); // while UTF-16 order puts the emoji first
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800-DFFF) encode code points above FFFF: move them above E000-FFFF.
      return rank(x) - rank(y);
    }
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  return unit < 0xd800 ? unit : unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Every character below U+0300 is NFC-stable and combines with nothing (quick-check Yes). */
function isNfcTrivial(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x300) return false;
  return true;
}

class Writer {
  out = "";
  readonly divergences: string[] = [];
  /** Path segments from the root to the value being written (built into text only on demand). */
  readonly segs: (string | number)[] = [];

  constructor(
    readonly node: boolean,
    readonly onNfcCollision: ((path: string, key: string) => void) | undefined,
  ) {}

  value(v: JsonValue, depth: number): void {
    if (typeof v === "string") this.out += this.quote(v);
    else if (v === null) this.out += "null";
    else if (v === true) this.out += "true";
    else if (v === false) this.out += "false";
    else if (v instanceof JsonNumber) this.out += this.number(v);
    else if (Array.isArray(v)) this.array(v, depth + 1);
    else if (v instanceof Map) this.object(v, depth + 1);
    else {
      throw new CanonicalJsonError(
        `Unsupported value of type ${describeType(v)} (convert it with toJsonValue)`,
        this.path(),
      );
    }
  }

  /** Quotes a string value (NFC-normalized; the last segment of `segs` locates it). */
  quote(s: string): string {
    // JSON.stringify escapes exactly as json.dumps(ensure_ascii=False) for well-formed strings:
    // \" \\ \b \f \n \r \t, other controls as lowercase \u00xx, all else raw (U+007F, U+2028).
    // For lone surrogates it writes lowercase \udxxx, as the Node SDK does.
    return JSON.stringify(isNfcTrivial(s) ? s : this.normalize(s));
  }

  /** NFC-normalizes a string or key that has a character at or above U+0300. */
  normalize(s: string): string {
    if (!s.isWellFormed()) {
      if (!this.node) {
        throw new CanonicalJsonError(
          "Lone surrogate cannot be encoded as UTF-8 in canonical JSON",
          this.path(),
        );
      }
      this.divergences.push(`lone surrogate at ${this.path()}`);
    }
    return s.normalize("NFC");
  }

  number(n: JsonNumber): string {
    const text = n.text;
    const integer = n.isInteger;
    if (!this.node) {
      if (integer) return text === "-0" ? "0" : text;
      const reason = JSON_NUMBER.test(text)
        ? "Float values are not allowed in canonical JSON"
        : "Invalid number text";
      throw new CanonicalJsonError(reason, this.path(), clip(text));
    }
    // The Node SDK reads the line with JSON.parse (float64), refuses non-finite and fractional
    // values, and prints the rest with String(). For lines Node wrote with JSON.stringify this
    // is the source text.
    const x = Number(text);
    if (!Number.isFinite(x) || !JSON_NUMBER.test(text)) {
      throw new CanonicalJsonError("Invalid number for the Node SDK", this.path(), clip(text));
    }
    if (!Number.isInteger(x)) {
      throw new CanonicalJsonError(
        "Float values are not allowed by the Node SDK",
        this.path(),
        clip(text),
      );
    }
    const printed = String(x);
    if (!integer) {
      const shown = printed === text ? "" : ` (the Node SDK hashes ${printed})`;
      this.divergences.push(
        `number ${clip(text)} at ${this.path()} is not a plain integer${shown}`,
      );
    } else if (printed !== (text === "-0" ? "0" : text)) {
      this.divergences.push(`number ${clip(text)} at ${this.path()} read by Node as ${printed}`);
    }
    return printed;
  }

  array(a: JsonValue[], depth: number): void {
    if (depth > MAX_DEPTH) throw this.tooDeep();
    this.out += "[";
    const segs = this.segs;
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.out += ",";
      segs.push(i);
      this.value(a[i], depth);
      segs.pop();
    }
    this.out += "]";
  }

  object(map: JsonObject, depth: number): void {
    if (depth > MAX_DEPTH) throw this.tooDeep();
    // Keys after NFC -> [source key, value]. Only built when some key is not trivially NFC,
    // since only then can two keys collide; a repeated key keeps its place and the LAST value,
    // as Python's dict comprehension does.
    let entries: Map<string, [string, JsonValue]> | undefined;
    for (const key of map.keys()) {
      if (!isNfcTrivial(key)) {
        entries = this.normalizeKeys(map);
        break;
      }
    }
    const keys = Array.from(entries ? entries.keys() : map.keys());
    if (this.node) {
      const proto = keys.indexOf("__proto__");
      if (proto !== -1) {
        this.dropProto(
          keys,
          proto,
          entries ? entries.get("__proto__")![1] : map.get("__proto__")!,
          depth,
        );
      }
      keys.sort(); // UTF-16 code units, as the Node SDK does
      for (let i = 1; i < keys.length; i++) {
        if (compareCodePoints(keys[i - 1], keys[i]) > 0) {
          this.divergences.push(`keys at ${this.path()} sorted by UTF-16 code units`);
          break;
        }
      }
    } else {
      keys.sort(compareCodePoints);
    }
    const segs = this.segs;
    this.out += "{";
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const entry = entries?.get(key);
      segs.push(entry ? entry[0] : key);
      this.out += (i > 0 ? "," : "") + JSON.stringify(key) + ":"; // keys are NFC already
      this.value(entry ? entry[1] : map.get(key)!, depth);
      segs.pop();
    }
    this.out += "}";
  }

  normalizeKeys(map: JsonObject): Map<string, [string, JsonValue]> {
    const entries = new Map<string, [string, JsonValue]>();
    for (const [key, value] of map) {
      let nfc = key;
      if (!isNfcTrivial(key)) {
        this.segs.push(key); // a lone surrogate is reported at the key's path
        nfc = this.normalize(key);
        this.segs.pop();
      }
      if (entries.has(nfc)) this.onNfcCollision?.(this.path(), nfc);
      entries.set(nfc, [key, value]);
    }
    return entries;
  }

  /** `result["__proto__"] = v` sets the prototype: the key vanishes, its value is still checked. */
  dropProto(keys: string[], index: number, value: JsonValue, depth: number): void {
    keys.splice(index, 1);
    this.divergences.push(`key "__proto__" at ${this.path()} dropped`);
    const out = this.out;
    const count = this.divergences.length;
    this.segs.push("__proto__");
    this.value(value, depth);
    this.segs.pop();
    this.out = out;
    this.divergences.length = count;
  }

  tooDeep(): CanonicalJsonError {
    return new CanonicalJsonError(
      `Nesting deeper than ${MAX_DEPTH} levels (or a cycle)`,
      this.path(),
    );
  }

  path(): string {
    return formatPath("$", this.segs);
  }
}

const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatPath(root: string, segs: readonly (string | number)[]): string {
  let path = root;
  for (const seg of segs) {
    if (typeof seg === "number") path += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) path += `.${seg}`;
    else path += `[${JSON.stringify(clip(seg))}]`;
  }
  return path;
}

function clip(text: string): string {
  return text.length > 64 ? text.slice(0, 64) + "…" : text;
}

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  return Object.getPrototypeOf(v)?.constructor?.name ?? "Object";
}

/**
 * Converts an ordinary JavaScript value (from a library caller) into the document model, so
 * that it can be canonicalized: plain objects become `Map`s, integers become `JsonNumber`s.
 *
 * Accepted: `null`, booleans, strings, safe integers (`Number.isSafeInteger`), bigints within
 * ±(2^53−1), `JsonNumber`s holding a plain integer, arrays without holes, and plain objects
 * (prototype `Object.prototype` or `null`) without symbol keys. An own `__proto__` key is kept
 * as an ordinary key.
 *
 * @param input The value to convert.
 * @param path How to name the root in error messages; default `$`.
 * @returns The value in the document model.
 * @throws {JsonValueTypeError} For floats, NaN, Infinity, `undefined`, functions, symbols,
 *   symbol keys, array holes, class instances (Date, Map, ...) and circular references.
 * @throws {JsonValueRangeError} For unsafe integers, bigints beyond ±(2^53−1), and nesting
 *   deeper than 1000 levels.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toJsonValue } from "./canonical_json.ts";
 * import { JsonNumber } from "./json_value.ts";
 *
 * assert.deepEqual(toJsonValue({ n: 7, tags: ["a"] }), new Map<string, unknown>([
 *   ["n", new JsonNumber("7")],
 *   ["tags", ["a"]],
 * ]));
 * assert.throws(() => toJsonValue({ price: 1.5 }, "payload"), {
 *   name: "JsonValueTypeError",
 *   message: "Float values are not allowed: 1.5 at payload.price",
 * });
 * ```
 */
export function toJsonValue(input: unknown, path = "$"): JsonValue {
  return convert(input, path, [], new Set(), 0);
}

function convert(
  v: unknown,
  root: string,
  segs: (string | number)[],
  ancestors: Set<object>,
  depth: number,
): JsonValue {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      if (Number.isSafeInteger(v)) return new JsonNumber(String(v)); // -0 -> "0"
      if (Number.isInteger(v)) {
        throw new JsonValueRangeError(
          `Integer ${v} is outside ±(2^53−1) and cannot be written exactly`,
          formatPath(root, segs),
        );
      }
      throw new JsonValueTypeError(
        Number.isFinite(v) ? `Float values are not allowed: ${v}` : `${v} is not a JSON number`,
        formatPath(root, segs),
      );
    case "bigint":
      if (v >= -MAX_SAFE && v <= MAX_SAFE) return new JsonNumber(v.toString());
      throw new JsonValueRangeError(
        `Integer ${clip(v.toString())} is outside ±(2^53−1)`,
        formatPath(root, segs),
      );
    case "object": {
      if (v === null) return null;
      if (v instanceof JsonNumber) {
        if (v.isInteger) return v;
        throw new JsonValueTypeError(
          `Float values are not allowed: ${clip(v.text)}`,
          formatPath(root, segs),
        );
      }
      if (ancestors.has(v)) {
        throw new JsonValueTypeError("Circular reference", formatPath(root, segs));
      }
      if (depth >= MAX_DEPTH) {
        throw new JsonValueRangeError(
          `Nesting deeper than ${MAX_DEPTH} levels`,
          formatPath(root, segs),
        );
      }
      ancestors.add(v);
      const result = Array.isArray(v)
        ? convertArray(v, root, segs, ancestors, depth + 1)
        : convertObject(v, root, segs, ancestors, depth + 1);
      ancestors.delete(v);
      return result;
    }
    default:
      throw new JsonValueTypeError(`Unsupported value of type ${typeof v}`, formatPath(root, segs));
  }
}

function convertArray(
  a: unknown[],
  root: string,
  segs: (string | number)[],
  ancestors: Set<object>,
  depth: number,
): JsonValue[] {
  const out: JsonValue[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) {
    segs.push(i);
    if (!(i in a)) throw new JsonValueTypeError("Array hole", formatPath(root, segs));
    out[i] = convert(a[i], root, segs, ancestors, depth);
    segs.pop();
  }
  return out;
}

function convertObject(
  o: object,
  root: string,
  segs: (string | number)[],
  ancestors: Set<object>,
  depth: number,
): JsonObject {
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) {
    throw new JsonValueTypeError(
      `Unsupported object of class ${describeType(o)} (only plain objects and arrays)`,
      formatPath(root, segs),
    );
  }
  if (Object.getOwnPropertySymbols(o).length > 0) {
    throw new JsonValueTypeError("Symbol keys are not allowed", formatPath(root, segs));
  }
  const map: JsonObject = new Map();
  const record = o as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    segs.push(key);
    map.set(key, convert(record[key], root, segs, ancestors, depth));
    segs.pop();
  }
  return map;
}
