/**
 * Ed25519 witness cosignatures, c2sp.org/tlog-cosignature `cosignature/v1`: a note signature
 * over `cosignature/v1\ntime <seconds>\n` followed by the checkpoint body, carrying the key ID
 * (type byte 0x04), an 8-byte big-endian timestamp and the 64-byte signature.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosign, verifyCosignature } from "./cosignature.ts";
 * import { formatCheckpoint } from "./checkpoint.ts";
 * import { parseNote, formatNote } from "./note.ts";
 * const keys = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as CryptoKeyPair;
 * const pub = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
 * const signer = async (m: Uint8Array<ArrayBuffer>) =>
 *   new Uint8Array(await crypto.subtle.sign("Ed25519", keys.privateKey, m));
 * const body = formatCheckpoint({ origin: "example.com/log", size: 1, root: new Uint8Array(32) });
 * const sig = await cosign(body, "witness.example", 1700000000, signer, pub);
 * const result = await verifyCosignature(parseNote(formatNote(body, [sig])), "witness.example", pub);
 * assert.ok(result.valid && result.timestamp === 1700000000);
 * ```
 *
 * @module
 */

import { concatBytes, utf8 } from "./_bytes.ts";
import { parseCheckpoint } from "./checkpoint.ts";
import {
  type Ed25519Signer,
  ed25519Verify,
  type Note,
  noteKeyId,
  type NoteSignature,
  SIG_TYPE_COSIGNATURE_V1,
} from "./note.ts";

const TIMESTAMP_SIZE = 8;
const SIGNATURE_SIZE = 64;

/** Outcome of {@link verifyCosignature}. */
export type CosignatureVerification =
  | { valid: true; timestamp: number }
  | {
    valid: false;
    reason: "no_signature" | "malformed_signature" | "bad_signature" | "not_a_checkpoint";
  };

/**
 * The message a cosigner signs: `cosignature/v1\ntime <timestamp>\n` followed by the body.
 *
 * @param checkpointBody Checkpoint note body (validated with `parseCheckpoint`).
 * @param timestamp POSIX seconds, a safe non-negative integer.
 * @returns The UTF-8 message bytes.
 * @throws {RangeError} If the timestamp is invalid.
 * @throws {CheckpointSyntaxError} If the body is not a valid checkpoint.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosignatureMessage } from "./cosignature.ts";
 * const body = "example.com/log\n0\n" + "A".repeat(43) + "=\n";
 * const msg = new TextDecoder().decode(cosignatureMessage(body, 5));
 * assert.ok(msg.startsWith("cosignature/v1\ntime 5\nexample.com/log\n"));
 * ```
 */
export function cosignatureMessage(checkpointBody: string, timestamp: number): Uint8Array {
  assertTimestamp(timestamp);
  parseCheckpoint(checkpointBody);
  return utf8(`cosignature/v1\ntime ${timestamp}\n${checkpointBody}`);
}

/**
 * Cosigns a checkpoint with an injected Ed25519 signer. The result is checked against
 * `publicKey` before it is returned.
 *
 * @param checkpointBody Checkpoint note body.
 * @param name Cosigner key name.
 * @param timestamp POSIX seconds of signing (pass a fixed clock in tests).
 * @param signer Produces a 64-byte Ed25519 signature over the message.
 * @param publicKey Cosigner's 32-byte Ed25519 public key.
 * @returns Signature line data for `formatNote`: key ID (type 0x04) and timestamp || signature.
 * @throws {RangeError} If the timestamp is invalid.
 * @throws {TypeError} If the name or key is malformed.
 * @throws {CheckpointSyntaxError} If the body is not a valid checkpoint.
 * @throws {Error} If the signer's output does not verify under `publicKey`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosign } from "./cosignature.ts";
 * const keys = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as CryptoKeyPair;
 * const pub = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
 * const body = "example.com/log\n0\n" + "A".repeat(43) + "=\n";
 * const sig = await cosign(body, "w", 1, async (m) =>
 *   new Uint8Array(await crypto.subtle.sign("Ed25519", keys.privateKey, m)), pub);
 * assert.ok(sig.signature.length === 72);
 * ```
 */
export async function cosign(
  checkpointBody: string,
  name: string,
  timestamp: number,
  signer: Ed25519Signer,
  publicKey: Uint8Array,
): Promise<NoteSignature> {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new TypeError("Ed25519 public key must be a 32-byte Uint8Array");
  }
  const keyId = noteKeyId(name, publicKey, SIG_TYPE_COSIGNATURE_V1);
  const message = cosignatureMessage(checkpointBody, timestamp);
  const sig = await signer(message.slice());
  if (!(await ed25519Verify(publicKey, sig, message))) {
    throw new Error(`Signer output does not verify under the cosigner key for ${name}`);
  }
  const ts = new Uint8Array(TIMESTAMP_SIZE);
  new DataView(ts.buffer).setBigUint64(0, BigInt(timestamp), false);
  return { name, keyId, signature: concatBytes(ts, sig) };
}

/**
 * Verifies the cosignature of a given cosigner on a checkpoint note. Lines with another name or
 * key ID are ignored; if several lines match, all must verify and the latest timestamp is
 * returned.
 *
 * @param note Parsed note whose body is a checkpoint.
 * @param name Trusted cosigner name.
 * @param publicKey Trusted 32-byte Ed25519 cosigner public key.
 * @returns `{valid: true, timestamp}` or `{valid: false, reason}`.
 * @throws {TypeError} If the name or public key is malformed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyCosignature } from "./cosignature.ts";
 * import { parseNote } from "./note.ts";
 * const note = parseNote("example.com/log\n0\n" + "A".repeat(43) + "=\n\n\u2014 w AAAAAAE=\n");
 * const r = await verifyCosignature(note, "w", new Uint8Array(32));
 * assert.ok(!r.valid && r.reason === "no_signature");
 * ```
 */
export async function verifyCosignature(
  note: Note,
  name: string,
  publicKey: Uint8Array,
): Promise<CosignatureVerification> {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new TypeError("Ed25519 public key must be a 32-byte Uint8Array");
  }
  const keyId = noteKeyId(name, publicKey, SIG_TYPE_COSIGNATURE_V1);
  const matching = note.signatures.filter((s) => s.name === name && s.keyId === keyId);
  if (matching.length === 0) return { valid: false, reason: "no_signature" };
  try {
    parseCheckpoint(note.body);
  } catch {
    return { valid: false, reason: "not_a_checkpoint" };
  }
  let latest = -1;
  for (const sig of matching) {
    if (sig.signature.length !== TIMESTAMP_SIZE + SIGNATURE_SIZE) {
      return { valid: false, reason: "malformed_signature" };
    }
    const view = new DataView(sig.signature.buffer, sig.signature.byteOffset, TIMESTAMP_SIZE);
    const ts = view.getBigUint64(0, false);
    if (ts > BigInt(Number.MAX_SAFE_INTEGER)) {
      return { valid: false, reason: "malformed_signature" };
    }
    const timestamp = Number(ts);
    const message = utf8(`cosignature/v1\ntime ${timestamp}\n${note.body}`);
    if (!(await ed25519Verify(publicKey, sig.signature.subarray(TIMESTAMP_SIZE), message))) {
      return { valid: false, reason: "bad_signature" };
    }
    latest = Math.max(latest, timestamp);
  }
  return { valid: true, timestamp: latest };
}

function assertTimestamp(timestamp: number): void {
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`Timestamp ${timestamp} is not a safe non-negative integer`);
  }
}
