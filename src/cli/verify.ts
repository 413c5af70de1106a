/**
 * `spine verify`: check a WAL directory offline against pinned keys.
 *
 * @module
 */

import { formatOf, noPositionals, requireWal } from "./_command.ts";
import { parseArgs } from "node:util";
import { parseWitnessKey } from "../checkpoint/quorum.ts";
import type { VerifyReport } from "../verify/report.ts";
import { type VerifyProgress, verifyWal } from "../verify/verify_wal.ts";
import { collectTrustedKeys } from "./_trust_args.ts";
import { type CliIo, EXIT, UsageError } from "./io.ts";

/** Help text of `spine verify`. */
export const VERIFY_HELP = `Usage: spine verify --wal DIR [options]

Verify a Spine WAL v1 log offline: hash chain, sequence, timestamps, payload hashes and
Ed25519 signatures, against keys pinned outside the log.

Options:
  --wal DIR              WAL directory (required)
  --trust-key KEY        Pin an Ed25519 public key (64 hex or base64); repeatable
  --trust-file FILE      Pin the keys of a trust file (spine init writes one)
  --expected-root HEX    Expected chain root (upstream spine-cli style); mismatch fails
  --checkpoint FILE      Also check this signed checkpoint (an anchor kept outside the log);
                         repeatable. Checkpoints in DIR/checkpoints/ are always checked.
  --witness-key VKEY     Pin a witness key (printed by "spine witness key"); repeatable
  --witness-quorum N     Require N cosignatures by pinned witnesses on every checkpoint
                         (default: 1 when a --witness-key is given)
  --format FMT           text (default), json or quiet
  --output FILE          Write the report to FILE instead of standard output
  --fail-fast            Stop at the first error
  --strict               Treat every warning as a failure
  -h, --help             Show this help

Without --trust-key or --trust-file, signatures are checked against the records' own keys
(internal consistency only) and the report warns "unpinned_keys".

Exit codes: 0 valid, 1 verification found problems, 2 usage or I/O error.
`;

/**
 * Runs `spine verify`.
 *
 * @param args Arguments after `verify`.
 * @param io Streams.
 * @returns The exit code: 0 valid, 1 invalid, 2 usage or I/O error.
 * @throws {UsageError} For bad arguments (the caller prints it and exits 2).
 * @example
 * ```ts ignore
 * import { runVerify } from "./verify.ts";
 * import { denoIo } from "./io.ts";
 * Deno.exit(await runVerify(["--wal", "./audit_log"], denoIo()));
 * ```
 */
export async function runVerify(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      wal: { type: "string" },
      "trust-key": { type: "string", multiple: true },
      "trust-file": { type: "string", multiple: true },
      "expected-root": { type: "string" },
      checkpoint: { type: "string", multiple: true },
      "witness-key": { type: "string", multiple: true },
      "witness-quorum": { type: "string" },
      format: { type: "string", default: "text" },
      output: { type: "string" },
      "fail-fast": { type: "boolean", default: false },
      strict: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    await io.out(VERIFY_HELP);
    return EXIT.OK;
  }
  noPositionals(positionals);
  const wal = requireWal(values.wal);
  const format = formatOf(values.format, ["text", "json", "quiet"] as const);
  const expectedRoot = values["expected-root"];
  if (expectedRoot !== undefined && !/^[0-9a-fA-F]{64}$/.test(expectedRoot)) {
    throw new UsageError("--expected-root must be 64 hex characters");
  }
  const trustedKeys = await collectTrustedKeys(values["trust-key"], values["trust-file"]);
  const witnessKeys = (values["witness-key"] ?? []).map((k) => {
    try {
      return parseWitnessKey(k);
    } catch (e) {
      throw new UsageError(
        `--witness-key ${JSON.stringify(k.slice(0, 120))} is not usable: ${(e as Error).message}`,
      );
    }
  });
  const quorumText = values["witness-quorum"];
  if (quorumText !== undefined && !/^(0|[1-9][0-9]{0,3})$/.test(quorumText)) {
    throw new UsageError("--witness-quorum must be a whole number");
  }
  const witnessQuorum = quorumText !== undefined
    ? Number(quorumText)
    : witnessKeys.length > 0
    ? 1
    : 0;
  if (witnessQuorum > witnessKeys.length) {
    throw new UsageError(
      `--witness-quorum ${witnessQuorum} needs at least that many --witness-key`,
    );
  }
  // Progress only for a person watching: stderr a terminal, text output, runs over ~2 s.
  const progress = io.stderrIsTerminal && format === "text" ? new ProgressLine(io) : undefined;
  let report: VerifyReport;
  try {
    report = await verifyWal(wal, {
      trustedKeys,
      expectedRoot,
      failFast: values["fail-fast"],
      strict: values.strict,
      checkpoints: values.checkpoint,
      witnessKeys,
      witnessQuorum,
      onProgress: progress && ((p) => progress.update(p)),
    });
  } finally {
    await progress?.clear();
  }
  const text = format === "json"
    ? JSON.stringify(report, null, 2) + "\n"
    : format === "text"
    ? formatReport(report, wal)
    : "";
  if (values.output !== undefined) {
    await Deno.writeTextFile(
      values.output,
      format === "quiet" ? JSON.stringify(report, null, 2) + "\n" : text,
    );
  } else if (text) {
    await io.out(text);
  }
  return report.valid ? EXIT.OK : EXIT.INVALID;
}

/** A one-line progress display on stderr, shown once a run has lasted 2 s, redrawn 4 times/s. */
class ProgressLine {
  #io: CliIo;
  #start = performance.now();
  #last = 0;
  #shown = false;

  constructor(io: CliIo) {
    this.#io = io;
  }

  update(p: VerifyProgress): void {
    const now = performance.now();
    const elapsed = (now - this.#start) / 1000;
    if (elapsed < 2 || now - this.#last < 250) return;
    this.#last = now;
    this.#shown = true;
    const rate = p.lines / elapsed;
    const left = p.bytesDone > 0 ? elapsed * (p.bytesTotal - p.bytesDone) / p.bytesDone : 0;
    const percent = p.bytesTotal > 0 ? Math.floor(100 * p.bytesDone / p.bytesTotal) : 100;
    // Fire and forget: a slow terminal must not slow verification down.
    void this.#io.err(
      `\r\x1b[Kverifying: ${p.lines.toLocaleString("en-US")} records, ${
        Math.round(rate).toLocaleString("en-US")
      } records/s, ${percent}%, ETA ${Math.ceil(left)} s`,
    );
  }

  async clear(): Promise<void> {
    if (this.#shown) await this.#io.err("\r\x1b[K");
  }
}

/**
 * Renders a report as the upstream-style text report.
 *
 * @param report The report.
 * @param wal The directory, for the header.
 * @returns The text, ending in a newline.
 */
export function formatReport(report: VerifyReport, wal: string): string {
  const rule = "=".repeat(64);
  const lines = [
    rule,
    "SPINE WAL VERIFICATION REPORT",
    rule,
    `WAL:                  ${wal}`,
    `Status:               ${report.status}`,
    `Events verified:      ${report.events_verified}`,
    `Signatures verified:  ${report.signatures_verified}`,
    `Chain integrity:      ${chainIntegrity(report)}`,
    `Sequence range:       ${report.first_sequence ?? "-"} .. ${report.last_sequence ?? "-"}`,
    `Head entry hash:      ${report.head_entry_hash ?? "-"}`,
    `Chain root:           ${report.chain_root ?? "-"}`,
    `Trust:                ${
      report.pinned ? "pinned keys" : "UNPINNED (records' own keys: internal consistency only)"
    }`,
    `Segments:             ${report.segments.join(", ")}`,
  ];
  if (report.errors.length > 0) {
    lines.push("", `Errors (${report.errors.length}):`);
    for (const e of report.errors) {
      lines.push(`  [${e.error_type}] ${where(e.sequence, e.file, e.line)}: ${e.details}`);
    }
  }
  if (report.warnings.length > 0) {
    lines.push("", `Warnings (${report.warnings.length}):`);
    for (const w of report.warnings) {
      lines.push(`  [${w.warning_type}] ${where(w.sequence, w.file, w.line)}: ${w.details}`);
    }
  }
  lines.push(rule);
  return lines.join("\n") + "\n";
}

function chainIntegrity(report: VerifyReport): string {
  const broken = report.errors.some((e) =>
    ["chain_break", "sequence_gap", "invalid_genesis", "duplicate_sequence", "sequence_regression"]
      .includes(e.error_type)
  );
  return broken ? "BROKEN" : "OK";
}

function where(seq: number | null, file: string | null, line: number | null): string {
  const parts = [];
  if (seq !== null) parts.push(`seq ${seq}`);
  if (file !== null) parts.push(line !== null ? `${file}:${line}` : file);
  return parts.length > 0 ? parts.join(" at ") : "log";
}
