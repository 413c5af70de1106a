/**
 * `spine checkpoint`: sign a checkpoint of the log's Merkle tree and store it.
 *
 * @module
 */

import { formatOf, noPositionals, requireWal } from "./_command.ts";
import { parseArgs } from "node:util";
import { loadSigningKey } from "../crypto/key_file.ts";
import { createCheckpoint, defaultOrigin } from "../checkpoint/log_checkpoint.ts";
import { toHex } from "../format/hashes.ts";
import { defaultKeyPath } from "../wal/paths.ts";
import { type CliIo, EXIT } from "./io.ts";

/** Help text of `spine checkpoint`. */
export const CHECKPOINT_HELP =
  `Usage: spine checkpoint --wal DIR [--key-file PATH] [--origin NAME] [--format text|json]

Build the RFC 6962 Merkle tree of every record, sign a C2SP checkpoint (origin, tree size,
root) with the log's key, store it in DIR/checkpoints/ and print it. Publish the printed note
elsewhere (a ticket, an email, a witness): verify then detects records cut from the tail and
edits to any field of a checkpointed record.

Options:
  --wal DIR          WAL directory (required)
  --key-file PATH    Signing key (default: DIR.key beside the WAL; or SPINE_SIGNING_KEY)
  --origin NAME      Log name in the checkpoint (default: spine.local/<stream_id>)
  --format FMT       text (default: the note) or json
  -h, --help         Show this help

Exit codes: 0 success, 2 usage or I/O error.
`;

/**
 * Runs `spine checkpoint`.
 *
 * @param args Arguments after `checkpoint`.
 * @param io Streams.
 * @returns The exit code.
 * @throws {UsageError} For bad arguments.
 */
export async function runCheckpoint(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      wal: { type: "string" },
      "key-file": { type: "string" },
      origin: { type: "string" },
      format: { type: "string", default: "text" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    await io.out(CHECKPOINT_HELP);
    return EXIT.OK;
  }
  noPositionals(positionals);
  const wal = requireWal(values.wal);
  const format = formatOf(values.format, ["text", "json"] as const);
  const { key } = await loadSigningKey(
    values["key-file"],
    io.env("SPINE_SIGNING_KEY"),
    defaultKeyPath(wal),
  );
  const origin = values.origin ?? await defaultOrigin(wal);
  const cp = await createCheckpoint(wal, key, origin);
  if (format === "json") {
    await io.out(
      JSON.stringify({
        origin,
        tree_size: cp.checkpoint.size,
        root_hash: toHex(cp.checkpoint.root),
        key_id: key.keyId,
        file: cp.file,
        note: cp.text,
      }) + "\n",
    );
  } else {
    await io.out(cp.text);
    await io.err(`spine checkpoint: ${cp.checkpoint.size} records, stored in ${cp.file}\n`);
  }
  return EXIT.OK;
}
