/**
 * The per-line half of verification: everything that depends on one line alone (steps 1 to 5, 9
 * and 10 of `spec/verification.md`). Pure and synchronous, so it runs on any thread; the
 * sequential half (chain, sequence, time, trust: steps 6 to 8 and 11) is `ChainVerifier`'s.
 *
 * @module
 */

import { sha256 } from "../deps/noble_hashes_sha2.ts";
import { canonicalJson, canonicalJsonNode } from "../format/canonical_json.ts";
import { blake3Hex, entryHash, HASH_HEX, toHex } from "../format/hashes.ts";
import { parseJson } from "../format/json_parse.ts";
import { isJsonObject, type JsonValue } from "../format/json_value.ts";
import { timestampToNanos } from "../format/timestamp.ts";
import { scanCanonicalRecord } from "./_fast_record.ts";
import { parseRedactionMarker, type RedactionMarker } from "../format/redaction.ts";
import { asInteger, payloadString, type RecordFields, recordFields } from "./record_fields.ts";
import type { ErrorType, WarningType } from "./report.ts";

/** A finding of the per-line checks; `offset` is its step's place among the record's findings. */
export interface LineFinding {
  offset: number;
  error: boolean;
  type: ErrorType | WarningType;
  seq: bigint | null;
  details: string;
}

/** What the per-line checks learned about one line. */
export interface LineAnalysis {
  /** Findings in the order the checks made them. */
  findings: LineFinding[];
  /** The record's sequence number; null when the line is not counted as a record. */
  seq: bigint | null;
  /** `prev_hash` when it is well-formed. */
  prevHash?: string;
  /** The timestamp in nanoseconds, when valid. */
  ts?: bigint;
  /** How a timestamp regression names this record's timestamp, e.g. `ts_client "2026-…"`. */
  tsLabel: string;
  /** `stream_id` when it is a string. */
  streamId?: string;
  /** Recomputed entry hash, or "" when a field it needs is unusable. */
  entry: string;
  /** `public_key` when it is a string. */
  publicKeyText?: string;
  /** `key_id` when it is a string. */
  keyId?: string;
  /** `sig_client` when it is 128 lowercase hex. */
  sigHex?: string;
  /** Why the signature cannot be checked at all (absent or malformed), when so. */
  sigProblem?: string;
  /** A trust record's type and payload, applied once its signature verifies. */
  trustType?: "key_rotation" | "key_revocation";
  payload?: JsonValue;
  /** A payload replaced by a redaction marker, checked at the end against trusted keys. */
  redaction?: { marker: RedactionMarker; payloadHash: string };
}

/** Offsets of each step within a record (findings sort by record, then by this). */
export const STEP = {
  parse: 0,
  version: 1,
  hashAlg: 2,
  hashFormat: 3,
  timestamp: 4,
  sequence: 5,
  chain: 6,
  time: 7,
  stream: 8,
  payload: 9,
  signature: 10,
  trust: 11,
} as const;

const SIG_HEX = /^[0-9a-f]{128}$/;
const decoder = new TextDecoder();

/**
 * Runs the per-line checks of one non-blank line within the size cap.
 *
 * @param bytes The line without its LF.
 * @returns What was found; the caller applies the sequential checks.
 */
export function analyzeLine(bytes: Uint8Array): LineAnalysis {
  const fast = scanCanonicalRecord(bytes);
  if (fast !== undefined) {
    // Steps 1 to 5 and 9 hold by construction of the fast scan (see _fast_record.ts).
    const digest = fast.hashAlg === "sha256" ? toHex(sha256(fast.payloadBytes)) : blake3Hex(
      fast.payloadBytes,
    );
    if (digest === fast.payloadHash) {
      let ts: bigint | undefined;
      try {
        ts = timestampToNanos(fast.ts);
      } catch {
        ts = undefined;
      }
      if (ts !== undefined) {
        const seq = BigInt(fast.seq);
        return {
          findings: [],
          seq,
          prevHash: fast.prevHash,
          ts,
          tsLabel: `ts_client ${show(fast.ts)}`,
          streamId: fast.streamId,
          entry: entryHash(seq, ts, fast.prevHash, fast.payloadHash),
          publicKeyText: fast.publicKey,
          keyId: fast.keyId,
          sigHex: fast.sig,
        };
      }
    }
  }
  return analyzeLineStrict(bytes);
}

/**
 * The per-line checks without the fast path (for tests that compare the two).
 *
 * @param bytes The line without its LF.
 * @returns What was found.
 */
export function analyzeLineStrict(bytes: Uint8Array): LineAnalysis {
  const findings: LineFinding[] = [];
  const out: LineAnalysis = { findings, seq: null, tsLabel: "", entry: "" };
  const error = (offset: number, type: ErrorType, seq: bigint | null, details: string) =>
    findings.push({ offset, error: true, type, seq, details });
  // Step 1: the line must be a JSON object.
  let f: RecordFields;
  try {
    const doc = parseJson(bytes);
    if (!isJsonObject(doc)) throw new SyntaxError("line is not a JSON object");
    f = recordFields(doc);
  } catch (e) {
    error(STEP.parse, "parse_error", null, `cannot parse record: ${(e as Error).message}`);
    return out;
  }
  // Step 2: required fields and their types.
  const seq = asInteger(f.seq);
  if (seq === undefined) {
    error(
      STEP.parse,
      "parse_error",
      null,
      f.seq === undefined ? "record has no seq" : "seq is not an unsigned 64-bit integer",
    );
    return out;
  }
  const missing = [["prev_hash", f.prevHash], ["ts_client", f.ts], ["payload", f.payload], [
    "payload_hash",
    f.payloadHash,
  ]]
    .filter(([, v]) => v === undefined).map(([n]) => n);
  if (missing.length > 0) {
    error(STEP.parse, "parse_error", seq, `record lacks ${missing.join(", ")}`);
    return out;
  }
  out.seq = seq;
  // Step 3: format version and hash algorithm.
  if (f.formatVersion !== undefined && asInteger(f.formatVersion) !== 1n) {
    error(
      STEP.version,
      "unsupported_version",
      seq,
      `format_version ${show(f.formatVersion)} is not 1`,
    );
  }
  const hashAlg = f.hashAlg === undefined ? "blake3" : f.hashAlg;
  if (hashAlg !== "blake3" && hashAlg !== "sha256") {
    error(
      STEP.hashAlg,
      "unsupported_hash_alg",
      seq,
      `hash_alg ${show(hashAlg)} is neither blake3 nor sha256`,
    );
  }
  // Step 4: hash formats.
  const prevHash = typeof f.prevHash === "string" && HASH_HEX.test(f.prevHash)
    ? f.prevHash
    : undefined;
  const storedPayloadHash = typeof f.payloadHash === "string" && HASH_HEX.test(f.payloadHash)
    ? f.payloadHash
    : undefined;
  if (prevHash === undefined) {
    error(
      STEP.hashFormat,
      "invalid_hash_format",
      seq,
      `prev_hash ${show(f.prevHash)} is not 64 lowercase hex characters`,
    );
  }
  if (storedPayloadHash === undefined) {
    error(
      STEP.hashFormat,
      "invalid_hash_format",
      seq,
      `payload_hash ${show(f.payloadHash)} is not 64 lowercase hex characters`,
    );
  }
  out.prevHash = prevHash;
  // Step 5: timestamp.
  let ts: bigint | undefined;
  try {
    ts = typeof f.ts === "string" && f.tsField !== "ts_ns" && f.tsField !== "timestamp_ns"
      ? timestampToNanos(f.ts)
      : asInteger(f.ts, -(2n ** 63n), 2n ** 63n - 1n);
    if (ts === undefined) {
      throw new RangeError(
        `${f.tsField} ${show(f.ts)} is neither RFC 3339 text nor integer nanoseconds`,
      );
    }
  } catch (e) {
    error(STEP.timestamp, "invalid_timestamp", seq, (e as Error).message);
  }
  out.ts = ts;
  out.tsLabel = `${f.tsField} ${show(f.ts)}`;
  if (typeof f.streamId === "string") out.streamId = f.streamId;
  // Step 9: payload hash.
  if (storedPayloadHash !== undefined && (hashAlg === "blake3" || hashAlg === "sha256")) {
    const marker = checkPayload(findings, f.payload!, storedPayloadHash, hashAlg, seq);
    if (marker !== undefined) out.redaction = { marker, payloadHash: storedPayloadHash };
  }
  // Step 10: entry hash; the chain continues from this record's own recomputed entry hash.
  out.entry = prevHash !== undefined && storedPayloadHash !== undefined && ts !== undefined
    ? entryHash(seq, ts, prevHash, storedPayloadHash)
    : "";
  // Step 11 (its per-line part): the signature's shape and the key the record names.
  if (typeof f.publicKey === "string") out.publicKeyText = f.publicKey;
  if (typeof f.keyId === "string") out.keyId = f.keyId;
  if (f.sigClient === undefined) out.sigProblem = "record has no sig_client";
  else if (typeof f.sigClient !== "string" || !SIG_HEX.test(f.sigClient)) {
    out.sigProblem = "sig_client is not 128 lowercase hex characters";
  } else out.sigHex = f.sigClient;
  const type = payloadString(f.payload, "type");
  if (type === "key_rotation" || type === "key_revocation") {
    out.trustType = type;
    out.payload = f.payload;
  }
  return out;
}

/** Step 9; returns the redaction marker a mismatching payload was replaced by, if any. */
function checkPayload(
  findings: LineFinding[],
  payload: JsonValue,
  stored: string,
  hashAlg: "blake3" | "sha256",
  seq: bigint,
): RedactionMarker | undefined {
  const at = STEP.payload;
  const digest = hashAlg === "blake3" ? blake3Hex : (b: Uint8Array) => toHex(sha256(b));
  let specError: string | undefined;
  try {
    const collisions: string[] = [];
    const bytes = canonicalJson(payload, {
      onNfcCollision: (path, key) => collisions.push(`${path} key ${JSON.stringify(key)}`),
    });
    for (const c of collisions) {
      findings.push({
        offset: at,
        error: false,
        type: "nfc_key_collision",
        seq,
        details: `keys equal after NFC at ${c}: the last one is hashed`,
      });
    }
    if (digest(bytes) === stored) return undefined;
  } catch (e) {
    specError = (e as Error).message;
  }
  // A redaction keeps payload_hash and replaces the payload: judged at the end of the log.
  const marker = parseRedactionMarker(payload);
  if (marker !== undefined) return marker;
  // The Spine v1 form does not match: is this what the upstream Node SDK computed?
  const node = canonicalJsonNode(payload);
  if (node.divergences.length > 0 && digest(node.bytes) === stored) {
    const dropped = node.divergences.filter((d) => d.includes("__proto__"));
    if (dropped.length > 0) {
      findings.push({
        offset: at,
        error: true,
        type: "invalid_hash",
        seq,
        details: `payload_hash matches only the Node SDK form, which ignores content: ${
          dropped.join("; ")
        }`,
      });
    } else {
      findings.push({
        offset: at,
        error: false,
        type: "node_canonicalization",
        seq,
        details: `payload_hash matches the upstream Node SDK's canonical form, not Spine v1's: ${
          node.divergences.join("; ")
        }`,
      });
    }
    return undefined;
  }
  findings.push({
    offset: at,
    error: true,
    type: "invalid_hash",
    seq,
    details: specError === undefined
      ? `payload_hash ${stored} does not match the payload`
      : `payload cannot be canonicalized: ${specError}`,
  });
  return undefined;
}

/**
 * Shows a field's value in a finding: strings quoted (clipped at 80 characters), numbers as
 * written.
 *
 * @param v The value, or undefined when absent.
 * @returns The text.
 */
export function show(v: JsonValue | undefined): string {
  if (v === undefined) return "(missing)";
  if (typeof v === "string") return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (v !== null && typeof v === "object" && "text" in v) return v.text;
  return decoder.decode(
    new TextEncoder().encode(JSON.stringify(v instanceof Map ? "(object)" : v)),
  );
}
