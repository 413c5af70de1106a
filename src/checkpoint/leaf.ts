/**
 * The Merkle leaf of a log line (`spec/checkpoint.md`, "Leaf data").
 *
 * A record's leaf binds every field except `payload` and `receipt`: the payload is bound through
 * `payload_hash`, which is what lets a redacted record keep its place in the tree. Lines that are
 * not JSON objects still get a leaf (of their raw bytes), so the tree commits to every complete
 * line of the log.
 *
 * @module
 */

import { canonicalJson } from "../format/canonical_json.ts";
import { parseJson } from "../format/json_parse.ts";
import { isJsonObject, JsonNumber, type JsonObject, type JsonValue } from "../format/json_value.ts";
import { scanCanonicalRecord } from "../verify/_fast_record.ts";
import { leafHash } from "./merkle.ts";

const RECORD_CONTEXT = new TextEncoder().encode("spine.record/v1\n");
const RAW_CONTEXT = new TextEncoder().encode("spine.line/v1\n");

/**
 * The leaf data of a parsed record: `"spine.record/v1\n" || canonical_json(record \ {payload, receipt})`.
 *
 * @param record The parsed record line.
 * @returns The leaf data bytes.
 * @throws {TypeError} If the remaining fields cannot be canonicalized (e.g. a float).
 * @example
 * ```ts
 * import { recordLeafData } from "./leaf.ts";
 * import { parseJsonText } from "../format/json_parse.ts";
 * const data = recordLeafData(parseJsonText('{"seq":1,"payload":{"a":1}}') as Map<string, never>);
 * console.assert(new TextDecoder().decode(data) === 'spine.record/v1\n{"seq":1}');
 * ```
 */
export function recordLeafData(record: JsonObject): Uint8Array {
  const body = simpleLeafBody(record) ?? canonicalLeafBody(record);
  const out = new Uint8Array(RECORD_CONTEXT.length + body.length);
  out.set(RECORD_CONTEXT);
  out.set(body, RECORD_CONTEXT.length);
  return out;
}

function canonicalLeafBody(record: JsonObject): Uint8Array {
  const bound: JsonObject = new Map<string, JsonValue>();
  for (const [k, v] of record) if (k !== "payload" && k !== "receipt") bound.set(k, v);
  return canonicalJson(bound);
}

/** Printable ASCII without `"` and `\`: JSON-quoted as is, NFC-stable, code-point order = JS order. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * The canonical body for the common record (every key and string value plain ASCII, numbers plain
 * integers), built without the general canonicalizer; undefined for anything else. For such
 * records the result is byte for byte `canonical_json` (tested against it on every corpus line).
 */
function simpleLeafBody(record: JsonObject): Uint8Array | undefined {
  const keys: string[] = [];
  for (const [k, v] of record) {
    if (k === "payload" || k === "receipt") continue;
    if (!PLAIN.test(k)) return undefined;
    if (typeof v === "string") {
      if (!PLAIN.test(v)) return undefined;
    } else if (!(v instanceof JsonNumber && v.isInteger && v.text !== "-0")) return undefined;
    keys.push(k);
  }
  // Keys are distinct (the parser refuses duplicates) and ASCII: plain sort is code-point order.
  keys.sort();
  const parts = keys.map((k) => {
    const v = record.get(k)!;
    return typeof v === "string" ? `"${k}":"${v}"` : `"${k}":${(v as JsonNumber).text}`;
  });
  return ENCODER.encode(`{${parts.join(",")}}`);
}

const ENCODER = new TextEncoder();

/**
 * Leaf data (as ASCII text) straight from the bytes of a line in the compact form Spine writers emit (the
 * verifier's fast scan accepts it only when it is valid JSON with known fields, plain ASCII
 * strings and a canonical payload), without building the document model; undefined otherwise.
 */
function fastLeafText(line: Uint8Array): string | undefined {
  const r = scanCanonicalRecord(line);
  if (r === undefined) return undefined;
  // Members in code-point order; strings are plain ASCII, so they quote as they are.
  const parts: string[] = [];
  if (r.eventId !== undefined) parts.push(`"event_id":"${r.eventId}"`);
  if (r.hasVersion) parts.push(`"format_version":1`);
  if (r.hasHashAlg) parts.push(`"hash_alg":"${r.hashAlg}"`);
  if (r.keyId !== undefined) parts.push(`"key_id":"${r.keyId}"`);
  parts.push(`"payload_hash":"${r.payloadHash}"`, `"prev_hash":"${r.prevHash}"`);
  if (r.publicKey !== undefined) parts.push(`"public_key":"${r.publicKey}"`);
  parts.push(`"seq":${r.seq}`, `"sig_client":"${r.sig}"`);
  if (r.streamId !== undefined) parts.push(`"stream_id":"${r.streamId}"`);
  parts.push(`"ts_client":"${r.ts}"`);
  return `spine.record/v1\n{${parts.join(",")}}`;
}

let leafScratch = new Uint8Array(4096);

/**
 * The RFC 6962 leaf hash of one complete log line (without its LF).
 *
 * @param line The line's bytes.
 * @returns SHA-256(0x00 || leaf data), 32 bytes.
 * @example
 * ```ts
 * import { lineLeafHash } from "./leaf.ts";
 * console.assert(lineLeafHash(new TextEncoder().encode("not json")).length === 32);
 * ```
 */
export function lineLeafHash(line: Uint8Array): Uint8Array {
  const fast = fastLeafText(line);
  if (fast !== undefined) {
    // ASCII text encoded into a reused buffer: no allocation per line.
    if (fast.length > leafScratch.length) leafScratch = new Uint8Array(fast.length * 2);
    const { written } = ENCODER.encodeInto(fast, leafScratch);
    return leafHash(leafScratch.subarray(0, written));
  }
  let record: JsonValue | undefined;
  try {
    record = parseJson(line);
  } catch {
    record = undefined;
  }
  if (isJsonObject(record)) {
    try {
      return leafHash(recordLeafData(record));
    } catch {
      // Not canonicalizable: fall back to the raw bytes below.
    }
  }
  const data = new Uint8Array(RAW_CONTEXT.length + line.length);
  data.set(RAW_CONTEXT);
  data.set(line, RAW_CONTEXT.length);
  return leafHash(data);
}
