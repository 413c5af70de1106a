/**
 * Consistency proof files (`spine.dev/consistency-proof@v1`): a C2SP-style text carrying an
 * RFC 9162 consistency proof from an older tree size to a newer one, and the producer that
 * builds one from a WAL directory and two checkpoints of it.
 *
 * ```
 * spine.dev/consistency-proof@v1
 * old <m>
 * new <n>
 * <base64 hash>
 * ...
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatConsistencyProof, parseConsistencyProof } from "./consistency.ts";
 * const text = formatConsistencyProof({ oldSize: 1, newSize: 2, proof: [new Uint8Array(32)] });
 * const parsed = parseConsistencyProof(text);
 * assert.ok(parsed.oldSize === 1 && parsed.newSize === 2 && parsed.proof.length === 1);
 * ```
 *
 * @module
 */

import {
  bytesEqual,
  fromBase64Strict,
  isSize,
  parseDecimal,
  toBase64,
  utf8Length,
} from "./_bytes.ts";
import { type Checkpoint, parseCheckpoint } from "./checkpoint.ts";
import { CheckpointSyntaxError } from "./errors.ts";
import { scanLogTree } from "./log_tree.ts";
import { consistencyProof, HASH_SIZE, verifyConsistency } from "./merkle.ts";
import { parseNote } from "./note.ts";

/** First line of every consistency proof file. */
export const CONSISTENCY_PROOF_HEADER = "spine.dev/consistency-proof@v1";
/** Most proof hashes accepted: a tree below 2^63 leaves needs at most 63. */
export const MAX_CONSISTENCY_HASHES = 63;
/**
 * Most bytes (or UTF-16 units) of a consistency proof file: the header, two size lines of at most
 * 21 bytes and 63 lines of 45 bytes fit in 3,000 bytes.
 */
export const MAX_CONSISTENCY_PROOF_BYTES = 4096;

/** A consistency proof between two sizes of one tree. Nothing in it is verified yet. */
export interface ConsistencyProof {
  /** Size of the earlier tree. */
  oldSize: number;
  /** Size of the later tree, at least `oldSize`. */
  newSize: number;
  /** RFC 9162 §2.1.4.1 proof hashes, 32 bytes each. */
  proof: Uint8Array[];
}

/**
 * The log's tree does not match a checkpoint given to {@link proveConsistency}: the log was
 * rewritten or truncated since that checkpoint was signed (or the checkpoint is of another log).
 */
export class LogMismatchError extends Error {
  /** Stable machine-readable code, the same for every instance: `"log_mismatch_error"`. */
  readonly code: "log_mismatch_error" = "log_mismatch_error";
  /** Which checkpoint the log disagrees with. */
  readonly checkpoint: "old" | "new";
  /** The checkpoint's tree size. */
  readonly size: number;

  /**
   * Creates a {@linkcode LogMismatchError}.
   *
   * @param checkpoint Which checkpoint the log disagrees with.
   * @param size That checkpoint's tree size.
   * @param message What differs, naming the size.
   */
  constructor(checkpoint: "old" | "new", size: number, message: string) {
    super(message);
    this.name = "LogMismatchError";
    this.checkpoint = checkpoint;
    this.size = size;
  }
}

/**
 * Formats a consistency proof file.
 *
 * @param input Old size, new size and proof hashes.
 * @returns The file text: header, `old`, `new`, one base64 hash per line, each line ending in a
 * newline.
 * @throws {RangeError} If a size is not a safe non-negative integer, `oldSize > newSize`, or there
 * are more than {@link MAX_CONSISTENCY_HASHES} hashes.
 * @throws {TypeError} If the proof is not an array of 32-byte Uint8Arrays.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatConsistencyProof } from "./consistency.ts";
 * const text = formatConsistencyProof({ oldSize: 3, newSize: 3, proof: [] });
 * assert.equal(text, "spine.dev/consistency-proof@v1\nold 3\nnew 3\n");
 * ```
 */
export function formatConsistencyProof(input: ConsistencyProof): string {
  const { oldSize, newSize, proof } = input;
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) {
    throw new RangeError(`Tree sizes ${oldSize} and ${newSize} are not a valid old/new pair`);
  }
  if (!Array.isArray(proof)) throw new TypeError("Proof must be an array of hashes");
  if (proof.length > MAX_CONSISTENCY_HASHES) {
    throw new RangeError(
      `Proof has ${proof.length} hashes, over the limit of ${MAX_CONSISTENCY_HASHES}`,
    );
  }
  for (const h of proof) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw new TypeError(`Proof hashes must be ${HASH_SIZE}-byte Uint8Arrays`);
    }
  }
  const lines = [CONSISTENCY_PROOF_HEADER, `old ${oldSize}`, `new ${newSize}`];
  for (const h of proof) lines.push(toBase64(h));
  return lines.join("\n") + "\n";
}

/**
 * Parses a consistency proof file strictly: exact header; `old <m>` and `new <n>` in canonical
 * decimal with `m <= n`; zero to {@link MAX_CONSISTENCY_HASHES} lines of canonical base64 of 32
 * bytes; every line ends in exactly one newline and no line is empty; at most
 * {@link MAX_CONSISTENCY_PROOF_BYTES}. The proof is not verified.
 *
 * @param input File text, or its raw bytes (checked for valid UTF-8).
 * @param options Optional file name for error messages.
 * @returns The parsed, unverified proof.
 * @throws {CheckpointSyntaxError} If the text is malformed (codes `too_large`, `invalid_utf8`,
 * `missing_newline`, `invalid_header`, `missing_line`, `invalid_tree_size`,
 * `invalid_proof_hash`, `too_many_proof_hashes`).
 * @throws {TypeError} If `input` is neither a string nor a Uint8Array.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConsistencyProof } from "./consistency.ts";
 * const p = parseConsistencyProof("spine.dev/consistency-proof@v1\nold 0\nnew 5\n");
 * assert.ok(p.oldSize === 0 && p.newSize === 5 && p.proof.length === 0);
 * assert.throws(() => parseConsistencyProof("spine.dev/consistency-proof@v1\nold 01\nnew 5\n"));
 * ```
 */
export function parseConsistencyProof(
  input: string | Uint8Array,
  options: { file?: string } = {},
): ConsistencyProof {
  const file = options.file;
  const start = { file, line: 1, offset: 0 };
  let text: string;
  if (input instanceof Uint8Array) {
    if (input.length > MAX_CONSISTENCY_PROOF_BYTES) {
      throw new CheckpointSyntaxError("too_large", tooLarge(), start);
    }
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw new CheckpointSyntaxError(
        "invalid_utf8",
        "consistency proof is not valid UTF-8",
        start,
      );
    }
  } else if (typeof input === "string") {
    text = input;
  } else {
    throw new TypeError("Consistency proof must be a string or a Uint8Array");
  }
  // Every accepted line is ASCII, so UTF-16 units and bytes agree on every text we accept.
  if (text.length > MAX_CONSISTENCY_PROOF_BYTES) {
    throw new CheckpointSyntaxError("too_large", tooLarge(), start);
  }
  const lines = text.split("\n");
  const offsets: number[] = [];
  let offset = 0;
  for (const line of lines) {
    offsets.push(offset);
    offset += utf8Length(line) + 1;
  }
  const loc = (i: number) => ({ file, line: i + 1, offset: offsets[i] });
  // The text ends in a newline, so the split leaves one empty string after it.
  const last = lines.pop()!;
  if (last !== "") {
    throw new CheckpointSyntaxError(
      "missing_newline",
      "consistency proof does not end in a newline",
      loc(lines.length),
    );
  }
  if (lines[0] !== CONSISTENCY_PROOF_HEADER) {
    throw new CheckpointSyntaxError(
      "invalid_header",
      `first line is not ${CONSISTENCY_PROOF_HEADER}`,
      loc(0),
    );
  }
  const oldSize = sizeLine(lines, 1, "old", loc);
  const newSize = sizeLine(lines, 2, "new", loc);
  if (oldSize > newSize) {
    throw new CheckpointSyntaxError(
      "invalid_tree_size",
      `old size ${oldSize} is larger than new size ${newSize}`,
      loc(2),
    );
  }
  if (lines.length - 3 > MAX_CONSISTENCY_HASHES) {
    throw new CheckpointSyntaxError(
      "too_many_proof_hashes",
      `consistency proof has ${
        lines.length - 3
      } hashes, over the limit of ${MAX_CONSISTENCY_HASHES}`,
      loc(3 + MAX_CONSISTENCY_HASHES),
    );
  }
  const proof: Uint8Array[] = [];
  for (let i = 3; i < lines.length; i++) {
    const h = fromBase64Strict(lines[i]);
    if (h === undefined || h.length !== HASH_SIZE) {
      throw new CheckpointSyntaxError(
        "invalid_proof_hash",
        lines[i] === ""
          ? "proof line is empty (a blank line or an extra newline)"
          : "proof line is not canonical base64 of 32 bytes",
        loc(i),
      );
    }
    proof.push(h);
  }
  return { oldSize, newSize, proof };
}

/**
 * Proves that a log only grew between two of its checkpoints: checks the log's tree against both
 * checkpoints and returns the formatted consistency proof from the old size to the new size.
 * Signatures on the checkpoints are not checked here; whoever consumes the proof verifies them.
 *
 * @param dir The WAL directory.
 * @param oldCheckpointNote The earlier signed checkpoint note.
 * @param newCheckpointNote The later signed checkpoint note.
 * @returns The consistency proof file text.
 * @throws {CheckpointSyntaxError} If a note or checkpoint is malformed.
 * @throws {RangeError} If the origins differ or the old size exceeds the new size.
 * @throws {LogMismatchError} If the log is shorter than a checkpoint or its root at a
 * checkpoint's size differs ("Log root at size m differs from the old checkpoint: the log was
 * rewritten").
 * @throws {WalError} If the log cannot be read.
 * @example
 * ```ts ignore
 * import { proveConsistency } from "./consistency.ts";
 * const proof = await proveConsistency(
 *   "./audit_log",
 *   await Deno.readTextFile("old_checkpoint.txt"),
 *   await Deno.readTextFile("./audit_log/checkpoints/checkpoint_000000000100_1a2b3c4d5e6f7a8b.txt"),
 * );
 * await Deno.writeTextFile("consistency.txt", proof);
 * ```
 */
export async function proveConsistency(
  dir: string,
  oldCheckpointNote: string,
  newCheckpointNote: string,
): Promise<string> {
  const older = checkpointOf(oldCheckpointNote, "old checkpoint");
  const newer = checkpointOf(newCheckpointNote, "new checkpoint");
  if (older.origin !== newer.origin) {
    throw new RangeError(
      `Old checkpoint origin ${JSON.stringify(older.origin)} differs from new checkpoint origin ${
        JSON.stringify(newer.origin)
      }`,
    );
  }
  const m = older.size;
  const n = newer.size;
  if (m > n) {
    throw new RangeError(`Old checkpoint size ${m} is larger than new checkpoint size ${n}`);
  }
  // Keep the leaves around both ends: proof subtrees smaller than a chunk lie next to leaf m - 1,
  // leaf m, or end at n.
  const tree = await scanLogTree(dir, { rootsAt: [m, n], chunksAt: [m - 1, m, n - 1, n] });
  if (tree.size < n) {
    throw new LogMismatchError(
      "new",
      n,
      `Log has ${tree.size} records, fewer than the new checkpoint's size ${n}: the log was truncated`,
    );
  }
  const oldRoot = tree.roots.get(m)!;
  const newRoot = tree.roots.get(n)!;
  if (!bytesEqual(oldRoot, older.root)) {
    throw new LogMismatchError(
      "old",
      m,
      `Log root at size ${m} differs from the old checkpoint: the log was rewritten`,
    );
  }
  if (!bytesEqual(newRoot, newer.root)) {
    throw new LogMismatchError(
      "new",
      n,
      `Log root at size ${n} differs from the new checkpoint: the log was rewritten`,
    );
  }
  const proof = consistencyProof(m, n, tree.source);
  // Self-check: never hand out a proof that does not verify.
  if (!verifyConsistency(m, n, older.root, newer.root, proof)) {
    throw new Error(`Consistency proof from size ${m} to ${n} does not verify`);
  }
  return formatConsistencyProof({ oldSize: m, newSize: n, proof });
}

function checkpointOf(noteText: string, what: string): Checkpoint {
  if (typeof noteText !== "string") throw new TypeError(`The ${what} must be note text`);
  return parseCheckpoint(parseNote(noteText, { file: what }).body, { file: what });
}

function sizeLine(
  lines: string[],
  i: number,
  label: string,
  loc: (i: number) => { file: string | undefined; line: number; offset: number },
): number {
  const line = lines[i];
  if (line === undefined) {
    throw new CheckpointSyntaxError(
      "missing_line",
      `consistency proof has no '${label}' line`,
      loc(i),
    );
  }
  const size = line.startsWith(`${label} `)
    ? parseDecimal(line.slice(label.length + 1))
    : undefined;
  if (size === undefined) {
    throw new CheckpointSyntaxError(
      "invalid_tree_size",
      `expected '${label} <decimal>' with no leading zeros, below 2^53`,
      loc(i),
    );
  }
  return size;
}

function tooLarge(): string {
  return `consistency proof is over ${MAX_CONSISTENCY_PROOF_BYTES} bytes`;
}
