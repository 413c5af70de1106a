/**
 * Operational failures of WAL access (as opposed to integrity findings, which are data).
 *
 * @module
 */

/** A WAL directory or file cannot be used: missing, not a directory, unreadable, locked. */
export class WalError extends Error {
  /** Stable machine-readable code, the same for every instance: `"wal_error"`. */
  readonly code: "wal_error" = "wal_error";
  /**
   * Creates a {@linkcode WalError}.
   *
   * @param message What failed, naming the path.
   * @param options The underlying error, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WalError";
  }
}

/**
 * Describes an I/O error in a sentence, for wrapping into a `WalError`.
 *
 * @param e The error Deno raised.
 * @returns A short reason, e.g. "permission denied".
 * @example
 * ```ts
 * import { ioReason } from "./errors.ts";
 * console.assert(ioReason(new Deno.errors.NotFound("x")) === "no such file or directory");
 * ```
 */
export function ioReason(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.NotADirectory) return "not a directory";
  if (e instanceof Deno.errors.IsADirectory) return "is a directory";
  return e instanceof Error ? e.message : String(e);
}
