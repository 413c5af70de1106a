/**
 * `spine prove`: write a self-contained inclusion proof of one record (or, with `--consistency`,
 * a proof that the log only grew since an older checkpoint).
 *
 * @module
 */

import { noPositionals, requireSeq, requireWal } from "./_command.ts";
import { parseArgs } from "node:util";
import {
  listCheckpointFiles,
  readCheckpointFile,
  type StoredCheckpoint,
} from "../checkpoint/log_checkpoint.ts";
import { proveInclusion } from "../checkpoint/proof_bundle.ts";
import { WalError } from "../wal/errors.ts";
import { type CliIo, EXIT, UsageError } from "./io.ts";
import { runProveConsistency } from "./prove_consistency.ts";

/** Help text of `spine prove`. */
export const PROVE_HELP = `Usage: spine prove --wal DIR --seq N [--checkpoint FILE] --output FILE
       spine prove --wal DIR --consistency OLD_CHECKPOINT [--checkpoint NEW] --output FILE

Write a proof bundle (C2SP tlog-proof: the record, its RFC 6962 inclusion proof and the signed
checkpoint) that anyone can check offline with "spine verify-proof FILE --trust-key KEY",
without the log. With --consistency, write a proof that the log at the newer checkpoint
extends the log at the older one.

Options:
  --wal DIR            WAL directory (required)
  --seq N              Sequence number of the record to prove
  --checkpoint FILE    Checkpoint to prove against (default: the newest in DIR/checkpoints/)
  --consistency FILE   Older checkpoint: prove consistency instead of inclusion
  --output FILE        Where to write the proof (required)
  -h, --help           Show this help

Exit codes: 0 success, 2 usage or I/O error (including a log that does not match the checkpoint).
`;

/**
 * Runs `spine prove`.
 *
 * @param args Arguments after `prove`.
 * @param io Streams.
 * @returns The exit code.
 * @throws {UsageError} For bad arguments.
 */
export async function runProve(args: string[], io: CliIo): Promise<number> {
  if (args.some((a) => a === "--consistency" || a.startsWith("--consistency="))) {
    return await runProveConsistency(args, io);
  }
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      wal: { type: "string" },
      seq: { type: "string" },
      checkpoint: { type: "string" },
      output: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    await io.out(PROVE_HELP);
    return EXIT.OK;
  }
  noPositionals(positionals);
  const wal = requireWal(values.wal);
  if (values.output === undefined) throw new UsageError("Missing --output FILE");
  const seq = requireSeq(values.seq);
  const checkpoint = values.checkpoint !== undefined
    ? await readCheckpointFile(values.checkpoint)
    : await newestCheckpoint(wal);
  const bundle = await proveInclusion(wal, seq, checkpoint);
  await Deno.writeTextFile(values.output, bundle);
  await io.err(
    `spine prove: seq ${seq} proven against the checkpoint of size ${checkpoint.checkpoint.size}; wrote ${values.output}\n`,
  );
  return EXIT.OK;
}

/**
 * The stored checkpoint with the largest tree size.
 *
 * @param wal The WAL directory.
 * @returns The checkpoint.
 * @throws {WalError} If there is none.
 */
export async function newestCheckpoint(wal: string): Promise<StoredCheckpoint> {
  let best: StoredCheckpoint | undefined;
  for (const file of await listCheckpointFiles(wal)) {
    const cp = await readCheckpointFile(file);
    if (best === undefined || cp.checkpoint.size > best.checkpoint.size) best = cp;
  }
  if (best === undefined) {
    throw new WalError(`${wal} has no checkpoint: run "spine checkpoint --wal ${wal}" first`);
  }
  return best;
}
