/**
 * Which files of a WAL directory hold records, in reading order.
 *
 * @module
 */

import { compareCodePoints } from "../format/canonical_json.ts";

/** Files that share the `*.jsonl` extension but do not hold records. */
export const SIDE_FILES: ReadonlySet<string> = new Set([
  "receipts.jsonl",
  "dead_letters.jsonl",
]);

/**
 * Tells whether a file name names a record segment: `*.jsonl` or `*.wal`, not a side file.
 *
 * @param name A file name without directory.
 * @returns Whether the file holds records.
 * @example
 * ```ts
 * import { isSegmentName } from "./segments.ts";
 * console.assert(isSegmentName("segment_20261127_062214.jsonl"));
 * console.assert(!isSegmentName("receipts.jsonl"));
 * ```
 */
export function isSegmentName(name: string): boolean {
  return (name.endsWith(".jsonl") || name.endsWith(".wal")) && !SIDE_FILES.has(name) &&
    !name.startsWith(".");
}

/**
 * Lists the segment files of a WAL directory in file-name order.
 *
 * @param dir The WAL directory.
 * @returns File names (not paths), sorted by code point.
 * @throws {Deno.errors.NotFound} If the directory does not exist.
 * @throws {Error} For other I/O failures, as Deno raises them.
 * @example
 * ```ts ignore
 * import { listSegments } from "./segments.ts";
 * console.log(await listSegments("./audit_log"));
 * ```
 */
export async function listSegments(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!isSegmentName(entry.name)) continue;
    if (entry.isFile) {
      names.push(entry.name);
    } else if (entry.isSymlink) {
      const info = await Deno.stat(`${dir}/${entry.name}`);
      if (info.isFile) names.push(entry.name);
    }
  }
  return names.sort(compareCodePoints);
}
