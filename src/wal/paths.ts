/**
 * Default locations of a WAL's companion files, beside (never inside) the WAL directory:
 * `<wal>.key` (the private signing key, mode 0600) and `<wal>.trust.json` (the public trust
 * file for auditors). They need no environment lookup (no `HOME`), only the WAL path.
 *
 * @module
 */

import { resolve, sep } from "node:path";

/**
 * The WAL path without trailing separators; made absolute when it would otherwise give a
 * hidden or odd name (`.`, `..`, `dir/.`).
 *
 * @param wal The WAL directory as given.
 * @returns The base to which `.key` / `.trust.json` is appended.
 * @throws {RangeError} If the WAL is the file-system root.
 */
function base(wal: string): string {
  let b = wal.replace(/[\\/]+$/, "");
  const last = b.split(/[\\/]/).pop() ?? "";
  if (b === "" || last === "." || last === "..") b = resolve(wal);
  if (b === "" || b === sep || /^[A-Za-z]:\\?$/.test(b)) {
    throw new RangeError(
      `Cannot place companion files beside WAL directory ${JSON.stringify(wal)}`,
    );
  }
  return b;
}

/**
 * The default signing-key file of a WAL: `<wal>.key`, beside the directory.
 *
 * @param wal The WAL directory.
 * @returns The key file path.
 * @throws {RangeError} If the WAL is the file-system root.
 * @example
 * ```ts
 * import { defaultKeyPath } from "./paths.ts";
 * console.assert(defaultKeyPath("data/audit/") === "data/audit.key");
 * ```
 */
export function defaultKeyPath(wal: string): string {
  return `${base(wal)}.key`;
}

/**
 * The default public trust file of a WAL: `<wal>.trust.json`, beside the directory.
 *
 * @param wal The WAL directory.
 * @returns The trust file path.
 * @throws {RangeError} If the WAL is the file-system root.
 * @example
 * ```ts
 * import { defaultTrustPath } from "./paths.ts";
 * console.assert(defaultTrustPath("audit") === "audit.trust.json");
 * ```
 */
export function defaultTrustPath(wal: string): string {
  return `${base(wal)}.trust.json`;
}

/**
 * Tells whether `path` is `dir` itself or lies inside it (after resolving both).
 *
 * @param path A file path.
 * @param dir A directory path.
 * @returns Whether `path` is within `dir`.
 * @example
 * ```ts
 * import { isWithin } from "./paths.ts";
 * console.assert(isWithin("audit/x.key", "audit") && !isWithin("audit.key", "audit"));
 * ```
 */
export function isWithin(path: string, dir: string): boolean {
  const p = resolve(path);
  const d = resolve(dir);
  return p === d || p.startsWith(d.endsWith(sep) ? d : d + sep);
}
