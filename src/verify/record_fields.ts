/**
 * Reads a Spine v1 record's fields out of a parsed line, accepting the upstream aliases.
 *
 * @module
 */

import { isJsonObject, JsonNumber, type JsonObject, type JsonValue } from "../format/json_value.ts";

/** The fields of a record the verifier uses, under their canonical names. */
export interface RecordFields {
  formatVersion: JsonValue | undefined;
  eventId: JsonValue | undefined;
  streamId: JsonValue | undefined;
  seq: JsonValue | undefined;
  prevHash: JsonValue | undefined;
  ts: JsonValue | undefined;
  /** Which field held the timestamp (`ts_client`, or an alias). */
  tsField: string;
  payload: JsonValue | undefined;
  payloadHash: JsonValue | undefined;
  hashAlg: JsonValue | undefined;
  sigClient: JsonValue | undefined;
  keyId: JsonValue | undefined;
  publicKey: JsonValue | undefined;
}

const ALIASES: Record<string, string[]> = {
  seq: ["seq", "sequence"],
  prev_hash: ["prev_hash", "previous_hash", "prev"],
  ts_client: ["ts_client", "ts", "timestamp", "ts_ns", "timestamp_ns"],
  payload_hash: ["payload_hash", "hash", "event_hash"],
  sig_client: ["sig_client", "sig", "signature"],
  public_key: ["public_key", "pubkey", "pk"],
};

/** Thrown when a record names one field twice (canonical name and alias). */
export class RecordShapeError extends SyntaxError {
  /** Stable machine-readable code, the same for every instance: `"record_shape_error"`. */
  readonly code: "record_shape_error" = "record_shape_error";
  /**
   * @param message What is wrong with the record's shape.
   */
  constructor(message: string) {
    super(message);
    this.name = "RecordShapeError";
  }
}

function pick(obj: JsonObject, canonical: string): [JsonValue | undefined, string] {
  let found: [JsonValue | undefined, string] = [undefined, canonical];
  for (const name of ALIASES[canonical]) {
    const v = obj.get(name);
    if (v === undefined) continue;
    if (found[0] !== undefined) {
      throw new RecordShapeError(`Record has both ${found[1]} and its alias ${name}`);
    }
    found = [v, name];
  }
  return found;
}

/**
 * Extracts the record fields from a parsed line.
 *
 * @param obj The parsed line.
 * @returns The fields, `undefined` where absent.
 * @throws {RecordShapeError} If a field appears under two names.
 * @example
 * ```ts
 * import { recordFields } from "./record_fields.ts";
 * const f = recordFields(new Map([["sequence", "x"]]));
 * console.assert(f.seq === "x");
 * ```
 */
export function recordFields(obj: JsonObject): RecordFields {
  const [ts, tsField] = pick(obj, "ts_client");
  return {
    formatVersion: obj.get("format_version"),
    eventId: obj.get("event_id"),
    streamId: obj.get("stream_id"),
    seq: pick(obj, "seq")[0],
    prevHash: pick(obj, "prev_hash")[0],
    ts,
    tsField,
    payload: obj.get("payload"),
    payloadHash: pick(obj, "payload_hash")[0],
    hashAlg: obj.get("hash_alg"),
    sigClient: pick(obj, "sig_client")[0],
    keyId: obj.get("key_id"),
    publicKey: pick(obj, "public_key")[0],
  };
}

const U64_MAX = 2n ** 64n - 1n;

/**
 * Reads a JSON integer as a bigint within [min, max].
 *
 * @param v A value of the model.
 * @param min Smallest allowed value.
 * @param max Largest allowed value.
 * @returns The integer, or undefined if `v` is not such an integer.
 */
export function asInteger(v: JsonValue | undefined, min = 0n, max = U64_MAX): bigint | undefined {
  if (!(v instanceof JsonNumber) || !v.isInteger) return undefined;
  const n = BigInt(v.text);
  return n < min || n > max ? undefined : n;
}

/**
 * Reads a string field of a payload object, if present.
 *
 * @param payload A payload value.
 * @param key The key.
 * @returns The string, or undefined.
 */
export function payloadString(payload: JsonValue | undefined, key: string): string | undefined {
  if (!isJsonObject(payload)) return undefined;
  const v = payload.get(key);
  return typeof v === "string" ? v : undefined;
}
