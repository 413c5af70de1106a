/**
 * Signed checkpoints of a WAL directory: create one, find the stored ones, and check them
 * against the log (signature by a trusted key, size against the log, root against the tree).
 *
 * Checkpoints live in `DIR/checkpoints/checkpoint_<size>_<root prefix>.txt`, one C2SP signed note
 * each. The note's key name is the checkpoint's origin.
 *
 * @module
 */

import type { PublicKey } from "../crypto/ed25519.ts";
import type { SigningKey } from "../crypto/keys.ts";
import { parseJson } from "../format/json_parse.ts";
import { isJsonObject } from "../format/json_value.ts";
import { syncDir, writeFileAtomic } from "../wal/durable.ts";
import { ioReason, WalError } from "../wal/errors.ts";
import { bytesEqual, toHex } from "./_bytes.ts";
import { type Checkpoint, formatCheckpoint, parseCheckpoint } from "./checkpoint.ts";
import { scanLogTree } from "./log_tree.ts";
import { formatNote, type Note, parseNote, signNote, verifyNoteSignature } from "./note.ts";

/** Subdirectory of a WAL holding checkpoint notes. */
export const CHECKPOINT_DIR = "checkpoints";

/** A checkpoint note read from a file. */
export interface StoredCheckpoint {
  /** Where it came from (path). */
  file: string;
  /** The note text, verbatim. */
  text: string;
  note: Note;
  checkpoint: Checkpoint;
}

/**
 * The default origin of a WAL's checkpoints: `spine.local/<stream_id>`, from `stream.meta.json`
 * or else the first record.
 *
 * @param dir The WAL directory.
 * @returns The origin line.
 * @throws {WalError} If no stream id can be found.
 */
export async function defaultOrigin(dir: string): Promise<string> {
  const streamId = await readStreamId(dir);
  if (streamId === undefined) {
    throw new WalError(
      `Cannot name the log: ${dir} has no stream.meta.json with a stream_id; pass --origin NAME`,
    );
  }
  return `spine.local/${streamId}`;
}

async function readStreamId(dir: string): Promise<string | undefined> {
  try {
    const doc = parseJson(await Deno.readFile(`${dir}/stream.meta.json`));
    const id = isJsonObject(doc) ? doc.get("stream_id") : undefined;
    if (typeof id === "string" && /^[\x21-\x7e]+$/.test(id)) return id;
  } catch {
    // Fall through: no usable meta file.
  }
  return undefined;
}

/**
 * Builds the tree of the whole log, signs a checkpoint of it and stores it durably in
 * `DIR/checkpoints/` (temp file, fsync, rename, directory fsync).
 *
 * @param dir The WAL directory.
 * @param key The log's signing key.
 * @param origin The checkpoint origin (see {@linkcode defaultOrigin}).
 * @returns The stored checkpoint.
 * @throws {WalError} If the log cannot be read or the checkpoint cannot be written.
 * @example
 * ```ts ignore
 * import { createCheckpoint, defaultOrigin } from "./log_checkpoint.ts";
 * const cp = await createCheckpoint("./audit_log", key, await defaultOrigin("./audit_log"));
 * console.log(cp.text);
 * ```
 */
export async function createCheckpoint(
  dir: string,
  key: SigningKey,
  origin: string,
): Promise<StoredCheckpoint> {
  const tree = await scanLogTree(dir);
  const body = formatCheckpoint({ origin, size: tree.size, root: tree.root });
  const signature = await signNote(body, origin, (m) => key.sign(m), key.publicKey.bytes);
  const text = formatNote(body, [signature]);
  const cpDir = `${dir}/${CHECKPOINT_DIR}`;
  const name = `checkpoint_${String(tree.size).padStart(12, "0")}_${
    toHex(tree.root).slice(0, 16)
  }.txt`;
  try {
    await Deno.mkdir(cpDir, { recursive: true });
    await syncDir(dir);
    await writeFileAtomic(cpDir, name, new TextEncoder().encode(text));
  } catch (e) {
    throw new WalError(`Cannot write checkpoint ${cpDir}/${name}: ${ioReason(e)}`, { cause: e });
  }
  return {
    file: `${cpDir}/${name}`,
    text,
    note: parseNote(text),
    checkpoint: parseCheckpoint(body),
  };
}

/**
 * Reads one checkpoint note file.
 *
 * @param path The file.
 * @returns The parsed (unverified) checkpoint.
 * @throws {SyntaxError} If the file is not a checkpoint note (a `CheckpointSyntaxError`).
 * @throws {WalError} If it cannot be read.
 */
export async function readCheckpointFile(path: string): Promise<StoredCheckpoint> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new WalError(`Cannot read checkpoint ${path}: ${ioReason(e)}`, { cause: e });
  }
  const note = parseNote(text, { file: path });
  return { file: path, text, note, checkpoint: parseCheckpoint(note.body, { file: path }) };
}

/**
 * Lists the checkpoint files stored in a WAL directory, in name order.
 *
 * @param dir The WAL directory.
 * @returns Paths of `DIR/checkpoints/*.txt`; empty when there is no such directory.
 * @throws {WalError} If the directory exists but cannot be read.
 */
export async function listCheckpointFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(`${dir}/${CHECKPOINT_DIR}`)) {
      if (e.isFile && e.name.endsWith(".txt") && !e.name.startsWith(".")) {
        out.push(`${dir}/${CHECKPOINT_DIR}/${e.name}`);
      }
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw new WalError(`Cannot list ${dir}/${CHECKPOINT_DIR}: ${ioReason(e)}`, { cause: e });
  }
  return out.sort();
}

/**
 * Checks whether a trusted key signed a checkpoint note (key name = the checkpoint's origin).
 *
 * @param stored The checkpoint.
 * @param keys Trusted log keys.
 * @returns The key that signed it, or undefined.
 */
export async function checkpointSigner(
  stored: StoredCheckpoint,
  keys: readonly PublicKey[],
): Promise<PublicKey | undefined> {
  for (const key of keys) {
    if (await verifyNoteSignature(stored.note, stored.checkpoint.origin, key.bytes)) return key;
  }
  return undefined;
}

/** A problem found by {@linkcode checkCheckpoints}. */
export interface CheckpointFinding {
  type: "invalid_checkpoint" | "truncated" | "checkpoint_mismatch";
  file: string;
  details: string;
}

/**
 * Checks checkpoints against the log in one streaming pass over it: each must be signed by a
 * trusted key, commit to no more records than the log holds (`truncated`, naming how many are
 * missing), and have the root of the log's first N leaves (`checkpoint_mismatch`).
 *
 * @param dir The WAL directory.
 * @param checkpoints Checkpoint files (stored and external), or read failures as findings.
 * @param keys Trusted log keys.
 * @returns Findings, and how many checkpoints verified.
 * @throws {WalError} If the log cannot be read.
 */
export async function checkCheckpoints(
  dir: string,
  checkpoints: readonly (StoredCheckpoint | CheckpointFinding)[],
  keys: readonly PublicKey[],
): Promise<{ findings: CheckpointFinding[]; verified: StoredCheckpoint[] }> {
  const findings: CheckpointFinding[] = [];
  const signed: StoredCheckpoint[] = [];
  for (const cp of checkpoints) {
    if ("type" in cp) {
      findings.push(cp);
    } else if (await checkpointSigner(cp, keys) === undefined) {
      findings.push({
        type: "invalid_checkpoint",
        file: cp.file,
        details: `checkpoint of size ${cp.checkpoint.size} is not signed by a trusted key`,
      });
    } else {
      signed.push(cp);
    }
  }
  if (signed.length === 0) return { findings, verified: [] };
  const tree = await scanLogTree(dir, { rootsAt: signed.map((c) => c.checkpoint.size) });
  const verified: StoredCheckpoint[] = [];
  for (const cp of signed) {
    const { size, root } = cp.checkpoint;
    const at = tree.roots.get(size);
    if (size > tree.size) {
      findings.push({
        type: "truncated",
        file: cp.file,
        details: `a signed checkpoint commits to ${size} records but the log holds ${tree.size}: ${
          size - tree.size
        } missing from the tail`,
      });
    } else if (at === undefined || !bytesEqual(at, root)) {
      findings.push({
        type: "checkpoint_mismatch",
        file: cp.file,
        details:
          `the log's first ${size} records do not have the checkpoint's root: a checkpointed record was changed, removed or inserted`,
      });
    } else {
      verified.push(cp);
    }
  }
  return { findings, verified };
}
