/**
 * Argument checks every subcommand makes, with one wording for each usage error.
 *
 * @module
 */

import { UsageError } from "./io.ts";

/**
 * Refuses positional arguments where a command takes none.
 *
 * @param positionals What `parseArgs` left over.
 * @throws {UsageError} Naming the first unexpected argument.
 */
export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument ${JSON.stringify(positionals[0])}`);
  }
}

/**
 * The required `--wal DIR`.
 *
 * @param wal The option's value.
 * @returns The directory.
 * @throws {UsageError} If it is missing.
 */
export function requireWal(wal: string | undefined): string {
  if (wal === undefined) throw new UsageError("Missing --wal DIR");
  return wal;
}

/**
 * The required `--seq N`: a positive integer of at most 16 digits, without sign or leading zero.
 *
 * @param seq The option's value.
 * @returns The sequence number.
 * @throws {UsageError} If it is missing or not such an integer.
 * @example
 * ```ts
 * import { requireSeq } from "./_command.ts";
 * console.assert(requireSeq("42") === 42);
 * ```
 */
export function requireSeq(seq: string | undefined): number {
  if (seq === undefined || !/^[1-9][0-9]{0,15}$/.test(seq)) {
    throw new UsageError("--seq must be a positive integer");
  }
  return Number(seq);
}

/**
 * Checks `--format` against the formats a command supports.
 *
 * @param format The option's value.
 * @param allowed The supported formats.
 * @returns The format, typed.
 * @throws {UsageError} E.g. `--format "xml" is not text, json or quiet`.
 * @example
 * ```ts
 * import { formatOf } from "./_command.ts";
 * console.assert(formatOf("json", ["text", "json"] as const) === "json");
 * ```
 */
export function formatOf<T extends string>(format: string | undefined, allowed: readonly T[]): T {
  if (allowed.includes(format as T)) return format as T;
  const names = allowed.length > 1
    ? `${allowed.slice(0, -1).join(", ")} or ${allowed[allowed.length - 1]}`
    : allowed[0];
  throw new UsageError(`--format ${JSON.stringify(format)} is not ${names}`);
}
