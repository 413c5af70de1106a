/**
 * The syntax error raised by every parser in `src/checkpoint/`.
 *
 * @module
 */

/**
 * Closed set of reasons a checkpoint-family text fails to parse. Vectors in
 * `vectors/checkpoint/` name these codes.
 */
export type CheckpointErrorCode =
  | "invalid_utf8"
  | "control_character"
  | "too_large"
  | "missing_newline"
  | "missing_signatures"
  | "malformed_signature_line"
  | "invalid_key_name"
  | "invalid_base64"
  | "duplicate_signature"
  | "too_many_signatures"
  | "empty_origin"
  | "missing_line"
  | "invalid_tree_size"
  | "invalid_root_hash"
  | "empty_extension_line"
  | "malformed_vkey"
  | "unsupported_key_type"
  | "key_id_mismatch"
  | "invalid_header"
  | "invalid_extra"
  | "invalid_index"
  | "invalid_proof_hash"
  | "too_many_proof_hashes"
  | "index_out_of_range";

/** Where a parse failed: 1-based line number and 0-based UTF-8 byte offset of that line. */
export interface CheckpointErrorLocation {
  /** File name, when the caller passed one. */
  file?: string;
  /** 1-based line number. */
  line: number;
  /** 0-based UTF-8 byte offset of the start of the line. */
  offset: number;
}

/**
 * Unparseable note, checkpoint, vkey or proof text. Carries a closed `code`, the line number and the
 * byte offset of the offending line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CheckpointSyntaxError } from "./errors.ts";
 * const err = new CheckpointSyntaxError("invalid_tree_size", "tree size has a leading zero", {
 *   line: 2,
 *   offset: 12,
 * });
 * assert.ok(err instanceof SyntaxError && err.code === "invalid_tree_size");
 * ```
 */
export class CheckpointSyntaxError extends SyntaxError {
  /** Machine-readable reason. */
  readonly code: CheckpointErrorCode;
  /** File name, if known. */
  readonly file: string | undefined;
  /** 1-based line number. */
  readonly line: number;
  /** 0-based byte offset of the start of the line. */
  readonly offset: number;
  /** What failed, without the location prefix. */
  readonly detail: string;

  /**
   * Creates a {@linkcode CheckpointSyntaxError}.
   *
   * @param code Machine-readable reason.
   * @param detail What failed, in sentence case without a trailing period.
   * @param location Line and byte offset (and optional file) of the failure.
   */
  constructor(code: CheckpointErrorCode, detail: string, location: CheckpointErrorLocation) {
    const where = `${location.file ?? "input"}:${location.line}`;
    super(`Cannot parse ${where} (byte ${location.offset}): ${detail}`);
    this.name = "CheckpointSyntaxError";
    this.code = code;
    this.file = location.file;
    this.line = location.line;
    this.offset = location.offset;
    this.detail = detail;
  }
}
