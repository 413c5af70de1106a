/**
 * Serializes one Spine v1 record as the line this writer appends: compact JSON (no spaces, as
 * the upstream Node SDK writes), the upstream field order, the payload as its canonical bytes
 * (so the stored payload text is exactly the hashed text), LF-terminated.
 *
 * @module
 */

/** The fields of a record, in the order they are written. */
export interface RecordFieldsToWrite {
  eventId: string;
  streamId: string;
  seq: bigint;
  prevHash: string;
  tsClient: string;
  /** `canonical_json(payload)`. */
  payload: Uint8Array;
  payloadHash: string;
  sigClient: string;
  keyId: string;
  publicKey: string;
}

const encoder = new TextEncoder();

/**
 * Encodes a record line:
 * `{"format_version":1,"event_id":…,"stream_id":…,"seq":…,"prev_hash":…,"ts_client":…,`
 * `"payload":<canonical>,"payload_hash":…,"hash_alg":"blake3","sig_client":…,"key_id":…,`
 * `"public_key":…}` and LF.
 *
 * @param r The fields.
 * @returns The UTF-8 bytes of the line, LF included.
 * @example
 * ```ts
 * import { encodeRecordLine } from "./record_line.ts";
 * const line = encodeRecordLine({
 *   eventId: "evt_x", streamId: "stream_0", seq: 1n, prevHash: "0".repeat(64),
 *   tsClient: "2026-01-01T00:00:00.000000+00:00", payload: new TextEncoder().encode('{"a":1}'),
 *   payloadHash: "1".repeat(64), sigClient: "2".repeat(128), keyId: "kid_0", publicKey: "3".repeat(64),
 * });
 * console.assert(new TextDecoder().decode(line).startsWith('{"format_version":1,"event_id":"evt_x"'));
 * ```
 */
export function encodeRecordLine(r: RecordFieldsToWrite): Uint8Array {
  const head = encoder.encode(
    `{"format_version":1,"event_id":${JSON.stringify(r.eventId)},"stream_id":${
      JSON.stringify(r.streamId)
    },` +
      `"seq":${r.seq},"prev_hash":${JSON.stringify(r.prevHash)},"ts_client":${
        JSON.stringify(r.tsClient)
      },` +
      `"payload":`,
  );
  const tail = encoder.encode(
    `,"payload_hash":${JSON.stringify(r.payloadHash)},"hash_alg":"blake3","sig_client":${
      JSON.stringify(r.sigClient)
    },` +
      `"key_id":${JSON.stringify(r.keyId)},"public_key":${JSON.stringify(r.publicKey)}}\n`,
  );
  const out = new Uint8Array(head.length + r.payload.length + tail.length);
  out.set(head);
  out.set(r.payload, head.length);
  out.set(tail, head.length + r.payload.length);
  return out;
}
