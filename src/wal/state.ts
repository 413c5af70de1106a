/**
 * The two small state files of a WAL directory, with the upstream field names:
 *
 * - `stream.meta.json` `{"stream_id", "created_at", "initial_key_id", "namespace"}`, written once
 *   by `createWal`;
 * - `chain_state.json` `{"stream_id", "seq", "prev_hash", "updated_at"}`, a cache of the head
 *   (`prev_hash` is the head record's entry hash, i.e. the next record's `prev_hash`). The log is
 *   the truth: the writer rebuilds this file from the log whenever it disagrees.
 *
 * Both are replaced atomically (`writeFileAtomic`).
 *
 * @module
 */

import { parseJson } from "../format/json_parse.ts";
import { isJsonObject } from "../format/json_value.ts";
import { asInteger } from "../verify/record_fields.ts";
import { writeFileAtomic } from "./durable.ts";
import { ioReason, WalError } from "./errors.ts";

/** File name of the stream metadata. */
export const META_FILE = "stream.meta.json";
/** File name of the head cache. */
export const CHAIN_STATE_FILE = "chain_state.json";

/** `stream.meta.json`. */
export interface StreamMeta {
  stream_id: string;
  created_at: string;
  initial_key_id: string | null;
  namespace: string;
}

/** `chain_state.json`, decoded. */
export interface ChainState {
  streamId: string;
  seq: bigint;
  /** The head record's entry hash. */
  prevHash: string;
}

const encoder = new TextEncoder();

/**
 * Reads `stream.meta.json`.
 *
 * @param dir The WAL directory.
 * @returns The metadata, or `undefined` if the file does not exist.
 * @throws {WalError} If the file cannot be read or lacks a `stream_id` string.
 * @example
 * ```ts
 * import { readStreamMeta } from "./state.ts";
 * console.assert(await readStreamMeta(await Deno.makeTempDir()) === undefined);
 * ```
 */
export async function readStreamMeta(dir: string): Promise<StreamMeta | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(`${dir}/${META_FILE}`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new WalError(`Cannot read ${dir}/${META_FILE}: ${ioReason(e)}`, { cause: e });
  }
  let doc;
  try {
    doc = parseJson(bytes);
  } catch (e) {
    throw new WalError(`Cannot parse ${dir}/${META_FILE}: ${(e as Error).message}`, { cause: e });
  }
  const streamId = isJsonObject(doc) ? doc.get("stream_id") : undefined;
  if (!isJsonObject(doc) || typeof streamId !== "string") {
    throw new WalError(`${dir}/${META_FILE} has no "stream_id" string`);
  }
  const str = (k: string) => {
    const v = doc.get(k);
    return typeof v === "string" ? v : null;
  };
  return {
    stream_id: streamId,
    created_at: str("created_at") ?? "",
    initial_key_id: str("initial_key_id"),
    namespace: str("namespace") ?? "default",
  };
}

/**
 * Writes `stream.meta.json` atomically.
 *
 * @param dir The WAL directory.
 * @param meta The metadata.
 * @param sync Whether to fsync (default true).
 * @returns Resolves when written.
 * @throws {Error} For I/O failures.
 * @example
 * ```ts
 * import { readStreamMeta, writeStreamMeta } from "./state.ts";
 * const dir = await Deno.makeTempDir();
 * await writeStreamMeta(dir, { stream_id: "stream_00", created_at: "", initial_key_id: null, namespace: "default" });
 * console.assert((await readStreamMeta(dir))?.stream_id === "stream_00");
 * ```
 */
export async function writeStreamMeta(dir: string, meta: StreamMeta, sync = true): Promise<void> {
  await writeFileAtomic(dir, META_FILE, encoder.encode(JSON.stringify(meta, null, 2) + "\n"), {
    sync,
  });
}

/**
 * Reads `chain_state.json`.
 *
 * @param dir The WAL directory.
 * @returns The state; `undefined` if missing; `null` if present but not a valid state file.
 * @throws {WalError} If the file exists but cannot be read.
 * @example
 * ```ts
 * import { readChainState } from "./state.ts";
 * console.assert(await readChainState(await Deno.makeTempDir()) === undefined);
 * ```
 */
export async function readChainState(dir: string): Promise<ChainState | undefined | null> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(`${dir}/${CHAIN_STATE_FILE}`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new WalError(`Cannot read ${dir}/${CHAIN_STATE_FILE}: ${ioReason(e)}`, { cause: e });
  }
  try {
    const doc = parseJson(bytes);
    if (!isJsonObject(doc)) return null;
    const seq = asInteger(doc.get("seq"));
    const prev = doc.get("prev_hash");
    const streamId = doc.get("stream_id");
    if (seq === undefined || typeof prev !== "string" || typeof streamId !== "string") return null;
    return { streamId, seq, prevHash: prev };
  } catch {
    return null;
  }
}

/**
 * Writes `chain_state.json` atomically.
 *
 * @param dir The WAL directory.
 * @param state The head to record.
 * @param updatedAt The `updated_at` timestamp text.
 * @param sync Whether to fsync (default true).
 * @returns Resolves when written.
 * @throws {Error} For I/O failures.
 * @example
 * ```ts
 * import { readChainState, writeChainState } from "./state.ts";
 * const dir = await Deno.makeTempDir();
 * await writeChainState(dir, { streamId: "stream_00", seq: 3n, prevHash: "ab".repeat(32) }, "2026-01-01T00:00:00.000000+00:00");
 * console.assert((await readChainState(dir))?.seq === 3n);
 * ```
 */
export async function writeChainState(
  dir: string,
  state: ChainState,
  updatedAt: string,
  sync = true,
): Promise<void> {
  const text = `{\n  "stream_id": ${
    JSON.stringify(state.streamId)
  },\n  "seq": ${state.seq},\n  "prev_hash": ${JSON.stringify(state.prevHash)},\n  "updated_at": ${
    JSON.stringify(updatedAt)
  }\n}\n`;
  await writeFileAtomic(dir, CHAIN_STATE_FILE, encoder.encode(text), { sync });
}
