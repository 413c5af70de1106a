/**
 * Payload admission: what a writer accepts as an event payload, and its canonical bytes.
 *
 * A payload must be a JSON object whose numbers are integers within ±(2^53−1) (the range every
 * upstream SDK reproduces exactly), whose strings and keys are well-formed Unicode (no lone
 * surrogates), with no two keys of one object equal after NFC, and whose canonical form is at
 * most a size cap (default 1 MiB). Anything else is refused with the field's path; nothing
 * refused is ever written.
 *
 * @module
 */

import { canonicalJson, toJsonValue } from "../format/canonical_json.ts";
import { blake3Hex } from "../format/hashes.ts";
import { parseJson } from "../format/json_parse.ts";
import { JsonNumber, type JsonValue } from "../format/json_value.ts";
import { canonicalizeSimple } from "./_simple_payload.ts";

/** Default cap on a payload's canonical size: 1 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A payload the writer refuses; `path` locates the offending value (`$.a[2]`). */
export class PayloadError extends TypeError {
  /** Stable machine-readable code, the same for every instance: `"payload_error"`. */
  readonly code: "payload_error" = "payload_error";
  /** Where the offending value is, from the payload root `$`. */
  readonly path: string;

  /**
   * Creates a {@linkcode PayloadError}.
   *
   * @param message What is wrong, naming the path.
   * @param path Where the offending value is.
   */
  constructor(message: string, path: string) {
    super(message);
    this.name = "PayloadError";
    this.path = path;
  }
}

/** A payload ready to be written: its model value, canonical bytes and hash. */
export interface PreparedPayload {
  /**
   * The payload in the document model (from `parsePayload`, possibly parsed from `canonical` on
   * first access: then its keys are in canonical order).
   */
  readonly value: JsonValue;
  /** `canonical_json(payload)`: also the exact text stored in the record line. */
  canonical: Uint8Array;
  /** `hex(BLAKE3(canonical))`. */
  hash: string;
}

/**
 * Validates a payload and computes its canonical bytes and hash.
 *
 * @param input A plain JavaScript object (integers as safe numbers or bigints) or a document-model
 *   object (`Map`, with `JsonNumber`s), e.g. from `parseJson`.
 * @param maxBytes Cap on the canonical size (default 1 MiB).
 * @returns The prepared payload.
 * @throws {PayloadError} If the payload is not an object, holds a float, an integer outside
 *   ±(2^53−1), a lone surrogate, NFC-colliding keys, an unsupported value, or is too large.
 * @example
 * ```ts
 * import { preparePayload } from "./payload.ts";
 * const p = preparePayload({ event_type: "login", user: "alice", attempt: 2 });
 * console.assert(new TextDecoder().decode(p.canonical) === '{"attempt":2,"event_type":"login","user":"alice"}');
 * ```
 */
export function preparePayload(
  input: unknown,
  maxBytes: number = DEFAULT_MAX_PAYLOAD_BYTES,
): PreparedPayload {
  let value: JsonValue;
  if (input instanceof Map) {
    value = input as JsonValue;
  } else if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    try {
      value = toJsonValue(input, "$");
    } catch (e) {
      throw new PayloadError(
        `Payload refused: ${(e as Error).message}`,
        (e as { path?: string }).path ?? "$",
      );
    }
  } else {
    throw new PayloadError(`Payload must be a JSON object, got ${describe(input)}`, "$");
  }
  check(value, [], 0);
  let canonical: Uint8Array;
  try {
    canonical = canonicalJson(value, {
      onNfcCollision: (path, key) => {
        throw new PayloadError(
          `Payload refused: two keys equal ${
            JSON.stringify(key)
          } after NFC normalization at ${path}`,
          path,
        );
      },
    });
  } catch (e) {
    if (e instanceof PayloadError) throw e;
    throw new PayloadError(
      `Payload refused: ${(e as Error).message}`,
      (e as { path?: string }).path ?? "$",
    );
  }
  if (canonical.length > maxBytes) {
    throw new PayloadError(
      `Payload refused: its canonical form is ${canonical.length} bytes, over the ${maxBytes}-byte limit`,
      "$",
    );
  }
  return { value, canonical, hash: blake3Hex(canonical) };
}

/**
 * Parses JSON text strictly (duplicate keys, invalid UTF-8 and trailing data refused) and
 * prepares it as a payload.
 *
 * Simple texts (ASCII, no escapes, short integers: most events) are canonicalized straight from
 * their bytes, with the same result (`_simple_payload.ts`); the rest are parsed into the document
 * model and prepared as {@linkcode preparePayload} does.
 *
 * @param text The JSON text, as UTF-8 bytes or a string.
 * @param maxBytes Cap on the canonical size (default 1 MiB).
 * @returns The prepared payload.
 * @throws {import("../format/json_parse.ts").JsonSyntaxError} If the text is not one JSON value.
 * @throws {PayloadError} As {@linkcode preparePayload}.
 * @example
 * ```ts
 * import { parsePayload } from "./payload.ts";
 * console.assert(parsePayload('{"b": 1, "a": true}').hash.length === 64);
 * ```
 */
export function parsePayload(
  text: Uint8Array | string,
  maxBytes: number = DEFAULT_MAX_PAYLOAD_BYTES,
): PreparedPayload {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const canonical = canonicalizeSimple(bytes, maxBytes);
  if (canonical === undefined) return preparePayload(parseJson(bytes), maxBytes);
  return new SimplePayload(canonical, blake3Hex(canonical));
}

/** A payload canonicalized straight from its text: its document model is parsed on demand. */
class SimplePayload implements PreparedPayload {
  readonly canonical: Uint8Array;
  readonly hash: string;
  #value: JsonValue | undefined;

  constructor(canonical: Uint8Array, hash: string) {
    this.canonical = canonical;
    this.hash = hash;
  }

  get value(): JsonValue {
    return this.#value ??= parseJson(this.canonical);
  }
}

/** Path segments from the root to the value being checked (made into text only for an error). */
type Segments = (string | number)[];

function check(v: JsonValue, segs: Segments, depth: number): void {
  if (v === null || typeof v === "boolean") return;
  if (typeof v === "string") {
    if (!v.isWellFormed()) {
      const path = pathOf(segs);
      throw new PayloadError(`Payload refused: lone surrogate in string at ${path}`, path);
    }
    return;
  }
  if (v instanceof JsonNumber) {
    if (!v.isInteger) {
      const path = pathOf(segs);
      throw new PayloadError(
        `Payload refused: float values are not allowed at ${path}: ${clip(v.text)}`,
        path,
      );
    }
    // Up to 15 digits (and a sign) is always within range.
    if (v.text.length > 15) {
      const n = BigInt(v.text);
      if (n > MAX_SAFE || n < -MAX_SAFE) {
        const path = pathOf(segs);
        throw new PayloadError(
          `Payload refused: integer ${clip(v.text)} at ${path} is outside ±(2^53−1)`,
          path,
        );
      }
    }
    return;
  }
  if (depth > 1000) {
    const path = pathOf(segs);
    throw new PayloadError(`Payload refused: nesting deeper than 1000 levels at ${path}`, path);
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      segs.push(i);
      check(v[i], segs, depth + 1);
      segs.pop();
    }
    return;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) {
      segs.push(k);
      if (!k.isWellFormed()) {
        const p = pathOf(segs);
        throw new PayloadError(`Payload refused: lone surrogate in key at ${p}`, p);
      }
      check(x, segs, depth + 1);
      segs.pop();
    }
    return;
  }
  const path = pathOf(segs);
  throw new PayloadError(
    `Payload refused: unsupported value of type ${describe(v)} at ${path}`,
    path,
  );
}

function pathOf(segs: Segments): string {
  let path = "$";
  for (const s of segs) {
    if (typeof s === "number") path += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) path += `.${s}`;
    else path += `[${JSON.stringify(clip(s))}]`;
  }
  return path;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (v instanceof JsonNumber) return "a number";
  return typeof v === "object"
    ? (Object.getPrototypeOf(v)?.constructor?.name ?? "object")
    : typeof v;
}

function clip(text: string): string {
  return text.length > 64 ? text.slice(0, 64) + "…" : text;
}
