/**
 * What a CLI command may touch of the outside world, so tests can run commands in-process.
 *
 * @module
 */

/** Streams and environment given to a command. */
export interface CliIo {
  /** Writes text to standard output. */
  out(text: string): Promise<void>;
  /** Writes text to standard error. */
  err(text: string): Promise<void>;
  /** Standard input bytes. */
  stdin: ReadableStream<Uint8Array>;
  /** Whether standard error is a terminal (progress is shown only then). */
  stderrIsTerminal: boolean;
  /** Reads an environment variable the command is allowed to read. */
  env(name: string): string | undefined;
}

const encoder = new TextEncoder();

async function writeAll(w: { write(p: Uint8Array): Promise<number> }, text: string): Promise<void> {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(await w.write(bytes));
}

/**
 * The real process's streams.
 *
 * @returns An `CliIo` over `Deno.stdout`, `Deno.stderr` and `Deno.stdin`.
 * @example
 * ```ts ignore
 * import { denoIo } from "./io.ts";
 * await denoIo().out("hello\n");
 * ```
 */
export function denoIo(): CliIo {
  return {
    out: (text) => writeAll(Deno.stdout, text),
    err: (text) => writeAll(Deno.stderr, text),
    get stdin() {
      return Deno.stdin.readable;
    },
    stderrIsTerminal: Deno.stderr.isTerminal(),
    env: (name) => {
      try {
        return Deno.env.get(name);
      } catch {
        return undefined; // Not permitted: treated as unset.
      }
    },
  };
}

/** Exit codes of every command. */
export const EXIT = {
  /** Success; for verify: the log is valid. */
  OK: 0,
  /** Verification completed and found problems. */
  INVALID: 1,
  /** Usage error or operational failure (I/O, bad arguments). */
  ERROR: 2,
} as const;

/** A usage error: wrong or missing arguments. Printed with a hint, exit code 2. */
export class UsageError extends TypeError {
  /**
   * @param message What is wrong with the command line.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
