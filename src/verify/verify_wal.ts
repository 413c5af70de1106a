/**
 * Verifies a whole WAL directory: every segment in order, then the side files that can be
 * cross-checked against the log. Never writes to the directory.
 *
 * @module
 */

import { parseJson } from "../format/json_parse.ts";
import { isJsonObject } from "../format/json_value.ts";
import { ioReason, WalError } from "../wal/errors.ts";
import { DEFAULT_MAX_LINE_BYTES, readLines } from "../wal/line_reader.ts";
import { listSegments } from "../wal/segments.ts";
import { ChainVerifier, type VerifyOptions } from "./chain_verifier.ts";
import { asInteger } from "./record_fields.ts";
import type { VerifyReport } from "./report.ts";

/** Options of a directory verification. */
export interface VerifyWalOptions extends VerifyOptions {
  /** Cap on one line's size in bytes (default 4 MiB). */
  maxLineBytes?: number;
}

/**
 * Verifies the Spine v1 log in a directory.
 *
 * @param dir The WAL directory.
 * @param options Trust, expected root, strictness.
 * @returns The report; integrity problems are findings in it.
 * @throws {WalError} If the directory is missing, not a directory, unreadable, or holds no segment.
 * @example
 * ```ts ignore
 * import { verifyWal } from "./verify_wal.ts";
 * const report = await verifyWal("./audit_log", {});
 * console.log(report.valid);
 * ```
 */
export async function verifyWal(
  dir: string,
  options: VerifyWalOptions = {},
): Promise<VerifyReport> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (e) {
    throw new WalError(`Cannot read WAL directory ${dir}: ${ioReason(e)}`, { cause: e });
  }
  if (!info.isDirectory) throw new WalError(`WAL path ${dir} is not a directory`);
  let names: string[];
  try {
    names = await listSegments(dir);
  } catch (e) {
    throw new WalError(`Cannot list WAL directory ${dir}: ${ioReason(e)}`, { cause: e });
  }
  if (names.length === 0) {
    throw new WalError(`WAL directory ${dir} holds no segment file (*.jsonl or *.wal)`);
  }
  const verifier = new ChainVerifier(options);
  const ordered = await orderBySequence(dir, names, verifier);
  for (const name of ordered) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(`${dir}/${name}`, { read: true });
    } catch (e) {
      throw new WalError(`Cannot open segment ${dir}/${name}: ${ioReason(e)}`, { cause: e });
    }
    try {
      for await (
        const line of readLines(file.readable, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)
      ) {
        await verifier.add({ ...line, file: name });
        if (verifier.stopped) break;
      }
    } catch (e) {
      throw new WalError(`Cannot read segment ${dir}/${name}: ${ioReason(e)}`, { cause: e });
    } finally {
      try {
        file.close();
      } catch { /* already closed by the stream */ }
    }
    if (verifier.stopped) break;
  }
  if (!verifier.stopped) await crossCheckChainState(dir, verifier);
  return await verifier.finish(ordered);
}

/**
 * Orders segments by the sequence number of their first record when that differs from file-name
 * order (a warning: upstream tools read in name order).
 */
async function orderBySequence(
  dir: string,
  names: string[],
  verifier: ChainVerifier,
): Promise<string[]> {
  if (names.length < 2) return names;
  const firsts = new Map<string, bigint>();
  for (const name of names) {
    const seq = await firstSequence(`${dir}/${name}`);
    if (seq !== undefined) firsts.set(name, seq);
  }
  if (firsts.size !== names.length) return names;
  const bySeq = [...names].sort((
    a,
    b,
  ) => (firsts.get(a)! < firsts.get(b)! ? -1 : firsts.get(a)! > firsts.get(b)! ? 1 : 0));
  if (bySeq.every((n, i) => n === names[i])) return names;
  verifier.addWarning(
    "segment_order",
    `segment file names do not sort in sequence order; read in sequence order: ${bySeq.join(", ")}`,
  );
  return bySeq;
}

async function firstSequence(path: string): Promise<bigint | undefined> {
  const file = await Deno.open(path, { read: true });
  try {
    for await (const line of readLines(file.readable, 1 << 20)) {
      try {
        const doc = parseJson(line.bytes);
        return isJsonObject(doc) ? asInteger(doc.get("seq") ?? doc.get("sequence")) : undefined;
      } catch {
        return undefined;
      }
    }
    return undefined;
  } finally {
    try {
      file.close();
    } catch { /* closed by the stream */ }
  }
}

/** `chain_state.json` is a cache; when it disagrees with the log, say so (it may reveal a cut tail). */
async function crossCheckChainState(dir: string, verifier: ChainVerifier): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/chain_state.json`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw new WalError(`Cannot read ${dir}/chain_state.json: ${ioReason(e)}`, { cause: e });
  }
  let seq: bigint | undefined;
  let prev: unknown;
  try {
    const doc = parseJson(new TextEncoder().encode(text));
    if (isJsonObject(doc)) {
      seq = asInteger(doc.get("seq"));
      prev = doc.get("prev_hash");
    }
  } catch {
    // Unreadable cache: reported below as a mismatch.
  }
  const head = verifier.head;
  let details: string | undefined;
  if (seq === undefined || typeof prev !== "string") {
    details = "chain_state.json is not a valid state file";
  } else if (head === null || seq !== head.seq || prev !== head.entryHash) {
    details = `chain_state.json says seq ${seq} with head ${prev}, the log ends at seq ${
      head?.seq ?? "(none)"
    } with head ${head?.entryHash ?? "(none)"}`;
    if (head === null || seq > head.seq) details += ": records may have been removed from the tail";
  }
  if (details !== undefined) {
    verifier.addWarning("chain_state_mismatch", details, { file: "chain_state.json" });
  }
}
