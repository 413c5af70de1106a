/**
 * `spine verify-proof`: check a proof bundle offline, without the log.
 *
 * @module
 */

import { formatOf } from "./_command.ts";
import { parseArgs } from "node:util";
import { recordText, verifyProofBundle } from "../checkpoint/proof_bundle.ts";
import { ioReason } from "../wal/errors.ts";
import { collectTrustedKeys } from "./_trust_args.ts";
import { type CliIo, EXIT, UsageError } from "./io.ts";

/** Help text of `spine verify-proof`. */
export const VERIFY_PROOF_HELP =
  `Usage: spine verify-proof FILE (--trust-key KEY | --trust-file FILE)... [--format text|json]

Check a proof bundle written by "spine prove": the checkpoint is signed by a pinned key, the
record is in canonical form, its inclusion proof leads to the checkpoint's root, and the
record's payload hash and signature verify under a pinned key. No log is needed.

Options:
  --trust-key KEY     Pin an Ed25519 public key (hex or base64); repeatable
  --trust-file FILE   Pin the keys of a trust file
  --format FMT        text (default), json or quiet
  -h, --help          Show this help

Exit codes: 0 valid, 1 the bundle does not verify, 2 usage or I/O error.
`;

/**
 * Runs `spine verify-proof`.
 *
 * @param args Arguments after `verify-proof`.
 * @param io Streams.
 * @returns The exit code.
 * @throws {UsageError} For bad arguments.
 */
export async function runVerifyProof(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      "trust-key": { type: "string", multiple: true },
      "trust-file": { type: "string", multiple: true },
      format: { type: "string", default: "text" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    await io.out(VERIFY_PROOF_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new UsageError("Give exactly one proof FILE");
  const format = formatOf(values.format, ["text", "json", "quiet"] as const);
  const keys = await collectTrustedKeys(values["trust-key"], values["trust-file"]);
  if (keys.length === 0) {
    throw new UsageError("Pin at least one key with --trust-key or --trust-file");
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(positionals[0]);
  } catch (e) {
    throw new UsageError(`Cannot read proof ${positionals[0]}: ${ioReason(e)}`);
  }
  const verdict = await verifyProofBundle(bytes, keys.map((k) => k.publicKey));
  if (format === "json") {
    const { record: _record, ...rest } = verdict;
    await io.out(JSON.stringify({ ...rest, record: recordText(verdict) || null }, null, 2) + "\n");
  } else if (format === "text") {
    const lines = [
      `Proof:     ${positionals[0]}`,
      `Status:    ${verdict.valid ? "VERIFIED" : "INVALID"}`,
    ];
    if (verdict.origin !== undefined) {
      lines.push(
        `Log:       ${verdict.origin} (tree size ${verdict.treeSize}, root ${verdict.root})`,
      );
    }
    if (verdict.seq !== undefined) {
      lines.push(`Record:    seq ${verdict.seq}, leaf index ${verdict.index}`);
    }
    for (const p of verdict.problems) lines.push(`Problem:   ${p}`);
    for (const w of verdict.warnings) lines.push(`Warning:   [${w.warning_type}] ${w.details}`);
    if (verdict.valid) lines.push(`Content:   ${recordText(verdict)}`);
    await io.out(lines.join("\n") + "\n");
  }
  return verdict.valid ? EXIT.OK : EXIT.INVALID;
}
