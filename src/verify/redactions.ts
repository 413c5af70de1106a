/**
 * Redacted records, checked at the end of a verification: a redaction is accepted (as the
 * warning `redacted`) only when a key the verifier trusts signed its marker. It is checked at the
 * end because the redacting key is usually one rotated in after the record.
 *
 * @module
 */

import { type PublicKey, verifySignature } from "../crypto/ed25519.ts";
import { type RedactionMarker, redactionMessage } from "../format/redaction.ts";

/** One redacted record awaiting its check. */
export interface PendingRedaction {
  marker: RedactionMarker;
  seq: bigint;
  entryHash: string;
  payloadHash: string;
  file: string;
  line: number;
  order: number;
}

/** The verdict on one redaction. */
export interface RedactionVerdict {
  pending: PendingRedaction;
  /** True when a trusted key signed the marker. */
  accepted: boolean;
  details: string;
}

/**
 * Checks pending redactions against the keys trusted at the end of the log.
 *
 * @param pending The redacted records seen.
 * @param trusted Keys trusted at the end (pinned, rotated in, not revoked).
 * @returns One verdict per redaction, in input order.
 * @example
 * ```ts
 * import { checkRedactions } from "./redactions.ts";
 * console.assert((await checkRedactions([], [])).length === 0);
 * ```
 */
export async function checkRedactions(
  pending: readonly PendingRedaction[],
  trusted: readonly PublicKey[],
): Promise<RedactionVerdict[]> {
  const out: RedactionVerdict[] = [];
  for (const p of pending) {
    const key = trusted.find((k) => k.hex === p.marker.publicKey);
    const sig = /^[0-9a-f]{128}$/.test(p.marker.sig) ? Uint8Array.fromHex(p.marker.sig) : undefined;
    const message = redactionMessage(
      p.entryHash,
      p.payloadHash,
      p.marker.redactedAt,
      p.marker.reason,
    );
    const accepted = key !== undefined && sig !== undefined &&
      await verifySignature(key, message, sig);
    out.push({
      pending: p,
      accepted,
      details: accepted
        ? `payload redacted at ${p.marker.redactedAt} by ${p.marker.keyId}: ${
          JSON.stringify(p.marker.reason)
        }`
        : `payload replaced by a redaction marker that no trusted key signed (claims ${
          JSON.stringify(p.marker.keyId)
        })`,
    });
  }
  return out;
}
