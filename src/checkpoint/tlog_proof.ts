/**
 * C2SP tlog-proof bundles (c2sp.org/tlog-proof@v1): an offline-verifiable inclusion proof made of
 * a header line, optional `extra` data, the leaf index, the inclusion proof hashes, a blank line
 * and the signed checkpoint note verbatim.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatProof, parseProof } from "./tlog_proof.ts";
 * const note = "example.com/log\n1\n" + "A".repeat(43) + "=\n\n\u2014 example.com/log AAAAAAE=\n";
 * const text = formatProof({ index: 0, proof: [], checkpoint: note });
 * assert.ok(parseProof(text).checkpoint.size === 1);
 * ```
 *
 * @module
 */

import { fromBase64Strict, isSize, parseDecimal, toBase64, utf8Length } from "./_bytes.ts";
import { type Checkpoint, parseCheckpoint } from "./checkpoint.ts";
import { CheckpointSyntaxError } from "./errors.ts";
import { HASH_SIZE } from "./merkle.ts";
import { type Note, parseNote } from "./note.ts";

/** First line of every proof. */
export const TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1";
/** Most proof hashes accepted: a tree below 2^63 leaves needs at most 63. */
export const MAX_PROOF_HASHES = 63;
/** Most proof-text UTF-16 units (or bytes, for byte input) accepted when parsing. */
export const MAX_PROOF_BYTES = 2 * 1024 * 1024;
/** Most extra-data bytes accepted when parsing. */
export const MAX_EXTRA_BYTES = 64 * 1024;

/** Input of {@link formatProof}. */
export interface TlogProofInput {
  /** Optional opaque extra data; unauthenticated, must be non-empty if present. */
  extra?: Uint8Array;
  /** Zero-based leaf index. */
  index: number;
  /** Inclusion proof hashes, sibling first. */
  proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

/** A parsed proof bundle. Nothing in it is verified yet. */
export interface TlogProof {
  /** Opaque extra data, if present. Not authenticated. */
  extra: Uint8Array | undefined;
  /** Zero-based leaf index, below `checkpoint.size`. */
  index: number;
  /** Inclusion proof hashes, sibling first. */
  proof: Uint8Array[];
  /** The checkpoint note text, verbatim. */
  checkpointText: string;
  /** The parsed (unverified) note. */
  note: Note;
  /** The parsed checkpoint body. */
  checkpoint: Checkpoint;
}

/**
 * Formats a tlog-proof bundle.
 *
 * @param input Index, proof hashes, checkpoint note and optional extra data.
 * @returns The proof text.
 * @throws {RangeError} If the index is not a safe non-negative integer, there are too many proof
 * hashes, or `extra` is empty.
 * @throws {TypeError} If a proof hash is not 32 bytes or the checkpoint is not a string.
 * @throws {CheckpointSyntaxError} If the checkpoint note or body is malformed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatProof } from "./tlog_proof.ts";
 * const note = "example.com/log\n1\n" + "A".repeat(43) + "=\n\n\u2014 example.com/log AAAAAAE=\n";
 * assert.ok(formatProof({ index: 0, proof: [], checkpoint: note }).startsWith("c2sp.org/"));
 * ```
 */
export function formatProof(input: TlogProofInput): string {
  const { extra, index, proof, checkpoint } = input;
  if (!isSize(index)) {
    throw new RangeError(`Leaf index ${index} is not a safe non-negative integer`);
  }
  if (!Array.isArray(proof)) throw new TypeError("Proof must be an array of hashes");
  if (proof.length > MAX_PROOF_HASHES) {
    throw new RangeError(`Proof has ${proof.length} hashes, over the limit of ${MAX_PROOF_HASHES}`);
  }
  for (const h of proof) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw new TypeError(`Proof hashes must be ${HASH_SIZE}-byte Uint8Arrays`);
    }
  }
  if (typeof checkpoint !== "string") throw new TypeError("Checkpoint must be note text");
  const cp = parseCheckpoint(parseNote(checkpoint).body);
  if (index >= cp.size) {
    throw new RangeError(`Leaf index ${index} is not within tree size ${cp.size}`);
  }
  const lines = [TLOG_PROOF_HEADER];
  if (extra !== undefined) {
    if (!(extra instanceof Uint8Array)) throw new TypeError("Extra data must be a Uint8Array");
    if (extra.length === 0) throw new RangeError("Extra data must not be empty when present");
    lines.push(`extra ${toBase64(extra)}`);
  }
  lines.push(`index ${index}`);
  for (const h of proof) lines.push(toBase64(h));
  return lines.join("\n") + "\n\n" + checkpoint;
}

/**
 * Parses a tlog-proof bundle strictly: exact header, optional non-empty `extra`, canonical
 * `index`, up to {@link MAX_PROOF_HASHES} canonical base64 32-byte hashes, a blank line, then a
 * well-formed checkpoint note whose tree size exceeds the index. Signatures are not verified.
 *
 * @param input Proof text or its raw bytes (checked for valid UTF-8).
 * @param options Optional file name for error messages.
 * @returns The parsed, unverified proof.
 * @throws {CheckpointSyntaxError} If any part is malformed.
 * @throws {TypeError} If `input` is neither a string nor a Uint8Array.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProof } from "./tlog_proof.ts";
 * const note = "example.com/log\n1\n" + "A".repeat(43) + "=\n\n\u2014 example.com/log AAAAAAE=\n";
 * const p = parseProof("c2sp.org/tlog-proof@v1\nindex 0\n\n" + note);
 * assert.ok(p.index === 0 && p.proof.length === 0 && p.extra === undefined);
 * ```
 */
export function parseProof(input: string | Uint8Array, options: { file?: string } = {}): TlogProof {
  const file = options.file;
  let text: string;
  if (input instanceof Uint8Array) {
    if (input.length > MAX_PROOF_BYTES) {
      throw new CheckpointSyntaxError("too_large", `proof is over ${MAX_PROOF_BYTES} bytes`, {
        file,
        line: 1,
        offset: 0,
      });
    }
    const decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    try {
      text = decoded.decode(input);
    } catch {
      throw new CheckpointSyntaxError("invalid_utf8", "proof is not valid UTF-8", {
        file,
        line: 1,
        offset: 0,
      });
    }
  } else if (typeof input === "string") {
    text = input;
  } else {
    throw new TypeError("Proof must be a string or a Uint8Array");
  }
  if (text.length > MAX_PROOF_BYTES) {
    throw new CheckpointSyntaxError("too_large", `proof is over ${MAX_PROOF_BYTES} bytes`, {
      file,
      line: 1,
      offset: 0,
    });
  }
  const split = text.indexOf("\n\n");
  if (split < 0) {
    throw new CheckpointSyntaxError(
      "missing_line",
      "proof has no blank line before the checkpoint",
      {
        file,
        line: 1,
        offset: 0,
      },
    );
  }
  const lines = text.slice(0, split).split("\n");
  if (lines.length > 3 + MAX_PROOF_HASHES) {
    throw new CheckpointSyntaxError(
      "too_many_proof_hashes",
      `proof has more than ${MAX_PROOF_HASHES} hashes`,
      { file, line: 1, offset: 0 },
    );
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const line of lines) {
    offsets.push(offset);
    offset += utf8Length(line) + 1;
  }
  const loc = (i: number) => ({ file, line: i + 1, offset: offsets[i] });
  if (lines[0] !== TLOG_PROOF_HEADER) {
    throw new CheckpointSyntaxError(
      "invalid_header",
      `first line is not ${TLOG_PROOF_HEADER}`,
      loc(0),
    );
  }
  let i = 1;
  let extra: Uint8Array | undefined;
  if (lines[i]?.startsWith("extra ")) {
    const data = fromBase64Strict(lines[i].slice("extra ".length));
    if (data === undefined || data.length === 0 || data.length > MAX_EXTRA_BYTES) {
      throw new CheckpointSyntaxError(
        "invalid_extra",
        "extra data is not non-empty canonical base64 within the size limit",
        loc(i),
      );
    }
    extra = data;
    i++;
  }
  const indexLine = lines[i];
  const index = indexLine?.startsWith("index ")
    ? parseDecimal(indexLine.slice("index ".length))
    : undefined;
  if (indexLine === undefined || index === undefined) {
    throw new CheckpointSyntaxError(
      "invalid_index",
      "expected 'index <decimal>' with no leading zeros",
      loc(Math.min(i, lines.length - 1)),
    );
  }
  const indexLineNo = i;
  i++;
  const proof: Uint8Array[] = [];
  for (; i < lines.length; i++) {
    const h = fromBase64Strict(lines[i]);
    if (h === undefined || h.length !== HASH_SIZE) {
      throw new CheckpointSyntaxError(
        "invalid_proof_hash",
        "proof line is not canonical base64 of 32 bytes",
        loc(i),
      );
    }
    proof.push(h);
  }
  if (proof.length > MAX_PROOF_HASHES) {
    throw new CheckpointSyntaxError(
      "too_many_proof_hashes",
      `proof has ${proof.length} hashes, over the limit of ${MAX_PROOF_HASHES}`,
      loc(lines.length - 1),
    );
  }
  const checkpointText = text.slice(split + 2);
  const noteLine = lines.length + 2;
  const noteOffset = offset + 1;
  let note: Note;
  let checkpoint: Checkpoint;
  try {
    note = parseNote(checkpointText, { file });
    checkpoint = parseCheckpoint(note.body, { file });
  } catch (e) {
    if (e instanceof CheckpointSyntaxError) {
      // Re-anchor the location to the whole proof text.
      throw new CheckpointSyntaxError(e.code, e.detail, {
        file,
        line: noteLine + e.line - 1,
        offset: noteOffset + e.offset,
      });
    }
    throw e;
  }
  if (index >= checkpoint.size) {
    throw new CheckpointSyntaxError(
      "index_out_of_range",
      `index ${index} is not below the checkpoint tree size ${checkpoint.size}`,
      loc(indexLineNo),
    );
  }
  return { extra, index, proof, checkpointText, note, checkpoint };
}
