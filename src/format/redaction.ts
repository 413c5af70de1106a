/**
 * Redaction markers: what replaces an erased payload (e.g. a GDPR erasure).
 *
 * The record keeps its `payload_hash`, so its entry hash, the chain, its signature and its Merkle
 * leaf stay valid; the payload becomes
 *
 * ```json
 * {"spine_redaction":{"v":1,"reason":"…","redacted_at":"…","key_id":"kid_…","public_key":"<hex>","sig":"<hex>"}}
 * ```
 *
 * where `sig = Ed25519(key, "spine.redaction/v1\n" || entry_hash || "\n" || payload_hash || "\n"
 * || redacted_at || "\n" || reason)` (UTF-8). Verifiers accept it, as the warning `redacted`, only
 * when a trusted key signed it; anything else stays `invalid_hash`.
 *
 * @module
 */

import { isJsonObject, JsonNumber, type JsonObject, type JsonValue } from "./json_value.ts";

/** The payload key that marks a redaction. */
export const REDACTION_KEY = "spine_redaction";

/** The fields of a redaction marker. */
export interface RedactionMarker {
  reason: string;
  /** RFC 3339 time of the redaction. */
  redactedAt: string;
  keyId: string;
  /** Hex public key of the redacting key. */
  publicKey: string;
  /** Hex Ed25519 signature. */
  sig: string;
}

const FIELDS = ["v", "reason", "redacted_at", "key_id", "public_key", "sig"];

/**
 * The message a redaction signature covers.
 *
 * @param entryHash The record's entry hash (hex).
 * @param payloadHash The record's `payload_hash` (hex).
 * @param redactedAt RFC 3339 time of the redaction.
 * @param reason Why the payload was erased.
 * @returns The UTF-8 bytes to sign.
 * @example
 * ```ts
 * import { redactionMessage } from "./redaction.ts";
 * const m = new TextDecoder().decode(redactionMessage("aa", "bb", "t", "r"));
 * console.assert(m === "spine.redaction/v1\naa\nbb\nt\nr");
 * ```
 */
export function redactionMessage(
  entryHash: string,
  payloadHash: string,
  redactedAt: string,
  reason: string,
): Uint8Array {
  return new TextEncoder().encode(
    `spine.redaction/v1\n${entryHash}\n${payloadHash}\n${redactedAt}\n${reason}`,
  );
}

/**
 * Builds the payload that replaces an erased one.
 *
 * @param marker The marker fields.
 * @returns The payload, in the document model.
 * @example
 * ```ts
 * import { redactionPayload, parseRedactionMarker } from "./redaction.ts";
 * const m = { reason: "r", redactedAt: "t", keyId: "kid_0", publicKey: "00", sig: "11" };
 * console.assert(parseRedactionMarker(redactionPayload(m))?.reason === "r");
 * ```
 */
export function redactionPayload(marker: RedactionMarker): JsonObject {
  return new Map<string, JsonValue>([[
    REDACTION_KEY,
    new Map<string, JsonValue>([
      ["v", new JsonNumber("1")],
      ["reason", marker.reason],
      ["redacted_at", marker.redactedAt],
      ["key_id", marker.keyId],
      ["public_key", marker.publicKey],
      ["sig", marker.sig],
    ]),
  ]]);
}

/**
 * Reads a payload as a redaction marker, if it is exactly one.
 *
 * @param payload A record's payload.
 * @returns The marker, or undefined when the payload is anything else.
 * @example
 * ```ts
 * import { parseRedactionMarker } from "./redaction.ts";
 * console.assert(parseRedactionMarker(new Map([["a", "b"]])) === undefined);
 * ```
 */
export function parseRedactionMarker(payload: JsonValue | undefined): RedactionMarker | undefined {
  if (!isJsonObject(payload) || payload.size !== 1) return undefined;
  const m = payload.get(REDACTION_KEY);
  if (!isJsonObject(m) || m.size !== FIELDS.length || !FIELDS.every((f) => m.has(f))) {
    return undefined;
  }
  const v = m.get("v");
  if (!(v instanceof JsonNumber) || v.text !== "1") return undefined;
  const [reason, redactedAt, keyId, publicKey, sig] = [
    "reason",
    "redacted_at",
    "key_id",
    "public_key",
    "sig",
  ].map((f) => m.get(f));
  if (![reason, redactedAt, keyId, publicKey, sig].every((x) => typeof x === "string")) {
    return undefined;
  }
  return {
    reason: reason as string,
    redactedAt: redactedAt as string,
    keyId: keyId as string,
    publicKey: publicKey as string,
    sig: sig as string,
  };
}
