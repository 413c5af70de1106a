/**
 * C2SP tlog-checkpoint note bodies (c2sp.org/tlog-checkpoint): origin line, decimal tree size,
 * base64 root hash, optional extension lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatCheckpoint, parseCheckpoint } from "./checkpoint.ts";
 * const body = formatCheckpoint({ origin: "example.com/log", size: 3, root: new Uint8Array(32) });
 * assert.ok(parseCheckpoint(body).size === 3);
 * ```
 *
 * @module
 */

import {
  findControlCharacter,
  fromBase64Strict,
  isSize,
  parseDecimal,
  toBase64,
  utf8Length,
} from "./_bytes.ts";
import { CheckpointSyntaxError } from "./errors.ts";
import { HASH_SIZE } from "./merkle.ts";

/** Default cap on a checkpoint body size in UTF-8 bytes. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024;

/** A log's signed tree head, as carried in a checkpoint note body. */
export interface Checkpoint {
  /** Log identity, e.g. `example.com/log42`. */
  origin: string;
  /** Number of leaves in the tree. */
  size: number;
  /** 32-byte RFC 6962 root hash of the tree at `size`. */
  root: Uint8Array;
  /** Opaque, non-empty extension lines (NOT RECOMMENDED by the spec); empty when absent. */
  extensions: string[];
}

/** Input of {@link formatCheckpoint}; extensions are optional. */
export interface CheckpointInput {
  /** Log identity. */
  origin: string;
  /** Number of leaves. */
  size: number;
  /** 32-byte root hash. */
  root: Uint8Array;
  /** Optional extension lines. */
  extensions?: readonly string[];
}

/**
 * Formats a checkpoint note body: `<origin>\n<size>\n<base64 root>\n[extensions\n]`.
 *
 * @param checkpoint Origin, size, root and optional extension lines.
 * @returns The body text, ending in a newline.
 * @throws {TypeError} If the root is not 32 bytes or a field has the wrong type.
 * @throws {RangeError} If the origin or an extension line is empty or has a newline or control
 * character, or the size is not a safe non-negative integer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatCheckpoint } from "./checkpoint.ts";
 * const body = formatCheckpoint({ origin: "example.com/log", size: 0, root: new Uint8Array(32) });
 * assert.ok(body.split("\n")[1] === "0");
 * ```
 */
export function formatCheckpoint(checkpoint: CheckpointInput): string {
  const { origin, size, root } = checkpoint;
  const extensions = checkpoint.extensions ?? [];
  assertLine(origin, "Origin");
  if (!isSize(size)) throw new RangeError(`Tree size ${size} is not a safe non-negative integer`);
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) {
    throw new TypeError(`Root hash must be a ${HASH_SIZE}-byte Uint8Array`);
  }
  if (!Array.isArray(extensions)) throw new TypeError("Extensions must be an array of strings");
  for (const ext of extensions) assertLine(ext, "Extension line");
  return [origin, String(size), toBase64(root), ...extensions].join("\n") + "\n";
}

/**
 * Parses a checkpoint note body strictly: at least three lines, each newline-terminated and
 * non-empty; the size in canonical decimal (no leading zeros, at most 2^53 - 1); the root
 * canonical base64 of exactly 32 bytes.
 *
 * @param body Note body (as returned in `Note.body`).
 * @param options Optional file name for error messages.
 * @returns The parsed checkpoint.
 * @throws {CheckpointSyntaxError} If the body is malformed.
 * @throws {TypeError} If `body` is not a string.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCheckpoint } from "./checkpoint.ts";
 * const cp = parseCheckpoint("example.com/log\n1\n" + "A".repeat(43) + "=\n");
 * assert.ok(cp.origin === "example.com/log" && cp.root.length === 32);
 * ```
 */
export function parseCheckpoint(body: string, options: { file?: string } = {}): Checkpoint {
  if (typeof body !== "string") throw new TypeError("Checkpoint body must be a string");
  const file = options.file;
  if (body.length > MAX_CHECKPOINT_BYTES || utf8Length(body) > MAX_CHECKPOINT_BYTES) {
    throw new CheckpointSyntaxError(
      "too_large",
      `checkpoint is over ${MAX_CHECKPOINT_BYTES} bytes`,
      { file, line: 1, offset: 0 },
    );
  }
  if (!body.isWellFormed()) {
    throw new CheckpointSyntaxError("invalid_utf8", "checkpoint has a lone surrogate", {
      file,
      line: 1,
      offset: 0,
    });
  }
  if (!body.endsWith("\n")) {
    throw new CheckpointSyntaxError("missing_newline", "checkpoint does not end in a newline", {
      file,
      line: body.split("\n").length,
      offset: utf8Length(body.slice(0, body.lastIndexOf("\n") + 1)),
    });
  }
  const lines = body.slice(0, -1).split("\n");
  const offsets: number[] = [];
  let offset = 0;
  for (const line of lines) {
    offsets.push(offset);
    offset += utf8Length(line) + 1;
  }
  const loc = (i: number) => ({ file, line: i + 1, offset: offsets[i] ?? offset });
  for (let i = 0; i < lines.length; i++) {
    if (findControlCharacter(lines[i], false) >= 0) {
      throw new CheckpointSyntaxError(
        "control_character",
        "checkpoint has a control character",
        loc(i),
      );
    }
  }
  if (lines.length < 3) {
    throw new CheckpointSyntaxError(
      "missing_line",
      `checkpoint has ${lines.length} lines, needs origin, size and root`,
      loc(lines.length),
    );
  }
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin.length === 0) {
    throw new CheckpointSyntaxError("empty_origin", "checkpoint origin is empty", loc(0));
  }
  const size = parseDecimal(sizeText);
  if (size === undefined) {
    throw new CheckpointSyntaxError(
      "invalid_tree_size",
      `tree size ${JSON.stringify(sizeText.slice(0, 32))} is not canonical decimal below 2^53`,
      loc(1),
    );
  }
  const root = fromBase64Strict(rootText);
  if (root === undefined || root.length !== HASH_SIZE) {
    throw new CheckpointSyntaxError(
      "invalid_root_hash",
      "root hash is not canonical base64 of 32 bytes",
      loc(2),
    );
  }
  for (let i = 0; i < extensions.length; i++) {
    if (extensions[i].length === 0) {
      throw new CheckpointSyntaxError(
        "empty_extension_line",
        "extension line is empty",
        loc(3 + i),
      );
    }
  }
  return { origin, size, root, extensions };
}

function assertLine(value: unknown, what: string): void {
  if (typeof value !== "string") throw new TypeError(`${what} must be a string`);
  if (value.length === 0) throw new RangeError(`${what} must not be empty`);
  if (findControlCharacter(value, false) >= 0 || !value.isWellFormed()) {
    throw new RangeError(`${what} must not contain a newline or control character`);
  }
}
