/**
 * Finds the head of a WAL (the last complete record) from the end of the last segment, without
 * scanning the log, moving a torn tail aside first.
 *
 * @module
 */

import { entryHash, HASH_HEX } from "../format/hashes.ts";
import { parseJson } from "../format/json_parse.ts";
import { isJsonObject, JsonNumber } from "../format/json_value.ts";
import { timestampToNanos } from "../format/timestamp.ts";
import { asInteger, payloadString, recordFields } from "../verify/record_fields.ts";
import { ioReason, WalError } from "./errors.ts";
import { type QuarantinedTail, quarantineTornTail } from "./quarantine.ts";
import { listSegments } from "./segments.ts";
import { readSegmentTail } from "./tail.ts";

/** The last complete record of a WAL, as the next append needs it. */
export interface HeadRecord {
  seq: bigint;
  /** The record's recomputed entry hash (the next record's `prev_hash`). */
  entryHash: string;
  /** Its timestamp in nanoseconds (the next one must not be earlier). */
  tsNs: bigint;
  /** Its `stream_id`, if it has one. */
  streamId?: string;
  /** Its payload `type`, if a string (`key_rotation`, `key_revocation`, ...). */
  payloadType?: string;
  /** For a `key_rotation` record: the `new_public_key` text. */
  newPublicKey?: string;
}

/** Where the log ends. */
export interface HeadScan {
  /** The last record, or `null` for an empty log. */
  head: HeadRecord | null;
  /** The greatest segment name (the one appends go to), if any. */
  lastSegment?: string;
  /** Its size after any quarantine. */
  lastSegmentSize: number;
  /** A torn tail moved aside by this scan, if any. */
  quarantined?: QuarantinedTail;
}

/**
 * Reads the head of the WAL in `dir`. Call it while holding the WAL lock: it truncates a torn
 * tail of the last segment (after saving it to a quarantine file).
 *
 * @param dir The WAL directory.
 * @param maxLineBytes Largest record line accepted.
 * @returns The head and the last segment.
 * @throws {WalError} If the directory cannot be read, or the last record cannot be parsed (the
 *   writer refuses to chain onto what it cannot read).
 * @example
 * ```ts ignore
 * import { scanHead } from "./head.ts";
 * const { head } = await scanHead("./audit_log", 4 << 20);
 * console.log(head?.seq);
 * ```
 */
export async function scanHead(dir: string, maxLineBytes: number): Promise<HeadScan> {
  let names: string[];
  try {
    names = await listSegments(dir);
  } catch (e) {
    throw new WalError(`Cannot list WAL directory ${dir}: ${ioReason(e)}`, { cause: e });
  }
  if (names.length === 0) return { head: null, lastSegmentSize: 0 };
  const last = names[names.length - 1];
  let quarantined: QuarantinedTail | undefined;
  let lastSegmentSize = 0;
  for (let i = names.length - 1; i >= 0; i--) {
    const name = names[i];
    let tail;
    try {
      tail = await readSegmentTail(`${dir}/${name}`, maxLineBytes);
    } catch (e) {
      throw new WalError(`Cannot read the end of ${dir}/${name}: ${ioReason(e)}`, { cause: e });
    }
    if (tail.completeEnd < tail.size) {
      if (i !== names.length - 1) {
        throw new WalError(
          `Segment ${dir}/${name} ends with an unterminated line but is not the last segment; refusing to append`,
        );
      }
      try {
        quarantined = await quarantineTornTail(dir, name, tail.completeEnd);
      } catch (e) {
        throw new WalError(`Cannot quarantine the torn tail of ${dir}/${name}: ${ioReason(e)}`, {
          cause: e,
        });
      }
    }
    if (i === names.length - 1) lastSegmentSize = tail.completeEnd;
    if (tail.lastLine !== undefined) {
      const head = parseHead(tail.lastLine, `${dir}/${name}`, tail.lastLineOffset ?? 0);
      return { head, lastSegment: last, lastSegmentSize, quarantined };
    }
  }
  return { head: null, lastSegment: last, lastSegmentSize, quarantined };
}

/**
 * Decodes the fields of a record line the next append depends on.
 *
 * @param line The line without LF.
 * @param file For error messages.
 * @param offset For error messages.
 * @returns The head.
 * @throws {WalError} If the line is not a usable record.
 */
export function parseHead(line: Uint8Array, file: string, offset: number): HeadRecord {
  const fail = (why: string): never => {
    throw new WalError(`Cannot append after the last record of ${file} (byte ${offset}): ${why}`);
  };
  let doc;
  try {
    doc = parseJson(line);
  } catch (e) {
    return fail((e as Error).message);
  }
  if (!isJsonObject(doc)) return fail("it is not a JSON object");
  let f;
  try {
    f = recordFields(doc);
  } catch (e) {
    return fail((e as Error).message);
  }
  const seq = asInteger(f.seq);
  if (seq === undefined || seq < 1n) return fail("it has no valid seq");
  const prev = f.prevHash;
  const ph = f.payloadHash;
  if (typeof prev !== "string" || !HASH_HEX.test(prev)) {
    return fail("prev_hash is not 64 lowercase hex");
  }
  if (typeof ph !== "string" || !HASH_HEX.test(ph)) {
    return fail("payload_hash is not 64 lowercase hex");
  }
  let tsNs: bigint;
  try {
    if (typeof f.ts === "string") tsNs = timestampToNanos(f.ts);
    else if (f.ts instanceof JsonNumber && f.ts.isInteger) tsNs = BigInt(f.ts.text);
    else return fail("it has no usable timestamp");
  } catch (e) {
    return fail((e as Error).message);
  }
  const streamId = typeof f.streamId === "string" ? f.streamId : undefined;
  const payloadType = payloadString(f.payload, "type");
  const newPublicKey = payloadType === "key_rotation"
    ? payloadString(f.payload, "new_public_key")
    : undefined;
  return {
    seq,
    entryHash: entryHash(seq, tsNs, prev, ph),
    tsNs,
    streamId,
    payloadType,
    newPublicKey,
  };
}
