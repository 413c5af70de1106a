/**
 * `spine prove --consistency`: write a proof that the log at a newer checkpoint extends the log at
 * an older one (`spine.dev/consistency-proof@v1`), for witnesses and auditors.
 *
 * @module
 */

import { noPositionals, requireWal } from "./_command.ts";
import { parseArgs } from "node:util";
import { proveConsistency } from "../checkpoint/consistency.ts";
import {
  CHECKPOINT_DIR,
  listCheckpointFiles,
  readCheckpointFile,
  type StoredCheckpoint,
} from "../checkpoint/log_checkpoint.ts";
import { ioReason, WalError } from "../wal/errors.ts";
import { type CliIo, EXIT, UsageError } from "./io.ts";

/** Help text of `spine prove --consistency`. */
export const PROVE_CONSISTENCY_HELP =
  `Usage: spine prove --wal DIR --consistency OLD_CHECKPOINT [--checkpoint NEW] --output FILE

Write a consistency proof (spine.dev/consistency-proof@v1, RFC 9162) that the log at the newer
checkpoint extends the log at the older one: nothing checkpointed before was changed or removed.
Give it to a witness with "spine witness cosign --proof FILE".

Options:
  --wal DIR              WAL directory (required)
  --consistency FILE     The older signed checkpoint note (required)
  --checkpoint FILE      The newer signed checkpoint note (default: the checkpoint with the
                         largest tree size in DIR/checkpoints/ with the same origin)
  --output FILE          Where to write the proof (required)
  -h, --help             Show this help

The log's root at each checkpoint's size must equal that checkpoint's root; otherwise the log
was rewritten and no proof is written.

Exit codes: 0 success, 2 usage or I/O error (including a log that does not match a checkpoint).
`;

/**
 * Runs `spine prove --consistency`.
 *
 * @param args Arguments after `prove` (including `--consistency`).
 * @param io Streams.
 * @returns The exit code: 0 success.
 * @throws {UsageError} For bad arguments.
 * @throws {LogMismatchError} If the log's root at a checkpoint's size differs from it (the
 * caller prints the message and exits 2).
 * @throws {WalError} If the log or a checkpoint cannot be read.
 * @throws {CheckpointSyntaxError} If a checkpoint note is malformed.
 * @example
 * ```ts ignore
 * import { runProveConsistency } from "./prove_consistency.ts";
 * import { denoIo } from "./io.ts";
 * Deno.exit(await runProveConsistency(
 *   ["--wal", "./audit_log", "--consistency", "old.txt", "--output", "consistency.txt"],
 *   denoIo(),
 * ));
 * ```
 */
export async function runProveConsistency(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      wal: { type: "string" },
      consistency: { type: "string" },
      checkpoint: { type: "string" },
      output: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    await io.out(PROVE_CONSISTENCY_HELP);
    return EXIT.OK;
  }
  noPositionals(positionals);
  const wal = requireWal(values.wal);
  if (values.consistency === undefined) throw new UsageError("Missing --consistency FILE");
  if (values.output === undefined) throw new UsageError("Missing --output FILE");
  const older = await readCheckpointFile(values.consistency);
  const newer = values.checkpoint !== undefined
    ? await readCheckpointFile(values.checkpoint)
    : await largestCheckpoint(wal, older.checkpoint.origin);
  if (newer.checkpoint.size < older.checkpoint.size) {
    throw new WalError(
      `The new checkpoint ${newer.file} has size ${newer.checkpoint.size}, below the old ` +
        `checkpoint's size ${older.checkpoint.size}: the log lost records, or the checkpoints ` +
        "were given in the wrong order",
    );
  }
  const proof = await proveConsistency(wal, older.text, newer.text);
  try {
    await Deno.writeTextFile(values.output, proof);
  } catch (e) {
    throw new WalError(`Cannot write ${values.output}: ${ioReason(e)}`, { cause: e });
  }
  await io.err(
    `spine prove: the log at size ${newer.checkpoint.size} extends the checkpoint of size ` +
      `${older.checkpoint.size}; wrote ${values.output}\n`,
  );
  return EXIT.OK;
}

async function largestCheckpoint(dir: string, origin: string): Promise<StoredCheckpoint> {
  let best: StoredCheckpoint | undefined;
  for (const file of await listCheckpointFiles(dir)) {
    const stored = await readCheckpointFile(file);
    if (stored.checkpoint.origin !== origin) continue;
    if (best === undefined || stored.checkpoint.size > best.checkpoint.size) best = stored;
  }
  if (best === undefined) {
    throw new WalError(
      `No checkpoint of origin ${origin} in ${dir}/${CHECKPOINT_DIR}/; ` +
        `run "spine checkpoint --wal ${dir}" or pass --checkpoint FILE`,
    );
  }
  return best;
}
