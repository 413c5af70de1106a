/**
 * The `spine` command line: dispatches subcommands and maps failures to exit codes.
 *
 * @module
 */

import { type CliIo, denoIo, EXIT, UsageError } from "./io.ts";

/** Help text of `spine`. */
export const MAIN_HELP = `Usage: spine <command> [options]

Tamper-evident audit logs in the Spine WAL v1 format.

Commands:
  init          Create a WAL directory, a signing key and a public trust file
  append        Append signed, hash-chained events (durable; safe with concurrent writers)
  keys          Generate, show, export, import, rotate and revoke signing keys
  verify        Verify a WAL directory offline against pinned keys
  checkpoint    Sign a checkpoint (Merkle tree size and root) of the log
  prove         Write an inclusion proof of one record, or a consistency proof
  verify-proof  Check a proof bundle offline, without the log
  witness       Cosign a log's checkpoints, refusing rollbacks and forks
  redact        Erase one record's payload, keeping the log verifiable

Run "spine <command> --help" for a command's options.

Exit codes: 0 success (verify: valid), 1 verification found problems, 2 usage or I/O error.
`;

type Command = (args: string[], io: CliIo) => Promise<number>;

// Each command module loads only when it runs: `spine append` never loads the verifier,
// checkpoints or witness code (process start-up is most of one append's wall time).
const COMMANDS: Record<string, () => Promise<Command>> = {
  verify: async () => (await import("./verify.ts")).runVerify,
  init: async () => (await import("./init.ts")).runInit,
  append: async () => (await import("./append.ts")).runAppend,
  keys: async () => (await import("./keys.ts")).runKeys,
  checkpoint: async () => (await import("./checkpoint.ts")).runCheckpoint,
  prove: async () => (await import("./prove.ts")).runProve,
  "verify-proof": async () => (await import("./verify_proof.ts")).runVerifyProof,
  witness: async () => (await import("./witness.ts")).runWitness,
  redact: async () => (await import("./redact.ts")).runRedact,
};

/**
 * Runs the CLI.
 *
 * @param args Command-line arguments (without the program name).
 * @param io Streams; the real process's by default.
 * @returns The exit code.
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 * Deno.exit(await main(["verify", "--help"]));
 * ```
 */
export async function main(args: string[], io: CliIo = denoIo()): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    await io.out(MAIN_HELP);
    return name === undefined ? EXIT.ERROR : EXIT.OK;
  }
  if (name === "--version" || name === "-V") {
    await io.out("spine 0.1.0\n");
    return EXIT.OK;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    await io.err(`spine: unknown command ${JSON.stringify(name)}; run "spine --help"\n`);
    return EXIT.ERROR;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (e) {
    return await reportFailure(e, name, io);
  }
}

async function reportFailure(e: unknown, name: string, io: CliIo): Promise<number> {
  if (e instanceof UsageError || isParseArgsError(e)) {
    await io.err(`spine ${name}: ${(e as Error).message}\nRun "spine ${name} --help" for usage.\n`);
  } else if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    await io.err(`spine ${name}: not permitted: ${e.message}\n`);
  } else if (e instanceof Error) {
    await io.err(`spine ${name}: ${e.message}\n`);
  } else {
    await io.err(`spine ${name}: ${String(e)}\n`);
  }
  return EXIT.ERROR;
}

function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof TypeError && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}
