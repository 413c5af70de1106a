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

/** The fields every record of one batch shares. */
export interface SharedFieldsToWrite {
  streamId: string;
  keyId: string;
  publicKey: string;
}

/** The fields of one record of a batch, but for its signature. */
export interface LineFieldsToWrite {
  /** `evt_<UUIDv7>` (printable ASCII). */
  eventId: string;
  seq: bigint;
  /** 64 lowercase hex characters. */
  prevHash: string;
  /** `ts_client` text (printable ASCII). */
  tsClient: string;
  /** `canonical_json(payload)`. */
  payload: Uint8Array;
  /** 64 lowercase hex characters. */
  payloadHash: string;
}

/** A batch of encoded record lines whose `sig_client` values are still to be filled in. */
export interface EncodedLines {
  /** The lines, end to end. */
  bytes: Uint8Array;
  /** The end offset (just past the LF) of each line. */
  ends: Uint32Array;
  /** The offset of each line's 128 `sig_client` characters. */
  sigAt: Uint32Array;
}

const SIG_HEX_LENGTH = 128;
const PART_A = encoder.encode(`{"format_version":1,"event_id":"`);
const PART_C = encoder.encode(`,"prev_hash":"`);
const PART_D = encoder.encode(`","ts_client":"`);
const PART_E = encoder.encode(`","payload":`);
const PART_F = encoder.encode(`,"payload_hash":"`);
const PART_G = encoder.encode(`","hash_alg":"blake3","sig_client":"`);
const HEX_DIGITS = encoder.encode("0123456789abcdef");

/**
 * Encodes a batch of record lines into one buffer, byte for byte as
 * {@linkcode encodeRecordLine} would, leaving each `sig_client` to
 * {@linkcode writeSignatures} (so lines can be laid out while the signatures are computed).
 *
 * @param shared The fields every record shares.
 * @param records The records, in order.
 * @returns The lines and where each ends and holds its signature.
 * @throws {TypeError} If an event id, timestamp or hash holds a character JSON would escape, or
 *   a character outside printable ASCII.
 * @example
 * ```ts
 * import { encodeRecordLines, writeSignatures } from "./record_line.ts";
 * const lines = encodeRecordLines({ streamId: "stream_0", keyId: "kid_0", publicKey: "3".repeat(64) }, [{
 *   eventId: "evt_x", seq: 1n, prevHash: "0".repeat(64), tsClient: "2026-01-01T00:00:00.000000+00:00",
 *   payload: new TextEncoder().encode('{"a":1}'), payloadHash: "1".repeat(64),
 * }]);
 * writeSignatures(lines, new Uint8Array(64).fill(0x22));
 * console.assert(new TextDecoder().decode(lines.bytes).includes(`"sig_client":"${"22".repeat(64)}"`));
 * ```
 */
export function encodeRecordLines(
  shared: SharedFieldsToWrite,
  records: readonly LineFieldsToWrite[],
): EncodedLines {
  const partB = encoder.encode(`","stream_id":${JSON.stringify(shared.streamId)},"seq":`);
  const partH = encoder.encode(
    `","key_id":${JSON.stringify(shared.keyId)},"public_key":${
      JSON.stringify(shared.publicKey)
    }}\n`,
  );
  const fixed = PART_A.length + partB.length + PART_C.length + PART_D.length + PART_E.length +
    PART_F.length + PART_G.length + SIG_HEX_LENGTH + partH.length;
  const seqs = new Array<string>(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    seqs[i] = String(r.seq);
    total += fixed + r.eventId.length + seqs[i].length + r.prevHash.length + r.tsClient.length +
      r.payload.length + r.payloadHash.length;
  }
  const bytes = new Uint8Array(total);
  const ends = new Uint32Array(records.length);
  const sigAt = new Uint32Array(records.length);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    bytes.set(PART_A, at);
    at = putAscii(bytes, at + PART_A.length, r.eventId);
    bytes.set(partB, at);
    at = putAscii(bytes, at + partB.length, seqs[i]);
    bytes.set(PART_C, at);
    at = putAscii(bytes, at + PART_C.length, r.prevHash);
    bytes.set(PART_D, at);
    at = putAscii(bytes, at + PART_D.length, r.tsClient);
    bytes.set(PART_E, at);
    bytes.set(r.payload, at + PART_E.length);
    at += PART_E.length + r.payload.length;
    bytes.set(PART_F, at);
    at = putAscii(bytes, at + PART_F.length, r.payloadHash);
    bytes.set(PART_G, at);
    at += PART_G.length;
    sigAt[i] = at;
    at += SIG_HEX_LENGTH;
    bytes.set(partH, at);
    at += partH.length;
    ends[i] = at;
  }
  return { bytes, ends, sigAt };
}

/**
 * Fills in the `sig_client` of every line of a batch: lowercase hex of each 64-byte signature.
 *
 * @param lines The batch from {@linkcode encodeRecordLines}.
 * @param signatures 64 bytes per line, in order.
 * @throws {RangeError} If there are not 64 bytes of signature per line.
 * @example
 * ```ts ignore
 * writeSignatures(lines, await signBatch(key, entryHashesAscii, 64));
 * ```
 */
export function writeSignatures(lines: EncodedLines, signatures: Uint8Array): void {
  if (signatures.length !== lines.sigAt.length * 64) {
    throw new RangeError(
      `${signatures.length} bytes of signature for ${lines.sigAt.length} lines (64 each)`,
    );
  }
  const out = lines.bytes;
  for (let i = 0; i < lines.sigAt.length; i++) {
    let at = lines.sigAt[i];
    for (let j = i * 64, end = j + 64; j < end; j++) {
      const b = signatures[j];
      out[at++] = HEX_DIGITS[b >> 4];
      out[at++] = HEX_DIGITS[b & 15];
    }
  }
}

/** Writes a string that JSON needs no escape for and that is ASCII, one byte per character. */
function putAscii(out: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      throw new TypeError(`Record field ${JSON.stringify(s)} is not plain printable ASCII`);
    }
    out[at + i] = c;
  }
  return at + s.length;
}
