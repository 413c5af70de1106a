/**
 * Redaction (e.g. GDPR erasure): replace one record's payload by a signed marker, keeping its
 * `payload_hash`, with a crash-safe rewrite of its segment.
 *
 * Durability order: (1) under the WAL lock, write the new segment to a temporary file beside it;
 * (2) fsync it; (3) rename it over the segment (atomic: a crash leaves the old or the new file,
 * never a mix); (4) fsync the directory so the rename survives a power loss.
 *
 * @module
 */

import type { SigningKey } from "../crypto/keys.ts";
import { canonicalJson } from "../format/canonical_json.ts";
import { entryHash, payloadHash, toHex } from "../format/hashes.ts";
import { parseJson } from "../format/json_parse.ts";
import { isJsonObject, JsonNumber, type JsonObject, type JsonValue } from "../format/json_value.ts";
import {
  parseRedactionMarker,
  type RedactionMarker,
  redactionMessage,
  redactionPayload,
} from "../format/redaction.ts";
import { nanosToTimestamp, timestampToNanos } from "../format/timestamp.ts";
import { syncDir, writeAll } from "./durable.ts";
import { ioReason, WalError } from "./errors.ts";
import { readLines } from "./line_reader.ts";
import { WalLock } from "./lock.ts";
import { listSegments } from "./segments.ts";

/** What a redaction did. */
export interface Redaction {
  seq: number;
  file: string;
  line: number;
  marker: RedactionMarker;
}

const encoder = new TextEncoder();

/**
 * Redacts the payload of the record with sequence number `seq`.
 *
 * @param dir The WAL directory.
 * @param seq The record's sequence number.
 * @param reason Why (kept in the marker, signed).
 * @param key The key that signs the redaction (a key verifiers trust).
 * @param now Clock in nanoseconds (default: system clock).
 * @returns Where and what was redacted.
 * @throws {WalError} If the record is missing, already redacted, does not verify, or I/O fails.
 * @throws {RangeError} If the reason is empty or over 1,000 characters.
 * @example
 * ```ts ignore
 * import { redactRecord } from "./redact.ts";
 * await redactRecord("./audit_log", 42, "GDPR erasure request 2026-118", key);
 * ```
 */
export async function redactRecord(
  dir: string,
  seq: number,
  reason: string,
  key: SigningKey,
  now: () => bigint = () => BigInt(Date.now()) * 1_000_000n,
): Promise<Redaction> {
  if (reason.trim() === "" || reason.length > 1000) {
    throw new RangeError("The reason must be 1 to 1,000 characters");
  }
  let lock: WalLock;
  try {
    lock = await WalLock.open(dir);
  } catch (e) {
    throw new WalError(`Cannot lock WAL ${dir}: ${ioReason(e)}`, { cause: e });
  }
  try {
    return await lock.hold(async () => {
      const found = await findRecord(dir, seq);
      const record = parseJson(found.bytes) as JsonObject;
      const payload = record.get("payload");
      const storedHash = record.get("payload_hash");
      const prev = record.get("prev_hash");
      const ts = record.get("ts_client");
      if (
        typeof storedHash !== "string" || typeof prev !== "string" || typeof ts !== "string" ||
        payload === undefined
      ) {
        throw new WalError(
          `Record seq ${seq} lacks the fields a redaction keeps (payload_hash, prev_hash, ts_client)`,
        );
      }
      if (parseRedactionMarker(payload) !== undefined) {
        throw new WalError(`Record seq ${seq} is already redacted`);
      }
      if (payloadHash(payload) !== storedHash) {
        throw new WalError(
          `Record seq ${seq}'s payload does not match its payload_hash: refusing to redact a record that does not verify`,
        );
      }
      const ns = now();
      const redactedAt = nanosToTimestamp(ns - (((ns % 1000n) + 1000n) % 1000n));
      const entry = entryHash(BigInt(seq), timestampToNanos(ts), prev, storedHash);
      const sig = toHex(await key.sign(redactionMessage(entry, storedHash, redactedAt, reason)));
      const marker: RedactionMarker = {
        reason,
        redactedAt,
        keyId: key.keyId,
        publicKey: key.publicKey.hex,
        sig,
      };
      const newLine = replacePayload(found.bytes, record, redactionPayload(marker));
      await rewriteLine(dir, found.file, found.offset, found.bytes.length, newLine);
      return { seq, file: found.file, line: found.line, marker };
    });
  } finally {
    lock.close();
  }
}

interface Found {
  file: string;
  line: number;
  offset: number;
  bytes: Uint8Array;
}

async function findRecord(dir: string, seq: number): Promise<Found> {
  for (const name of await listSegments(dir)) {
    const file = await Deno.open(`${dir}/${name}`, { read: true });
    for await (const line of readLines(file.readable)) {
      if (!line.terminated || line.oversizedLength !== undefined) continue;
      let doc: JsonValue;
      try {
        doc = parseJson(line.bytes);
      } catch {
        continue;
      }
      const s = isJsonObject(doc) ? doc.get("seq") : undefined;
      if (s instanceof JsonNumber && s.text === String(seq)) {
        return { file: name, line: line.line, offset: line.offset, bytes: line.bytes.slice() };
      }
    }
  }
  throw new WalError(`No record with seq ${seq} in ${dir}`);
}

/**
 * The line with its payload replaced: spliced in place when the stored payload text is its
 * canonical form (every line this writer wrote), else the whole record re-encoded canonically.
 */
function replacePayload(line: Uint8Array, record: JsonObject, newPayload: JsonObject): Uint8Array {
  const old = encoder.encode(
    `"payload":${new TextDecoder().decode(canonicalJson(record.get("payload")!))},"payload_hash"`,
  );
  const at = indexOf(line, old);
  const replacement = encoder.encode(
    `"payload":${new TextDecoder().decode(canonicalJson(newPayload))},"payload_hash"`,
  );
  if (at >= 0 && indexOf(line, old, at + 1) < 0) {
    const out = new Uint8Array(line.length - old.length + replacement.length);
    out.set(line.subarray(0, at));
    out.set(replacement, at);
    out.set(line.subarray(at + old.length), at + replacement.length);
    return out;
  }
  const copy: JsonObject = new Map(record);
  copy.set("payload", newPayload);
  return canonicalJson(copy);
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Crash-safe rewrite of one line of a segment (see the module doc for the order). */
async function rewriteLine(
  dir: string,
  name: string,
  offset: number,
  length: number,
  line: Uint8Array,
): Promise<void> {
  const path = `${dir}/${name}`;
  const tmp = `${dir}/.${name}.redact-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;
  try {
    const src = await Deno.readFile(path);
    const out = await Deno.open(tmp, { write: true, createNew: true, mode: 0o644 });
    try {
      // Step 1: the new content, beside the old.
      await writeAll(out, src.subarray(0, offset));
      await writeAll(out, line);
      await writeAll(out, src.subarray(offset + length));
      // Step 2: on disk before its name can replace the segment.
      await out.sync();
    } finally {
      out.close();
    }
    // Step 3: atomic replacement; Step 4: the rename itself made durable.
    await Deno.rename(tmp, path);
    await syncDir(dir);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new WalError(`Cannot rewrite segment ${path}: ${ioReason(e)}`, { cause: e });
  }
}
