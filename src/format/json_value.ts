/**
 * The JSON document model used everywhere a record or payload is parsed.
 *
 * Numbers keep their exact source text (so integers of any size hash exactly and are never
 * round-tripped through float64); objects are `Map`s in source order (so `__proto__` is an
 * ordinary key and duplicate detection is explicit).
 *
 * @module
 */

/** A JSON number, kept as the exact text it had in the source. */
export class JsonNumber {
  /**
   * @param text The number exactly as written in the source, e.g. `"18446744073709551616"`.
   */
  constructor(readonly text: string) {}

  /** Whether the text is a plain JSON integer (no fraction, no exponent). */
  get isInteger(): boolean {
    return /^-?(0|[1-9][0-9]*)$/.test(this.text);
  }
}

/** A JSON object: keys in source order. Keys are the decoded strings (escapes resolved). */
export type JsonObject = Map<string, JsonValue>;

/** Any JSON value in the document model. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

/**
 * Tells whether a value of the model is an object.
 *
 * @param value Any value of the model.
 * @returns `true` for objects.
 */
export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return value instanceof Map;
}
