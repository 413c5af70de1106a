/**
 * A checkpoint witness: verifies a log's signed checkpoint, checks that it is consistent with the
 * last checkpoint the witness cosigned for that origin, and only then adds its
 * c2sp.org/tlog-cosignature line. State lives in its own directory, one JSON file per origin,
 * replaced atomically under an exclusive lock so two runs cannot both advance it.
 *
 * Decision steps (`spec/checkpoint.md`, "Witnesses"), mirrored in comments below.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosignCheckpoint } from "./witness.ts";
 * import { formatCheckpoint } from "./checkpoint.ts";
 * import { formatNote, signNote } from "./note.ts";
 * import { signingKeyFromSeed } from "../crypto/keys.ts";
 * const log = await signingKeyFromSeed(new Uint8Array(32).fill(1));
 * const witness = await signingKeyFromSeed(new Uint8Array(32).fill(2));
 * const body = formatCheckpoint({ origin: "example.com/log", size: 0, root: new Uint8Array(32) });
 * const sig = await signNote(body, "example.com/log", (m) => log.sign(m), log.publicKey.bytes);
 * const result = await cosignCheckpoint({
 *   stateDir: await Deno.makeTempDir(),
 *   witnessKey: witness,
 *   witnessName: "witness.example",
 *   logKeys: [log.publicKey],
 *   checkpointNote: formatNote(body, [sig]),
 *   now: 1700000000,
 * });
 * assert.ok(result.previous === undefined && result.note.includes("\u2014 witness.example "));
 * ```
 *
 * @module
 */

import { sha256 } from "../deps/noble_hashes_sha2.ts";
import type { PublicKey } from "../crypto/ed25519.ts";
import type { SigningKey } from "../crypto/keys.ts";
import { parseJson } from "../format/json_parse.ts";
import { isJsonObject, JsonNumber, type JsonValue } from "../format/json_value.ts";
import { writeFileAtomic } from "../wal/durable.ts";
import { ioReason } from "../wal/errors.ts";
import { bytesEqual, fromBase64Strict, parseDecimal, toBase64, toHex, utf8 } from "./_bytes.ts";
import { type Checkpoint, parseCheckpoint } from "./checkpoint.ts";
import { parseConsistencyProof } from "./consistency.ts";
import { cosign } from "./cosignature.ts";
import { HASH_SIZE, verifyConsistency } from "./merkle.ts";
import {
  formatNote,
  noteKeyId,
  parseNote,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  type VerifierKey,
  verifyNote,
} from "./note.ts";

/** Name of the lock file in the state directory. */
export const WITNESS_LOCK_FILE = ".lock";

/** Why a witness refused to cosign. */
export type WitnessRefusalReason =
  | "bad_signature"
  | "rollback"
  | "fork"
  | "missing_proof"
  | "bad_proof";

/** The witness refused to cosign a checkpoint; `reason` says why, the message names sizes and roots. */
export class WitnessRefusal extends Error {
  /** Stable machine-readable code, the same for every instance: `"witness_refusal"`. */
  readonly code: "witness_refusal" = "witness_refusal";
  /** Machine-readable reason. */
  readonly reason: WitnessRefusalReason;
  /** The checkpoint's origin. */
  readonly origin: string;

  /**
   * Creates a {@linkcode WitnessRefusal}.
   *
   * @param reason Machine-readable reason.
   * @param origin The checkpoint's origin.
   * @param message What was refused, naming sizes and roots.
   */
  constructor(reason: WitnessRefusalReason, origin: string, message: string) {
    super(message);
    this.name = "WitnessRefusal";
    this.reason = reason;
    this.origin = origin;
  }
}

/** A witness state file cannot be read or is corrupt: never treated as a first sighting. */
export class WitnessStateError extends Error {
  /** Stable machine-readable code, the same for every instance: `"witness_state_error"`. */
  readonly code: "witness_state_error" = "witness_state_error";
  /**
   * Creates a {@linkcode WitnessStateError}.
   *
   * @param message What failed, naming the file.
   * @param options The underlying error, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WitnessStateError";
  }
}

/** The last checkpoint a witness cosigned for one origin. */
export interface WitnessState {
  /** Log origin. */
  origin: string;
  /** Tree size last cosigned. */
  size: number;
  /** 32-byte root last cosigned. */
  root: Uint8Array;
  /** When it was cosigned, RFC 3339 UTC with seconds precision. */
  updatedAt: string;
}

/** Input of {@link cosignCheckpoint}. */
export interface CosignCheckpointOptions {
  /** The witness's state directory (created if missing). */
  stateDir: string;
  /** The witness's signing key. */
  witnessKey: SigningKey;
  /** The witness's key name in signature lines and vkeys. */
  witnessName: string;
  /** Trusted log keys; the key name is the checkpoint's origin. */
  logKeys: readonly PublicKey[];
  /** The log's signed checkpoint note. */
  checkpointNote: string;
  /** Consistency proof file text from the last cosigned size (needed when the tree grew). */
  proof?: string;
  /** Cosignature time in POSIX seconds; default now. */
  now?: number;
}

/** Result of {@link cosignCheckpoint}. */
export interface CosignCheckpointResult {
  /** The checkpoint note with the witness's cosignature line added (other lines kept). */
  note: string;
  /** The checkpoint that was cosigned. */
  checkpoint: Checkpoint;
  /** The previously cosigned size and root; absent on the first sighting of the origin. */
  previous?: { size: number; root: Uint8Array };
}

/**
 * Verifies a checkpoint and cosigns it if it is consistent with what this witness cosigned
 * before for the same origin, then records it as the witness's new state.
 *
 * @param options State directory, witness key and name, trusted log keys, the note, an optional
 * consistency proof and the clock.
 * @returns The cosigned note and the previous state, if any.
 * @throws {WitnessRefusal} With reason `bad_signature` (no valid trusted log signature),
 * `rollback` (smaller than the cosigned size), `fork` (same size with another root, or a proof
 * that does not verify), `missing_proof` (the tree grew and no proof was given) or `bad_proof`
 * (the proof's sizes are not the cosigned and the new size).
 * @throws {CheckpointSyntaxError} If the note, the checkpoint or the proof is malformed.
 * @throws {WitnessStateError} If the state file is unreadable or corrupt, or cannot be written.
 * @throws {TypeError} If the witness name is not a valid key name.
 * @throws {RangeError} If `now` is not a safe non-negative integer.
 * @example
 * ```ts ignore
 * import { cosignCheckpoint, WitnessRefusal } from "./witness.ts";
 * try {
 *   const { note } = await cosignCheckpoint({ stateDir, witnessKey, witnessName, logKeys, checkpointNote, proof });
 *   console.log(note);
 * } catch (e) {
 *   if (e instanceof WitnessRefusal) console.error(`refused (${e.reason}): ${e.message}`);
 * }
 * ```
 */
export async function cosignCheckpoint(
  options: CosignCheckpointOptions,
): Promise<CosignCheckpointResult> {
  const { stateDir, witnessKey, witnessName, logKeys, checkpointNote, proof } = options;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new RangeError(`Time ${now} is not a safe non-negative integer of seconds`);
  }
  const witnessKeyId = noteKeyId(witnessName, witnessKey.publicKey.bytes, SIG_TYPE_COSIGNATURE_V1);
  // Step 1: parse the note and its checkpoint body strictly.
  const note = parseNote(checkpointNote, { file: "checkpoint" });
  const checkpoint = parseCheckpoint(note.body, { file: "checkpoint" });
  const { origin, size, root } = checkpoint;
  // Step 2: require a valid signature by a trusted log key whose name is the origin.
  const keys: VerifierKey[] = logKeys.map((k) => ({
    name: origin,
    type: SIG_TYPE_ED25519,
    publicKey: k.bytes,
    keyId: noteKeyId(origin, k.bytes, SIG_TYPE_ED25519),
  }));
  const verdict = await verifyNote(note, keys);
  if (!verdict.valid) {
    const invalid = verdict.signatures.some((s) => s.status === "invalid");
    throw new WitnessRefusal(
      "bad_signature",
      origin,
      `Checkpoint for ${origin} at size ${size} ${
        invalid
          ? "has an invalid signature by a trusted log key"
          : "has no signature by a trusted log key"
      }`,
    );
  }
  const parsedProof = proof === undefined
    ? undefined
    : parseConsistencyProof(proof, { file: "consistency proof" });

  try {
    await Deno.mkdir(stateDir, { recursive: true });
  } catch (e) {
    throw new WitnessStateError(`Cannot create state directory ${stateDir}: ${ioReason(e)}`, {
      cause: e,
    });
  }
  const lock = await openLock(stateDir);
  try {
    await lock.lock(true);
    // Step 3: load the state for this origin; none means a first sighting.
    const stateName = stateFileName(origin);
    const state = await readState(stateDir, stateName, origin);
    if (state !== undefined) {
      const was = `size ${state.size} (root ${toBase64(state.root)})`;
      const is = `size ${size} (root ${toBase64(root)})`;
      if (size < state.size) {
        // Step 4: a smaller tree is a rollback.
        throw new WitnessRefusal(
          "rollback",
          origin,
          `Checkpoint for ${origin} at ${is} is older than the cosigned ${was}: rollback`,
        );
      } else if (size === state.size) {
        // Step 5: the same size must have the same root.
        if (!bytesEqual(root, state.root)) {
          throw new WitnessRefusal(
            "fork",
            origin,
            `Checkpoint for ${origin} at ${is} differs from the cosigned ${was}: the log forked`,
          );
        }
      } else {
        // Step 6: a larger tree needs a consistency proof from the cosigned one.
        if (parsedProof === undefined) {
          throw new WitnessRefusal(
            "missing_proof",
            origin,
            `Checkpoint for ${origin} grew from the cosigned ${was} to ${is}; ` +
              `a consistency proof from size ${state.size} to ${size} is required`,
          );
        }
        if (parsedProof.oldSize !== state.size || parsedProof.newSize !== size) {
          throw new WitnessRefusal(
            "bad_proof",
            origin,
            `Consistency proof is from size ${parsedProof.oldSize} to ${parsedProof.newSize}, ` +
              `but the witness needs size ${state.size} to ${size} for ${origin}`,
          );
        }
        if (!verifyConsistency(state.size, size, state.root, root, parsedProof.proof)) {
          throw new WitnessRefusal(
            "fork",
            origin,
            `Consistency proof from the cosigned ${was} to ${is} for ${origin} does not verify: ` +
              "the log forked or rewrote its history",
          );
        }
      }
    }
    // Step 7: cosign, then record the new state before the cosignature leaves the witness.
    const signature = await cosign(
      note.body,
      witnessName,
      now,
      (m) => witnessKey.sign(m),
      witnessKey.publicKey.bytes,
    );
    await writeState(stateDir, stateName, { origin, size, root, updatedAt: rfc3339(now) });
    // Step 8: keep every other signature line; replace an earlier cosignature by this key.
    const others = note.signatures.filter((s) =>
      !(s.name === witnessName && s.keyId === witnessKeyId)
    );
    const result: CosignCheckpointResult = {
      note: formatNote(note.body, [...others, signature]),
      checkpoint,
    };
    if (state !== undefined) result.previous = { size: state.size, root: state.root };
    return result;
  } finally {
    lock.close(); // closing the descriptor releases the lock
  }
}

/**
 * Reads the state a witness holds for an origin.
 *
 * @param stateDir The witness's state directory.
 * @param origin The log origin.
 * @returns The state, or `undefined` if the witness never cosigned this origin.
 * @throws {WitnessStateError} If the state file cannot be read or is corrupt.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readWitnessState } from "./witness.ts";
 * assert.equal(await readWitnessState(await Deno.makeTempDir(), "example.com/log"), undefined);
 * ```
 */
export function readWitnessState(
  stateDir: string,
  origin: string,
): Promise<WitnessState | undefined> {
  return readState(stateDir, stateFileName(origin), origin);
}

/**
 * The state file name of an origin: `hex(SHA-256(origin)) + ".json"`, lowercase hex.
 *
 * @param origin The log origin.
 * @returns The file name (no directory).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stateFileName } from "./witness.ts";
 * assert.match(stateFileName("example.com/log"), /^[0-9a-f]{64}\.json$/);
 * ```
 */
export function stateFileName(origin: string): string {
  return `${toHex(sha256(utf8(origin)))}.json`;
}

async function openLock(stateDir: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(`${stateDir}/${WITNESS_LOCK_FILE}`, {
      read: true,
      write: true,
      create: true,
    });
  } catch (e) {
    throw new WitnessStateError(
      `Cannot open lock file ${stateDir}/${WITNESS_LOCK_FILE}: ${ioReason(e)}`,
      { cause: e },
    );
  }
}

async function readState(
  stateDir: string,
  name: string,
  origin: string,
): Promise<WitnessState | undefined> {
  const path = `${stateDir}/${name}`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new WitnessStateError(`Cannot read witness state ${path}: ${ioReason(e)}`, { cause: e });
  }
  const corrupt = (why: string) =>
    new WitnessStateError(`Witness state ${path} is corrupt: ${why}; refusing to continue`);
  let doc: JsonValue;
  try {
    doc = parseJson(bytes);
  } catch (e) {
    throw corrupt((e as Error).message);
  }
  if (!isJsonObject(doc)) throw corrupt("not a JSON object");
  const keys = [...doc.keys()].sort().join(",");
  if (keys !== "origin,root,size,updated_at") {
    throw corrupt(`members are ${keys}, expected origin, root, size, updated_at`);
  }
  const stored = doc.get("origin");
  if (stored !== origin) throw corrupt(`origin is ${JSON.stringify(stored)}, not ${origin}`);
  const sizeValue = doc.get("size");
  const size = sizeValue instanceof JsonNumber ? parseDecimal(sizeValue.text) : undefined;
  if (size === undefined) throw corrupt("size is not a non-negative integer below 2^53");
  const rootValue = doc.get("root");
  const root = typeof rootValue === "string" ? fromBase64Strict(rootValue) : undefined;
  if (root === undefined || root.length !== HASH_SIZE) {
    throw corrupt("root is not canonical base64 of 32 bytes");
  }
  const updatedAt = doc.get("updated_at");
  if (typeof updatedAt !== "string") throw corrupt("updated_at is not a string");
  return { origin, size, root, updatedAt };
}

async function writeState(stateDir: string, name: string, state: WitnessState): Promise<void> {
  const text = JSON.stringify({
    origin: state.origin,
    size: state.size,
    root: toBase64(state.root),
    updated_at: state.updatedAt,
  }) + "\n";
  try {
    // Temp file, fsync, rename, directory fsync (src/wal/durable.ts).
    await writeFileAtomic(stateDir, name, utf8(text), { mode: 0o644 });
  } catch (e) {
    throw new WitnessStateError(
      `Cannot write witness state ${stateDir}/${name}: ${ioReason(e)}`,
      { cause: e },
    );
  }
}

function rfc3339(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime())
    ? String(seconds)
    : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
