/**
 * `spine redact`: erase one record's payload (e.g. a GDPR erasure) while the log keeps verifying.
 *
 * @module
 */

import { formatOf, noPositionals, requireSeq, requireWal } from "./_command.ts";
import { parseArgs } from "node:util";
import { loadSigningKey } from "../crypto/key_file.ts";
import { redactRecord } from "../wal/redact.ts";
import { defaultKeyPath } from "../wal/paths.ts";
import { type CliIo, EXIT, UsageError } from "./io.ts";

/** Help text of `spine redact`. */
export const REDACT_HELP =
  `Usage: spine redact --wal DIR --seq N --reason TEXT [--key-file PATH] [--format text|json]

Replace the payload of record N by a redaction marker signed with the log's key, keeping its
payload_hash: the chain, signatures, checkpoints and proofs of every record still verify, and
verify reports this record as "redacted" (a counted warning; --strict fails on it). The segment
is rewritten crash-safely (new file, fsync, rename, directory fsync) under the WAL lock.

What a redaction proves: that a key the verifier trusts chose to erase this record's payload,
when, and why. What it cannot prove: what the payload said (only its hash remains).

Options:
  --wal DIR          WAL directory (required)
  --seq N            Sequence number of the record (required)
  --reason TEXT      Why, 1 to 1,000 characters (required; kept in the marker)
  --key-file PATH    Signing key (default: DIR.key beside the WAL; or SPINE_SIGNING_KEY)
  --format FMT       text (default) or json
  -h, --help         Show this help

Exit codes: 0 redacted, 2 usage or I/O error (missing record, already redacted, record that
does not verify).
`;

/**
 * Runs `spine redact`.
 *
 * @param args Arguments after `redact`.
 * @param io Streams.
 * @returns The exit code.
 * @throws {UsageError} For bad arguments.
 */
export async function runRedact(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      wal: { type: "string" },
      seq: { type: "string" },
      reason: { type: "string" },
      "key-file": { type: "string" },
      format: { type: "string", default: "text" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    await io.out(REDACT_HELP);
    return EXIT.OK;
  }
  noPositionals(positionals);
  const wal = requireWal(values.wal);
  const seq = requireSeq(values.seq);
  if (values.reason === undefined) throw new UsageError("Missing --reason TEXT");
  const format = formatOf(values.format, ["text", "json"] as const);
  let reasonError: string | undefined;
  if (values.reason.trim() === "" || values.reason.length > 1000) {
    reasonError = "--reason must be 1 to 1,000 characters";
  }
  if (reasonError !== undefined) throw new UsageError(reasonError);
  const { key } = await loadSigningKey(
    values["key-file"],
    io.env("SPINE_SIGNING_KEY"),
    defaultKeyPath(wal),
  );
  const r = await redactRecord(wal, seq, values.reason, key);
  if (format === "json") {
    await io.out(
      JSON.stringify({
        seq: r.seq,
        file: r.file,
        line: r.line,
        redacted_at: r.marker.redactedAt,
        key_id: r.marker.keyId,
      }) + "\n",
    );
  } else {
    await io.out(
      `redacted seq ${r.seq} (${r.file}:${r.line}) at ${r.marker.redactedAt} by ${r.marker.keyId}\n`,
    );
  }
  return EXIT.OK;
}
